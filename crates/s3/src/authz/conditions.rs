//! The condition keys S3 supplies for one permission check beside the global `aws:*` keys
//! (the policy crate's `add_caller_keys`): S3's own keys read from the request (canned ACL,
//! encryption headers, listing parameters, tags, how it was signed).
//!
//! AWS facts: docs/aws/iam-authorization.md §2.

use super::targets::{new_object, Target};
use crate::model::buckets::Grant;
use crate::model::lock::Retention;
use crate::op::{AclInput, LockOp, NewObject, Op};
use crate::sse::SseRequest;
use trailstack_core::Caller;
use trailstack_policy::{Conditions, Reads};

/// What S3's condition keys read from a request, borrowed from its [`Op`] before any await
/// (an `Op` holds the body stream, which must not be shared across threads).
#[derive(Debug, Clone, Copy, Default)]
pub struct Facts<'a> {
    /// A browser-form upload (`s3:authType` = `POST`).
    post: bool,
    /// Prefix, delimiter and max-keys of a listing.
    list: Option<(&'a str, Option<&'a str>, usize)>,
    /// The canned ACL asked for.
    acl: Option<&'a str>,
    /// `x-amz-object-ownership` of a CreateBucket.
    ownership: Option<&'a str>,
    /// The copy source (bucket, key) and the metadata directive the request named.
    copy: Option<(&'a str, &'a str, Option<bool>)>,
    /// The settings of the object the request creates.
    new: Option<&'a NewObject>,
    /// The tags a PutObjectTagging sets.
    tags: Option<&'a [(String, String)]>,
    /// The Object Lock retention and legal hold a write or a retention call asks for.
    lock: (Option<&'a Retention>, Option<bool>),
    /// The request reads or changes an existing object (`s3:ExistingObjectTag/*` applies).
    pub existing_object: bool,
}

impl<'a> Facts<'a> {
    /// The facts of `op`.
    pub fn of(op: &'a Op) -> Facts<'a> {
        let list = match op {
            Op::ListObjects(i) => Some((i.prefix.as_str(), i.delimiter.as_deref(), i.max_keys)),
            Op::ListObjectVersions(i) => {
                Some((i.prefix.as_str(), i.delimiter.as_deref(), i.max_keys))
            }
            Op::ListMultipartUploads(i) => {
                Some((i.prefix.as_str(), i.delimiter.as_deref(), i.max_uploads))
            }
            _ => None,
        };
        let new = new_object(op);
        let acl = match op {
            Op::CreateBucket { acl, .. } => acl.as_deref(),
            Op::PutBucketAcl {
                acl: AclInput::Canned(a),
                ..
            }
            | Op::PutObjectAcl {
                acl: AclInput::Canned(a),
                ..
            } => Some(a.as_str()),
            _ => new.and_then(|n| n.acl.as_deref()),
        };
        Facts {
            post: matches!(op, Op::PostObject(_)),
            list,
            acl,
            ownership: match op {
                Op::CreateBucket { ownership, .. } => ownership.as_deref(),
                _ => None,
            },
            copy: match op {
                Op::CopyObject(i) => Some((
                    i.source.obj.bucket.as_str(),
                    i.source.obj.key.as_str(),
                    i.metadata_directive_given.then_some(i.replace_metadata),
                )),
                _ => None,
            },
            new,
            tags: match op {
                Op::PutObjectTagging { tags, .. } => Some(tags),
                _ => None,
            },
            lock: match (op, new.and_then(|n| n.meta.lock.as_ref())) {
                (_, Some(l)) => (l.retention.as_ref(), l.legal_hold),
                (Op::ObjectLock(LockOp::PutRetention { retention, .. }), _) => {
                    (retention.as_ref(), None)
                }
                (Op::ObjectLock(LockOp::PutLegalHold { on, .. }), _) => (None, Some(*on)),
                _ => (None, None),
            },
            existing_object: matches!(
                op,
                Op::GetObject(_)
                    | Op::HeadObject(_)
                    | Op::GetObjectTagging { .. }
                    | Op::PutObjectTagging { .. }
                    | Op::DeleteObjectTagging { .. }
                    | Op::GetObjectAcl { .. }
                    | Op::PutObjectAcl { .. }
                    | Op::GetObjectAttributes { .. }
                    | Op::DeleteObject { .. }
            ),
        }
    }
}

/// Adds S3's keys for `target` of the request described by `f` that `r` reads.
pub fn add_s3(c: &mut Conditions, r: &Reads, caller: &Caller, f: &Facts, target: &Target) {
    let mut put = |key: &str, value: &str| {
        if r.key(key) {
            c.insert(key, value);
        }
    };
    if let Some(version) = caller.signature_version {
        put("s3:signatureversion", version.condition_value());
    }
    let auth_type = match (f.post, caller.auth_method) {
        (true, _) => Some("POST"),
        (_, Some("QueryString")) => Some("REST-QUERY-STRING"),
        (_, Some(_)) => Some("REST-HEADER"),
        (_, None) => None,
    };
    if let Some(t) = auth_type {
        put("s3:authType", t);
    }
    if let Some(v) = target.version_id {
        put("s3:VersionId", v);
    }
    if target.copy_source {
        // The source is read, not written: the request's headers describe the destination.
        return;
    }
    if let Some((prefix, delimiter, max)) = f.list {
        put("s3:prefix", prefix);
        if let Some(d) = delimiter {
            put("s3:delimiter", d);
        }
        put("s3:max-keys", &max.to_string());
    }
    if let Some(a) = f.acl {
        put("s3:x-amz-acl", a);
    }
    if let Some(o) = f.ownership {
        put("s3:x-amz-object-ownership", o);
    }
    if let Some((bucket, key, replace)) = f.copy {
        put("s3:x-amz-copy-source", &format!("{bucket}/{key}"));
        if let Some(replace) = replace {
            put(
                "s3:x-amz-metadata-directive",
                if replace { "REPLACE" } else { "COPY" },
            );
        }
    }
    if let Some(ret) = f.lock.0 {
        put("s3:object-lock-mode", ret.mode.as_str());
    }
    if let Some(on) = f.lock.1 {
        put("s3:object-lock-legal-hold", if on { "ON" } else { "OFF" });
    }
    if let Some(new) = f.new {
        match &new.sse_rejected {
            Some(r) => {
                if let Some(a) = &r.algorithm {
                    put("s3:x-amz-server-side-encryption", a);
                }
                if let Some(a) = &r.customer_algorithm {
                    put("s3:x-amz-server-side-encryption-customer-algorithm", a);
                }
            }
            None => add_sse(&mut put, new.sse.as_ref()),
        }
        add_grants(&mut put, &new.grants);
        if let Some(class) = &new.meta.storage_class {
            put("s3:x-amz-storage-class", class);
        }
    }
    if let Some(ret) = f
        .lock
        .0
        .filter(|_| r.key("s3:object-lock-retain-until-date"))
    {
        let until = crate::model::from_ms(ret.until_ms);
        c.insert_time("s3:object-lock-retain-until-date", until);
    }
    let tags = f.new.map(|n| n.meta.tags.as_slice()).or(f.tags);
    if let Some(tags) = tags.filter(|t| !t.is_empty()) {
        if r.prefix("s3:RequestObjectTag/") {
            for (k, v) in tags {
                c.insert(&format!("s3:RequestObjectTag/{k}"), v.as_str());
            }
        }
        if r.key("s3:RequestObjectTagKeys") {
            c.insert_many(
                "s3:RequestObjectTagKeys",
                tags.iter().map(|(k, _)| k.as_str()),
            );
        }
    }
}

fn add_sse(put: &mut impl FnMut(&str, &str), sse: Option<&SseRequest>) {
    let (alg, key) = match sse {
        None => return,
        Some(SseRequest::S3) => ("AES256", None),
        Some(SseRequest::Kms { key, .. }) => ("aws:kms", key.as_deref()),
        Some(SseRequest::Dsse { key, .. }) => ("aws:kms:dsse", key.as_deref()),
        Some(SseRequest::Customer(_)) => {
            put(
                "s3:x-amz-server-side-encryption-customer-algorithm",
                "AES256",
            );
            return;
        }
    };
    put("s3:x-amz-server-side-encryption", alg);
    if let Some(k) = key {
        put("s3:x-amz-server-side-encryption-aws-kms-key-id", k);
    }
}

/// `s3:object-lock-remaining-retention-days`: the whole days (rounded up) from `now` until the
/// retention the request asks for ends, so a policy can cap how long objects are locked.
pub fn add_remaining_retention(
    c: &mut Conditions,
    r: &Reads,
    f: &Facts,
    now: time::OffsetDateTime,
) {
    const KEY: &str = "s3:object-lock-remaining-retention-days";
    if let Some(ret) = f.lock.0.filter(|_| r.key(KEY)) {
        const DAY_MS: i64 = 86_400_000;
        let left = (ret.until_ms - crate::model::to_ms(now)).max(0);
        c.insert_number(KEY, (left + DAY_MS - 1) / DAY_MS);
    }
}

/// The `s3:x-amz-grant-*` keys of the `x-amz-grant-*` headers, each valued as the header was
/// written (`id=<canonical id>`, `uri=<group>`, comma-separated when several).
fn add_grants(put: &mut impl FnMut(&str, &str), grants: &[Grant]) {
    const KEYS: [(&str, &str); 5] = [
        ("FULL_CONTROL", "s3:x-amz-grant-full-control"),
        ("READ", "s3:x-amz-grant-read"),
        ("WRITE", "s3:x-amz-grant-write"),
        ("READ_ACP", "s3:x-amz-grant-read-acp"),
        ("WRITE_ACP", "s3:x-amz-grant-write-acp"),
    ];
    for (permission, key) in KEYS {
        let value = grants
            .iter()
            .filter(|g| g.permission == permission)
            .map(|g| match g.grantee_type.as_str() {
                "Group" => format!("uri={}", g.grantee),
                _ => format!("id={}", g.grantee),
            })
            .collect::<Vec<_>>()
            .join(", ");
        if !value.is_empty() {
            put(key, &value);
        }
    }
}

/// Adds `s3:ExistingObjectTag/<key>` for each tag of the object acted on.
pub fn add_existing_tags(c: &mut Conditions, tags: &[(String, String)]) {
    for (k, v) in tags {
        c.insert(&format!("s3:ExistingObjectTag/{k}"), v.as_str());
    }
}
