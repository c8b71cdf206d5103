//! Authentication at the edge: a request's SigV4 signature (or, for S3 only, its SigV2 one)
//! checked against the configured access keys, and the S3 error for a failed check, with
//! nothing secret echoed back in it.

use super::amz_time;
use crate::config::{canonical_id_for, Identity};
use crate::App;
use trailstack_core::Principal;
use trailstack_s3::S3Error;
use trailstack_sigv4::v2::{self, V2Signed};
use trailstack_sigv4::{Authenticated, RequestParts, SecretLookup, SigError};

/// Why a signed request's key names no one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Refused {
    /// No identity has the key; temporary credentials sent without their session token are
    /// unknown too, as AWS answers them.
    UnknownKey,
    /// Temporary credentials with a session token that is not theirs.
    InvalidToken,
    /// Temporary credentials past their expiry (by the server's clock).
    ExpiredToken,
}

/// The session token a request carries: the `x-amz-security-token` header, else the
/// `X-Amz-Security-Token` query parameter of a presigned URL (any case, as SigV2's URLs
/// spell it in lower case).
pub(super) fn security_token(parts: &http::request::Parts) -> Option<String> {
    if let Some(v) = parts.headers.get("x-amz-security-token") {
        return v.to_str().ok().map(str::to_string);
    }
    form_urlencoded::parse(parts.uri.query()?.as_bytes())
        .find(|(k, _)| k.eq_ignore_ascii_case("x-amz-security-token"))
        .map(|(_, v)| v.into_owned())
}

/// Who an access key belongs to: IAM's active keys (users created through IAM and the users the
/// configuration seeded) and STS's temporary credentials (which must come with their session
/// `token`, unexpired), else the configuration's account roots, whose keys IAM does not hold.
pub(super) fn identity(
    app: &App,
    access_key: &str,
    token: Option<&str>,
) -> Result<Identity, Refused> {
    let Some(c) = app.iam.credential(access_key) else {
        return app
            .config
            .identities
            .get(access_key)
            .filter(|i| i.principal == Principal::Root)
            .cloned()
            .ok_or(Refused::UnknownKey);
    };
    let account = trailstack_core::AccountId::parse(&c.account).map_err(|_| Refused::UnknownKey)?;
    // Every identity of an account shares the account's canonical user id in S3.
    let canonical_id = app
        .config
        .identities
        .values()
        .find(|i| i.account == account && i.principal == Principal::Root)
        .map(|i| i.canonical_id.clone())
        .unwrap_or_else(|| canonical_id_for(account.as_str()));
    if let Some(s) = &c.session {
        let token = token.ok_or(Refused::UnknownKey)?;
        let presented = trailstack_iam::token_digest(token);
        if aws_lc_rs::constant_time::verify_slices_are_equal(
            presented.as_bytes(),
            s.token_sha256.as_bytes(),
        )
        .is_err()
        {
            return Err(Refused::InvalidToken);
        }
        if app.clock.now() >= s.session.expires {
            return Err(Refused::ExpiredToken);
        }
        let display_name = match &s.principal {
            Principal::AssumedRole { session, .. } => session.clone(),
            Principal::User { name } => name.clone(),
            _ => account.as_str().to_string(),
        };
        return Ok(Identity {
            secret: c.secret,
            account,
            principal: s.principal.clone(),
            canonical_id,
            display_name,
            policies: Vec::new(),
            session: Some(s.session.clone()),
        });
    }
    // A user the configuration seeded keeps its configured S3 owner id and display name.
    let configured = app.config.identities.get(access_key).filter(|i| {
        i.account.as_str() == c.account
            && matches!(&i.principal, Principal::User { name } if *name == c.user)
    });
    if let Some(i) = configured {
        return Ok(Identity {
            secret: c.secret,
            ..i.clone()
        });
    }
    Ok(Identity {
        secret: c.secret,
        account,
        principal: Principal::User {
            name: c.user.clone(),
        },
        canonical_id,
        display_name: c.user,
        policies: Vec::new(),
        session: None,
    })
}

/// The secret of `access_key`, whoever holds it: what signatures are checked with. Whether a
/// session's token is right is [`identity`]'s question, asked once the signature holds.
fn secret_of(app: &App, access_key: &str) -> Option<String> {
    match app.iam.credential(access_key) {
        Some(c) => Some(c.secret),
        None => app
            .config
            .identities
            .get(access_key)
            .filter(|i| i.principal == Principal::Root)
            .map(|i| i.secret.clone()),
    }
}

/// The secrets SigV4 and SigV2 check signatures with.
struct Keys<'a>(&'a App);

impl SecretLookup for Keys<'_> {
    fn secret_for(&self, access_key: &str) -> Option<String> {
        secret_of(self.0, access_key)
    }
}

/// Request headers whose values are secrets: SSE-C keys.
const SECRET_HEADERS: [&str; 2] = [
    "x-amz-server-side-encryption-customer-key",
    "x-amz-copy-source-server-side-encryption-customer-key",
];

/// A canonical request with the values of [`SECRET_HEADERS`] cut out. S3 echoes the canonical
/// request in `SignatureDoesNotMatch`, and a signed SSE-C request signs its key header: the
/// key must not travel back in an error body (which clients log), so its value is replaced.
fn redact_canonical_request(canonical: &str) -> String {
    canonical
        .split('\n')
        .map(|line| match line.split_once(':') {
            Some((name, _)) if SECRET_HEADERS.contains(&name) => format!("{name}:REDACTED"),
            _ => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// S3's error for a key that names no one (`access_key` as the request named it).
pub(super) fn s3_refused(r: Refused, access_key: String) -> S3Error {
    match r {
        Refused::UnknownKey => S3Error::InvalidAccessKeyId(access_key),
        Refused::InvalidToken => S3Error::InvalidToken,
        Refused::ExpiredToken => S3Error::ExpiredToken,
    }
}

/// The S3 error for a failed authentication.
pub(super) fn s3_auth_error(e: SigError) -> S3Error {
    match e {
        SigError::InvalidAccessKeyId { access_key } => S3Error::InvalidAccessKeyId(access_key),
        SigError::SignatureDoesNotMatch {
            string_to_sign,
            canonical_request,
            signature_provided,
        } => S3Error::SignatureDoesNotMatch {
            string_to_sign,
            canonical_request: redact_canonical_request(&canonical_request),
            access_key: String::new(),
            signature_provided,
        },
        SigError::RequestTimeTooSkewed {
            request_time,
            server_time,
        } => S3Error::RequestTimeTooSkewed {
            request_time: amz_time(request_time),
            server_time: amz_time(server_time),
        },
        SigError::AuthorizationHeaderMalformed { message } => {
            S3Error::AuthorizationHeaderMalformed(message)
        }
        SigError::AuthorizationQueryParametersError { message } => {
            S3Error::AuthorizationQueryParametersError(message)
        }
        other => {
            let message = other.to_string();
            match other.s3_code() {
                "AccessDenied" => S3Error::AccessDenied(message),
                "InvalidRequest" => S3Error::InvalidRequest(message),
                _ => S3Error::InvalidArgument {
                    message,
                    name: "Authorization".into(),
                    value: match other {
                        SigError::V2HeaderMalformed { value } => value,
                        _ => String::new(),
                    },
                },
            }
        }
    }
}

/// Verifies a request's SigV4 signature (`Ok(None)`: the request is anonymous). On failure it
/// also returns the access key the request named, which S3 reports in SignatureDoesNotMatch.
/// `body_sha256` is for services whose clients do not send `x-amz-content-sha256`.
pub(super) fn authenticate(
    app: &App,
    parts: &http::request::Parts,
    body_sha256: Option<&str>,
) -> Result<Option<Authenticated>, (SigError, String)> {
    with_request_parts(parts, |rp| {
        trailstack_sigv4::authenticate(rp, &Keys(app), body_sha256, app.clock.now())
            .map_err(|e| (e, rp_access_key(rp)))
    })
}

/// How an S3 request proved who sent it.
pub(super) enum S3Auth {
    /// Signature Version 4 (boxed: it carries the derived signing key and scope).
    V4(Box<Authenticated>),
    /// Signature Version 2, which only S3 accepts.
    V2(V2Signed),
}

/// Verifies an S3 request's signature, SigV4 or SigV2 (`Ok(None)`: anonymous). The bucket of a
/// virtual-hosted-style `host` starts SigV2's canonical resource.
pub(super) fn authenticate_s3(
    app: &App,
    parts: &http::request::Parts,
    host: &str,
) -> Result<Option<S3Auth>, (SigError, String)> {
    with_request_parts(parts, |rp| {
        if !v2::is_v2(rp) {
            return trailstack_sigv4::authenticate(rp, &Keys(app), None, app.clock.now())
                .map(|a| a.map(|a| S3Auth::V4(Box::new(a))))
                .map_err(|e| (e, rp_access_key(rp)));
        }
        let bucket = trailstack_s3::wire::bucket_from_host(host);
        v2::authenticate_v2(rp, &Keys(app), bucket.as_deref(), app.clock.now())
            .map(|signed| Some(S3Auth::V2(signed)))
            .map_err(|e| {
                let key = v2::parse_v2(rp).map(|s| s.access_key).unwrap_or_default();
                (e, key)
            })
    })
}

fn with_request_parts<R>(parts: &http::request::Parts, f: impl FnOnce(&RequestParts) -> R) -> R {
    let headers = owned_headers(&parts.headers);
    let header_refs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let rp = RequestParts {
        method: parts.method.as_str(),
        raw_path: parts.uri.path(),
        raw_query: parts.uri.query().unwrap_or(""),
        headers: &header_refs,
    };
    f(&rp)
}

fn owned_headers(h: &http::HeaderMap) -> Vec<(String, String)> {
    h.iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

fn rp_access_key(rp: &RequestParts) -> String {
    trailstack_sigv4::parse_request_auth(rp)
        .ok()
        .flatten()
        .map(|s| s.access_key)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_requests_lose_sse_c_keys_only() {
        let canonical = "PUT\n/b/k\n\nhost:h\nx-amz-server-side-encryption-customer-key:S2V5\nx-amz-server-side-encryption-customer-key-md5:TUQ1\nx-amz-copy-source-server-side-encryption-customer-key:T2xk\n\nhost;x-amz-server-side-encryption-customer-key\nUNSIGNED-PAYLOAD";
        assert_eq!(
            redact_canonical_request(canonical),
            "PUT\n/b/k\n\nhost:h\nx-amz-server-side-encryption-customer-key:REDACTED\nx-amz-server-side-encryption-customer-key-md5:TUQ1\nx-amz-copy-source-server-side-encryption-customer-key:REDACTED\n\nhost;x-amz-server-side-encryption-customer-key\nUNSIGNED-PAYLOAD"
        );
    }
}
