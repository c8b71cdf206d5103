//! Roles: CreateRole, GetRole, ListRoles, DeleteRole, UpdateRole, UpdateAssumeRolePolicy. A
//! role's trust policy says who may assume it; its permissions come from its inline and
//! attached policies (handled with users' in `policies`).
//!
//! AWS facts: docs/aws/iam-sts.md §5.

use super::checks::{self, marker, paged};
use super::tags::TAGS_PER_ENTITY;
use crate::error::{IamError, IamResult};
use crate::model::entities::{self, role_arn};
use crate::model::{boundaries, policies, tags};
use crate::op::{IamOp, IamOutput, Owner, OwnerKind, Role};
use crate::Iam;
use trailstack_core::unique_id;

fn no_role(name: &str) -> IamError {
    IamError::NoSuchEntity(format!("The role with name {name} cannot be found."))
}

/// Runs one role operation in `account`.
pub async fn dispatch(iam: &Iam, account: String, op: IamOp) -> IamResult<IamOutput> {
    match op {
        IamOp::CreateRole {
            name,
            path,
            trust_policy,
            description,
            max_session,
            tags,
            boundary,
        } => {
            checks::name(&name, "roleName", 64)?;
            checks::path(&path)?;
            checks::trust_document(&trust_policy)?;
            checks::max_session(max_session)?;
            super::tags::check(&tags)?;
            let role = Role {
                arn: role_arn(&account, &path, &name),
                id: unique_id("AROA", &account, &name),
                created_ms: iam.now_ms(),
                name,
                path,
                trust_policy,
                description,
                max_session,
                tags,
                boundary,
            };
            let r = role.clone();
            iam.change(move |c| {
                if !entities::insert_role(c, &account, &r)? {
                    return Err(IamError::EntityAlreadyExists(format!(
                        "Role with name {} already exists.",
                        r.name
                    )));
                }
                tags::put(c, &account, OwnerKind::Role, &r.name, &r.tags)?;
                if let Some(arn) = &r.boundary {
                    let owner = Owner {
                        kind: OwnerKind::Role,
                        name: r.name.clone(),
                    };
                    super::boundaries::set(c, &account, &owner, arn)?;
                }
                Ok(())
            })
            .await?;
            Ok(IamOutput::Role(role))
        }
        IamOp::GetRole { name } => iam
            .read(|c| {
                let mut r =
                    entities::get_role(c, &account, &name)?.ok_or_else(|| no_role(&name))?;
                r.tags = tags::list(c, &account, OwnerKind::Role, &name, "", TAGS_PER_ENTITY)?;
                r.boundary = boundaries::get(c, &account, OwnerKind::Role, &name)?;
                Ok(r)
            })
            .map(IamOutput::Role),
        IamOp::ListRoles { path_prefix, page } => {
            let roles = iam.read(|c| {
                Ok(entities::list_roles(
                    c,
                    &account,
                    &path_prefix,
                    marker(&page),
                    page.max_items + 1,
                )?)
            })?;
            let (roles, next) = paged(roles, &page, |r| r.name.clone());
            Ok(IamOutput::Roles(roles, next))
        }
        IamOp::DeleteRole { name } => {
            iam.change(move |c| {
                entities::get_role(c, &account, &name)?.ok_or_else(|| no_role(&name))?;
                let (inline, attached) =
                    policies::owned_counts(c, &account, OwnerKind::Role, &name)?;
                if inline > 0 {
                    return Err(IamError::DeleteConflict(
                        "Cannot delete entity, must delete policies first.".into(),
                    ));
                }
                if attached > 0 {
                    return Err(IamError::DeleteConflict(
                        "Cannot delete entity, must detach all policies first.".into(),
                    ));
                }
                entities::delete_role(c, &account, &name)?;
                tags::clear(c, &account, OwnerKind::Role, &name)?;
                boundaries::delete(c, &account, OwnerKind::Role, &name)?;
                Ok(())
            })
            .await?;
            Ok(IamOutput::Empty)
        }
        IamOp::UpdateRole {
            name,
            description,
            max_session,
        } => {
            if let Some(s) = max_session {
                checks::max_session(s)?;
            }
            update(iam, account, name, move |r| {
                if let Some(d) = description {
                    r.description = d;
                }
                if let Some(s) = max_session {
                    r.max_session = s;
                }
            })
            .await
        }
        IamOp::UpdateAssumeRolePolicy { name, document } => {
            checks::trust_document(&document)?;
            update(iam, account, name, move |r| r.trust_policy = document).await
        }
        other => Err(IamError::Internal(format!(
            "{} is not a role operation",
            other.name()
        ))),
    }
}

async fn update(
    iam: &Iam,
    account: String,
    name: String,
    edit: impl FnOnce(&mut Role) + Send + 'static,
) -> IamResult<IamOutput> {
    iam.change(move |c| {
        let mut role = entities::get_role(c, &account, &name)?.ok_or_else(|| no_role(&name))?;
        edit(&mut role);
        entities::update_role(c, &account, &role)?;
        Ok(())
    })
    .await?;
    Ok(IamOutput::Empty)
}
