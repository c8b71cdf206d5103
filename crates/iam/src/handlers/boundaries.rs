//! Permissions boundaries of users and roles: PutUserPermissionsBoundary,
//! DeleteUserPermissionsBoundary and their role forms, and the `PermissionsBoundary` CreateUser
//! and CreateRole take. A boundary is a managed policy of the account or of AWS; from the next request on
//! it caps what the entity's identity policies grant (docs/aws/iam-authorization.md §5).
//!
//! AWS facts: docs/aws/iam-sts.md §6.

use super::changed;
use super::owners::exists;
use super::policies::find;
use crate::error::IamResult;
use crate::model::boundaries;
use crate::op::{IamOutput, Owner};
use crate::Iam;
use trailstack_store::Conn;

/// Makes managed policy `arn` the owner's boundary, inside a change.
pub fn set(c: &Conn, account: &str, o: &Owner, arn: &str) -> IamResult<()> {
    let stored = match crate::aws_policies::get(arn) {
        Some(p) => p.arn(),
        None => find(c, account, arn)?.name,
    };
    boundaries::put(c, account, o, &stored)?;
    Ok(())
}

pub async fn put(iam: &Iam, account: String, owner: Owner, arn: String) -> IamResult<IamOutput> {
    changed(iam, move |c| {
        exists(c, &account, &owner)?;
        set(c, &account, &owner, &arn)
    })
    .await
}

pub async fn delete(iam: &Iam, account: String, owner: Owner) -> IamResult<IamOutput> {
    changed(iam, move |c| {
        exists(c, &account, &owner)?;
        boundaries::delete(c, &account, &owner)?;
        Ok(())
    })
    .await
}
