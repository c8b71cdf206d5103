//! KMS JSON 1.1 requests (`X-Amz-Target: TrentService.<Op>` and a JSON body), parsed by the
//! service's wire layer and, when they parse, run by the real KMS service over a real store:
//! the handlers' own checks (lengths, specs, algorithms, encryption contexts, grant
//! constraints, key policies, tags) see every value libFuzzer comes up with.
//!
//! Fixture keys, named by alias in the seeds: `alias/fuzz-sym` (symmetric), `alias/fuzz-hmac`
//! (HMAC_256), `alias/fuzz-sign` (ECC_NIST_P256 signing), `alias/fuzz-ecdh` (ECC_NIST_P256 key
//! agreement), `alias/fuzz-rsa` (RSA_2048 encryption). Left out, to keep each run fast and the
//! fixtures usable: RSA key generation (CreateKey, GenerateDataKeyPair, GetParametersForImport
//! take seconds), and the operations that disable, delete, re-point or lock out a fixture.
//!
//! Input: `operation \0 JSON body`. Besides no panic: GenerateRandom never answers more than
//! 1024 bytes, and what Encrypt answers decrypts to its plaintext.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use trailstack_fuzz::harness::Harness;
use trailstack_fuzz::Fields;
use trailstack_kms::{Op, OpKind, Params};

fn harness() -> &'static Harness {
    static READY: OnceLock<()> = OnceLock::new();
    let h = Harness::get();
    READY.get_or_init(|| {
        h.key("{}", "alias/fuzz-sym");
        h.key(
            r#"{"KeySpec":"HMAC_256","KeyUsage":"GENERATE_VERIFY_MAC"}"#,
            "alias/fuzz-hmac",
        );
        h.key(
            r#"{"KeySpec":"ECC_NIST_P256","KeyUsage":"SIGN_VERIFY"}"#,
            "alias/fuzz-sign",
        );
        h.key(
            r#"{"KeySpec":"ECC_NIST_P256","KeyUsage":"KEY_AGREEMENT"}"#,
            "alias/fuzz-ecdh",
        );
        h.key(
            r#"{"KeySpec":"RSA_2048","KeyUsage":"ENCRYPT_DECRYPT"}"#,
            "alias/fuzz-rsa",
        );
    });
    h
}

/// Whether running `op` keeps a run fast and its fixtures intact.
fn runnable(op: &Op) -> bool {
    use OpKind::*;
    let p = &op.params;
    let rsa = |spec: &Option<String>| {
        spec.as_deref()
            .is_some_and(|s| s.to_ascii_uppercase().contains("RSA"))
    };
    let names_fixture = [&p.key_id, &p.target_key_id, &p.alias_name]
        .into_iter()
        .flatten()
        .any(|s| s.to_ascii_lowercase().contains("fuzz"));
    match op.kind {
        CreateKey => !rsa(&p.key_spec) && !rsa(&p.customer_master_key_spec),
        GenerateDataKeyPair | GenerateDataKeyPairWithoutPlaintext => !rsa(&p.key_pair_spec),
        GetParametersForImport => false,
        DisableKey
        | ScheduleKeyDeletion
        | PutKeyPolicy
        | DeleteAlias
        | UpdateAlias
        | ImportKeyMaterial
        | DeleteImportedKeyMaterial
        | EnableKey
        | CancelKeyDeletion
        | EnableKeyRotation
        | DisableKeyRotation
        | RotateKeyOnDemand => !names_fixture,
        _ => true,
    }
}

fuzz_target!(|data: &[u8]| {
    let mut f = Fields::new(data);
    let target = f.text().into_owned();
    let body = f.rest();
    let Ok(op) = trailstack_kms::wire::parse(&target, body) else {
        return;
    };
    if !runnable(&op) {
        return;
    }
    let h = harness();
    let (kind, params) = (op.kind, op.params.clone());
    let Ok(out) = h.block_on(h.app.kms.call(&h.root, op)) else {
        return;
    };
    let _ = trailstack_kms::wire::encode(&out);
    match kind {
        OpKind::GenerateRandom => {
            let n = out["Plaintext"].as_str().map_or(0, str::len);
            assert!(n <= 1368, "GenerateRandom answered {n} base64 characters");
        }
        OpKind::Encrypt => {
            let blob = out["CiphertextBlob"]
                .as_str()
                .expect("Encrypt answers a blob");
            let blob = base64_decode(blob);
            let decrypt = Op {
                kind: OpKind::Decrypt,
                params: Params {
                    ciphertext_blob: Some(blob),
                    encryption_context: params.encryption_context.clone(),
                    encryption_algorithm: params.encryption_algorithm.clone(),
                    key_id: out["KeyId"].as_str().map(str::to_string),
                    ..Params::default()
                },
            };
            let back = h
                .block_on(h.app.kms.call(&h.root, decrypt))
                .unwrap_or_else(|e| panic!("what Encrypt answered does not decrypt: {e:?}"));
            let plain = back["Plaintext"].as_str().map(base64_decode);
            assert_eq!(plain, params.plaintext, "Decrypt gave back other bytes");
        }
        _ => {}
    }
});

fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .expect("the service answers valid base64")
}
