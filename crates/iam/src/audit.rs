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
use trailstack_core::{AccountId, AuditEvent, AuditResource, Caller};

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
    resources: Vec<AuditResource>,
    /// The account the call acts in besides the caller's (a role of another account).
    resource_account: Option<AccountId>,
}

impl Pending {
    /// The record of STS operation `op`.
    pub fn sts(op: &StsOp) -> Pending {
        Pending {
            source: STS_SOURCE,
            name: op.name(),
            read_only: op.read_only(),
            request: sts_request_parameters(op),
            resources: sts_resources(op),
            resource_account: None,
        }
    }

    /// The record of IAM operation `op`.
    pub fn iam(op: &IamOp) -> Pending {
        Pending {
            source: IAM_SOURCE,
            name: op.name(),
            read_only: op.read_only(),
            request: request_parameters(op),
            resources: Vec::new(),
            resource_account: None,
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
        // A role of another account: the call is also that account's event (sharedEventID).
        let resource_account = self.resource_account.or_else(|| {
            self.resources
                .iter()
                .filter_map(|r| r.account.clone())
                .find(|a| *a != caller.account)
        });
        AuditEvent {
            // IAM and STS record no call as a service's own.
            service_event: false,
            request: self.request,
            response,
            resources: self.resources,
            error,
            resource_account,
            ..AuditEvent::management(caller, time, self.source, self.name, self.read_only)
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
        use crate::op::StsOutput::*;
        let credentials = |c: &crate::op::Credentials| {
            json!({
                "accessKeyId": c.access_key,
                "sessionToken": c.token,
                "expiration": cloudtrail_expiration(c.expires_ms),
            })
        };
        match self {
            AssumedRole {
                credentials: c,
                arn,
                assumed_role_id,
                packed_policy_size,
                source_identity,
                ..
            } => {
                let mut m = Map::new();
                m.insert("credentials".into(), credentials(c));
                m.insert(
                    "assumedRoleUser".into(),
                    json!({"assumedRoleId": assumed_role_id, "arn": arn}),
                );
                if let Some(size) = packed_policy_size {
                    m.insert("packedPolicySize".into(), json!(size));
                }
                if let Some(s) = source_identity {
                    m.insert("sourceIdentity".into(), json!(s));
                }
                Some(Value::Object(m))
            }
            SessionToken(c) => Some(json!({"credentials": credentials(c)})),
            CallerIdentity { .. } | AccessKeyInfo { .. } => None,
        }
    }
}

/// A credential's expiry as CloudTrail writes it in `responseElements`: `Mar 10, 2021, 7:09:48
/// PM` (UTC).
fn cloudtrail_expiration(ms: i64) -> String {
    let t = OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][usize::from(u8::from(t.month())) - 1];
    let h = t.hour();
    let (hour, pm) = (if h.is_multiple_of(12) { 12 } else { h % 12 }, h >= 12);
    format!(
        "{month} {}, {}, {hour}:{:02}:{:02} {}",
        t.day(),
        t.year(),
        t.minute(),
        t.second(),
        if pm { "PM" } else { "AM" }
    )
}

/// The inputs of STS operation `op`, by their CloudTrail names; `None` for calls with none.
fn sts_request_parameters(op: &StsOp) -> Option<Value> {
    let mut m = Map::new();
    match op {
        StsOp::GetCallerIdentity => {}
        StsOp::AssumeRole(a) => {
            m.insert("roleArn".into(), json!(a.role_arn));
            m.insert("roleSessionName".into(), json!(a.session_name));
            if let Some(d) = a.duration {
                m.insert("durationSeconds".into(), json!(d));
            }
            if let Some(p) = &a.policy {
                m.insert("policy".into(), json!(p));
            }
            if !a.policy_arns.is_empty() {
                let arns: Vec<Value> = a.policy_arns.iter().map(|x| json!({"arn": x})).collect();
                m.insert("policyArns".into(), Value::Array(arns));
            }
            if !a.tags.is_empty() {
                let tags: Vec<Value> = a
                    .tags
                    .iter()
                    .map(|(k, v)| json!({"key": k, "value": v}))
                    .collect();
                m.insert("tags".into(), Value::Array(tags));
            }
            if !a.transitive_tag_keys.is_empty() {
                m.insert("transitiveTagKeys".into(), json!(a.transitive_tag_keys));
            }
            for (key, v) in [
                ("externalId", &a.external_id),
                ("sourceIdentity", &a.source_identity),
                ("serialNumber", &a.serial_number),
            ] {
                if let Some(v) = v {
                    m.insert(key.into(), json!(v));
                }
            }
        }
        StsOp::GetSessionToken {
            duration,
            serial_number,
            ..
        } => {
            if let Some(d) = duration {
                m.insert("durationSeconds".into(), json!(d));
            }
            if let Some(s) = serial_number {
                m.insert("serialNumber".into(), json!(s));
            }
        }
        StsOp::GetAccessKeyInfo { access_key } => {
            m.insert("accessKeyId".into(), json!(access_key));
        }
    }
    (!m.is_empty()).then_some(Value::Object(m))
}

/// The resources of STS operation `op`: AssumeRole's role, in its account.
fn sts_resources(op: &StsOp) -> Vec<AuditResource> {
    let StsOp::AssumeRole(a) = op else {
        return Vec::new();
    };
    let account = a
        .role_arn
        .split(':')
        .nth(4)
        .and_then(|x| AccountId::parse(x).ok());
    vec![AuditResource {
        kind: "AWS::IAM::Role".into(),
        arn: a.role_arn.clone(),
        prefix: false,
        account,
    }]
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
