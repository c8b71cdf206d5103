//! One access log record: what is known about a request on a logged bucket, and its line in
//! AWS's documented format — space-delimited fields, in order, `-` for a field with no value
//! (<https://docs.aws.amazon.com/AmazonS3/latest/userguide/LogFormat.html>). Also the
//! operation names records carry (`REST.GET.OBJECT`, `REST.PUT.LOGGING_STATUS`, ...), which S3
//! derives from the HTTP method and the resource addressed.

use std::net::IpAddr;
use time::OffsetDateTime;

/// What is known about one request (or one action S3 took itself, such as a lifecycle
/// expiration) on a bucket whose access is logged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessRecord {
    /// The bucket the request was made on.
    pub bucket: String,
    /// When the request was received.
    pub time: Option<OffsetDateTime>,
    /// The client's address.
    pub remote_ip: Option<IpAddr>,
    /// The requester's ARN (or canonical id); `None` for unauthenticated requests.
    pub requester: Option<String>,
    /// The request id (`x-amz-request-id`).
    pub request_id: String,
    /// `REST.GET.OBJECT`, `S3.EXPIRE.OBJECT`, ...
    pub operation: String,
    /// The object key, if the request names one.
    pub key: Option<String>,
    /// The request line: `GET /bucket/key?versionId=1 HTTP/1.1`.
    pub request_uri: Option<String>,
    /// The HTTP status of the response.
    pub status: Option<u16>,
    /// The S3 error code, for an error.
    pub error_code: Option<String>,
    /// Response body bytes sent.
    pub bytes_sent: u64,
    /// The size of the object concerned.
    pub object_size: Option<u64>,
    /// Milliseconds from receiving the request to answering it.
    pub total_ms: Option<u64>,
    /// Milliseconds S3 spent processing the request.
    pub turnaround_ms: Option<u64>,
    /// The `Referer` header.
    pub referer: Option<String>,
    /// The `User-Agent` header.
    pub user_agent: Option<String>,
    /// The version id the request addressed or created.
    pub version_id: Option<String>,
    /// `SigV2` or `SigV4`; `None` for unauthenticated requests.
    pub signature_version: Option<&'static str>,
    /// The TLS cipher suite, for HTTPS requests.
    pub cipher_suite: Option<String>,
    /// `AuthHeader` or `QueryString`; `None` for unauthenticated requests.
    pub auth_type: Option<&'static str>,
    /// The `Host` header.
    pub host_header: Option<String>,
    /// `TLSv1.2`, `TLSv1.3`, for HTTPS requests.
    pub tls_version: Option<String>,
    /// Whether an ACL was needed to authorize the request.
    pub acl_required: bool,
}

impl AccessRecord {
    /// A record of an action S3 took on its own (`S3.EXPIRE.OBJECT`, `S3.CREATE.DELETEMARKER`,
    /// ...), as S3 logs lifecycle actions: no client, requester `AmazonS3`, no HTTP fields.
    pub fn internal(
        bucket: &str,
        time: OffsetDateTime,
        operation: &str,
        key: &str,
        version_id: Option<String>,
        object_size: Option<u64>,
        request_id: String,
    ) -> AccessRecord {
        AccessRecord {
            bucket: bucket.to_string(),
            time: Some(time),
            requester: Some("AmazonS3".into()),
            request_id,
            operation: operation.to_string(),
            key: Some(key.to_string()),
            version_id,
            object_size,
            ..AccessRecord::default()
        }
    }

    /// The record's line (no newline), for a bucket owned by canonical id `owner`.
    pub fn line(&self, owner: &str) -> String {
        let time = self.time.unwrap_or(OffsetDateTime::UNIX_EPOCH);
        let fields: [String; 26] = [
            dash(Some(owner)),
            dash(Some(&self.bucket)),
            format!("[{}]", log_time(time)),
            dash(self.remote_ip.map(|i| i.to_string()).as_deref()),
            dash(self.requester.as_deref()),
            dash(Some(&self.request_id)),
            dash(Some(&self.operation)),
            dash(self.key.as_deref().map(encode_key).as_deref()),
            quoted(self.request_uri.as_deref()),
            dash(self.status.map(|s| s.to_string()).as_deref()),
            dash(self.error_code.as_deref()),
            dash(
                (self.bytes_sent > 0)
                    .then(|| self.bytes_sent.to_string())
                    .as_deref(),
            ),
            dash(self.object_size.map(|s| s.to_string()).as_deref()),
            dash(self.total_ms.map(|s| s.to_string()).as_deref()),
            dash(self.turnaround_ms.map(|s| s.to_string()).as_deref()),
            quoted(self.referer.as_deref()),
            quoted(self.user_agent.as_deref()),
            dash(self.version_id.as_deref()),
            dash(Some(&crate::audit::host_id(&self.request_id))),
            dash(self.signature_version),
            dash(self.cipher_suite.as_deref()),
            dash(self.auth_type),
            dash(self.host_header.as_deref()),
            dash(self.tls_version.as_deref()),
            "-".to_string(),
            if self.acl_required { "Yes" } else { "-" }.to_string(),
        ];
        fields.join(" ")
    }
}

/// A field with no spaces, or `-`.
fn dash(v: Option<&str>) -> String {
    match v {
        Some(s) if !s.is_empty() => s.replace([' ', '\n', '\r'], "+"),
        _ => "-".to_string(),
    }
}

/// A field in double quotes (`"-"` when absent), with quotes and backslashes escaped.
fn quoted(v: Option<&str>) -> String {
    match v {
        Some(s) if !s.is_empty() => {
            let escaped = s
                .replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace(['\n', '\r'], " ");
            format!("\"{escaped}\"")
        }
        _ => "\"-\"".to_string(),
    }
}

/// The key as records show it: URL-encoded, `/` kept.
pub fn encode_key(k: &str) -> String {
    // The same encoding as listings' `encoding-type=url`.
    crate::wire::url_encode(k)
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `06/Feb/2019:00:00:38 +0000`.
pub fn log_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:02}/{}/{:04}:{:02}:{:02}:{:02} +0000",
        t.day(),
        MONTHS[usize::from(u8::from(t.month())) - 1],
        t.year(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// The operation a request is logged as: `REST.<METHOD>.<RESOURCE>`, the resource named by
/// the sub-resource in the query (`?logging` is `LOGGING_STATUS`), else `OBJECT` for a key and
/// `BUCKET` for a bucket. A PUT with `x-amz-copy-source` is `REST.COPY.OBJECT` (or `PART`).
pub fn operation(method: &str, query: &[(String, String)], has_key: bool, copy: bool) -> String {
    let has = |name: &str| query.iter().any(|(k, _)| k == name);
    let method = method.to_ascii_uppercase();
    let resource = if has("uploadId") {
        match method.as_str() {
            "PUT" if copy => return "REST.COPY.PART".into(),
            "PUT" => "PART",
            _ => "UPLOAD",
        }
    } else if let Some(name) = SUBRESOURCES
        .iter()
        .find(|(sub, _, _)| has(sub))
        .map(|(_, bucket, object)| if has_key { *object } else { *bucket })
    {
        name
    } else if method == "POST" && has("delete") {
        "MULTI_OBJECT_DELETE"
    } else if method == "OPTIONS" {
        "PREFLIGHT"
    } else if has_key {
        if copy && method == "PUT" {
            return "REST.COPY.OBJECT".into();
        }
        "OBJECT"
    } else {
        "BUCKET"
    };
    format!("REST.{method}.{resource}")
}

/// Sub-resources and the resource names S3 logs for them: (query name, on a bucket, on an
/// object).
const SUBRESOURCES: &[(&str, &str, &str)] = &[
    ("acl", "ACL", "ACL"),
    ("logging", "LOGGING_STATUS", "LOGGING_STATUS"),
    ("versioning", "VERSIONING", "VERSIONING"),
    ("policy", "BUCKETPOLICY", "BUCKETPOLICY"),
    ("policyStatus", "BUCKETPOLICYSTATUS", "BUCKETPOLICYSTATUS"),
    ("location", "LOCATION", "LOCATION"),
    ("tagging", "TAGGING", "OBJECT_TAGGING"),
    ("encryption", "ENCRYPTION", "ENCRYPTION"),
    (
        "ownershipControls",
        "OWNERSHIP_CONTROLS",
        "OWNERSHIP_CONTROLS",
    ),
    (
        "publicAccessBlock",
        "PUBLIC_ACCESS_BLOCK",
        "PUBLIC_ACCESS_BLOCK",
    ),
    ("versions", "BUCKETVERSIONS", "BUCKETVERSIONS"),
    ("uploads", "UPLOADS", "UPLOADS"),
    ("lifecycle", "LIFECYCLE", "LIFECYCLE"),
    ("cors", "CORS", "CORS"),
    ("website", "WEBSITE", "WEBSITE"),
    ("notification", "NOTIFICATION", "NOTIFICATION"),
    ("replication", "REPLICATION", "REPLICATION"),
    (
        "object-lock",
        "OBJECT_LOCK_CONFIGURATION",
        "OBJECT_LOCK_CONFIGURATION",
    ),
    ("retention", "RETENTION", "OBJECT_RETENTION"),
    ("legal-hold", "LEGAL_HOLD", "OBJECT_LEGAL_HOLD"),
    ("attributes", "ATTRIBUTES", "OBJECT_ATTRIBUTES"),
    ("requestPayment", "REQUEST_PAYMENT", "REQUEST_PAYMENT"),
    ("accelerate", "ACCELERATE", "ACCELERATE"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[&str]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|k| (k.to_string(), String::new()))
            .collect()
    }

    #[test]
    fn operations_are_named_as_s3_names_them() {
        assert_eq!(operation("GET", &[], true, false), "REST.GET.OBJECT");
        assert_eq!(operation("PUT", &[], true, false), "REST.PUT.OBJECT");
        assert_eq!(operation("PUT", &[], true, true), "REST.COPY.OBJECT");
        assert_eq!(
            operation("GET", &q(&["list-type"]), false, false),
            "REST.GET.BUCKET"
        );
        assert_eq!(
            operation("PUT", &q(&["logging"]), false, false),
            "REST.PUT.LOGGING_STATUS"
        );
        assert_eq!(
            operation("GET", &q(&["tagging"]), true, false),
            "REST.GET.OBJECT_TAGGING"
        );
        assert_eq!(
            operation("POST", &q(&["delete"]), false, false),
            "REST.POST.MULTI_OBJECT_DELETE"
        );
        assert_eq!(
            operation("POST", &q(&["uploads"]), true, false),
            "REST.POST.UPLOADS"
        );
        assert_eq!(
            operation("PUT", &q(&["partNumber", "uploadId"]), true, false),
            "REST.PUT.PART"
        );
        assert_eq!(
            operation("POST", &q(&["uploadId"]), true, false),
            "REST.POST.UPLOAD"
        );
        assert_eq!(operation("HEAD", &[], false, false), "REST.HEAD.BUCKET");
    }

    #[test]
    fn a_line_has_26_fields_with_dashes_and_quotes() {
        let r = AccessRecord {
            bucket: "b".into(),
            time: Some(time::macros::datetime!(2019-02-06 00:00:38 UTC)),
            remote_ip: "192.0.2.3".parse().ok(),
            requester: Some("arn:aws:iam::123456789012:user/alice".into()),
            request_id: "3E57427F3EXAMPLE".into(),
            operation: "REST.GET.OBJECT".into(),
            key: Some("a b/c.txt".into()),
            request_uri: Some("GET /b/a%20b/c.txt HTTP/1.1".into()),
            status: Some(200),
            bytes_sent: 113,
            object_size: Some(113),
            total_ms: Some(7),
            turnaround_ms: Some(3),
            user_agent: Some("aws-cli/2 \"x\"".into()),
            signature_version: Some("SigV4"),
            auth_type: Some("AuthHeader"),
            host_header: Some("b.s3.localhost".into()),
            ..AccessRecord::default()
        };
        let line = r.line("79a59df9");
        assert!(line.starts_with(
            "79a59df9 b [06/Feb/2019:00:00:38 +0000] 192.0.2.3 arn:aws:iam::123456789012:user/alice 3E57427F3EXAMPLE REST.GET.OBJECT a%20b/c.txt \"GET /b/a%20b/c.txt HTTP/1.1\" 200 - 113 113 7 3 \"-\" \"aws-cli/2 \\\"x\\\"\" - "
        ), "{line}");
        assert!(
            line.ends_with(" SigV4 - AuthHeader b.s3.localhost - - -"),
            "{line}"
        );
    }
}
