//! STS's operations (API version 2011-06-15), typed.

/// An STS operation (API version 2011-06-15).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StsOp {
    /// Who signed the request. Needs no permission: AWS answers it even under an explicit deny.
    GetCallerIdentity,
    /// Temporary credentials of a role, if its trust policy (and, as AWS requires, the caller's
    /// identity policies) let the caller assume it.
    AssumeRole(AssumeRole),
    /// Temporary credentials of the calling user or root.
    GetSessionToken {
        /// `DurationSeconds`, when given.
        duration: Option<u32>,
        /// `SerialNumber` of an MFA device, when given.
        serial_number: Option<String>,
        /// `TokenCode` of that device, when given.
        token_code: Option<String>,
    },
    /// The account an access key id belongs to.
    GetAccessKeyInfo {
        /// `AccessKeyId`.
        access_key: String,
    },
}

/// AssumeRole's input, validated by the wire layer (lengths and patterns).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AssumeRole {
    /// `RoleArn`.
    pub role_arn: String,
    /// `RoleSessionName`.
    pub session_name: String,
    /// `DurationSeconds`, when given.
    pub duration: Option<u32>,
    /// `Policy`: an inline session policy.
    pub policy: Option<String>,
    /// `PolicyArns.member.N.arn`: managed session policies.
    pub policy_arns: Vec<String>,
    /// `Tags.member.N.Key` / `.Value`: session tags.
    pub tags: Vec<(String, String)>,
    /// `TransitiveTagKeys.member.N`.
    pub transitive_tag_keys: Vec<String>,
    /// `ExternalId`.
    pub external_id: Option<String>,
    /// `SourceIdentity`.
    pub source_identity: Option<String>,
    /// `SerialNumber` of an MFA device, when given.
    pub serial_number: Option<String>,
}

impl StsOp {
    /// The operation's name, as the `Action` parameter and CloudTrail's `eventName` spell it.
    pub fn name(&self) -> &'static str {
        match self {
            StsOp::GetCallerIdentity => "GetCallerIdentity",
            StsOp::AssumeRole(_) => "AssumeRole",
            StsOp::GetSessionToken { .. } => "GetSessionToken",
            StsOp::GetAccessKeyInfo { .. } => "GetAccessKeyInfo",
        }
    }

    /// Whether the operation only reads (CloudTrail's `readOnly`): AWS records every STS call
    /// as read-only, credentials included.
    pub fn read_only(&self) -> bool {
        true
    }
}

/// Temporary credentials as STS hands them out.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// `ASIA…`.
    pub access_key: String,
    /// The secret access key.
    pub secret: String,
    /// The session token to send as `x-amz-security-token`.
    pub token: String,
    /// When they expire, in milliseconds since the epoch.
    pub expires_ms: i64,
}

/// Everything but the secrets, which never go into a log line.
impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key", &self.access_key)
            .field("expires_ms", &self.expires_ms)
            .finish_non_exhaustive()
    }
}

/// What an STS operation answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StsOutput {
    /// GetCallerIdentity's result.
    CallerIdentity {
        /// The caller's unique id (`AIDA…` for a user, the account id for its root,
        /// `AROA…:<session>` for a role session).
        user_id: String,
        /// The caller's account.
        account: String,
        /// The caller's ARN.
        arn: String,
    },
    /// AssumeRole's result.
    AssumedRole {
        /// The session's credentials.
        credentials: Credentials,
        /// `arn:aws:sts::<account>:assumed-role/<role>/<session>`.
        arn: String,
        /// `AROA…:<session>`.
        assumed_role_id: String,
        /// The role's account (CloudTrail records the call there too).
        role_account: String,
        /// The role's ARN (with its path), the resource CloudTrail names.
        role_arn: String,
        /// How full the packed session policies and tags are, in percent of the limit; only
        /// when the request passed some.
        packed_policy_size: Option<u32>,
        /// The source identity the session carries.
        source_identity: Option<String>,
    },
    /// GetSessionToken's result.
    SessionToken(Credentials),
    /// GetAccessKeyInfo's result.
    AccessKeyInfo {
        /// The key's account.
        account: String,
    },
}
