//! IAM on the query protocol (API version 2010-05-08, XML namespace
//! `https://iam.amazonaws.com/doc/2010-05-08/`): the form → [`IamOp`], and [`IamOutput`] →
//! `<{Action}Response>`. Policy documents travel URL-encoded in responses, as IAM sends them.
//!
//! AWS facts: docs/aws/iam-sts.md §1, §5.

use super::{iam_tags, iso_date, unknown_action, Form, Xml};
use crate::error::{IamError, IamResult};
use crate::op::{
    AccessKey, Group, IamOp, IamOutput, ManagedPolicy, Owner, OwnerKind, Page, PolicyScope,
    PolicyVersion, Role, Tag, User,
};

/// IAM's API version.
pub const VERSION: &str = "2010-05-08";
/// IAM's XML namespace.
pub const NAMESPACE: &str = "https://iam.amazonaws.com/doc/2010-05-08/";

/// A required parameter, refused as AWS refuses a missing one.
pub(super) fn required(form: &Form, name: &str) -> IamResult<String> {
    form.get(name).map(str::to_string).ok_or_else(|| {
        let mut field = name.to_string();
        if let Some(first) = field.get_mut(..1) {
            first.make_ascii_lowercase();
        }
        IamError::Validation(format!(
            "1 validation error detected: Value null at '{field}' failed to satisfy constraint: Member must not be null"
        ))
    })
}

pub(super) fn optional(form: &Form, name: &str) -> Option<String> {
    form.get(name).map(str::to_string)
}

fn page(form: &Form) -> IamResult<Page> {
    let max_items = match form.get("MaxItems") {
        None => 100,
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=1000).contains(&n) => n,
            _ => {
                return Err(IamError::Validation(format!(
                    "1 validation error detected: Value '{v}' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000"
                )))
            }
        },
    };
    Ok(Page {
        marker: optional(form, "Marker"),
        max_items,
    })
}

fn flag(form: &Form, name: &str) -> IamResult<bool> {
    match form.get(name) {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(v) => Err(IamError::InvalidParameterValue(format!(
            "Value ({v}) for parameter {name} is invalid. Expected: 'true' or 'false'."
        ))),
    }
}

pub(super) fn number(form: &Form, name: &str) -> IamResult<Option<u32>> {
    form.get(name)
        .map(|v| {
            v.parse().map_err(|_| {
                IamError::InvalidParameterValue(format!(
                    "Value ({v}) for parameter {name} is invalid. Expected an integer."
                ))
            })
        })
        .transpose()
}

fn owner(form: &Form, kind: OwnerKind) -> IamResult<Owner> {
    let field = match kind {
        OwnerKind::User => "UserName",
        OwnerKind::Role => "RoleName",
        OwnerKind::Group => "GroupName",
    };
    Ok(Owner {
        kind,
        name: required(form, field)?,
    })
}

fn path(form: &Form, name: &str) -> String {
    form.get(name).unwrap_or("/").to_string()
}

/// The operation a form asks for.
pub fn parse(form: &Form) -> IamResult<IamOp> {
    let action = form.action(VERSION)?;
    // The inline and attachment families differ only by owner: `PutUserPolicy`/`PutRolePolicy`.
    let kind = if action.contains("Role") {
        OwnerKind::Role
    } else if action.contains("Group") {
        OwnerKind::Group
    } else {
        OwnerKind::User
    };
    Ok(match action {
        "CreateUser" => IamOp::CreateUser {
            name: required(form, "UserName")?,
            path: path(form, "Path"),
            tags: iam_tags::tags(form),
            boundary: optional(form, "PermissionsBoundary"),
        },
        "GetUser" => IamOp::GetUser {
            name: optional(form, "UserName"),
        },
        "ListUsers" => IamOp::ListUsers {
            path_prefix: path(form, "PathPrefix"),
            page: page(form)?,
        },
        "DeleteUser" => IamOp::DeleteUser {
            name: required(form, "UserName")?,
        },
        "CreateAccessKey" => IamOp::CreateAccessKey {
            user: optional(form, "UserName"),
        },
        "ListAccessKeys" => IamOp::ListAccessKeys {
            user: optional(form, "UserName"),
            page: page(form)?,
        },
        "UpdateAccessKey" => IamOp::UpdateAccessKey {
            user: optional(form, "UserName"),
            key: required(form, "AccessKeyId")?,
            active: match required(form, "Status")?.as_str() {
                "Active" => true,
                "Inactive" => false,
                other => {
                    return Err(IamError::Validation(format!(
                        "1 validation error detected: Value '{other}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]"
                    )))
                }
            },
        },
        "DeleteAccessKey" => IamOp::DeleteAccessKey {
            user: optional(form, "UserName"),
            key: required(form, "AccessKeyId")?,
        },
        "GetAccessKeyLastUsed" => IamOp::GetAccessKeyLastUsed {
            key: required(form, "AccessKeyId")?,
        },
        "CreateRole" => IamOp::CreateRole {
            name: required(form, "RoleName")?,
            path: path(form, "Path"),
            trust_policy: required(form, "AssumeRolePolicyDocument")?,
            description: optional(form, "Description").unwrap_or_default(),
            max_session: number(form, "MaxSessionDuration")?.unwrap_or(3600),
            tags: iam_tags::tags(form),
            boundary: optional(form, "PermissionsBoundary"),
        },
        "GetRole" => IamOp::GetRole {
            name: required(form, "RoleName")?,
        },
        "ListRoles" => IamOp::ListRoles {
            path_prefix: path(form, "PathPrefix"),
            page: page(form)?,
        },
        "DeleteRole" => IamOp::DeleteRole {
            name: required(form, "RoleName")?,
        },
        "UpdateRole" => IamOp::UpdateRole {
            name: required(form, "RoleName")?,
            description: optional(form, "Description"),
            max_session: number(form, "MaxSessionDuration")?,
        },
        "UpdateAssumeRolePolicy" => IamOp::UpdateAssumeRolePolicy {
            name: required(form, "RoleName")?,
            document: required(form, "PolicyDocument")?,
        },
        "PutUserPolicy" | "PutRolePolicy" | "PutGroupPolicy" => IamOp::PutInlinePolicy {
            owner: owner(form, kind)?,
            name: required(form, "PolicyName")?,
            document: required(form, "PolicyDocument")?,
        },
        "GetUserPolicy" | "GetRolePolicy" | "GetGroupPolicy" => IamOp::GetInlinePolicy {
            owner: owner(form, kind)?,
            name: required(form, "PolicyName")?,
        },
        "ListUserPolicies" | "ListRolePolicies" | "ListGroupPolicies" => IamOp::ListInlinePolicies {
            owner: owner(form, kind)?,
            page: page(form)?,
        },
        "DeleteUserPolicy" | "DeleteRolePolicy" | "DeleteGroupPolicy" => IamOp::DeleteInlinePolicy {
            owner: owner(form, kind)?,
            name: required(form, "PolicyName")?,
        },
        "CreatePolicy" => IamOp::CreatePolicy {
            name: required(form, "PolicyName")?,
            path: path(form, "Path"),
            document: required(form, "PolicyDocument")?,
            description: optional(form, "Description").unwrap_or_default(),
        },
        "GetPolicy" => IamOp::GetPolicy {
            arn: required(form, "PolicyArn")?,
        },
        "ListPolicies" => IamOp::ListPolicies {
            scope: match form.get("Scope").unwrap_or("All") {
                "All" => PolicyScope::All,
                "AWS" => PolicyScope::Aws,
                "Local" => PolicyScope::Local,
                other => {
                    return Err(IamError::Validation(format!(
                        "1 validation error detected: Value '{other}' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]"
                    )))
                }
            },
            only_attached: flag(form, "OnlyAttached")?,
            path_prefix: path(form, "PathPrefix"),
            page: page(form)?,
        },
        "DeletePolicy" => IamOp::DeletePolicy {
            arn: required(form, "PolicyArn")?,
        },
        "CreatePolicyVersion" => IamOp::CreatePolicyVersion {
            arn: required(form, "PolicyArn")?,
            document: required(form, "PolicyDocument")?,
            set_default: flag(form, "SetAsDefault")?,
        },
        "GetPolicyVersion" => IamOp::GetPolicyVersion {
            arn: required(form, "PolicyArn")?,
            version: required(form, "VersionId")?,
        },
        "ListPolicyVersions" => IamOp::ListPolicyVersions {
            arn: required(form, "PolicyArn")?,
            page: page(form)?,
        },
        "DeletePolicyVersion" => IamOp::DeletePolicyVersion {
            arn: required(form, "PolicyArn")?,
            version: required(form, "VersionId")?,
        },
        "SetDefaultPolicyVersion" => IamOp::SetDefaultPolicyVersion {
            arn: required(form, "PolicyArn")?,
            version: required(form, "VersionId")?,
        },
        "AttachUserPolicy" | "AttachRolePolicy" | "AttachGroupPolicy" => IamOp::AttachPolicy {
            owner: owner(form, kind)?,
            arn: required(form, "PolicyArn")?,
        },
        "DetachUserPolicy" | "DetachRolePolicy" | "DetachGroupPolicy" => IamOp::DetachPolicy {
            owner: owner(form, kind)?,
            arn: required(form, "PolicyArn")?,
        },
        "ListAttachedUserPolicies" | "ListAttachedRolePolicies" | "ListAttachedGroupPolicies" => IamOp::ListAttachedPolicies {
            owner: owner(form, kind)?,
            page: page(form)?,
        },
        "CreateGroup" => IamOp::CreateGroup {
            name: required(form, "GroupName")?,
            path: path(form, "Path"),
        },
        "GetGroup" => IamOp::GetGroup {
            name: required(form, "GroupName")?,
            page: page(form)?,
        },
        "ListGroups" => IamOp::ListGroups {
            path_prefix: path(form, "PathPrefix"),
            page: page(form)?,
        },
        "DeleteGroup" => IamOp::DeleteGroup {
            name: required(form, "GroupName")?,
        },
        "AddUserToGroup" => IamOp::AddUserToGroup {
            group: required(form, "GroupName")?,
            user: required(form, "UserName")?,
        },
        "RemoveUserFromGroup" => IamOp::RemoveUserFromGroup {
            group: required(form, "GroupName")?,
            user: required(form, "UserName")?,
        },
        "ListGroupsForUser" => IamOp::ListGroupsForUser {
            user: required(form, "UserName")?,
            page: page(form)?,
        },
        _ => match iam_tags::parse(form, action, owner, required, page)? {
            Some(op) => op,
            None => return Err(unknown_action(action, form.get("Version").unwrap_or(VERSION))),
        },
    })
}

/// A policy document as IAM returns it: percent-encoded (RFC 3986, unreserved characters kept).
pub fn encode_document(doc: &str) -> String {
    let mut out = String::with_capacity(doc.len() * 2);
    for b in doc.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn user(x: &mut Xml, u: &User) {
    if !u.path.is_empty() {
        x.text("Path", &u.path);
    }
    if !u.name.is_empty() {
        x.text("UserName", &u.name);
    }
    x.text("UserId", &u.id);
    x.text("Arn", &u.arn);
    x.text("CreateDate", &iso_date(u.created_ms));
    boundary(x, u.boundary.as_deref());
    tag_list(x, &u.tags);
}

/// `<PermissionsBoundary>` of an entity that has one.
fn boundary(x: &mut Xml, arn: Option<&str>) {
    if let Some(arn) = arn {
        x.open("PermissionsBoundary");
        x.text("PermissionsBoundaryType", "Policy");
        x.text("PermissionsBoundaryArn", arn);
        x.close("PermissionsBoundary");
    }
}

fn group(x: &mut Xml, g: &Group) {
    x.text("Path", &g.path);
    x.text("GroupName", &g.name);
    x.text("GroupId", &g.id);
    x.text("Arn", &g.arn);
    x.text("CreateDate", &iso_date(g.created_ms));
}

fn tag(x: &mut Xml, t: &Tag) {
    x.text("Key", &t.key);
    x.text("Value", &t.value);
}

/// `<Tags>` of an entity, left out when it has none.
fn tag_list(x: &mut Xml, tags: &[Tag]) {
    if tags.is_empty() {
        return;
    }
    x.open("Tags");
    for t in tags {
        x.open("member");
        tag(x, t);
        x.close("member");
    }
    x.close("Tags");
}

fn key(x: &mut Xml, k: &AccessKey, secret: Option<&str>) {
    x.text("UserName", &k.user);
    x.text("AccessKeyId", &k.id);
    x.text("Status", if k.active { "Active" } else { "Inactive" });
    if let Some(s) = secret {
        x.text("SecretAccessKey", s);
    }
    x.text("CreateDate", &iso_date(k.created_ms));
}

fn role(x: &mut Xml, r: &Role) {
    x.text("Path", &r.path);
    x.text("RoleName", &r.name);
    x.text("RoleId", &r.id);
    x.text("Arn", &r.arn);
    x.text("CreateDate", &iso_date(r.created_ms));
    x.text(
        "AssumeRolePolicyDocument",
        &encode_document(&r.trust_policy),
    );
    if !r.description.is_empty() {
        x.text("Description", &r.description);
    }
    x.text("MaxSessionDuration", &r.max_session.to_string());
    boundary(x, r.boundary.as_deref());
    tag_list(x, &r.tags);
}

fn policy(x: &mut Xml, p: &ManagedPolicy) {
    x.text("PolicyName", &p.name);
    x.text("PolicyId", &p.id);
    x.text("Arn", &p.arn);
    x.text("Path", &p.path);
    x.text("DefaultVersionId", &format!("v{}", p.default_version));
    x.text("AttachmentCount", &p.attachments.to_string());
    x.text(
        "PermissionsBoundaryUsageCount",
        &p.boundary_uses.to_string(),
    );
    x.text("IsAttachable", "true");
    if !p.description.is_empty() {
        x.text("Description", &p.description);
    }
    x.text("CreateDate", &iso_date(p.created_ms));
    x.text("UpdateDate", &iso_date(p.updated_ms));
}

fn version(x: &mut Xml, v: &PolicyVersion) {
    if let Some(d) = &v.document {
        x.text("Document", &encode_document(d));
    }
    x.text("VersionId", &format!("v{}", v.version));
    x.text("IsDefaultVersion", if v.default { "true" } else { "false" });
    x.text("CreateDate", &iso_date(v.created_ms));
}

/// `<Name><member>…</member>…</Name>` then `IsTruncated` and the next `Marker`.
fn members<T>(
    x: &mut Xml,
    name: &str,
    items: &[T],
    next: &Option<String>,
    each: impl Fn(&mut Xml, &T),
) {
    x.open(name);
    for i in items {
        x.open("member");
        each(x, i);
        x.close("member");
    }
    x.close(name);
    x.text("IsTruncated", if next.is_some() { "true" } else { "false" });
    if let Some(m) = next {
        x.text("Marker", m);
    }
}

/// The response document of `out`, the answer to `op`.
pub fn encode(op: &IamOp, out: &IamOutput, request_id: &str) -> Vec<u8> {
    let root = format!("{}Response", op.name());
    let result = format!("{}Result", op.name());
    let mut x = Xml::document(&root, NAMESPACE);
    if !matches!(out, IamOutput::Empty) {
        x.open(&result);
    }
    match out {
        IamOutput::Empty => {}
        IamOutput::User(u) => {
            x.open("User");
            user(&mut x, u);
            x.close("User");
        }
        IamOutput::Users(us, next) => members(&mut x, "Users", us, next, user),
        IamOutput::NewAccessKey(k, secret) => {
            x.open("AccessKey");
            key(&mut x, k, Some(secret.as_str()));
            x.close("AccessKey");
        }
        IamOutput::AccessKeys(ks, next) => {
            members(&mut x, "AccessKeyMetadata", ks, next, |x, k| {
                key(x, k, None)
            })
        }
        IamOutput::LastUsed(owner, used) => {
            x.text("UserName", owner);
            x.open("AccessKeyLastUsed");
            match used {
                Some(u) => {
                    x.text("LastUsedDate", &iso_date(u.used_ms));
                    x.text("ServiceName", &u.service);
                    x.text("Region", &u.region);
                }
                None => {
                    x.text("ServiceName", "N/A");
                    x.text("Region", "N/A");
                }
            }
            x.close("AccessKeyLastUsed");
        }
        IamOutput::Role(r) => {
            x.open("Role");
            role(&mut x, r);
            x.close("Role");
        }
        IamOutput::Roles(rs, next) => members(&mut x, "Roles", rs, next, role),
        IamOutput::InlinePolicy {
            owner,
            name,
            document,
        } => {
            let field = match owner.kind {
                OwnerKind::User => "UserName",
                OwnerKind::Role => "RoleName",
                OwnerKind::Group => "GroupName",
            };
            x.text(field, &owner.name);
            x.text("PolicyName", name);
            x.text("PolicyDocument", &encode_document(document));
        }
        IamOutput::PolicyNames(names, next) => {
            members(&mut x, "PolicyNames", names, next, |x, n| x.raw(n))
        }
        IamOutput::Policy(p) => {
            x.open("Policy");
            policy(&mut x, p);
            x.close("Policy");
        }
        IamOutput::Policies(ps, next) => members(&mut x, "Policies", ps, next, policy),
        IamOutput::PolicyVersion(v) => {
            x.open("PolicyVersion");
            version(&mut x, v);
            x.close("PolicyVersion");
        }
        IamOutput::PolicyVersions(vs, next) => members(&mut x, "Versions", vs, next, version),
        IamOutput::AttachedPolicies(ps, next) => {
            members(&mut x, "AttachedPolicies", ps, next, |x, (name, arn)| {
                x.text("PolicyName", name);
                x.text("PolicyArn", arn);
            })
        }
        IamOutput::Tags(ts, next) => members(&mut x, "Tags", ts, next, tag),
        IamOutput::Group(g) => {
            x.open("Group");
            group(&mut x, g);
            x.close("Group");
        }
        IamOutput::GroupUsers(g, us, next) => {
            x.open("Group");
            group(&mut x, g);
            x.close("Group");
            members(&mut x, "Users", us, next, user);
        }
        IamOutput::Groups(gs, next) => members(&mut x, "Groups", gs, next, group),
    }
    if !matches!(out, IamOutput::Empty) {
        x.close(&result);
    }
    x.metadata(request_id);
    x.finish(&root)
}
