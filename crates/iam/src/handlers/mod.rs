//! The operations of STS and IAM, one file per family; typed input in, typed output out. No
//! handler sees the wire format.

pub mod assume;
mod boundaries;
mod checks;
pub mod groups;
mod owners;
pub mod policies;
pub mod roles;
pub mod sessions;
pub mod sts;
pub mod tags;
pub mod users;

use crate::error::IamResult;
use crate::op::{IamOp, IamOutput, StsOp, StsOutput};
use crate::Iam;
use trailstack_core::Caller;
use trailstack_store::Conn;

/// Runs `f` as one change of IAM's state, for the operations whose answer has no members.
async fn changed(
    iam: &Iam,
    f: impl FnOnce(&Conn) -> IamResult<()> + Send + 'static,
) -> IamResult<IamOutput> {
    iam.change(f).await?;
    Ok(IamOutput::Empty)
}

/// Runs one STS operation. Each decides who may call it: AssumeRole by the role's trust
/// policy, the others need no permission beyond valid credentials.
pub async fn dispatch_sts(iam: &Iam, caller: &Caller, op: &StsOp) -> IamResult<StsOutput> {
    match op {
        StsOp::GetCallerIdentity => sts::get_caller_identity(caller),
        StsOp::AssumeRole(input) => assume::assume_role(iam, caller, input).await,
        StsOp::GetSessionToken {
            duration,
            serial_number,
            ..
        } => sessions::get_session_token(iam, caller, *duration, serial_number.as_deref()).await,
        StsOp::GetAccessKeyInfo { access_key } => sts::get_access_key_info(iam, access_key),
    }
}

/// Runs one authorized IAM operation.
pub async fn dispatch(iam: &Iam, caller: &Caller, op: IamOp) -> IamResult<IamOutput> {
    use IamOp::*;
    let account = caller.account.as_str().to_string();
    match op {
        CreateUser {
            name,
            path,
            tags,
            boundary,
        } => users::create(iam, account, name, path, tags, boundary).await,
        GetUser { name } => users::get(iam, caller, name).await,
        ListUsers { path_prefix, page } => users::list(iam, account, path_prefix, page).await,
        DeleteUser { name } => users::delete(iam, account, name).await,
        CreateAccessKey { user } => users::create_key(iam, caller, user).await,
        ListAccessKeys { user, page } => users::list_keys(iam, caller, user, page).await,
        UpdateAccessKey { user, key, active } => {
            users::update_key(iam, caller, user, key, active).await
        }
        DeleteAccessKey { user, key } => users::delete_key(iam, caller, user, key).await,
        GetAccessKeyLastUsed { key } => users::key_last_used(iam, caller, key).await,
        CreateRole { .. } => roles::dispatch(iam, account, op).await,
        GetRole { .. } => roles::dispatch(iam, account, op).await,
        ListRoles { .. } => roles::dispatch(iam, account, op).await,
        DeleteRole { .. } => roles::dispatch(iam, account, op).await,
        UpdateRole { .. } => roles::dispatch(iam, account, op).await,
        UpdateAssumeRolePolicy { .. } => roles::dispatch(iam, account, op).await,
        PutInlinePolicy { .. } => policies::dispatch(iam, account, op).await,
        GetInlinePolicy { .. } => policies::dispatch(iam, account, op).await,
        ListInlinePolicies { .. } => policies::dispatch(iam, account, op).await,
        DeleteInlinePolicy { .. } => policies::dispatch(iam, account, op).await,
        CreatePolicy { .. } => policies::dispatch(iam, account, op).await,
        GetPolicy { .. } => policies::dispatch(iam, account, op).await,
        ListPolicies { .. } => policies::dispatch(iam, account, op).await,
        DeletePolicy { .. } => policies::dispatch(iam, account, op).await,
        CreatePolicyVersion { .. } => policies::dispatch(iam, account, op).await,
        GetPolicyVersion { .. } => policies::dispatch(iam, account, op).await,
        ListPolicyVersions { .. } => policies::dispatch(iam, account, op).await,
        DeletePolicyVersion { .. } => policies::dispatch(iam, account, op).await,
        SetDefaultPolicyVersion { .. } => policies::dispatch(iam, account, op).await,
        AttachPolicy { .. } => policies::dispatch(iam, account, op).await,
        DetachPolicy { .. } => policies::dispatch(iam, account, op).await,
        ListAttachedPolicies { .. } => policies::dispatch(iam, account, op).await,
        TagEntity { owner, tags } => tags::tag(iam, account, owner, tags).await,
        UntagEntity { owner, keys } => tags::untag(iam, account, owner, keys).await,
        ListEntityTags { owner, page } => tags::list(iam, account, owner, page).await,
        PutBoundary { owner, arn } => boundaries::put(iam, account, owner, arn).await,
        DeleteBoundary { owner } => boundaries::delete(iam, account, owner).await,
        CreateGroup { name, path } => groups::create(iam, account, name, path).await,
        GetGroup { name, page } => groups::get(iam, account, name, page).await,
        ListGroups { path_prefix, page } => groups::list(iam, account, path_prefix, page).await,
        DeleteGroup { name } => groups::delete(iam, account, name).await,
        AddUserToGroup { group, user } => {
            groups::change_membership(iam, account, group, user, true).await
        }
        RemoveUserFromGroup { group, user } => {
            groups::change_membership(iam, account, group, user, false).await
        }
        ListGroupsForUser { user, page } => groups::of_user(iam, account, user, page).await,
    }
}
