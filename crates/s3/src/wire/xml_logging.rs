//! The BucketLoggingStatus document of Put/GetBucketLogging, read and written. An empty
//! document (no LoggingEnabled) disables logging.

use super::xml_in::{AclListXml, GranteeXml};
use super::xml_out::Xml;
use crate::error::{S3Error, S3Result};
use crate::logging::{KeyFormat, LoggingConfig, PartitionDateSource};
use crate::model::buckets::Grant;
use bytes::Bytes;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PartitionedXml {
    partition_date_source: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct KeyFormatXml {
    simple_prefix: Option<serde::de::IgnoredAny>,
    partitioned_prefix: Option<PartitionedXml>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct LoggingEnabledXml {
    target_bucket: String,
    target_prefix: String,
    target_grants: Option<AclListXml>,
    target_object_key_format: Option<KeyFormatXml>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StatusXml {
    logging_enabled: Option<LoggingEnabledXml>,
}

/// A BucketLoggingStatus: the configuration it enables, or None for an empty one.
pub fn parse(body: &[u8]) -> S3Result<Option<LoggingConfig>> {
    let text = std::str::from_utf8(body).map_err(|_| S3Error::MalformedXml)?;
    let status: StatusXml = quick_xml::de::from_str(text).map_err(|_| S3Error::MalformedXml)?;
    let Some(e) = status.logging_enabled else {
        return Ok(None);
    };
    let mut target_grants = Vec::new();
    for g in e.target_grants.unwrap_or_default().grants {
        if !["FULL_CONTROL", "READ", "WRITE"].contains(&g.permission.as_str()) {
            return Err(S3Error::MalformedXml);
        }
        let (grantee_type, grantee, display_name) = match g.grantee {
            GranteeXml { email: Some(_), .. } => {
                return Err(S3Error::UnresolvableGrantByEmailAddress)
            }
            GranteeXml {
                id: Some(id),
                display_name,
                ..
            } => ("CanonicalUser", id, display_name),
            GranteeXml { uri: Some(uri), .. } => ("Group", uri, None),
            GranteeXml { kind, .. } => {
                return Err(S3Error::InvalidArgument {
                    message: "Invalid grantee in TargetGrants".into(),
                    name: "Grantee".into(),
                    value: kind.unwrap_or_default(),
                })
            }
        };
        target_grants.push(Grant {
            grantee_type: grantee_type.into(),
            grantee,
            display_name,
            permission: g.permission,
        });
    }
    let key_format = match e.target_object_key_format {
        None => KeyFormat::SimplePrefix,
        Some(KeyFormatXml {
            simple_prefix: Some(_),
            partitioned_prefix: None,
        }) => KeyFormat::SimplePrefix,
        Some(KeyFormatXml {
            simple_prefix: None,
            partitioned_prefix: Some(p),
        }) => KeyFormat::PartitionedPrefix(match p.partition_date_source.as_deref() {
            None | Some("DeliveryTime") => PartitionDateSource::DeliveryTime,
            Some("EventTime") => PartitionDateSource::EventTime,
            Some(_) => return Err(S3Error::MalformedXml),
        }),
        Some(_) => return Err(S3Error::MalformedXml),
    };
    Ok(Some(LoggingConfig {
        target_bucket: e.target_bucket,
        target_prefix: e.target_prefix,
        target_grants,
        key_format,
    }))
}

/// The GetBucketLogging answer.
pub fn encode(config: Option<&LoggingConfig>) -> Bytes {
    let mut x = Xml::new("BucketLoggingStatus");
    if let Some(c) = config {
        x.open("LoggingEnabled")
            .elem("TargetBucket", &c.target_bucket)
            .elem("TargetPrefix", &c.target_prefix);
        if !c.target_grants.is_empty() {
            x.open("TargetGrants");
            for g in &c.target_grants {
                super::xml_out::grant(&mut x, g);
            }
            x.close("TargetGrants");
        }
        x.open("TargetObjectKeyFormat");
        match c.key_format {
            KeyFormat::SimplePrefix => {
                x.raw("<SimplePrefix></SimplePrefix>");
            }
            KeyFormat::PartitionedPrefix(source) => {
                x.open("PartitionedPrefix")
                    .elem("PartitionDateSource", source.as_str())
                    .close("PartitionedPrefix");
            }
        }
        x.close("TargetObjectKeyFormat").close("LoggingEnabled");
    }
    x.finish("BucketLoggingStatus")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_writes_configurations() {
        assert_eq!(
            parse(b"<BucketLoggingStatus xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"/>")
                .unwrap(),
            None
        );
        let c = parse(br#"<BucketLoggingStatus><LoggingEnabled><TargetBucket>t</TargetBucket><TargetPrefix>log/</TargetPrefix>
            <TargetGrants><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>abc</ID></Grantee><Permission>READ</Permission></Grant></TargetGrants>
            <TargetObjectKeyFormat><PartitionedPrefix><PartitionDateSource>EventTime</PartitionDateSource></PartitionedPrefix></TargetObjectKeyFormat>
            </LoggingEnabled></BucketLoggingStatus>"#).unwrap().unwrap();
        assert_eq!(c.target_bucket, "t");
        assert_eq!(c.target_grants[0].grantee, "abc");
        assert_eq!(
            c.key_format,
            KeyFormat::PartitionedPrefix(PartitionDateSource::EventTime)
        );
        let xml = String::from_utf8(encode(Some(&c)).to_vec()).unwrap();
        assert!(
            xml.contains("<PartitionDateSource>EventTime</PartitionDateSource>"),
            "{xml}"
        );
        assert_eq!(parse(br#"<BucketLoggingStatus><LoggingEnabled><TargetBucket>t</TargetBucket><TargetPrefix>p</TargetPrefix>
            <TargetObjectKeyFormat><PartitionedPrefix><PartitionDateSource>kaboom</PartitionDateSource></PartitionedPrefix></TargetObjectKeyFormat>
            </LoggingEnabled></BucketLoggingStatus>"#), Err(S3Error::MalformedXml));
        assert_eq!(parse(b"<BucketLoggingStatus><LoggingEnabled><TargetPrefix>p</TargetPrefix></LoggingEnabled></BucketLoggingStatus>"), Err(S3Error::MalformedXml));
    }
}
