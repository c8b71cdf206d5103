//! IAM's operations (API version 2010-05-08), typed: users, access keys, roles, groups, inline
//! policies of users, roles and groups, managed policies with versions and attachments, tags
//! and permissions boundaries. The inline and
//! attachment families take an [`Owner`], so one variant serves the user and the role form.

/// What an inline policy or an attachment belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnerKind {
    /// An IAM user.
    User,
    /// An IAM role.
    Role,
    /// An IAM group (inline and attached policies only: groups have no tags or boundaries).
    Group,
}

impl OwnerKind {
    /// As stored and as operation names spell it (`User`, `Role`).
    pub fn as_str(self) -> &'static str {
        match self {
            OwnerKind::User => "User",
            OwnerKind::Role => "Role",
            OwnerKind::Group => "Group",
        }
    }
}

/// A user or role, by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    /// User or role.
    pub kind: OwnerKind,
    /// Its name.
    pub name: String,
}

impl Owner {
    /// The user, role or group `name`.
    pub fn new(kind: OwnerKind, name: &str) -> Owner {
        Owner {
            kind,
            name: name.to_string(),
        }
    }
}

/// Which managed policies ListPolicies lists (`Scope`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyScope {
    /// The account's and AWS's.
    All,
    /// AWS's only.
    Aws,
    /// The account's only.
    Local,
}

/// A page request of a ListX operation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Page {
    /// Where the previous page ended (the `Marker` it answered).
    pub marker: Option<String>,
    /// At most this many items (`MaxItems`, 1–1000, default 100).
    pub max_items: usize,
}

/// An IAM operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IamOp {
    /// CreateUser.
    CreateUser {
        name: String,
        path: String,
        tags: Vec<Tag>,
        boundary: Option<String>,
    },
    /// GetUser; without a name, the calling user.
    GetUser { name: Option<String> },
    /// ListUsers.
    ListUsers { path_prefix: String, page: Page },
    /// DeleteUser.
    DeleteUser { name: String },
    /// CreateAccessKey; without a user, the calling user.
    CreateAccessKey { user: Option<String> },
    /// ListAccessKeys.
    ListAccessKeys { user: Option<String>, page: Page },
    /// UpdateAccessKey: `Active` or `Inactive`.
    UpdateAccessKey {
        user: Option<String>,
        key: String,
        active: bool,
    },
    /// DeleteAccessKey.
    DeleteAccessKey { user: Option<String>, key: String },
    /// GetAccessKeyLastUsed.
    GetAccessKeyLastUsed { key: String },
    /// CreateRole.
    CreateRole {
        name: String,
        path: String,
        trust_policy: String,
        description: String,
        max_session: u32,
        tags: Vec<Tag>,
        boundary: Option<String>,
    },
    /// GetRole.
    GetRole { name: String },
    /// ListRoles.
    ListRoles { path_prefix: String, page: Page },
    /// DeleteRole.
    DeleteRole { name: String },
    /// UpdateRole: description and maximum session duration.
    UpdateRole {
        name: String,
        description: Option<String>,
        max_session: Option<u32>,
    },
    /// UpdateAssumeRolePolicy.
    UpdateAssumeRolePolicy { name: String, document: String },
    /// PutUserPolicy / PutRolePolicy.
    PutInlinePolicy {
        owner: Owner,
        name: String,
        document: String,
    },
    /// GetUserPolicy / GetRolePolicy.
    GetInlinePolicy { owner: Owner, name: String },
    /// ListUserPolicies / ListRolePolicies.
    ListInlinePolicies { owner: Owner, page: Page },
    /// DeleteUserPolicy / DeleteRolePolicy.
    DeleteInlinePolicy { owner: Owner, name: String },
    /// CreatePolicy.
    CreatePolicy {
        name: String,
        path: String,
        document: String,
        description: String,
    },
    /// GetPolicy.
    GetPolicy { arn: String },
    /// ListPolicies.
    ListPolicies {
        scope: PolicyScope,
        only_attached: bool,
        path_prefix: String,
        page: Page,
    },
    /// DeletePolicy.
    DeletePolicy { arn: String },
    /// CreatePolicyVersion.
    CreatePolicyVersion {
        arn: String,
        document: String,
        set_default: bool,
    },
    /// GetPolicyVersion.
    GetPolicyVersion { arn: String, version: String },
    /// ListPolicyVersions.
    ListPolicyVersions { arn: String, page: Page },
    /// DeletePolicyVersion.
    DeletePolicyVersion { arn: String, version: String },
    /// SetDefaultPolicyVersion.
    SetDefaultPolicyVersion { arn: String, version: String },
    /// AttachUserPolicy / AttachRolePolicy.
    AttachPolicy { owner: Owner, arn: String },
    /// DetachUserPolicy / DetachRolePolicy.
    DetachPolicy { owner: Owner, arn: String },
    /// ListAttachedUserPolicies / ListAttachedRolePolicies.
    ListAttachedPolicies { owner: Owner, page: Page },
    /// TagUser / TagRole.
    TagEntity { owner: Owner, tags: Vec<Tag> },
    /// UntagUser / UntagRole.
    UntagEntity { owner: Owner, keys: Vec<String> },
    /// ListUserTags / ListRoleTags.
    ListEntityTags { owner: Owner, page: Page },
    /// PutUserPermissionsBoundary / PutRolePermissionsBoundary.
    PutBoundary { owner: Owner, arn: String },
    /// DeleteUserPermissionsBoundary / DeleteRolePermissionsBoundary.
    DeleteBoundary { owner: Owner },
    /// CreateGroup.
    CreateGroup { name: String, path: String },
    /// GetGroup: the group and a page of its users.
    GetGroup { name: String, page: Page },
    /// ListGroups.
    ListGroups { path_prefix: String, page: Page },
    /// DeleteGroup.
    DeleteGroup { name: String },
    /// AddUserToGroup.
    AddUserToGroup { group: String, user: String },
    /// RemoveUserFromGroup.
    RemoveUserFromGroup { group: String, user: String },
    /// ListGroupsForUser.
    ListGroupsForUser { user: String, page: Page },
}

impl IamOp {
    /// The operation's name, as the `Action` parameter and CloudTrail's `eventName` spell it.
    pub fn name(&self) -> &'static str {
        use IamOp::*;
        match self {
            CreateUser { .. } => "CreateUser",
            GetUser { .. } => "GetUser",
            ListUsers { .. } => "ListUsers",
            DeleteUser { .. } => "DeleteUser",
            CreateAccessKey { .. } => "CreateAccessKey",
            ListAccessKeys { .. } => "ListAccessKeys",
            UpdateAccessKey { .. } => "UpdateAccessKey",
            DeleteAccessKey { .. } => "DeleteAccessKey",
            GetAccessKeyLastUsed { .. } => "GetAccessKeyLastUsed",
            CreateRole { .. } => "CreateRole",
            GetRole { .. } => "GetRole",
            ListRoles { .. } => "ListRoles",
            DeleteRole { .. } => "DeleteRole",
            UpdateRole { .. } => "UpdateRole",
            UpdateAssumeRolePolicy { .. } => "UpdateAssumeRolePolicy",
            PutInlinePolicy { owner, .. } => {
                by_owner(owner, "PutUserPolicy", "PutRolePolicy", "PutGroupPolicy")
            }
            GetInlinePolicy { owner, .. } => {
                by_owner(owner, "GetUserPolicy", "GetRolePolicy", "GetGroupPolicy")
            }
            ListInlinePolicies { owner, .. } => by_owner(
                owner,
                "ListUserPolicies",
                "ListRolePolicies",
                "ListGroupPolicies",
            ),
            DeleteInlinePolicy { owner, .. } => by_owner(
                owner,
                "DeleteUserPolicy",
                "DeleteRolePolicy",
                "DeleteGroupPolicy",
            ),
            CreatePolicy { .. } => "CreatePolicy",
            GetPolicy { .. } => "GetPolicy",
            ListPolicies { .. } => "ListPolicies",
            DeletePolicy { .. } => "DeletePolicy",
            CreatePolicyVersion { .. } => "CreatePolicyVersion",
            GetPolicyVersion { .. } => "GetPolicyVersion",
            ListPolicyVersions { .. } => "ListPolicyVersions",
            DeletePolicyVersion { .. } => "DeletePolicyVersion",
            SetDefaultPolicyVersion { .. } => "SetDefaultPolicyVersion",
            AttachPolicy { owner, .. } => by_owner(
                owner,
                "AttachUserPolicy",
                "AttachRolePolicy",
                "AttachGroupPolicy",
            ),
            DetachPolicy { owner, .. } => by_owner(
                owner,
                "DetachUserPolicy",
                "DetachRolePolicy",
                "DetachGroupPolicy",
            ),
            ListAttachedPolicies { owner, .. } => by_owner(
                owner,
                "ListAttachedUserPolicies",
                "ListAttachedRolePolicies",
                "ListAttachedGroupPolicies",
            ),
            TagEntity { owner, .. } => by_entity(owner, "TagUser", "TagRole"),
            UntagEntity { owner, .. } => by_entity(owner, "UntagUser", "UntagRole"),
            ListEntityTags { owner, .. } => by_entity(owner, "ListUserTags", "ListRoleTags"),
            PutBoundary { owner, .. } => by_entity(
                owner,
                "PutUserPermissionsBoundary",
                "PutRolePermissionsBoundary",
            ),
            DeleteBoundary { owner } => by_entity(
                owner,
                "DeleteUserPermissionsBoundary",
                "DeleteRolePermissionsBoundary",
            ),
            CreateGroup { .. } => "CreateGroup",
            GetGroup { .. } => "GetGroup",
            ListGroups { .. } => "ListGroups",
            DeleteGroup { .. } => "DeleteGroup",
            AddUserToGroup { .. } => "AddUserToGroup",
            RemoveUserFromGroup { .. } => "RemoveUserFromGroup",
            ListGroupsForUser { .. } => "ListGroupsForUser",
        }
    }

    /// Whether the operation only reads (CloudTrail's `readOnly`).
    pub fn read_only(&self) -> bool {
        let name = self.name();
        name.starts_with("Get") || name.starts_with("List")
    }
}

/// The user or the role form of an operation's name.
fn by_owner(
    o: &Owner,
    user: &'static str,
    role: &'static str,
    group: &'static str,
) -> &'static str {
    match o.kind {
        OwnerKind::User => user,
        OwnerKind::Role => role,
        OwnerKind::Group => group,
    }
}

/// The user or the role form of a tag or boundary operation's name; the wire builds no group
/// form of them (IAM has none).
fn by_entity(o: &Owner, user: &'static str, role: &'static str) -> &'static str {
    match o.kind {
        OwnerKind::Role => role,
        OwnerKind::User | OwnerKind::Group => user,
    }
}

/// A tag of a user or role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// A user as IAM describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub path: String,
    pub name: String,
    pub id: String,
    pub arn: String,
    pub created_ms: i64,
    /// Its tags, shown by CreateUser and GetUser (ListUsers leaves them out, as AWS does).
    pub tags: Vec<Tag>,
    /// The ARN of its permissions boundary, shown like its tags.
    pub boundary: Option<String>,
}

/// A group as IAM describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub path: String,
    pub name: String,
    pub id: String,
    pub arn: String,
    pub created_ms: i64,
}

/// An access key's metadata (the secret only in CreateAccessKey's answer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessKey {
    pub user: String,
    pub id: String,
    pub active: bool,
    pub created_ms: i64,
}

/// A role as IAM describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    pub path: String,
    pub name: String,
    pub id: String,
    pub arn: String,
    pub created_ms: i64,
    pub trust_policy: String,
    pub description: String,
    pub max_session: u32,
    /// Its tags, shown by CreateRole and GetRole (ListRoles leaves them out, as AWS does).
    pub tags: Vec<Tag>,
    /// The ARN of its permissions boundary, shown like its tags.
    pub boundary: Option<String>,
}

/// A managed policy as IAM describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedPolicy {
    pub name: String,
    pub id: String,
    pub arn: String,
    pub path: String,
    pub default_version: u32,
    pub attachments: u32,
    /// How many users and roles have it as their permissions boundary.
    pub boundary_uses: u32,
    pub description: String,
    pub created_ms: i64,
    pub updated_ms: i64,
}

/// One version of a managed policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyVersion {
    pub version: u32,
    pub document: Option<String>,
    pub default: bool,
    pub created_ms: i64,
}

/// When and where an access key was last used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastUsed {
    pub used_ms: i64,
    pub service: String,
    pub region: String,
}

/// What an IAM operation answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IamOutput {
    /// No result element (deletes, updates, puts, attachments).
    Empty,
    /// CreateUser, GetUser.
    User(User),
    /// ListUsers.
    Users(Vec<User>, Option<String>),
    /// CreateAccessKey: the metadata and the secret, shown only here.
    NewAccessKey(AccessKey, String),
    /// ListAccessKeys.
    AccessKeys(Vec<AccessKey>, Option<String>),
    /// GetAccessKeyLastUsed: the owner and the last use, if any.
    LastUsed(String, Option<LastUsed>),
    /// CreateRole, GetRole.
    Role(Role),
    /// ListRoles.
    Roles(Vec<Role>, Option<String>),
    /// GetUserPolicy, GetRolePolicy.
    InlinePolicy {
        owner: Owner,
        name: String,
        document: String,
    },
    /// ListUserPolicies, ListRolePolicies.
    PolicyNames(Vec<String>, Option<String>),
    /// CreatePolicy, GetPolicy.
    Policy(ManagedPolicy),
    /// ListPolicies.
    Policies(Vec<ManagedPolicy>, Option<String>),
    /// CreatePolicyVersion, GetPolicyVersion.
    PolicyVersion(PolicyVersion),
    /// ListPolicyVersions.
    PolicyVersions(Vec<PolicyVersion>, Option<String>),
    /// ListAttachedUserPolicies, ListAttachedRolePolicies: (name, ARN).
    AttachedPolicies(Vec<(String, String)>, Option<String>),
    /// ListUserTags, ListRoleTags.
    Tags(Vec<Tag>, Option<String>),
    /// CreateGroup.
    Group(Group),
    /// GetGroup: the group and a page of its users.
    GroupUsers(Group, Vec<User>, Option<String>),
    /// ListGroups, ListGroupsForUser.
    Groups(Vec<Group>, Option<String>),
}
