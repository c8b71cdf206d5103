//! STS's operations: who the caller is.

use crate::error::{IamError, IamResult};
use crate::op::StsOutput;
use trailstack_core::{user_principal_id, Caller, Principal};

/// GetCallerIdentity: the caller's account, ARN and unique id. An account's root is known by
/// its account id; a user by its `AIDA…` id (the one CloudTrail records as `principalId`).
pub fn get_caller_identity(caller: &Caller) -> IamResult<StsOutput> {
    let account = caller.account.as_str();
    let user_id = match &caller.principal {
        Principal::Root => account.to_string(),
        Principal::User { name } => user_principal_id(account, name),
        Principal::Service(_) | Principal::Anonymous => {
            return Err(IamError::AccessDenied(
                "GetCallerIdentity needs credentials of an account or an IAM identity".into(),
            ))
        }
    };
    Ok(StsOutput::CallerIdentity {
        user_id,
        account: account.to_string(),
        arn: caller.arn(),
    })
}
