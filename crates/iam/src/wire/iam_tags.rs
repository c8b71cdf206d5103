//! The query-protocol form of the tag and permissions-boundary operations of users and roles
//! (TagUser, UntagUser, ListUserTags, their role forms, Put/DeleteUserPermissionsBoundary and
//! the role forms), and of the `Tags` list CreateUser and CreateRole take.
//!
//! AWS facts: docs/aws/iam-sts.md §1, §6.

use super::Form;
use crate::error::IamResult;
use crate::op::{IamOp, Owner, OwnerKind, Tag};

/// The values of list parameter `name` (`Name.member.1`, `Name.member.2`, …), in order.
pub fn members(form: &Form, name: &str) -> Vec<String> {
    (1..)
        .map_while(|n| form.get(&format!("{name}.member.{n}")).map(str::to_string))
        .collect()
}

/// The `Tags` list (`Tags.member.N.Key`, `Tags.member.N.Value`); a value left out is empty.
pub fn tags(form: &Form) -> Vec<Tag> {
    (1..)
        .map_while(|n| {
            let key = form.get(&format!("Tags.member.{n}.Key"))?;
            let value = form.get(&format!("Tags.member.{n}.Value")).unwrap_or("");
            Some(Tag {
                key: key.to_string(),
                value: value.to_string(),
            })
        })
        .collect()
}

/// The tag or boundary operation `action` names, if it is one.
pub fn parse(
    form: &Form,
    action: &str,
    owner: impl Fn(&Form, OwnerKind) -> IamResult<Owner>,
    required: impl Fn(&Form, &str) -> IamResult<String>,
    page: impl Fn(&Form) -> IamResult<crate::op::Page>,
) -> IamResult<Option<IamOp>> {
    let kind = if action.contains("Role") {
        OwnerKind::Role
    } else {
        OwnerKind::User
    };
    Ok(Some(match action {
        "TagUser" | "TagRole" => IamOp::TagEntity {
            owner: owner(form, kind)?,
            tags: tags(form),
        },
        "UntagUser" | "UntagRole" => IamOp::UntagEntity {
            owner: owner(form, kind)?,
            keys: members(form, "TagKeys"),
        },
        "ListUserTags" | "ListRoleTags" => IamOp::ListEntityTags {
            owner: owner(form, kind)?,
            page: page(form)?,
        },
        "PutUserPermissionsBoundary" | "PutRolePermissionsBoundary" => IamOp::PutBoundary {
            owner: owner(form, kind)?,
            arn: required(form, "PermissionsBoundary")?,
        },
        "DeleteUserPermissionsBoundary" | "DeleteRolePermissionsBoundary" => {
            IamOp::DeleteBoundary {
                owner: owner(form, kind)?,
            }
        }
        _ => return Ok(None),
    }))
}
