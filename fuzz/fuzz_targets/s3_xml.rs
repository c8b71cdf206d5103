//! The XML request bodies of S3 (`crates/s3/src/wire/xml_in.rs`): CreateBucketConfiguration,
//! Tagging, ServerSideEncryptionConfiguration, VersioningConfiguration,
//! PublicAccessBlockConfiguration, OwnershipControls, Delete (DeleteObjects),
//! CompleteMultipartUpload, AccessControlPolicy and CORSConfiguration. Each is read before the operation is
//! authorized, so any client can send any bytes here.
//!
//! Input: a selector byte (which document), then the body. No panic, no unbounded allocation;
//! a document that parses keeps what S3 promises of it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trailstack_s3::wire::xml_in;

fuzz_target!(|input: &[u8]| {
    let Some((&which, body)) = input.split_first() else {
        return;
    };
    match which % 10 {
        0 => {
            let _ = xml_in::location_constraint(body);
        }
        1 => {
            let _ = xml_in::tagging(body);
        }
        2 => {
            if let Ok(e) = xml_in::encryption(body) {
                assert_eq!(e.algorithm.trim(), e.algorithm, "algorithm not trimmed");
                assert!(e.kms_key.as_deref() != Some(""), "empty KMS key id kept");
            }
        }
        3 => {
            let _ = xml_in::versioning(body);
        }
        4 => {
            let _ = xml_in::public_access_block(body);
        }
        5 => {
            let _ = xml_in::ownership(body);
        }
        6 => {
            let _ = xml_in::delete(body);
        }
        7 => {
            if let Ok(parts) = xml_in::complete(body) {
                for p in parts {
                    assert!(!p.etag.starts_with('"'), "ETag quotes kept");
                }
            }
        }
        8 => {
            // Validation and rule matching must hold for whatever parses.
            if let Ok(rules) = xml_in::cors(body) {
                if trailstack_s3::cors::validate(&rules).is_ok() {
                    let ask = trailstack_s3::cors::CorsAsk {
                        origin: "https://a.example",
                        method: "GET",
                        headers: &["x-amz-date".to_string()],
                    };
                    let _ = trailstack_s3::cors::matching(&rules, &ask);
                }
            }
        }
        _ => {
            if let Ok((_, grants)) = xml_in::acl(body) {
                for g in grants {
                    assert!(
                        ["FULL_CONTROL", "READ", "WRITE", "READ_ACP", "WRITE_ACP"]
                            .contains(&g.permission.as_str()),
                        "unknown permission {:?} accepted",
                        g.permission
                    );
                }
            }
        }
    }
});
