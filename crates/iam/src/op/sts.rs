//! STS's operations (API version 2011-06-15), typed.

/// An STS operation (API version 2011-06-15).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StsOp {
    /// Who signed the request. Needs no permission: AWS answers it even under an explicit deny.
    GetCallerIdentity,
}

impl StsOp {
    /// The operation's name, as the `Action` parameter and CloudTrail's `eventName` spell it.
    pub fn name(&self) -> &'static str {
        match self {
            StsOp::GetCallerIdentity => "GetCallerIdentity",
        }
    }

    /// Whether the operation only reads (CloudTrail's `readOnly`).
    pub fn read_only(&self) -> bool {
        match self {
            StsOp::GetCallerIdentity => true,
        }
    }
}

/// What an STS operation answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StsOutput {
    /// GetCallerIdentity's result.
    CallerIdentity {
        /// The caller's unique id (`AIDA…` for a user, the account id for its root).
        user_id: String,
        /// The caller's account.
        account: String,
        /// The caller's ARN.
        arn: String,
    },
}
