//! The Object Lock operations (bucket configuration, object retention and legal hold) and what
//! they answer, as typed inputs and outputs.

use super::ObjectRef;
use crate::model::lock::{BucketLock, Retention};

/// One Object Lock operation.
#[derive(Debug)]
pub enum LockOp {
    /// PUT /bucket?object-lock.
    PutConfiguration { bucket: String, config: BucketLock },
    /// GET /bucket?object-lock.
    GetConfiguration { bucket: String },
    /// PUT /bucket/key?retention; `retention` None removes it.
    PutRetention {
        obj: ObjectRef,
        version_id: Option<String>,
        retention: Option<Retention>,
        /// x-amz-bypass-governance-retention: true.
        bypass_governance: bool,
    },
    /// GET /bucket/key?retention.
    GetRetention {
        obj: ObjectRef,
        version_id: Option<String>,
    },
    /// PUT /bucket/key?legal-hold.
    PutLegalHold {
        obj: ObjectRef,
        version_id: Option<String>,
        on: bool,
    },
    /// GET /bucket/key?legal-hold.
    GetLegalHold {
        obj: ObjectRef,
        version_id: Option<String>,
    },
}

impl LockOp {
    /// The AWS operation name, as CloudTrail records it.
    pub fn name(&self) -> &'static str {
        match self {
            LockOp::PutConfiguration { .. } => "PutObjectLockConfiguration",
            LockOp::GetConfiguration { .. } => "GetObjectLockConfiguration",
            LockOp::PutRetention { .. } => "PutObjectRetention",
            LockOp::GetRetention { .. } => "GetObjectRetention",
            LockOp::PutLegalHold { .. } => "PutObjectLegalHold",
            LockOp::GetLegalHold { .. } => "GetObjectLegalHold",
        }
    }

    /// The bucket it acts on.
    pub fn bucket(&self) -> &str {
        match self {
            LockOp::PutConfiguration { bucket, .. } | LockOp::GetConfiguration { bucket } => bucket,
            LockOp::PutRetention { obj, .. }
            | LockOp::GetRetention { obj, .. }
            | LockOp::PutLegalHold { obj, .. }
            | LockOp::GetLegalHold { obj, .. } => &obj.bucket,
        }
    }

    /// The object (and version) it acts on, for the object-level calls.
    pub fn object(&self) -> Option<(&ObjectRef, Option<&str>)> {
        match self {
            LockOp::PutConfiguration { .. } | LockOp::GetConfiguration { .. } => None,
            LockOp::PutRetention {
                obj, version_id, ..
            }
            | LockOp::GetRetention { obj, version_id }
            | LockOp::PutLegalHold {
                obj, version_id, ..
            }
            | LockOp::GetLegalHold { obj, version_id } => Some((obj, version_id.as_deref())),
        }
    }

    /// The IAM action it needs (the same for a version as for the current object).
    pub fn action(&self) -> &'static str {
        match self {
            LockOp::PutConfiguration { .. } => "s3:PutBucketObjectLockConfiguration",
            LockOp::GetConfiguration { .. } => "s3:GetBucketObjectLockConfiguration",
            LockOp::PutRetention { .. } => "s3:PutObjectRetention",
            LockOp::GetRetention { .. } => "s3:GetObjectRetention",
            LockOp::PutLegalHold { .. } => "s3:PutObjectLegalHold",
            LockOp::GetLegalHold { .. } => "s3:GetObjectLegalHold",
        }
    }
}

/// What an Object Lock read answers.
#[derive(Debug)]
pub enum LockOutput {
    /// GetObjectLockConfiguration.
    Configuration(BucketLock),
    /// GetObjectRetention.
    Retention(Retention),
    /// GetObjectLegalHold: ON (true) or OFF.
    LegalHold(bool),
}
