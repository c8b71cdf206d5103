//! Cross-origin resource sharing: a bucket's CORS rules (PutBucketCors), their validation as S3
//! validates them, and [`matching`], the one rule lookup that answers both preflight `OPTIONS`
//! requests ([`S3::preflight`]) and the `Access-Control-*` headers S3 adds to the response of
//! an actual request from an allowed origin ([`S3::cors_headers`]).
//!
//! As S3 evaluates a request (user guide, "Using cross-origin resource sharing (CORS)"): the
//! first rule wins whose `AllowedOrigin` matches the `Origin` header (one `*` matches any run of
//! characters, the empty one included), whose `AllowedMethod` holds the method — the
//! `Access-Control-Request-Method` header when the request carries one, else the request's own
//! method — and whose `AllowedHeader`s match every name of `Access-Control-Request-Headers`
//! (without regard to case). A preflight no rule allows is refused with 403; an actual request
//! is served as usual, without CORS headers. Preflights are answered before, and without, any
//! signature check: browsers send them without credentials.
//!
//! <https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html>
//! <https://docs.aws.amazon.com/AmazonS3/latest/userguide/ManageCorsUsing.html>
//! <https://docs.aws.amazon.com/AmazonS3/latest/API/RESTOPTIONSobject.html>

use crate::error::{S3Error, S3Result};
use crate::model::buckets;
use crate::S3;
use serde::{Deserialize, Serialize};

/// Most rules a configuration may hold.
pub const MAX_RULES: usize = 100;
/// Longest rule ID.
const MAX_ID: usize = 255;
/// The methods a rule may allow.
const METHODS: [&str; 5] = ["GET", "PUT", "HEAD", "POST", "DELETE"];

/// One CORSRule.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CorsRule {
    /// ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// AllowedMethod values, as given.
    pub allowed_methods: Vec<String>,
    /// AllowedOrigin patterns, as given.
    pub allowed_origins: Vec<String>,
    /// AllowedHeader patterns, as given (cases kept: GetBucketCors gives them back).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_headers: Vec<String>,
    /// ExposeHeader names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expose_headers: Vec<String>,
    /// MaxAgeSeconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age_seconds: Option<i64>,
}

/// Checks a configuration as PutBucketCors does: 1 to 100 rules, each with at least one origin
/// and one method (else `MalformedXML`, a schema violation); methods among the five S3 serves,
/// at most one `*` in an origin or an allowed header, none in an exposed header (else
/// `InvalidRequest`, in S3's words); an ID of at most 255 characters.
pub fn validate(rules: &[CorsRule]) -> S3Result<()> {
    if rules.is_empty() || rules.len() > MAX_RULES {
        return Err(S3Error::MalformedXml);
    }
    for r in rules {
        if r.allowed_methods.is_empty() || r.allowed_origins.is_empty() {
            return Err(S3Error::MalformedXml);
        }
        refuse_any(
            &r.allowed_methods,
            |m| !METHODS.contains(&m),
            |m| format!("Found unsupported HTTP method in CORS config. Unsupported method is {m}"),
        )?;
        refuse_any(&r.allowed_origins, more_than_one_wildcard, |o| {
            format!("AllowedOrigin \"{o}\" can not have more than one wildcard.")
        })?;
        refuse_any(&r.allowed_headers, more_than_one_wildcard, |h| {
            format!("AllowedHeader \"{h}\" can not have more than one wildcard.")
        })?;
        refuse_any(
            &r.expose_headers,
            |h| h.contains('*'),
            |h| {
                format!("ExposeHeader \"{h}\" contains wildcard. We currently do not support wildcard for ExposeHeader.")
            },
        )?;
        if let Some(id) = r.id.as_ref().filter(|id| id.chars().count() > MAX_ID) {
            return Err(S3Error::InvalidArgument {
                message: format!("ID length should not exceed allowed limit of {MAX_ID}"),
                name: "ID".into(),
                value: id.clone(),
            });
        }
    }
    Ok(())
}

/// `InvalidRequest` with `message` of the first of `values` that is `bad`: each list of a rule
/// is checked the same way, only the test and S3's words differ.
fn refuse_any(
    values: &[String],
    bad: impl Fn(&str) -> bool,
    message: impl Fn(&str) -> String,
) -> S3Result<()> {
    match values.iter().find(|v| bad(v)) {
        Some(v) => Err(S3Error::InvalidRequest(message(v))),
        None => Ok(()),
    }
}

fn more_than_one_wildcard(pattern: &str) -> bool {
    pattern.matches('*').count() > 1
}

/// Whether `value` matches `pattern`, whose one `*` (if any) stands for any run of characters.
fn wildcard(pattern: &str, value: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == value,
        Some((head, tail)) => {
            value.len() >= head.len() + tail.len()
                && value.starts_with(head)
                && value.ends_with(tail)
        }
    }
}

/// What a cross-origin request asks for.
#[derive(Debug, Clone)]
pub struct CorsAsk<'a> {
    /// The Origin header.
    pub origin: &'a str,
    /// The method to allow: `Access-Control-Request-Method` if sent, else the request's.
    pub method: &'a str,
    /// The names of `Access-Control-Request-Headers`, lowercased, in the order sent.
    pub headers: &'a [String],
}

/// The rule a request matches: the first one whose origin, method and every requested header
/// it allows. `any_origin` is set when the origin matched a bare `*`, which S3 answers with
/// `Access-Control-Allow-Origin: *` and no `Access-Control-Allow-Credentials`.
#[derive(Debug, Clone, Copy)]
pub struct Matched<'r> {
    /// The rule.
    pub rule: &'r CorsRule,
    /// The origin matched `*`.
    pub any_origin: bool,
}

/// The first rule of `rules` that allows `ask`.
pub fn matching<'r>(rules: &'r [CorsRule], ask: &CorsAsk) -> Option<Matched<'r>> {
    rules.iter().find_map(|rule| {
        let origin = rule
            .allowed_origins
            .iter()
            .find(|o| wildcard(o, ask.origin))?;
        if !rule.allowed_methods.iter().any(|m| m == ask.method) {
            return None;
        }
        let headers_allowed = ask.headers.iter().all(|h| {
            rule.allowed_headers
                .iter()
                .any(|a| wildcard(&a.to_ascii_lowercase(), h))
        });
        headers_allowed.then_some(Matched {
            rule,
            any_origin: origin == "*",
        })
    })
}

/// The `Vary` S3 sends with every CORS answer: the answer depends on these request headers.
const VARY: &str = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method";

/// The `Access-Control-*` headers (and `Vary`) of an answer to `ask` under the rule it
/// matched: a preflight echoes the requested headers it allows; an actual request gets the
/// rest.
pub fn response_headers(m: Matched, ask: &CorsAsk, preflight: bool) -> Vec<(&'static str, String)> {
    let rule = m.rule;
    let origin = if m.any_origin { "*" } else { ask.origin };
    let mut h = vec![
        ("access-control-allow-origin", origin.to_string()),
        (
            "access-control-allow-methods",
            rule.allowed_methods.join(", "),
        ),
    ];
    if preflight && !ask.headers.is_empty() {
        h.push(("access-control-allow-headers", ask.headers.join(", ")));
    }
    if !rule.expose_headers.is_empty() {
        h.push((
            "access-control-expose-headers",
            rule.expose_headers.join(", "),
        ));
    }
    if let Some(age) = rule.max_age_seconds {
        h.push(("access-control-max-age", age.to_string()));
    }
    if !m.any_origin {
        h.push(("access-control-allow-credentials", "true".into()));
    }
    h.push(("vary", VARY.into()));
    h
}

/// A preflight `OPTIONS` request, as the wire layer read it.
#[derive(Debug, Clone, Default)]
pub struct Preflight {
    /// The bucket addressed, if any.
    pub bucket: Option<String>,
    /// Whether the request names an object.
    pub object: bool,
    /// The Origin header.
    pub origin: Option<String>,
    /// Access-Control-Request-Method.
    pub method: Option<String>,
    /// Access-Control-Request-Headers names, lowercased.
    pub headers: Vec<String>,
}

/// The 403 of a refused preflight.
fn forbidden(message: &str, method: Option<&str>, object: bool) -> S3Error {
    S3Error::CorsForbidden {
        message: format!("CORSResponse: {message}"),
        method: method.unwrap_or("OPTIONS").to_string(),
        resource_type: if object { "OBJECT" } else { "BUCKET" },
    }
}

impl S3 {
    /// Answers a preflight: the headers of its 200, or the error S3 gives. In S3's order: no
    /// `Origin` is a 400; no such bucket, or no configuration, a 403; then a missing or unknown
    /// `Access-Control-Request-Method` a 400; then a 403 when no rule allows the request.
    pub async fn preflight(&self, p: Preflight) -> S3Result<Vec<(&'static str, String)>> {
        let origin = p.origin.as_deref().ok_or_else(|| {
            S3Error::BadRequest("Insufficient information. Origin request header needed.".into())
        })?;
        let method = p.method.as_deref();
        let rules = match &p.bucket {
            Some(name) => {
                let name = name.clone();
                self.read(move |c| buckets::get(c, &name)).await?
            }
            None => None,
        };
        let Some(bucket) = rules else {
            return Err(forbidden("Bucket not found", method, false));
        };
        let Some(rules) = bucket.meta.cors else {
            return Err(forbidden(
                "CORS is not enabled for this bucket.",
                method,
                false,
            ));
        };
        let method = match method {
            Some(m) if METHODS.contains(&m) => m,
            other => {
                return Err(S3Error::BadRequest(format!(
                    "Invalid Access-Control-Request-Method: {}",
                    other.unwrap_or("null")
                )))
            }
        };
        let ask = CorsAsk {
            origin,
            method,
            headers: &p.headers,
        };
        match matching(&rules, &ask) {
            Some(m) => Ok(response_headers(m, &ask, true)),
            None => Err(forbidden(
                "This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
                Some(method),
                p.object,
            )),
        }
    }

    /// The CORS headers S3 adds to the response (success or error) of an actual request to
    /// `bucket` from `origin` for `method`; none when the bucket has no rule allowing it.
    pub async fn cors_headers(
        &self,
        bucket: &str,
        origin: &str,
        method: &str,
    ) -> Vec<(&'static str, String)> {
        let name = bucket.to_string();
        let Ok(Some(b)) = self.read(move |c| buckets::get(c, &name)).await else {
            return Vec::new();
        };
        let Some(rules) = &b.meta.cors else {
            return Vec::new();
        };
        let ask = CorsAsk {
            origin,
            method,
            headers: &[],
        };
        matching(rules, &ask)
            .map(|m| response_headers(m, &ask, false))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(methods: &[&str], origins: &[&str]) -> CorsRule {
        CorsRule {
            allowed_methods: methods.iter().map(|s| s.to_string()).collect(),
            allowed_origins: origins.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    fn ask<'a>(origin: &'a str, method: &'a str, headers: &'a [String]) -> CorsAsk<'a> {
        CorsAsk {
            origin,
            method,
            headers,
        }
    }

    #[test]
    fn origins_match_with_one_wildcard_anchored_at_both_ends() {
        let rules = vec![
            rule(&["GET"], &["*suffix"]),
            rule(&["GET"], &["start*end"]),
            rule(&["GET"], &["prefix*"]),
            rule(&["PUT"], &["*.put"]),
        ];
        let hit = |o: &str, m: &str| matching(&rules, &ask(o, m, &[])).is_some();
        for o in [
            "foo.suffix",
            "startend",
            "start1end",
            "start12end",
            "prefix",
            "prefix.suffix",
        ] {
            assert!(hit(o, "GET"), "{o}");
        }
        for o in ["foo.bar", "foo.suffix.get", "0start12end", "bla.prefix"] {
            assert!(!hit(o, "GET"), "{o}");
        }
        assert!(hit("foo.put", "PUT"));
        assert!(!hit("foo.put", "GET"));
        assert!(!hit("foo.suffix", "PUT"));
    }

    #[test]
    fn headers_match_without_regard_to_case_and_all_must_be_allowed() {
        let mut r = rule(&["PUT"], &["https://app.example"]);
        r.allowed_headers = vec!["x-AMZ-*".into(), "Authorization".into()];
        let rules = vec![r];
        let ok = vec!["authorization".to_string(), "x-amz-date".to_string()];
        assert!(matching(&rules, &ask("https://app.example", "PUT", &ok)).is_some());
        let extra = vec!["authorization".to_string(), "content-type".to_string()];
        assert!(matching(&rules, &ask("https://app.example", "PUT", &extra)).is_none());
        // A rule without AllowedHeader allows no requested header.
        let bare = vec![rule(&["GET"], &["*"])];
        let one = vec!["x-amz-meta-header2".to_string()];
        assert!(matching(&bare, &ask("o", "GET", &one)).is_none());
    }

    #[test]
    fn answers_as_s3_does() {
        let mut r = rule(&["GET", "PUT"], &["https://localhost:4200"]);
        r.max_age_seconds = Some(3000);
        r.expose_headers = vec!["ETag".into()];
        let rules = vec![r, rule(&["GET"], &["*"])];
        let h = vec!["x-amz-date".to_string()];
        let a = ask("https://localhost:4200", "PUT", &[]);
        let got = response_headers(matching(&rules, &a).unwrap(), &a, true);
        assert_eq!(
            got,
            vec![
                (
                    "access-control-allow-origin",
                    "https://localhost:4200".into()
                ),
                ("access-control-allow-methods", "GET, PUT".into()),
                ("access-control-expose-headers", "ETag".into()),
                ("access-control-max-age", "3000".into()),
                ("access-control-allow-credentials", "true".into()),
                ("vary", VARY.into()),
            ]
        );
        let a = ask("http://other", "GET", &[]);
        let got = response_headers(matching(&rules, &a).unwrap(), &a, false);
        assert_eq!(got[0], ("access-control-allow-origin", "*".into()));
        assert!(!got
            .iter()
            .any(|(k, _)| *k == "access-control-allow-credentials"));
        let mut star = rule(&["GET"], &["*"]);
        star.allowed_headers = vec!["*".into()];
        let rules = vec![star];
        let a = ask("o", "GET", &h);
        let got = response_headers(matching(&rules, &a).unwrap(), &a, true);
        assert!(got.contains(&("access-control-allow-headers", "x-amz-date".into())));
    }

    #[test]
    fn validation_in_s3s_words() {
        let msg = |rules: Vec<CorsRule>| {
            validate(&rules).map_err(|e| (e.code().to_string(), e.message()))
        };
        assert!(msg(vec![rule(&["GET"], &["*"])]).is_ok());
        assert_eq!(msg(vec![]).unwrap_err().0, "MalformedXML");
        assert_eq!(msg(vec![rule(&[], &["*"])]).unwrap_err().0, "MalformedXML");
        assert_eq!(
            msg(vec![rule(&["GET"], &[])]).unwrap_err().0,
            "MalformedXML"
        );
        assert_eq!(
            msg(vec![rule(&["OPTIONS"], &["*"])]).unwrap_err(),
            (
                "InvalidRequest".into(),
                "Found unsupported HTTP method in CORS config. Unsupported method is OPTIONS"
                    .into()
            )
        );
        assert_eq!(
            msg(vec![rule(&["GET"], &["*example*.com"])]).unwrap_err().1,
            "AllowedOrigin \"*example*.com\" can not have more than one wildcard."
        );
        let mut r = rule(&["GET"], &["*"]);
        r.allowed_headers = vec!["x-*-*".into()];
        assert_eq!(
            msg(vec![r]).unwrap_err().1,
            "AllowedHeader \"x-*-*\" can not have more than one wildcard."
        );
        let mut r = rule(&["GET"], &["*"]);
        r.expose_headers = vec!["*".into()];
        assert_eq!(msg(vec![r]).unwrap_err().0, "InvalidRequest");
        let mut r = rule(&["GET"], &["*"]);
        r.id = Some("i".repeat(256));
        assert_eq!(msg(vec![r]).unwrap_err().0, "InvalidArgument");
        let many = vec![rule(&["GET"], &["*"]); MAX_RULES + 1];
        assert_eq!(msg(many).unwrap_err().0, "MalformedXML");
    }
}
