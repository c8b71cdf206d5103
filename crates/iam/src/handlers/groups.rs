//! Groups: CreateGroup, GetGroup, ListGroups, DeleteGroup, AddUserToGroup, RemoveUserFromGroup,
//! ListGroupsForUser. A group's inline and attached policies (handled with users' and roles' in
//! `policies`) apply to each of its users' calls from the next request on.
//!
//! AWS facts: docs/aws/iam-sts.md §7.

use super::changed;
use super::checks::{self, marker, paged, read_page};
use super::owners::{self, not_found, user_exists};
use crate::error::{IamError, IamResult};
use crate::model::entities;
use crate::model::groups::{self, group_arn};
use crate::op::{Group, IamOutput, OwnerKind, Page};
use crate::Iam;
use trailstack_core::unique_id;
use trailstack_store::Conn;

/// Most groups a user may belong to.
const GROUPS_PER_USER: usize = 10;

fn group(c: &Conn, account: &str, name: &str) -> IamResult<Group> {
    groups::get(c, account, name)?.ok_or_else(|| not_found(OwnerKind::Group, name))
}

pub async fn create(
    iam: &Iam,
    account: String,
    name: String,
    path: String,
) -> IamResult<IamOutput> {
    checks::name(&name, "groupName", 128)?;
    checks::path(&path)?;
    let g = Group {
        arn: group_arn(&account, &path, &name),
        id: unique_id("AGPA", &account, &name),
        created_ms: iam.now_ms(),
        name,
        path,
    };
    let made = g.clone();
    iam.change(move |c| {
        if !groups::insert(c, &account, &made)? {
            return Err(IamError::EntityAlreadyExists(format!(
                "Group with name {} already exists.",
                made.name
            )));
        }
        Ok(())
    })
    .await?;
    Ok(IamOutput::Group(g))
}

pub async fn get(iam: &Iam, account: String, name: String, page: Page) -> IamResult<IamOutput> {
    let (g, users) = iam.read(|c| {
        let g = group(c, &account, &name)?;
        let names = groups::members(c, &account, &name, marker(&page), page.max_items + 1)?;
        let mut users = Vec::with_capacity(names.len());
        for n in names {
            users.extend(entities::get_user(c, &account, &n)?);
        }
        Ok((g, users))
    })?;
    let (users, next) = paged(users, &page, |u| u.name.clone());
    Ok(IamOutput::GroupUsers(g, users, next))
}

pub async fn list(iam: &Iam, account: String, prefix: String, page: Page) -> IamResult<IamOutput> {
    let (found, next) = read_page(
        iam,
        &page,
        |g: &Group| g.name.clone(),
        |c, after, n| Ok(groups::list(c, &account, &prefix, after, n)?),
    )?;
    Ok(IamOutput::Groups(found, next))
}

pub async fn delete(iam: &Iam, account: String, name: String) -> IamResult<IamOutput> {
    changed(iam, move |c| {
        group(c, &account, &name)?;
        if !groups::members(c, &account, &name, "", 1)?.is_empty() {
            return Err(IamError::DeleteConflict(
                "Cannot delete entity, must remove users from group first.".into(),
            ));
        }
        owners::check_no_policies(c, &account, OwnerKind::Group, &name)?;
        groups::delete(c, &account, &name)?;
        Ok(())
    })
    .await
}

/// AddUserToGroup (`join`) or RemoveUserFromGroup: changes `user`'s membership of
/// `group_name` in `account` once the group and the user are found.
pub async fn change_membership(
    iam: &Iam,
    account: String,
    group_name: String,
    user: String,
    join: bool,
) -> IamResult<IamOutput> {
    changed(iam, move |c| {
        group(c, &account, &group_name)?;
        user_exists(c, &account, &user)?;
        if !join {
            groups::remove_member(c, &account, &group_name, &user)?;
            return Ok(());
        }
        let mine = groups::of_user(c, &account, &user, "", GROUPS_PER_USER + 1)?;
        if !mine.iter().any(|g| g.name == group_name) && mine.len() >= GROUPS_PER_USER {
            return Err(IamError::LimitExceeded(format!(
                "Cannot exceed quota for GroupsPerUser: {GROUPS_PER_USER}"
            )));
        }
        Ok(groups::add_member(c, &account, &group_name, &user)?)
    })
    .await
}

pub async fn of_user(iam: &Iam, account: String, user: String, page: Page) -> IamResult<IamOutput> {
    let (found, next) = read_page(
        iam,
        &page,
        |g: &Group| g.name.clone(),
        |c, after, n| {
            user_exists(c, &account, &user)?;
            Ok(groups::of_user(c, &account, &user, after, n)?)
        },
    )?;
    Ok(IamOutput::Groups(found, next))
}
