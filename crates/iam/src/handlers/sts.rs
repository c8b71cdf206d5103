//! STS's operations that hand out nothing: who the caller is, and whose an access key is.

use crate::error::{IamError, IamResult};
use crate::op::StsOutput;
use crate::Iam;
use trailstack_core::Caller;

/// GetCallerIdentity: the caller's account, ARN and unique id. An account's root is known by
/// its account id; a user by its `AIDA…` id (the one CloudTrail records as `principalId`); a
/// role session by `AROA…:<session name>` and its `assumed-role` ARN.
pub fn get_caller_identity(caller: &Caller) -> IamResult<StsOutput> {
    let Some(user_id) = caller.principal_id() else {
        return Err(IamError::AccessDenied(
            "GetCallerIdentity needs credentials of an account or an IAM identity".into(),
        ));
    };
    Ok(StsOutput::CallerIdentity {
        user_id,
        account: caller.account.as_str().to_string(),
        arn: caller.arn(),
    })
}

/// GetAccessKeyInfo: the account of an access key this server issued (a user's `AKIA…` key, a
/// session's `ASIA…` key, or a configured root key). AWS decodes the account from any key id;
/// a key id this server never issued has no account here, and is refused as invalid.
pub fn get_access_key_info(iam: &Iam, access_key: &str) -> IamResult<StsOutput> {
    let account = match iam.credential(access_key) {
        Some(c) => c.account,
        None => iam.root_account(access_key).ok_or_else(|| {
            IamError::InvalidParameterValue(format!(
                "The access key ID {access_key} is not one this server issued."
            ))
        })?,
    };
    Ok(StsOutput::AccessKeyInfo { account })
}
