//! Browser form uploads (POST Object) at the edge: the form's fields carry the credential and
//! the signature over the policy document instead of an `Authorization` header. S3 reads the
//! form and says how it claims to be signed ([`post_upload`]); the edge, which owns
//! credentials, checks that signature — SigV4's over the credential's scope, or SigV2's base64
//! HMAC-SHA1 — and names the caller. Temporary credentials are checked with the form's
//! `x-amz-security-token` as a header's token is: missing, another session's or expired, the
//! form is refused with S3's error. A form with no signature is anonymous.

use super::{anonymous_caller, caller_for, Peer, SignedBy};
use crate::body::{self, Framing, RequestBody};
use crate::App;
use trailstack_core::{Caller, SignatureVersion};
use trailstack_s3::wire::post_upload::{self, FormSigner};
use trailstack_s3::S3Error;
use trailstack_sigv4::AuthLocation;

/// Reads a POST Object form upload to `bucket`: who sent it, and the upload it asks for.
pub(super) async fn post_form(
    app: &App,
    parts: &http::request::Parts,
    body: RequestBody,
    bucket: String,
    peer: Peer,
    request_id: &str,
) -> Result<(Caller, trailstack_s3::Op), S3Error> {
    let content_type = parts
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let body = body::incoming(body, Framing::Plain);
    let now = app.clock.now();
    post_upload::read_upload(body, content_type, bucket, now, |signer| {
        let signed = |access_key, region, version| SignedBy {
            access_key,
            region,
            version,
            location: AuthLocation::Header,
        };
        match signer {
            FormSigner::V4 {
                access_key,
                date,
                region,
                service,
                policy,
                signature,
                security_token,
            } => {
                let identity = identity(app, access_key, security_token)?;
                let scope = trailstack_sigv4::Scope {
                    date: date.to_string(),
                    region: region.to_string(),
                    service: service.to_string(),
                };
                let key = trailstack_sigv4::derive_signing_key(&identity.secret, &scope);
                let expected = trailstack_sigv4::sign(&key, policy);
                let matches = aws_lc_rs::constant_time::verify_slices_are_equal(
                    expected.as_bytes(),
                    signature.trim().as_bytes(),
                )
                .is_ok();
                check(matches, access_key, policy, signature)?;
                let by = signed(access_key, region, SignatureVersion::V4);
                Ok(caller_for(&identity, &by, parts, peer, request_id))
            }
            FormSigner::V2 {
                access_key,
                policy,
                signature,
                security_token,
            } => {
                let identity = identity(app, access_key, security_token)?;
                let matches =
                    trailstack_sigv4::v2::signature_v2_matches(&identity.secret, policy, signature);
                check(matches, access_key, policy, signature)?;
                let by = signed(access_key, &app.config.region, SignatureVersion::V2);
                Ok(caller_for(&identity, &by, parts, peer, request_id))
            }
            FormSigner::Anonymous => anonymous_caller(app, parts, peer, request_id)
                .ok_or_else(|| S3Error::AccessDenied("Access Denied".into())),
        }
    })
    .await
}

/// The identity of `access_key` (with `token`, for temporary credentials), or S3's error:
/// InvalidAccessKeyId, InvalidToken, ExpiredToken.
fn identity(
    app: &App,
    access_key: &str,
    token: Option<&str>,
) -> Result<crate::config::Identity, S3Error> {
    super::identity(app, access_key, token)
        .map_err(|r| super::s3_refused(r, access_key.to_string()))
}

/// S3's SignatureDoesNotMatch unless the form's signature over `policy` `matches`.
fn check(matches: bool, access_key: &str, policy: &str, signature: &str) -> Result<(), S3Error> {
    if matches {
        return Ok(());
    }
    Err(S3Error::SignatureDoesNotMatch {
        string_to_sign: policy.to_string(),
        canonical_request: String::new(),
        access_key: access_key.to_string(),
        signature_provided: signature.to_string(),
    })
}
