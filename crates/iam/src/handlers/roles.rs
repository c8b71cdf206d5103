//! Roles: CreateRole, GetRole, ListRoles, DeleteRole, UpdateRole, UpdateAssumeRolePolicy. A
//! role's trust policy says who may assume it; its permissions come from its inline and
//! attached policies (handled with users' in `policies`).
//!
//! AWS facts: docs/aws/iam-sts.md §5.

use super::changed;
use super::checks::{self, read_page};
use super::owners::{self, not_found};
use crate::error::{IamError, IamResult};
use crate::model::entities::{self, role_arn};
use crate::op::{IamOp, IamOutput, Owner, OwnerKind, Role};
use crate::Iam;
use trailstack_core::unique_id;

fn no_role(name: &str) -> IamError {
    not_found(OwnerKind::Role, name)
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
                let inserted = entities::insert_role(c, &account, &r)?;
                let owner = Owner {
                    kind: OwnerKind::Role,
                    name: r.name.clone(),
                };
                owners::created(c, &account, owner, inserted, &r.tags, r.boundary.as_deref())
            })
            .await?;
            Ok(IamOutput::Role(role))
        }
        IamOp::GetRole { name } => iam
            .read(|c| {
                let mut r =
                    entities::get_role(c, &account, &name)?.ok_or_else(|| no_role(&name))?;
                (r.tags, r.boundary) =
                    owners::tags_and_boundary(c, &account, OwnerKind::Role, &name)?;
                Ok(r)
            })
            .map(IamOutput::Role),
        IamOp::ListRoles { path_prefix, page } => {
            let (roles, next) = read_page(
                iam,
                &page,
                |r: &Role| r.name.clone(),
                |c, after, n| Ok(entities::list_roles(c, &account, &path_prefix, after, n)?),
            )?;
            Ok(IamOutput::Roles(roles, next))
        }
        IamOp::DeleteRole { name } => {
            changed(iam, move |c| {
                entities::get_role(c, &account, &name)?.ok_or_else(|| no_role(&name))?;
                owners::check_no_policies(c, &account, OwnerKind::Role, &name)?;
                entities::delete_role(c, &account, &name)?;
                owners::deleted(c, &account, OwnerKind::Role, &name)
            })
            .await
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
    changed(iam, move |c| {
        let mut role = entities::get_role(c, &account, &name)?.ok_or_else(|| no_role(&name))?;
        edit(&mut role);
        entities::update_role(c, &account, &role)?;
        Ok(())
    })
    .await
}
