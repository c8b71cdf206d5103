//! Lifecycle documents on the wire: PutBucketLifecycleConfiguration's body read (and validated
//! by [`crate::lifecycle::validate`]), and GetBucketLifecycleConfiguration's body written back
//! as given, rule elements in S3's order (`ID`, `Filter` or `Prefix`, `Status`, actions).

use super::headers::{self as hdr, get};
use super::xml_out::{timestamp, Xml};
use crate::error::{S3Error, S3Result};
use crate::lifecycle::validate::{self, RawConfiguration};
use crate::lifecycle::{Filter, LifecycleConfiguration};
use bytes::Bytes;

/// PutBucketLifecycleConfiguration: like every configuration S3 requires an integrity check,
/// `Content-MD5` or an `x-amz-checksum-*` header (checked against `body` before this).
pub fn put(headers: &http::HeaderMap, bucket: String, body: &[u8]) -> S3Result<crate::op::Op> {
    if get(headers, "content-md5").is_none() && hdr::checksum(headers)?.is_none() {
        return Err(S3Error::InvalidRequest(
            "Missing required header for this request: Content-MD5".into(),
        ));
    }
    let minimum = get(headers, "x-amz-transition-default-minimum-object-size");
    Ok(crate::op::Op::PutBucketLifecycleConfiguration {
        bucket,
        config: configuration(body, minimum.as_deref())?,
    })
}

/// The configuration in a PUT body; `minimum` is the
/// `x-amz-transition-default-minimum-object-size` header.
pub fn configuration(body: &[u8], minimum: Option<&str>) -> S3Result<LifecycleConfiguration> {
    let text = std::str::from_utf8(body).map_err(|_| S3Error::MalformedXml)?;
    let raw: RawConfiguration = quick_xml::de::from_str(text).map_err(|_| S3Error::MalformedXml)?;
    validate::configuration(raw, minimum)
}

fn predicates(x: &mut Xml, f: &Filter) {
    x.opt("Prefix", f.prefix.as_ref());
    for (k, v) in &f.tags {
        x.open("Tag").elem("Key", k).elem("Value", v).close("Tag");
    }
    x.opt(
        "ObjectSizeGreaterThan",
        f.greater_than.map(|n| n.to_string()),
    )
    .opt("ObjectSizeLessThan", f.less_than.map(|n| n.to_string()));
}

fn filter(x: &mut Xml, f: &Filter) {
    if f.legacy {
        x.elem("Prefix", f.prefix());
        return;
    }
    let empty = f.prefix.is_none()
        && f.tags.is_empty()
        && f.greater_than.is_none()
        && f.less_than.is_none();
    if empty {
        x.raw("<Filter/>");
        return;
    }
    x.open("Filter");
    if f.and {
        x.open("And");
        predicates(x, f);
        x.close("And");
    } else {
        predicates(x, f);
    }
    x.close("Filter");
}

/// GetBucketLifecycleConfiguration's body.
pub fn document(c: &LifecycleConfiguration) -> Bytes {
    let mut x = Xml::new("LifecycleConfiguration");
    for r in &c.rules {
        x.open("Rule").elem("ID", &r.id);
        filter(&mut x, &r.filter);
        x.elem("Status", if r.enabled { "Enabled" } else { "Disabled" });
        if let Some(e) = &r.expiration {
            x.open("Expiration")
                .opt("Date", e.date_ms.map(timestamp))
                .opt("Days", e.days.map(|d| d.to_string()))
                .opt(
                    "ExpiredObjectDeleteMarker",
                    e.expired_object_delete_marker.map(|b| b.to_string()),
                )
                .close("Expiration");
        }
        for t in &r.transitions {
            x.open("Transition")
                .opt("Date", t.date_ms.map(timestamp))
                .opt("Days", t.days.map(|d| d.to_string()))
                .elem("StorageClass", &t.storage_class)
                .close("Transition");
        }
        for t in &r.noncurrent_transitions {
            x.open("NoncurrentVersionTransition")
                .elem("NoncurrentDays", t.days.to_string())
                .elem("StorageClass", &t.storage_class)
                .opt("NewerNoncurrentVersions", t.newer.map(|n| n.to_string()))
                .close("NoncurrentVersionTransition");
        }
        if let Some(n) = &r.noncurrent_expiration {
            x.open("NoncurrentVersionExpiration")
                .elem("NoncurrentDays", n.days.to_string())
                .opt("NewerNoncurrentVersions", n.newer.map(|n| n.to_string()))
                .close("NoncurrentVersionExpiration");
        }
        if let Some(d) = r.abort_days {
            x.open("AbortIncompleteMultipartUpload")
                .elem("DaysAfterInitiation", d.to_string())
                .close("AbortIncompleteMultipartUpload");
        }
        x.close("Rule");
    }
    x.finish("LifecycleConfiguration")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> S3Result<LifecycleConfiguration> {
        configuration(body.as_bytes(), None)
    }

    fn rule(inner: &str) -> String {
        format!("<LifecycleConfiguration><Rule>{inner}</Rule></LifecycleConfiguration>")
    }

    #[test]
    fn legacy_prefix_round_trips() {
        let c = parse(&rule(
            "<ID>r1</ID><Prefix>test1/</Prefix><Status>Enabled</Status><Expiration><Days>31</Days></Expiration>",
        ))
        .unwrap();
        assert!(c.rules[0].filter.legacy);
        let out = String::from_utf8(document(&c).to_vec()).unwrap();
        assert!(out.contains("<Rule><ID>r1</ID><Prefix>test1/</Prefix><Status>Enabled</Status><Expiration><Days>31</Days></Expiration></Rule>"), "{out}");
    }

    #[test]
    fn empty_filter_and_empty_prefix_are_kept_apart() {
        let c = parse(&rule(
            "<ID>a</ID><Filter/><Status>Enabled</Status><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>",
        ))
        .unwrap();
        assert_eq!(c.rules[0].filter.prefix, None);
        let out = String::from_utf8(document(&c).to_vec()).unwrap();
        assert!(out.contains("<Filter/>"), "{out}");
        let c = parse(&rule(
            "<ID>a</ID><Filter><Prefix></Prefix></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration>",
        ))
        .unwrap();
        assert_eq!(c.rules[0].filter.prefix.as_deref(), Some(""));
    }

    #[test]
    fn two_predicates_directly_in_a_filter_are_malformed() {
        let e = parse(&rule(
            "<ID>a</ID><Filter><Prefix>a</Prefix><ObjectSizeGreaterThan>5</ObjectSizeGreaterThan></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration>",
        ))
        .unwrap_err();
        assert_eq!(e, S3Error::MalformedXml);
    }

    #[test]
    fn and_of_tags_and_dates_parse() {
        let c = parse(&rule(
            "<ID>a</ID><Filter><And><Prefix>p/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag><Tag><Key>k2</Key><Value>v2</Value></Tag></And></Filter><Status>Enabled</Status><Expiration><Date>2030-01-01T00:00:00Z</Date></Expiration>",
        ))
        .unwrap();
        let f = &c.rules[0].filter;
        assert!(f.and);
        assert_eq!(f.tags.len(), 2);
        let out = String::from_utf8(document(&c).to_vec()).unwrap();
        assert!(
            out.contains("<Date>2030-01-01T00:00:00.000Z</Date>"),
            "{out}"
        );
    }

    #[test]
    fn validation_errors_are_s3s() {
        let bad_status = parse(&rule(
            "<ID>a</ID><Prefix>x</Prefix><Status>enabled</Status><Expiration><Days>1</Days></Expiration>",
        ));
        assert_eq!(bad_status.unwrap_err(), S3Error::MalformedXml);
        let days0 = parse(&rule(
            "<ID>a</ID><Prefix>x</Prefix><Status>Enabled</Status><Expiration><Days>0</Days></Expiration>",
        ));
        assert!(matches!(days0, Err(S3Error::InvalidArgument { .. })));
        let not_midnight = parse(&rule(
            "<ID>a</ID><Prefix>x</Prefix><Status>Enabled</Status><Expiration><Date>1970-08-22T19:08:21Z</Date></Expiration>",
        ));
        assert!(
            matches!(not_midnight, Err(S3Error::InvalidArgument { message, .. }) if message == "'Date' must be at midnight GMT")
        );
        let no_action = parse(&rule(
            "<ID>a</ID><Prefix>x</Prefix><Status>Enabled</Status>",
        ));
        assert!(matches!(no_action, Err(S3Error::InvalidRequest(_))));
        let ia = parse(&rule(
            "<ID>a</ID><Filter/><Status>Enabled</Status><Transition><Days>10</Days><StorageClass>STANDARD_IA</StorageClass></Transition>",
        ));
        assert!(
            matches!(ia, Err(S3Error::InvalidArgument { message, .. }) if message.contains("greater than or equal to 30"))
        );
        let tags_abort = parse(&rule(
            "<ID>a</ID><Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload>",
        ));
        assert_eq!(
            tags_abort.unwrap_err(),
            S3Error::InvalidRequest(
                "AbortIncompleteMultipartUpload cannot be specified with Tags.".into()
            )
        );
    }

    #[test]
    fn rules_without_an_id_get_one() {
        let c = parse(&rule(
            "<Prefix>x</Prefix><Status>Enabled</Status><Expiration><Days>1</Days></Expiration>",
        ))
        .unwrap();
        assert_eq!(c.rules[0].id.len(), 48);
    }
}
