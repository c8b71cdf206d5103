//! How STS and IAM report each call to the [`AuditSink`](trailstack_core::AuditSink): every
//! call is a management event from `sts.amazonaws.com` or `iam.amazonaws.com`. IAM is a global
//! service and AWS records its calls in us-east-1, whatever region the request was signed for;
//! STS records them in the region of the endpoint called. `requestParameters` name the call's
//! inputs in camelCase, as AWS writes them; secrets never appear (CreateAccessKey's
//! `responseElements` carry the key's metadata only).
//!
//! AWS facts: docs/aws/iam-sts.md §4.

use crate::error::IamError;
use crate::op::{IamOp, IamOutput, StsOp};
use serde_json::{json, Map, Value};
use time::OffsetDateTime;
use trailstack_core::{AuditEvent, Caller, EventCategory};

/// STS's event source.
pub const STS_SOURCE: &str = "sts.amazonaws.com";
/// IAM's event source.
pub const IAM_SOURCE: &str = "iam.amazonaws.com";
/// The region AWS records IAM's calls in.
pub const IAM_REGION: &str = "us-east-1";

/// What a record says about the request, taken before the handler consumes the operation.
pub struct Pending {
    source: &'static str,
    name: &'static str,
    read_only: bool,
    request: Option<Value>,
}

impl Pending {
    /// The record of STS operation `op`.
    pub fn sts(op: &StsOp) -> Pending {
        Pending {
            source: STS_SOURCE,
            name: op.name(),
            read_only: op.read_only(),
            request: None,
        }
    }

    /// The record of IAM operation `op`.
    pub fn iam(op: &IamOp) -> Pending {
        Pending {
            source: IAM_SOURCE,
            name: op.name(),
            read_only: op.read_only(),
            request: request_parameters(op),
        }
    }

    /// The event for `caller` once the call ended with `result`, at `time`.
    pub fn finish<T: Responds>(
        self,
        caller: &Caller,
        result: &Result<T, IamError>,
        time: OffsetDateTime,
    ) -> AuditEvent {
        let mut caller = caller.clone();
        if self.source == IAM_SOURCE {
            caller.region = IAM_REGION.to_string();
        }
        let (response, error) = match result {
            Ok(out) => (out.response_elements(), None),
            Err(e) => (None, Some((e.code().to_string(), e.message()))),
        };
        AuditEvent {
            caller,
            time,
            source: self.source,
            name: self.name.to_string(),
            read_only: self.read_only,
            category: EventCategory::Management,
            service_event: false,
            request: self.request,
            response,
            additional: None,
            resources: Vec::new(),
            error,
            resource_account: None,
        }
    }
}

/// An operation's output as CloudTrail's `responseElements` shows it.
pub trait Responds {
    /// `None` renders as `null`.
    fn response_elements(&self) -> Option<Value>;
}

impl Responds for crate::op::StsOutput {
    fn response_elements(&self) -> Option<Value> {
        None
    }
}

impl Responds for IamOutput {
    fn response_elements(&self) -> Option<Value> {
        match self {
            IamOutput::NewAccessKey(k, _) => Some(json!({"accessKey": {
                "userName": k.user,
                "accessKeyId": k.id,
                "status": if k.active { "Active" } else { "Inactive" },
                "createDate": crate::wire::iso_date(k.created_ms),
            }})),
            _ => None,
        }
    }
}

/// Tags as CloudTrail writes them: `[{"key": …, "value": …}]`.
fn tag_list(tags: &[crate::op::Tag]) -> Value {
    tags.iter()
        .map(|t| json!({"key": t.key, "value": t.value}))
        .collect()
}

/// The inputs of `op`, by their CloudTrail names; `None` for calls with none.
fn request_parameters(op: &IamOp) -> Option<Value> {
    use IamOp::*;
    let mut m = Map::new();
    let mut put = |k: &str, v: Value| {
        m.insert(k.to_string(), v);
    };
    let owner_key = |o: &crate::op::Owner| match o.kind {
        crate::op::OwnerKind::User => "userName",
        crate::op::OwnerKind::Role => "roleName",
        crate::op::OwnerKind::Group => "groupName",
    };
    match op {
        CreateUser {
            name,
            path,
            tags,
            boundary,
        } => {
            put("userName", json!(name));
            put("path", json!(path));
            if let Some(b) = boundary {
                put("permissionsBoundary", json!(b));
            }
            if !tags.is_empty() {
                put("tags", tag_list(tags));
            }
        }
        GetUser { name } | CreateAccessKey { user: name } | ListAccessKeys { user: name, .. } => {
            if let Some(n) = name {
                put("userName", json!(n));
            }
        }
        DeleteUser { name } => put("userName", json!(name)),
        UpdateAccessKey { user, key, active } => {
            if let Some(u) = user {
                put("userName", json!(u));
            }
            put("accessKeyId", json!(key));
            put("status", json!(if *active { "Active" } else { "Inactive" }));
        }
        DeleteAccessKey { user, key } => {
            if let Some(u) = user {
                put("userName", json!(u));
            }
            put("accessKeyId", json!(key));
        }
        GetAccessKeyLastUsed { key } => put("accessKeyId", json!(key)),
        CreateRole {
            name,
            path,
            trust_policy,
            description,
            max_session,
            tags,
            boundary,
        } => {
            put("roleName", json!(name));
            if let Some(b) = boundary {
                put("permissionsBoundary", json!(b));
            }
            put("path", json!(path));
            put("assumeRolePolicyDocument", json!(trust_policy));
            if !description.is_empty() {
                put("description", json!(description));
            }
            put("maxSessionDuration", json!(max_session));
            if !tags.is_empty() {
                put("tags", tag_list(tags));
            }
        }
        GetRole { name } | DeleteRole { name } => put("roleName", json!(name)),
        UpdateRole {
            name,
            description,
            max_session,
        } => {
            put("roleName", json!(name));
            if let Some(d) = description {
                put("description", json!(d));
            }
            if let Some(s) = max_session {
                put("maxSessionDuration", json!(s));
            }
        }
        UpdateAssumeRolePolicy { name, document } => {
            put("roleName", json!(name));
            put("policyDocument", json!(document));
        }
        PutInlinePolicy {
            owner,
            name,
            document,
        } => {
            put(owner_key(owner), json!(owner.name));
            put("policyName", json!(name));
            put("policyDocument", json!(document));
        }
        GetInlinePolicy { owner, name } | DeleteInlinePolicy { owner, name } => {
            put(owner_key(owner), json!(owner.name));
            put("policyName", json!(name));
        }
        ListInlinePolicies { owner, .. } | ListAttachedPolicies { owner, .. } => {
            put(owner_key(owner), json!(owner.name))
        }
        CreatePolicy {
            name,
            path,
            document,
            description,
        } => {
            put("policyName", json!(name));
            put("path", json!(path));
            put("policyDocument", json!(document));
            if !description.is_empty() {
                put("description", json!(description));
            }
        }
        GetPolicy { arn } | DeletePolicy { arn } | ListPolicyVersions { arn, .. } => {
            put("policyArn", json!(arn))
        }
        CreatePolicyVersion {
            arn,
            document,
            set_default,
        } => {
            put("policyArn", json!(arn));
            put("policyDocument", json!(document));
            put("setAsDefault", json!(set_default));
        }
        GetPolicyVersion { arn, version }
        | DeletePolicyVersion { arn, version }
        | SetDefaultPolicyVersion { arn, version } => {
            put("policyArn", json!(arn));
            put("versionId", json!(version));
        }
        AttachPolicy { owner, arn } | DetachPolicy { owner, arn } => {
            put(owner_key(owner), json!(owner.name));
            put("policyArn", json!(arn));
        }
        TagEntity { owner, tags } => {
            put(owner_key(owner), json!(owner.name));
            put("tags", tag_list(tags));
        }
        UntagEntity { owner, keys } => {
            put(owner_key(owner), json!(owner.name));
            put("tagKeys", json!(keys));
        }
        ListEntityTags { owner, .. } | DeleteBoundary { owner } => {
            put(owner_key(owner), json!(owner.name))
        }
        PutBoundary { owner, arn } => {
            put(owner_key(owner), json!(owner.name));
            put("permissionsBoundary", json!(arn));
        }
        CreateGroup { name, path } => {
            put("groupName", json!(name));
            put("path", json!(path));
        }
        GetGroup { name, .. } | DeleteGroup { name } => put("groupName", json!(name)),
        AddUserToGroup { group, user } | RemoveUserFromGroup { group, user } => {
            put("groupName", json!(group));
            put("userName", json!(user));
        }
        ListGroupsForUser { user, .. } => put("userName", json!(user)),
        ListUsers { .. } | ListRoles { .. } | ListPolicies { .. } | ListGroups { .. } => {}
    }
    (!m.is_empty()).then_some(Value::Object(m))
}
