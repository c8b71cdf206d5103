//! Browser form uploads (POST Object) at the edge: the form's fields carry the credential and
//! the signature over the policy document instead of an `Authorization` header, SigV4's
//! (`x-amz-credential`, `x-amz-signature`) or SigV2's (`AWSAccessKeyId`, `signature`: base64
//! HMAC-SHA1 of the policy). A form with neither is anonymous, and S3 decides what it may do.

use super::{anonymous_caller, caller_for, Peer, SignedBy};
use crate::body::{self, Framing, RequestBody};
use crate::App;
use trailstack_core::{Caller, SignatureVersion};
use trailstack_s3::wire::post::{self, PostForm};
use trailstack_s3::S3Error;
use trailstack_sigv4::AuthLocation;

/// Reads a POST Object form, authenticates it, checks its policy and runs the upload.
pub(super) async fn post_form(
    app: &App,
    parts: &http::request::Parts,
    body: RequestBody,
    bucket: String,
    peer: Peer,
    request_id: &str,
) -> Result<trailstack_s3::Output, S3Error> {
    let content_type = parts
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let form = post::read_form(body::incoming(body, Framing::Plain), content_type).await?;
    let signed_v4 = ["x-amz-credential", "x-amz-signature", "x-amz-algorithm"]
        .iter()
        .any(|f| form.field(f).is_some());
    let signed_v2 = ["awsaccesskeyid", "signature", "policy"]
        .iter()
        .any(|f| form.field(f).is_some());
    let caller = if signed_v4 {
        v4_caller(app, parts, &form, peer, request_id)?
    } else if signed_v2 {
        v2_caller(app, parts, &form, peer, request_id)?
    } else {
        anonymous_caller(app, parts, peer, request_id)
            .ok_or_else(|| S3Error::AccessDenied("Access Denied".into()))?
    };
    // A signed form always has a policy (its signature is over it); an anonymous one has none.
    let range = match form.field("policy") {
        Some(policy) => post::check_policy(policy, &form, &bucket, app.clock.now())?,
        None => None,
    };
    let op = post::into_op(bucket, form, range)?;
    app.s3.call(&caller, op).await
}

/// S3's error for a signed form without one of the fields its signature needs.
fn missing(field: &str) -> S3Error {
    S3Error::InvalidArgument {
        message: format!(
            "Bucket POST must contain a field named '{field}'.  If it is specified, please check \
             the order of the fields."
        ),
        name: field.into(),
        value: String::new(),
    }
}

/// The caller of a form signed with SigV2: `signature` is base64 HMAC-SHA1 of the policy.
fn v2_caller(
    app: &App,
    parts: &http::request::Parts,
    form: &PostForm,
    peer: Peer,
    request_id: &str,
) -> Result<Caller, S3Error> {
    let access_key = form
        .field("awsaccesskeyid")
        .ok_or_else(|| missing("AWSAccessKeyId"))?;
    let policy = form.field("policy").ok_or_else(|| missing("policy"))?;
    let signature = form
        .field("signature")
        .ok_or_else(|| missing("Signature"))?;
    let identity = app
        .config
        .identities
        .get(access_key)
        .ok_or_else(|| S3Error::InvalidAccessKeyId(access_key.to_string()))?;
    if !trailstack_sigv4::v2::signature_v2_matches(&identity.secret, policy, signature) {
        return Err(S3Error::SignatureDoesNotMatch {
            string_to_sign: policy.to_string(),
            canonical_request: String::new(),
            access_key: access_key.to_string(),
            signature_provided: signature.to_string(),
        });
    }
    let by = SignedBy {
        access_key,
        region: &app.config.region,
        version: SignatureVersion::V2,
        location: AuthLocation::Header,
    };
    Ok(caller_for(identity, &by, parts, peer, request_id))
}

/// The caller of a form signed with SigV4: `x-amz-signature` is the SigV4 signature of the
/// policy under the scope of `x-amz-credential`.
fn v4_caller(
    app: &App,
    parts: &http::request::Parts,
    form: &PostForm,
    peer: Peer,
    request_id: &str,
) -> Result<Caller, S3Error> {
    let (Some(policy), Some(signature), Some(credential)) = (
        form.field("policy"),
        form.field("x-amz-signature"),
        form.field("x-amz-credential"),
    ) else {
        return Err(S3Error::AccessDenied("Access Denied".into()));
    };
    if form.field("x-amz-algorithm") != Some(trailstack_sigv4::ALGORITHM) {
        return Err(S3Error::InvalidArgument {
            message: "Only AWS4-HMAC-SHA256 is supported for POST form uploads".into(),
            name: "x-amz-algorithm".into(),
            value: form.field("x-amz-algorithm").unwrap_or_default().into(),
        });
    }
    let cred: Vec<&str> = credential.split('/').collect();
    let [access_key, date, region, service, "aws4_request"] = cred.as_slice() else {
        return Err(S3Error::InvalidArgument {
            message: "Invalid credential in POST form".into(),
            name: "x-amz-credential".into(),
            value: credential.into(),
        });
    };
    let identity = app
        .config
        .identities
        .get(*access_key)
        .ok_or_else(|| S3Error::InvalidAccessKeyId(access_key.to_string()))?;
    let scope = trailstack_sigv4::Scope {
        date: date.to_string(),
        region: region.to_string(),
        service: service.to_string(),
    };
    let key = trailstack_sigv4::derive_signing_key(&identity.secret, &scope);
    let expected = trailstack_sigv4::sign(&key, policy);
    if aws_lc_rs::constant_time::verify_slices_are_equal(
        expected.as_bytes(),
        signature.trim().as_bytes(),
    )
    .is_err()
    {
        return Err(S3Error::SignatureDoesNotMatch {
            string_to_sign: policy.to_string(),
            canonical_request: String::new(),
            access_key: access_key.to_string(),
            signature_provided: signature.to_string(),
        });
    }
    let by = SignedBy {
        access_key,
        region,
        version: SignatureVersion::V4,
        location: AuthLocation::Header,
    };
    Ok(caller_for(identity, &by, parts, peer, request_id))
}
