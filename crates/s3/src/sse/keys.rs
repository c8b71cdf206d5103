//! Data keys of encrypted objects: made for a write ([`for_write`]) and recovered for a read
//! ([`for_read`]). SSE-S3 keys are random and sealed by the root key; SSE-KMS keys come from
//! KMS (`GenerateDataKey` / `Decrypt` as `s3.amazonaws.com` on behalf of the caller; two of
//! them for DSSE-KMS, one per layer, or one per Bucket Key period); SSE-C keys
//! are the customer's, never stored — only a salted HMAC to recognise them later. This module
//! never sees object bytes.

use super::bucket_key::{self, BucketKey};
use super::{CustomerKey, Mode, Rule, SseRecord, SseRequest, Writer};
use crate::error::{S3Error, S3Result};
use crate::S3;
use base64::Engine;
use std::collections::BTreeMap;
use trailstack_core::{Caller, KeyError, KeyRef, SignatureVersion};
use trailstack_store::DataKey;

/// The root-key purpose of SSE-S3 object data keys (NEVER CHANGE: sealed keys name it).
pub const SSE_S3_PURPOSE: &str = "trailstack/s3/sse-s3/object-data-key/v1";
/// The service principal S3 calls KMS as.
const S3_PRINCIPAL: &str = "s3.amazonaws.com";

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD
}

/// A KMS failure as S3 reports it: access denied is S3's 403, the rest `KMS.<code>`.
pub fn kms_error(e: KeyError) -> S3Error {
    match e.code.as_str() {
        "AccessDeniedException" => S3Error::AccessDenied(e.message),
        _ => S3Error::Kms {
            code: format!("KMS.{}", e.code),
            message: e.message,
        },
    }
}

fn random_bytes(n: usize) -> S3Result<Vec<u8>> {
    let mut v = vec![0u8; n];
    aws_lc_rs::rand::fill(&mut v).map_err(|_| S3Error::Internal("no randomness".into()))?;
    Ok(v)
}

fn customer_mac(salt: &[u8], key: &[u8]) -> String {
    let k = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, salt);
    hex::encode(aws_lc_rs::hmac::sign(&k, key).as_ref())
}

fn data_key(bytes: &[u8]) -> S3Result<DataKey> {
    Ok(DataKey::from_bytes(bytes)?)
}

/// The KMS key a request names, else S3's AWS managed key (`aws/s3`).
fn key_ref(named: &Option<String>) -> KeyRef {
    match named {
        Some(k) => KeyRef::Named(k.clone()),
        None => KeyRef::Managed("s3"),
    }
}

/// A data key from KMS `GenerateDataKey` under `kref` for `ctx`, called as S3 on behalf of
/// `caller`.
async fn generate(
    s3: &S3,
    caller: &Caller,
    kref: &KeyRef,
    ctx: &BTreeMap<String, String>,
) -> S3Result<trailstack_core::DataKey> {
    let as_s3 = caller.on_behalf_of(S3_PRINCIPAL);
    let generated = s3.keys.generate_data_key(&as_s3, kref, ctx).await;
    generated.map_err(kms_error)
}

/// The KMS encryption context of an object: the user's pairs plus `aws:s3:arn`.
pub fn kms_context(
    user: &BTreeMap<String, String>,
    bucket: &str,
    key: &str,
) -> BTreeMap<String, String> {
    let mut ctx = user.clone();
    ctx.insert("aws:s3:arn".into(), format!("arn:aws:s3:::{bucket}/{key}"));
    ctx
}

/// Makes the data key for a new object of `bucket`/`key` encrypted as `request` (chosen by
/// `rule`) for `writer`, returning the record to store with it, the data key and (DSSE-KMS)
/// the inner layer's data key. A failure stores nothing.
pub async fn for_write(
    s3: &S3,
    caller: &Caller,
    writer: Writer,
    request: &SseRequest,
    rule: Rule,
    bucket: &str,
    key: &str,
) -> S3Result<(SseRecord, DataKey, Option<DataKey>)> {
    if s3.require_tls_for_sse && request.needs_tls() && !caller.secure_transport {
        return Err(insecure(matches!(request, SseRequest::Customer(_))));
    }
    let asks_kms = matches!(request, SseRequest::Kms { .. } | SseRequest::Dsse { .. });
    if asks_kms && rule == Rule::RequestHeader && writer != Writer::Form && signed_v2(caller) {
        return Err(kms_needs_sigv4());
    }
    let mut rec = SseRecord::new(Mode::SseS3, rule);
    match request {
        SseRequest::S3 => {
            let bytes = zeroize::Zeroizing::new(random_bytes(32)?);
            let sealed = s3.root.seal(SSE_S3_PURPOSE, &bytes)?;
            rec.wrapped_key = b64().encode(sealed);
            Ok((rec, data_key(&bytes)?, None))
        }
        SseRequest::Kms {
            key: kms_key,
            context,
            bucket_key,
        } => {
            let kref = key_ref(kms_key);
            rec.mode = Mode::SseKms;
            rec.user_context = !context.is_empty();
            rec.bucket_key = *bucket_key;
            if *bucket_key {
                let (rec, dk) =
                    with_bucket_key(s3, caller, rec, &kref, context, bucket, key).await?;
                return Ok((rec, dk, None));
            }
            let ctx = kms_context(context, bucket, key);
            let dk = generate(s3, caller, &kref, &ctx).await?;
            rec.wrapped_key = b64().encode(&dk.ciphertext);
            rec.key_arn = Some(dk.key_arn.clone());
            rec.context = ctx;
            Ok((rec, data_key(&dk.plaintext)?, None))
        }
        SseRequest::Dsse {
            key: kms_key,
            context,
        } => {
            // Two independent data keys, one per layer (Bucket Keys do not apply).
            let kref = key_ref(kms_key);
            let ctx = kms_context(context, bucket, key);
            let outer = generate(s3, caller, &kref, &ctx).await?;
            let inner = generate(s3, caller, &kref, &ctx).await?;
            rec.mode = Mode::Dsse;
            rec.wrapped_key = b64().encode(&outer.ciphertext);
            rec.inner_wrapped_key = Some(b64().encode(&inner.ciphertext));
            rec.key_arn = Some(outer.key_arn.clone());
            rec.user_context = !context.is_empty();
            rec.context = ctx;
            Ok((
                rec,
                data_key(&outer.plaintext)?,
                Some(data_key(&inner.plaintext)?),
            ))
        }
        SseRequest::Customer(ck) => {
            let salt = random_bytes(16)?;
            rec.mode = Mode::SseC;
            rec.customer_md5 = Some(ck.md5.clone());
            rec.customer_check = Some((hex::encode(&salt), customer_mac(&salt, &ck.key)));
            Ok((rec, data_key(&ck.key)?, None))
        }
    }
}

/// AWS's refusal of an SSE-KMS (`customer` false) or SSE-C request over plain HTTP.
fn insecure(customer: bool) -> S3Error {
    match customer {
        true => S3Error::InvalidRequest(
            "Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection.".into(),
        ),
        false => S3Error::InvalidArgument {
            message: "Requests specifying Server Side Encryption with AWS KMS managed keys must be made over a secure connection.".into(),
            name: "Authorization".into(),
            value: String::new(),
        },
    }
}

/// Whether the request was signed with SigV2, which AWS refuses for SSE-KMS.
fn signed_v2(caller: &Caller) -> bool {
    caller.signature_version == Some(SignatureVersion::V2)
}

fn kms_needs_sigv4() -> S3Error {
    S3Error::InvalidArgument {
        message: "Requests specifying Server Side Encryption with AWS KMS managed keys require AWS Signature Version 4.".into(),
        name: "Authorization".into(),
        value: String::new(),
    }
}

/// Checks the SSE-C headers of a read (GET, HEAD, copy source, part upload) against the
/// object's record, without any KMS call: an SSE-C object needs the right key, other objects
/// must not be sent one.
pub fn check_customer(rec: Option<&SseRecord>, given: Option<&CustomerKey>) -> S3Result<()> {
    match (rec.filter(|r| r.mode == Mode::SseC), given) {
        (Some(_), None) => Err(S3Error::InvalidRequest(
            "The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.".into(),
        )),
        (Some(r), Some(ck)) => {
            let ok = r.customer_check.as_ref().is_some_and(|(salt, mac)| {
                hex::decode(salt).is_ok_and(|s| {
                    let mine = customer_mac(&s, &ck.key);
                    aws_lc_rs::constant_time::verify_slices_are_equal(mine.as_bytes(), mac.as_bytes())
                        .is_ok()
                })
            });
            if ok {
                Ok(())
            } else {
                Err(S3Error::AccessDenied("Access Denied".into()))
            }
        }
        (None, Some(_)) => Err(S3Error::InvalidRequest(
            "The encryption parameters are not applicable to this object.".into(),
        )),
        (None, None) => Ok(()),
    }
}

/// The object key of a new SSE-KMS object under a Bucket Key: the cached bucket key of this
/// principal, bucket and KMS key (else a new one from KMS, with the bucket's ARN as context),
/// and a fresh salt to derive the object's own key from it.
async fn with_bucket_key(
    s3: &S3,
    caller: &Caller,
    mut rec: SseRecord,
    kref: &KeyRef,
    user_context: &BTreeMap<String, String>,
    bucket: &str,
    key: &str,
) -> S3Result<(SseRecord, DataKey)> {
    let mut ctx = user_context.clone();
    ctx.insert("aws:s3:arn".into(), format!("arn:aws:s3:::{bucket}"));
    let principal = caller.arn();
    let requested = format!(
        "{kref:?}\n{}",
        serde_json::to_string(&ctx).unwrap_or_default()
    );
    let now = s3.clock.now();
    let bk = match s3
        .bucket_keys
        .for_write(&principal, bucket, &requested, now)
    {
        Some(bk) => bk,
        None => {
            let dk = generate(s3, caller, kref, &ctx).await?;
            let bk = BucketKey {
                plaintext: dk.plaintext,
                ciphertext: dk.ciphertext,
                key_arn: dk.key_arn,
            };
            s3.bucket_keys
                .remember(&principal, bucket, Some(&requested), &bk, now);
            bk
        }
    };
    let salt = random_bytes(32)?;
    let object_key = bucket_key::derive(&bk.plaintext, &salt, &super::object_aad(bucket, key))
        .ok_or_else(|| S3Error::Internal("deriving an object key failed".into()))?;
    rec.wrapped_key = b64().encode(&bk.ciphertext);
    rec.key_arn = Some(bk.key_arn);
    rec.context = ctx;
    rec.bucket_key_salt = Some(hex::encode(salt));
    Ok((rec, data_key(&object_key)?))
}

/// The data key of a stored object (None for objects written before encryption at rest).
/// SSE-KMS calls `Decrypt` with the stored context (unless its Bucket Key is cached); SSE-C
/// uses the checked customer key.
pub async fn for_read(
    s3: &S3,
    caller: &Caller,
    rec: Option<&SseRecord>,
    customer: Option<&CustomerKey>,
    bucket: &str,
    key: &str,
) -> S3Result<Option<(DataKey, Option<DataKey>)>> {
    check_customer(rec, customer)?;
    let Some(rec) = rec else {
        return Ok(None);
    };
    let wrapped = || {
        b64()
            .decode(&rec.wrapped_key)
            .map_err(|_| S3Error::Internal("stored data key is not base64".into()))
    };
    let key = match rec.mode {
        Mode::SseS3 => {
            let bytes = s3.root.open(SSE_S3_PURPOSE, &wrapped()?)?;
            data_key(&bytes)?
        }
        Mode::SseKms | Mode::Dsse if signed_v2(caller) => return Err(kms_needs_sigv4()),
        Mode::SseKms => {
            if s3.require_tls_for_sse && !caller.secure_transport {
                return Err(insecure(false));
            }
            let ciphertext = wrapped()?;
            let principal = caller.arn();
            let now = s3.clock.now();
            let cached = rec.bucket_key_salt.as_ref().and_then(|_| {
                s3.bucket_keys
                    .for_read(&principal, bucket, &ciphertext, now)
            });
            let plaintext = match cached {
                Some(bk) => bk.plaintext,
                None => {
                    let as_s3 = caller.on_behalf_of(S3_PRINCIPAL);
                    let dk = s3
                        .keys
                        .decrypt(&as_s3, &ciphertext, &rec.context)
                        .await
                        .map_err(kms_error)?;
                    if rec.bucket_key_salt.is_some() {
                        let bk = BucketKey {
                            plaintext: dk.plaintext.clone(),
                            ciphertext: ciphertext.clone(),
                            key_arn: dk.key_arn,
                        };
                        s3.bucket_keys.remember(&principal, bucket, None, &bk, now);
                    }
                    dk.plaintext
                }
            };
            match &rec.bucket_key_salt {
                Some(salt) => {
                    let salt = hex::decode(salt)
                        .map_err(|_| S3Error::Internal("stored salt is not hex".into()))?;
                    let k = bucket_key::derive(&plaintext, &salt, &super::object_aad(bucket, key))
                        .ok_or_else(|| S3Error::Internal("deriving an object key failed".into()))?;
                    data_key(&k)?
                }
                None => data_key(&plaintext)?,
            }
        }
        Mode::Dsse => {
            if s3.require_tls_for_sse && !caller.secure_transport {
                return Err(insecure(false));
            }
            let inner_wrapped = rec
                .inner_wrapped_key
                .as_deref()
                .and_then(|w| b64().decode(w).ok())
                .ok_or_else(|| S3Error::Internal("DSSE record without inner key".into()))?;
            let as_s3 = caller.on_behalf_of(S3_PRINCIPAL);
            let mut keys = Vec::with_capacity(2);
            for ciphertext in [wrapped()?, inner_wrapped] {
                let dk = s3
                    .keys
                    .decrypt(&as_s3, &ciphertext, &rec.context)
                    .await
                    .map_err(kms_error)?;
                keys.push(data_key(&dk.plaintext)?);
            }
            let inner = keys.pop();
            let outer = keys
                .pop()
                .ok_or_else(|| S3Error::Internal("DSSE keys".into()))?;
            return Ok(Some((outer, inner)));
        }
        Mode::SseC if s3.require_tls_for_sse && !caller.secure_transport => {
            return Err(insecure(true));
        }
        Mode::SseC => match customer {
            Some(ck) => data_key(&ck.key)?,
            None => return Err(S3Error::AccessDenied("Access Denied".into())),
        },
    };
    Ok(Some((key, None)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(code: &str) -> S3Error {
        kms_error(KeyError {
            code: code.into(),
            message: "arn:aws:kms:us-east-1:000000000000:key/k is disabled.".into(),
        })
    }

    #[test]
    fn kms_errors_as_s3_reports_them() {
        let e = err("DisabledException");
        assert_eq!((e.code(), e.status()), ("KMS.DisabledException", 400));
        assert!(e.message().ends_with("is disabled."));
        assert_eq!(
            err("KMSInvalidStateException").code(),
            "KMS.KMSInvalidStateException"
        );
        assert_eq!(err("NotFoundException").code(), "KMS.NotFoundException");
        let denied = err("AccessDeniedException");
        assert_eq!((denied.code(), denied.status()), ("AccessDenied", 403));
    }

    #[test]
    fn customer_key_checks() {
        let key = |b: u8| CustomerKey {
            key: zeroize::Zeroizing::new(vec![b; 32]),
            md5: String::new(),
        };
        let salt = [5u8; 16];
        let rec = SseRecord {
            customer_md5: Some(String::new()),
            customer_check: Some((hex::encode(salt), customer_mac(&salt, &[1; 32]))),
            ..SseRecord::new(Mode::SseC, Rule::RequestHeader)
        };
        assert!(check_customer(Some(&rec), Some(&key(1))).is_ok());
        assert_eq!(
            check_customer(Some(&rec), Some(&key(2)))
                .unwrap_err()
                .status(),
            403
        );
        assert_eq!(
            check_customer(Some(&rec), None).unwrap_err().code(),
            "InvalidRequest"
        );
        assert_eq!(
            check_customer(None, Some(&key(1))).unwrap_err().status(),
            400
        );
        assert!(check_customer(None, None).is_ok());
    }
}
