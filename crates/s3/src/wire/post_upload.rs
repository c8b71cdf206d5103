//! The POST Object flow as S3 runs it: read the form up to its file, find out from its fields
//! how it claims to be signed (SigV4's `x-amz-credential` / `x-amz-signature`, SigV2's
//! `AWSAccessKeyId` / `signature`, or neither: anonymous; temporary credentials add their
//! session token as `x-amz-security-token`), let the edge — which owns credentials — check that
//! signature over the policy and name the caller, then check the policy and build the
//! [`Op::PostObject`].

use super::post::{self, PostForm};
use crate::error::{S3Error, S3Result};
use crate::op::Op;
use time::OffsetDateTime;
use trailstack_core::{BodyStream, Caller};

/// How a form says it was signed; every field its scheme needs is there and well-formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormSigner<'a> {
    /// SigV4: `signature` is the SigV4 signature of `policy` under the credential's scope.
    V4 {
        /// The access key of `x-amz-credential`.
        access_key: &'a str,
        /// The scope's date (`YYYYMMDD`).
        date: &'a str,
        /// The scope's region.
        region: &'a str,
        /// The scope's service.
        service: &'a str,
        /// The base64 policy document, as signed.
        policy: &'a str,
        /// `x-amz-signature`.
        signature: &'a str,
        /// `x-amz-security-token`: the session token of temporary credentials.
        security_token: Option<&'a str>,
    },
    /// SigV2: `signature` is the base64 HMAC-SHA1 of `policy`.
    V2 {
        /// `AWSAccessKeyId`.
        access_key: &'a str,
        /// The base64 policy document, as signed.
        policy: &'a str,
        /// `signature`.
        signature: &'a str,
        /// `x-amz-security-token`: the session token of temporary credentials.
        security_token: Option<&'a str>,
    },
    /// No signature: S3 decides what an anonymous caller may do.
    Anonymous,
}

/// Whether a request is a browser form upload: a `multipart/form-data` POST to a bucket.
pub fn is_form_upload(method: &http::Method, key: Option<&str>, headers: &http::HeaderMap) -> bool {
    method == http::Method::POST
        && key.is_none()
        && headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.to_ascii_lowercase().starts_with("multipart/form-data"))
}

/// Reads the form of a POST Object request to `bucket`, asks `authenticate` who signed it,
/// checks its policy at `now` and builds the upload: the caller and its operation.
pub async fn read_upload<F>(
    body: BodyStream,
    content_type: &str,
    bucket: String,
    now: OffsetDateTime,
    authenticate: F,
) -> S3Result<(Caller, Op)>
where
    F: FnOnce(FormSigner<'_>) -> S3Result<Caller>,
{
    let form = post::read_form(body, content_type).await?;
    let caller = authenticate(signer(&form)?)?;
    // A signed form always has a policy (its signature is over it); an anonymous one has none.
    let range = match form.field("policy") {
        Some(policy) => post::check_policy(policy, &form, &bucket, now)?,
        None => None,
    };
    Ok((caller, post::into_op(bucket, form, range)?))
}

/// How `form` says it was signed, or S3's error for a signed form missing what its scheme
/// needs.
fn signer(form: &PostForm) -> S3Result<FormSigner<'_>> {
    let any = |fields: [&str; 3]| fields.iter().any(|f| form.field(f).is_some());
    if any(["x-amz-credential", "x-amz-signature", "x-amz-algorithm"]) {
        v4(form)
    } else if any(["awsaccesskeyid", "signature", "policy"]) {
        Ok(FormSigner::V2 {
            access_key: form
                .field("awsaccesskeyid")
                .ok_or_else(|| missing("AWSAccessKeyId"))?,
            policy: form.field("policy").ok_or_else(|| missing("policy"))?,
            signature: form
                .field("signature")
                .ok_or_else(|| missing("Signature"))?,
            security_token: form.field("x-amz-security-token"),
        })
    } else {
        Ok(FormSigner::Anonymous)
    }
}

fn v4(form: &PostForm) -> S3Result<FormSigner<'_>> {
    let (Some(policy), Some(signature), Some(credential)) = (
        form.field("policy"),
        form.field("x-amz-signature"),
        form.field("x-amz-credential"),
    ) else {
        return Err(S3Error::AccessDenied("Access Denied".into()));
    };
    if form.field("x-amz-algorithm") != Some("AWS4-HMAC-SHA256") {
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
    Ok(FormSigner::V4 {
        access_key,
        date,
        region,
        service,
        policy,
        signature,
        security_token: form.field("x-amz-security-token"),
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn form(fields: &[(&str, &str)]) -> PostForm {
        PostForm {
            fields: fields
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            filename: String::new(),
            file: Box::pin(futures_util::stream::empty()),
        }
    }

    #[test]
    fn signers() {
        assert_eq!(
            signer(&form(&[("key", "k")])).unwrap(),
            FormSigner::Anonymous
        );
        let v4 = form(&[
            ("policy", "cG9saWN5"),
            ("x-amz-algorithm", "AWS4-HMAC-SHA256"),
            (
                "x-amz-credential",
                "AKID/20260101/us-east-1/s3/aws4_request",
            ),
            ("x-amz-signature", "abc"),
        ]);
        assert_eq!(
            signer(&v4).unwrap(),
            FormSigner::V4 {
                access_key: "AKID",
                date: "20260101",
                region: "us-east-1",
                service: "s3",
                policy: "cG9saWN5",
                signature: "abc",
                security_token: None,
            }
        );
        let bad_scope = form(&[
            ("policy", "p"),
            ("x-amz-algorithm", "AWS4-HMAC-SHA256"),
            ("x-amz-credential", "AKID/20260101/us-east-1/s3"),
            ("x-amz-signature", "abc"),
        ]);
        assert!(
            matches!(signer(&bad_scope), Err(S3Error::InvalidArgument { name, .. }) if name == "x-amz-credential")
        );
        let v2 = form(&[("awsaccesskeyid", "AKID"), ("policy", "p")]);
        assert!(
            matches!(signer(&v2), Err(S3Error::InvalidArgument { name, .. }) if name == "Signature")
        );
    }
}
