//! Object Lock on the wire: the `?object-lock`, `?retention` and `?legal-hold` requests and
//! their XML documents, the `x-amz-object-lock-*` headers of writes, and the answers. Values S3
//! refuses in a document are `MalformedXML` (a mode other than GOVERNANCE/COMPLIANCE, a status
//! other than Enabled/ON/OFF, Days with Years); in headers they are `InvalidArgument`.

use super::headers::{self as hdr, get};
use super::xml_out::Xml;
use crate::error::{S3Error, S3Result};
use crate::model::lock::{
    self, BucketLock, DefaultRetention, LockMode, ObjectLock, Period, Retention,
};
use crate::op::{LockOp, LockOutput, ObjectRef, Op};
use bytes::Bytes;
use http::{HeaderMap, Method};
use serde::Deserialize;

fn parse<T: for<'de> Deserialize<'de>>(body: &[u8]) -> S3Result<T> {
    let text = std::str::from_utf8(body).map_err(|_| S3Error::MalformedXml)?;
    quick_xml::de::from_str(text).map_err(|_| S3Error::MalformedXml)
}

/// The Content-MD5 (or checksum) the three Object Lock PUTs require, as AWS requires it.
fn require_digest(h: &HeaderMap) -> S3Result<()> {
    if get(h, "content-md5").is_none() && hdr::checksum(h)?.is_none() {
        return Err(S3Error::InvalidRequest(
            "Missing required header for this request: Content-MD5".into(),
        ));
    }
    Ok(())
}

/// Whether the request asks to bypass GOVERNANCE retention.
pub fn bypass(h: &HeaderMap) -> bool {
    get(h, "x-amz-bypass-governance-retention").is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// Whether a CreateBucket asks for Object Lock.
pub fn enabled_at_creation(h: &HeaderMap) -> bool {
    get(h, "x-amz-bucket-object-lock-enabled").is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DefaultRetentionXml {
    mode: Option<String>,
    days: Option<String>,
    years: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RuleXml {
    default_retention: Option<DefaultRetentionXml>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ConfigurationXml {
    object_lock_enabled: Option<String>,
    rule: Option<RuleXml>,
}

/// A period's number: not an integer is MalformedXML, not positive (or beyond 100 years)
/// InvalidArgument, as AWS answers.
fn period(name: &str, v: &str, make: fn(u32) -> Period) -> S3Result<Period> {
    let n: i64 = v.trim().parse().map_err(|_| S3Error::MalformedXml)?;
    if n <= 0 {
        return Err(S3Error::InvalidArgument {
            message: "Default retention period must be a positive integer value.".into(),
            name: name.into(),
            value: v.trim().into(),
        });
    }
    let p = make(u32::try_from(n).unwrap_or(u32::MAX));
    lock::check_period(p)?;
    Ok(p)
}

/// An ObjectLockConfiguration document.
pub fn configuration(body: &[u8]) -> S3Result<BucketLock> {
    let c: ConfigurationXml = parse(body)?;
    if c.object_lock_enabled.as_deref() != Some("Enabled") {
        return Err(S3Error::MalformedXml);
    }
    let Some(d) = c
        .rule
        .map(|r| r.default_retention.ok_or(S3Error::MalformedXml))
        .transpose()?
    else {
        return Ok(BucketLock::default());
    };
    let mode = d
        .mode
        .as_deref()
        .and_then(LockMode::parse)
        .ok_or(S3Error::MalformedXml)?;
    let period = match (d.days.as_deref(), d.years.as_deref()) {
        (Some(days), None) => period("Days", days, Period::Days)?,
        (None, Some(years)) => period("Years", years, Period::Years)?,
        _ => return Err(S3Error::MalformedXml),
    };
    Ok(BucketLock {
        default: Some(DefaultRetention { mode, period }),
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RetentionXml {
    mode: Option<String>,
    retain_until_date: Option<String>,
}

/// A Retention document; an empty one (no mode, no date) removes the retention.
pub fn retention(body: &[u8]) -> S3Result<Option<Retention>> {
    let r: RetentionXml = parse(body)?;
    match (r.mode, r.retain_until_date) {
        (None, None) => Ok(None),
        (Some(m), Some(d)) => Ok(Some(Retention {
            mode: LockMode::parse(&m).ok_or(S3Error::MalformedXml)?,
            until_ms: lock::parse_date(&d).ok_or(S3Error::MalformedXml)?,
        })),
        _ => Err(S3Error::MalformedXml),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct LegalHoldXml {
    status: Option<String>,
}

/// A LegalHold document: ON (true) or OFF.
pub fn legal_hold(body: &[u8]) -> S3Result<bool> {
    match parse::<LegalHoldXml>(body)?.status.as_deref() {
        Some("ON") => Ok(true),
        Some("OFF") => Ok(false),
        _ => Err(S3Error::MalformedXml),
    }
}

/// The `x-amz-object-lock-*` headers of a write (PutObject, CopyObject,
/// CreateMultipartUpload): mode and date together, and the legal hold.
pub fn write_headers(h: &HeaderMap) -> S3Result<Option<ObjectLock>> {
    let mode = get(h, "x-amz-object-lock-mode");
    let date = get(h, "x-amz-object-lock-retain-until-date");
    let hold = get(h, "x-amz-object-lock-legal-hold");
    let retention = match (mode, date) {
        (None, None) => None,
        (Some(m), Some(d)) => {
            let mode = LockMode::parse(&m).ok_or_else(|| S3Error::InvalidArgument {
                message: "Unknown wormMode directive.".into(),
                name: "x-amz-object-lock-mode".into(),
                value: m.clone(),
            })?;
            let until_ms = lock::parse_date(&d).ok_or_else(|| S3Error::InvalidArgument {
                message: "The retain until date must be provided in ISO 8601 format".into(),
                name: "x-amz-object-lock-retain-until-date".into(),
                value: d.clone(),
            })?;
            Some(Retention { mode, until_ms })
        }
        (m, _) => {
            let missing = match m {
                Some(_) => "x-amz-object-lock-retain-until-date",
                None => "x-amz-object-lock-mode",
            };
            return Err(S3Error::InvalidArgument {
                message: "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied".into(),
                name: missing.into(),
                value: String::new(),
            });
        }
    };
    let legal_hold = match hold.as_deref() {
        None => None,
        Some("ON") => Some(true),
        Some("OFF") => Some(false),
        Some(other) => {
            return Err(S3Error::InvalidArgument {
                message: "Legal Hold must be either of 'ON' or 'OFF'".into(),
                name: "x-amz-object-lock-legal-hold".into(),
                value: other.into(),
            })
        }
    };
    let lock = ObjectLock {
        retention,
        legal_hold,
    };
    Ok((!lock.is_empty()).then_some(lock))
}

/// The response headers of an object version's lock (HeadObject, GetObject).
pub fn response_headers(l: &ObjectLock) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(r) = &l.retention {
        out.push(("x-amz-object-lock-mode", r.mode.as_str().to_string()));
        out.push((
            "x-amz-object-lock-retain-until-date",
            lock::format_date(r.until_ms),
        ));
    }
    if let Some(on) = l.legal_hold {
        out.push((
            "x-amz-object-lock-legal-hold",
            if on { "ON" } else { "OFF" }.to_string(),
        ));
    }
    out
}

/// `?object-lock` on a bucket.
pub fn bucket_op(method: &Method, h: &HeaderMap, bucket: String, body: &[u8]) -> S3Result<Op> {
    let l = match *method {
        Method::GET => LockOp::GetConfiguration { bucket },
        Method::PUT => {
            require_digest(h)?;
            LockOp::PutConfiguration {
                bucket,
                config: configuration(body)?,
            }
        }
        ref m => return Err(S3Error::NotImplemented(format!("{m} ?object-lock"))),
    };
    Ok(Op::ObjectLock(l))
}

/// `?retention` (`retention` true) or `?legal-hold` on an object.
pub fn object_op(
    method: &Method,
    h: &HeaderMap,
    obj: ObjectRef,
    version_id: Option<String>,
    retention_op: bool,
    body: &[u8],
) -> S3Result<Op> {
    let l = match (method.clone(), retention_op) {
        (Method::GET, true) => LockOp::GetRetention { obj, version_id },
        (Method::GET, false) => LockOp::GetLegalHold { obj, version_id },
        (Method::PUT, true) => {
            require_digest(h)?;
            LockOp::PutRetention {
                obj,
                version_id,
                retention: retention(body)?,
                bypass_governance: bypass(h),
            }
        }
        (Method::PUT, false) => {
            require_digest(h)?;
            LockOp::PutLegalHold {
                obj,
                version_id,
                on: legal_hold(body)?,
            }
        }
        (m, true) => return Err(S3Error::NotImplemented(format!("{m} ?retention"))),
        (m, false) => return Err(S3Error::NotImplemented(format!("{m} ?legal-hold"))),
    };
    Ok(Op::ObjectLock(l))
}

/// The XML answer of an Object Lock read.
pub fn encode(out: &LockOutput) -> Bytes {
    match out {
        LockOutput::Configuration(c) => {
            let mut x = Xml::new("ObjectLockConfiguration");
            x.elem("ObjectLockEnabled", "Enabled");
            if let Some(d) = &c.default {
                x.open("Rule")
                    .open("DefaultRetention")
                    .elem("Mode", d.mode.as_str());
                match d.period {
                    Period::Days(n) => x.elem("Days", n.to_string()),
                    Period::Years(n) => x.elem("Years", n.to_string()),
                };
                x.close("DefaultRetention").close("Rule");
            }
            x.finish("ObjectLockConfiguration")
        }
        LockOutput::Retention(r) => {
            let mut x = Xml::new("Retention");
            x.elem("Mode", r.mode.as_str())
                .elem("RetainUntilDate", lock::format_date(r.until_ms));
            x.finish("Retention")
        }
        LockOutput::LegalHold(on) => {
            let mut x = Xml::new("LegalHold");
            x.elem("Status", if *on { "ON" } else { "OFF" });
            x.finish("LegalHold")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(rule: &str) -> S3Result<BucketLock> {
        configuration(
            format!("<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled>{rule}</ObjectLockConfiguration>")
                .as_bytes(),
        )
    }

    #[test]
    fn configurations() {
        let c = config("<Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>1</Days></DefaultRetention></Rule>").unwrap();
        assert_eq!(
            c.default,
            Some(DefaultRetention {
                mode: LockMode::Governance,
                period: Period::Days(1)
            })
        );
        assert_eq!(config("").unwrap(), BucketLock::default());
        let both = "<Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>1</Days><Years>1</Years></DefaultRetention></Rule>";
        assert_eq!(config(both), Err(S3Error::MalformedXml));
        let lower = "<Rule><DefaultRetention><Mode>governance</Mode><Days>1</Days></DefaultRetention></Rule>";
        assert_eq!(config(lower), Err(S3Error::MalformedXml));
        let zero = "<Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>0</Days></DefaultRetention></Rule>";
        assert_eq!(config(zero).unwrap_err().code(), "InvalidArgument");
        let negative = "<Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Years>-1</Years></DefaultRetention></Rule>";
        assert_eq!(config(negative).unwrap_err().code(), "InvalidArgument");
        let disabled = b"<ObjectLockConfiguration><ObjectLockEnabled>Disabled</ObjectLockEnabled></ObjectLockConfiguration>";
        assert_eq!(configuration(disabled), Err(S3Error::MalformedXml));
    }

    #[test]
    fn retention_and_legal_hold_documents() {
        let r = retention(b"<Retention><Mode>COMPLIANCE</Mode><RetainUntilDate>2030-01-01T00:00:00Z</RetainUntilDate></Retention>").unwrap().unwrap();
        assert_eq!(r.mode, LockMode::Compliance);
        assert_eq!(retention(b"<Retention></Retention>").unwrap(), None);
        assert_eq!(
            retention(b"<Retention><Mode>abc</Mode><RetainUntilDate>2030-01-01T00:00:00Z</RetainUntilDate></Retention>"),
            Err(S3Error::MalformedXml)
        );
        assert_eq!(
            legal_hold(b"<LegalHold><Status>ON</Status></LegalHold>"),
            Ok(true)
        );
        assert_eq!(
            legal_hold(b"<LegalHold><Status>abc</Status></LegalHold>"),
            Err(S3Error::MalformedXml)
        );
    }

    #[test]
    fn write_headers_need_mode_and_date_together() {
        let mut h = HeaderMap::new();
        h.insert("x-amz-object-lock-mode", "GOVERNANCE".parse().unwrap());
        assert_eq!(write_headers(&h).unwrap_err().code(), "InvalidArgument");
        h.insert(
            "x-amz-object-lock-retain-until-date",
            "2030-01-01T00:00:00Z".parse().unwrap(),
        );
        h.insert("x-amz-object-lock-legal-hold", "ON".parse().unwrap());
        let l = write_headers(&h).unwrap().unwrap();
        assert_eq!(l.legal_hold, Some(true));
        assert_eq!(
            response_headers(&l)[1],
            (
                "x-amz-object-lock-retain-until-date",
                "2030-01-01T00:00:00.000Z".to_string()
            )
        );
        h.insert("x-amz-object-lock-mode", "governance".parse().unwrap());
        assert_eq!(write_headers(&h).unwrap_err().code(), "InvalidArgument");
    }
}
