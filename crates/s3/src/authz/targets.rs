//! Which IAM action(s) each S3 operation needs, on which bucket and key, as AWS lists them in
//! "Required permissions for Amazon S3 API operations" and the Service Authorization
//! Reference for Amazon S3. A versioned request needs the `...Version...` action; a copy also
//! needs to read its source. Pure: no I/O, no policy evaluation.
//!
//! AWS facts: docs/aws/iam-authorization.md §1.

use crate::op::{CopySource, NewObject, ObjectRef, Op};

/// One permission a request needs: `action` on a bucket (or on `*` when `bucket` is `None`)
/// or on one of its objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target<'a> {
    /// The IAM action, e.g. `s3:GetObject`.
    pub action: &'static str,
    /// The bucket, or `None` for account-level actions (`s3:ListAllMyBuckets`).
    pub bucket: Option<&'a str>,
    /// The object key, for object-level actions.
    pub key: Option<&'a str>,
    /// The version id a versioned object action names (`s3:VersionId`).
    pub version_id: Option<&'a str>,
    /// The bucket does not exist yet (CreateBucket): no bucket policy, the caller's account.
    pub creates: bool,
    /// This check reads the source of a copy (its conditions are not the request's headers).
    pub copy_source: bool,
    /// The multipart upload an AbortMultipartUpload or ListParts acts on: its initiator may
    /// by default.
    pub upload_id: Option<&'a str>,
}

impl<'a> Target<'a> {
    fn bucket(action: &'static str, bucket: &'a str) -> Target<'a> {
        Target {
            action,
            bucket: Some(bucket),
            key: None,
            version_id: None,
            creates: false,
            copy_source: false,
            upload_id: None,
        }
    }

    fn object(action: &'static str, obj: &'a ObjectRef) -> Target<'a> {
        Target {
            key: Some(&obj.key),
            ..Target::bucket(action, &obj.bucket)
        }
    }

    /// `plain` or, when a version id is given, `versioned` on that version.
    fn version(
        plain: &'static str,
        versioned: &'static str,
        obj: &'a ObjectRef,
        version_id: &'a Option<String>,
    ) -> Target<'a> {
        match version_id.as_deref() {
            Some(v) => Target {
                version_id: Some(v),
                ..Target::object(versioned, obj)
            },
            None => Target::object(plain, obj),
        }
    }

    fn source(src: &'a CopySource) -> Target<'a> {
        Target {
            copy_source: true,
            ..Target::version(
                "s3:GetObject",
                "s3:GetObjectVersion",
                &src.obj,
                &src.version_id,
            )
        }
    }
}

/// The permissions `op` needs, in the order AWS checks them (the destination of a copy, then
/// its source).
pub fn targets(op: &Op) -> Vec<Target<'_>> {
    use Target as T;
    let one = |t| vec![t];
    match op {
        Op::ListBuckets { .. } => one(Target {
            bucket: None,
            ..T::bucket("s3:ListAllMyBuckets", "")
        }),
        // A bucket created with Object Lock also needs the permissions of the two settings it
        // makes (Object Lock configuration, versioning).
        Op::CreateBucket {
            bucket,
            object_lock,
            ..
        } => {
            let mut actions = vec!["s3:CreateBucket"];
            if *object_lock {
                actions.extend([
                    "s3:PutBucketObjectLockConfiguration",
                    "s3:PutBucketVersioning",
                ]);
            }
            actions
                .into_iter()
                .map(|a| Target {
                    creates: true,
                    ..T::bucket(a, bucket)
                })
                .collect()
        }
        Op::HeadBucket { bucket } => one(T::bucket("s3:ListBucket", bucket)),
        Op::DeleteBucket { bucket } => one(T::bucket("s3:DeleteBucket", bucket)),
        Op::GetBucketLocation { bucket } => one(T::bucket("s3:GetBucketLocation", bucket)),
        Op::GetBucketTagging { bucket } => one(T::bucket("s3:GetBucketTagging", bucket)),
        // AWS has no DeleteBucketTagging action: deleting the tag set is a PutBucketTagging.
        Op::PutBucketTagging { bucket, .. } | Op::DeleteBucketTagging { bucket } => {
            one(T::bucket("s3:PutBucketTagging", bucket))
        }
        Op::GetBucketPolicy { bucket } => one(T::bucket("s3:GetBucketPolicy", bucket)),
        Op::PutBucketPolicy { bucket, .. } => one(T::bucket("s3:PutBucketPolicy", bucket)),
        Op::DeleteBucketPolicy { bucket } => one(T::bucket("s3:DeleteBucketPolicy", bucket)),
        Op::GetBucketAcl { bucket } => one(T::bucket("s3:GetBucketAcl", bucket)),
        Op::PutBucketAcl { bucket, .. } => one(T::bucket("s3:PutBucketAcl", bucket)),
        Op::GetBucketOwnershipControls { bucket } => {
            one(T::bucket("s3:GetBucketOwnershipControls", bucket))
        }
        Op::PutBucketOwnershipControls { bucket, .. }
        | Op::DeleteBucketOwnershipControls { bucket } => {
            one(T::bucket("s3:PutBucketOwnershipControls", bucket))
        }
        Op::GetPublicAccessBlock { bucket } => {
            one(T::bucket("s3:GetBucketPublicAccessBlock", bucket))
        }
        Op::PutPublicAccessBlock { bucket, .. } | Op::DeletePublicAccessBlock { bucket } => {
            one(T::bucket("s3:PutBucketPublicAccessBlock", bucket))
        }
        Op::GetBucketVersioning { bucket } => one(T::bucket("s3:GetBucketVersioning", bucket)),
        Op::PutBucketVersioning { bucket, .. } => one(T::bucket("s3:PutBucketVersioning", bucket)),
        Op::GetBucketLogging { bucket } => one(T::bucket("s3:GetBucketLogging", bucket)),
        Op::PutBucketLogging { bucket, .. } => one(T::bucket("s3:PutBucketLogging", bucket)),
        Op::GetBucketEncryption { bucket } => {
            one(T::bucket("s3:GetEncryptionConfiguration", bucket))
        }
        Op::PutBucketEncryption { bucket, .. } | Op::DeleteBucketEncryption { bucket } => {
            one(T::bucket("s3:PutEncryptionConfiguration", bucket))
        }
        Op::GetBucketLifecycleConfiguration { bucket } => {
            one(T::bucket("s3:GetLifecycleConfiguration", bucket))
        }
        // AWS has no DeleteLifecycleConfiguration action: deleting is a put.
        Op::PutBucketLifecycleConfiguration { bucket, .. }
        | Op::DeleteBucketLifecycle { bucket } => {
            one(T::bucket("s3:PutLifecycleConfiguration", bucket))
        }
        Op::GetBucketCors { bucket } => one(T::bucket("s3:GetBucketCORS", bucket)),
        // As with tagging, deleting the configuration is a PutBucketCORS.
        Op::PutBucketCors { bucket, .. } | Op::DeleteBucketCors { bucket } => {
            one(T::bucket("s3:PutBucketCORS", bucket))
        }
        Op::GetBucketPolicyStatus { bucket } => one(T::bucket("s3:GetBucketPolicyStatus", bucket)),
        Op::ListObjects(i) => one(T::bucket("s3:ListBucket", &i.bucket)),
        Op::ListObjectVersions(i) => one(T::bucket("s3:ListBucketVersions", &i.bucket)),
        Op::ListMultipartUploads(i) => one(T::bucket("s3:ListBucketMultipartUploads", &i.bucket)),
        // AWS authorizes each key of a multi-object delete.
        Op::DeleteObjects {
            bucket, objects, ..
        } => objects
            .iter()
            .map(|(key, version)| Target {
                key: Some(key),
                version_id: version.as_deref(),
                ..T::bucket(
                    if version.is_some() {
                        "s3:DeleteObjectVersion"
                    } else {
                        "s3:DeleteObject"
                    },
                    bucket,
                )
            })
            .collect(),
        Op::PutObject { obj, new, .. } | Op::CreateMultipartUpload { obj, new, .. } => {
            lock_headers(T::object("s3:PutObject", obj), new)
        }
        Op::UploadPart { obj, .. } | Op::CompleteMultipartUpload { obj, .. } => {
            one(T::object("s3:PutObject", obj))
        }
        Op::PostObject(i) => one(Target {
            key: Some(&i.key),
            ..T::bucket("s3:PutObject", &i.bucket)
        }),
        Op::GetObject(i) | Op::HeadObject(i) => one(T::version(
            "s3:GetObject",
            "s3:GetObjectVersion",
            &i.obj,
            &i.version_id,
        )),
        Op::DeleteObject {
            obj, version_id, ..
        } => one(T::version(
            "s3:DeleteObject",
            "s3:DeleteObjectVersion",
            obj,
            version_id,
        )),
        Op::CopyObject(i) => {
            let mut t = lock_headers(T::object("s3:PutObject", &i.obj), &i.new);
            t.push(T::source(&i.source));
            t
        }
        Op::UploadPartCopy(i) => vec![T::object("s3:PutObject", &i.obj), T::source(&i.source)],
        Op::GetObjectTagging { obj, version_id } => one(T::version(
            "s3:GetObjectTagging",
            "s3:GetObjectVersionTagging",
            obj,
            version_id,
        )),
        Op::PutObjectTagging {
            obj, version_id, ..
        } => one(T::version(
            "s3:PutObjectTagging",
            "s3:PutObjectVersionTagging",
            obj,
            version_id,
        )),
        Op::DeleteObjectTagging { obj, version_id } => one(T::version(
            "s3:DeleteObjectTagging",
            "s3:DeleteObjectVersionTagging",
            obj,
            version_id,
        )),
        Op::GetObjectAttributes {
            obj, version_id, ..
        } => one(T::version(
            "s3:GetObjectAttributes",
            "s3:GetObjectVersionAttributes",
            obj,
            version_id,
        )),
        Op::GetObjectAcl { obj, version_id } => one(T::version(
            "s3:GetObjectAcl",
            "s3:GetObjectVersionAcl",
            obj,
            version_id,
        )),
        Op::PutObjectAcl {
            obj, version_id, ..
        } => one(T::version(
            "s3:PutObjectAcl",
            "s3:PutObjectVersionAcl",
            obj,
            version_id,
        )),
        Op::AbortMultipartUpload { obj, upload_id } => one(Target {
            upload_id: Some(upload_id),
            ..T::object("s3:AbortMultipartUpload", obj)
        }),
        Op::ListParts { obj, upload_id, .. } => one(Target {
            upload_id: Some(upload_id),
            ..T::object("s3:ListMultipartUploadParts", obj)
        }),
        Op::ObjectLock(l) => one(match l.object() {
            Some((obj, version_id)) => Target {
                version_id,
                ..T::object(l.action(), obj)
            },
            None => T::bucket(l.action(), l.bucket()),
        }),
    }
}

/// A write's permission, plus those of the Object Lock headers it carries: a retention needs
/// `s3:PutObjectRetention`, a legal hold `s3:PutObjectLegalHold`.
fn lock_headers<'a>(write: Target<'a>, new: &NewObject) -> Vec<Target<'a>> {
    let lock = new.meta.lock.as_ref();
    let mut out = vec![write];
    if lock.is_some_and(|l| l.retention.is_some()) {
        out.push(Target {
            action: "s3:PutObjectRetention",
            ..write
        });
    }
    if lock.is_some_and(|l| l.legal_hold.is_some()) {
        out.push(Target {
            action: "s3:PutObjectLegalHold",
            ..write
        });
    }
    out
}

/// The settings of the object a request creates, whose headers become condition keys.
pub fn new_object(op: &Op) -> Option<&NewObject> {
    match op {
        Op::PutObject { new, .. } | Op::CreateMultipartUpload { new, .. } => Some(new),
        Op::PostObject(i) => Some(&i.new),
        Op::CopyObject(i) => Some(&i.new),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::op::{GetObjectInput, ListObjectsInput};

    fn obj() -> ObjectRef {
        ObjectRef {
            bucket: "b".into(),
            key: "k".into(),
        }
    }

    #[test]
    fn actions_table() {
        let get = |version: Option<&str>| {
            Op::GetObject(GetObjectInput {
                obj: obj(),
                version_id: version.map(str::to_string),
                ..Default::default()
            })
        };
        let cases: Vec<(Op, &str)> = vec![
            (
                Op::ListBuckets {
                    prefix: String::new(),
                    max_buckets: None,
                    continuation: None,
                    region: None,
                },
                "s3:ListAllMyBuckets",
            ),
            (Op::HeadBucket { bucket: "b".into() }, "s3:ListBucket"),
            (
                Op::ListObjects(ListObjectsInput {
                    bucket: "b".into(),
                    v2: true,
                    ..Default::default()
                }),
                "s3:ListBucket",
            ),
            (
                Op::GetBucketEncryption { bucket: "b".into() },
                "s3:GetEncryptionConfiguration",
            ),
            (
                Op::DeleteBucketEncryption { bucket: "b".into() },
                "s3:PutEncryptionConfiguration",
            ),
            (
                Op::DeleteBucketTagging { bucket: "b".into() },
                "s3:PutBucketTagging",
            ),
            (
                Op::DeletePublicAccessBlock { bucket: "b".into() },
                "s3:PutBucketPublicAccessBlock",
            ),
            (
                Op::DeleteBucketCors { bucket: "b".into() },
                "s3:PutBucketCORS",
            ),
            (
                Op::GetBucketPolicyStatus { bucket: "b".into() },
                "s3:GetBucketPolicyStatus",
            ),
            (get(None), "s3:GetObject"),
            (get(Some("v1")), "s3:GetObjectVersion"),
            (
                Op::DeleteObject {
                    obj: obj(),
                    version_id: Some("v".into()),
                    bypass_governance: false,
                },
                "s3:DeleteObjectVersion",
            ),
            (
                Op::PutObjectTagging {
                    obj: obj(),
                    version_id: None,
                    tags: vec![],
                },
                "s3:PutObjectTagging",
            ),
            (
                Op::AbortMultipartUpload {
                    obj: obj(),
                    upload_id: "u".into(),
                },
                "s3:AbortMultipartUpload",
            ),
        ];
        for (op, action) in &cases {
            let t = targets(op);
            assert_eq!(t[0].action, *action, "{}", op.name());
        }
        let t = targets(&cases[0].0);
        assert_eq!(t[0].bucket, None);
        let t = targets(&cases[10].0);
        assert_eq!((t[0].key, t[0].version_id), (Some("k"), Some("v1")));
    }

    #[test]
    fn multi_delete_checks_each_key() {
        let op = Op::DeleteObjects {
            bucket: "b".into(),
            quiet: false,
            bypass_governance: false,
            objects: vec![("a".into(), None), ("c".into(), Some("v".into()))],
        };
        let t = targets(&op);
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].action, "s3:DeleteObject");
        assert_eq!(t[1].action, "s3:DeleteObjectVersion");
        assert_eq!(t[1].key, Some("c"));
    }

    #[test]
    fn object_lock_actions() {
        use crate::op::LockOp;
        let lock = |l| targets(&Op::ObjectLock(l))[0].action;
        assert_eq!(
            lock(LockOp::GetConfiguration { bucket: "b".into() }),
            "s3:GetBucketObjectLockConfiguration"
        );
        let get = LockOp::GetRetention {
            obj: obj(),
            version_id: Some("v".into()),
        };
        assert_eq!(lock(get), "s3:GetObjectRetention");
        let hold = LockOp::PutLegalHold {
            obj: obj(),
            version_id: None,
            on: true,
        };
        assert_eq!(lock(hold), "s3:PutObjectLegalHold");
        let create = Op::CreateBucket {
            bucket: "b".into(),
            location: None,
            acl: None,
            ownership: None,
            object_lock: true,
        };
        let actions: Vec<_> = targets(&create).iter().map(|t| t.action).collect();
        assert_eq!(
            actions,
            [
                "s3:CreateBucket",
                "s3:PutBucketObjectLockConfiguration",
                "s3:PutBucketVersioning"
            ]
        );
    }
}
