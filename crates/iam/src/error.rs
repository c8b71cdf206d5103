//! The one error enum of IAM and STS: each variant mapped once to AWS's error code, HTTP status
//! and fault side (`Sender`/`Receiver`). Rendering as the query protocol's XML happens in `wire`.
//!
//! AWS facts: docs/aws/iam-sts.md §3.

use trailstack_store::StoreError;

/// An IAM or STS error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IamError {
    /// 400 InvalidAction: no such operation (for this API version).
    InvalidAction(String),
    /// 400 MissingAction: the request names no operation.
    MissingAction,
    /// 400 MissingParameter: a required parameter is absent.
    MissingParameter(String),
    /// 400 ValidationError: a parameter violates a constraint.
    Validation(String),
    /// 400 InvalidParameterValue.
    InvalidParameterValue(String),
    /// 403 AccessDenied.
    AccessDenied(String),
    /// 404 NoSuchEntity.
    NoSuchEntity(String),
    /// 409 EntityAlreadyExists.
    EntityAlreadyExists(String),
    /// 409 DeleteConflict: the entity still has attached or owned entities.
    DeleteConflict(String),
    /// 409 LimitExceeded.
    LimitExceeded(String),
    /// 400 MalformedPolicyDocument.
    MalformedPolicyDocument(String),
    /// 400 InvalidInput.
    InvalidInput(String),
    /// 500 InternalFailure; the cause is logged once, never sent.
    Internal(String),
    /// 503 ServiceUnavailable (AWS's common error): the database cannot be reached; SDKs retry.
    /// The cause is logged once, never sent.
    Unavailable(String),
}

/// The result of an IAM or STS operation.
pub type IamResult<T> = Result<T, IamError>;

impl IamError {
    /// The AWS error code.
    pub fn code(&self) -> &'static str {
        use IamError::*;
        match self {
            InvalidAction(_) => "InvalidAction",
            MissingAction => "MissingAction",
            MissingParameter(_) => "MissingParameter",
            Validation(_) => "ValidationError",
            InvalidParameterValue(_) => "InvalidParameterValue",
            AccessDenied(_) => "AccessDenied",
            NoSuchEntity(_) => "NoSuchEntity",
            EntityAlreadyExists(_) => "EntityAlreadyExists",
            DeleteConflict(_) => "DeleteConflict",
            LimitExceeded(_) => "LimitExceeded",
            MalformedPolicyDocument(_) => "MalformedPolicyDocument",
            InvalidInput(_) => "InvalidInput",
            Internal(_) => "InternalFailure",
            Unavailable(_) => "ServiceUnavailable",
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        use IamError::*;
        match self {
            AccessDenied(_) => 403,
            NoSuchEntity(_) => 404,
            EntityAlreadyExists(_) | DeleteConflict(_) | LimitExceeded(_) => 409,
            Internal(_) => 500,
            Unavailable(_) => 503,
            _ => 400,
        }
    }

    /// The message sent to the client.
    pub fn message(&self) -> String {
        use IamError::*;
        match self {
            Internal(_) => "An internal error occurred.".into(),
            Unavailable(_) => trailstack_store::UNAVAILABLE_MESSAGE.into(),
            MissingAction => "Missing Action".into(),
            InvalidAction(m)
            | MissingParameter(m)
            | Validation(m)
            | InvalidParameterValue(m)
            | AccessDenied(m)
            | NoSuchEntity(m)
            | EntityAlreadyExists(m)
            | DeleteConflict(m)
            | LimitExceeded(m)
            | MalformedPolicyDocument(m)
            | InvalidInput(m) => m.clone(),
        }
    }

    /// Who is at fault, as the query protocol's `<Type>` says: `Sender` or `Receiver`.
    pub fn fault(&self) -> &'static str {
        if self.status() >= 500 {
            "Receiver"
        } else {
            "Sender"
        }
    }
}

impl From<StoreError> for IamError {
    fn from(e: StoreError) -> Self {
        e.classify(IamError::Unavailable, IamError::Internal)
    }
}
