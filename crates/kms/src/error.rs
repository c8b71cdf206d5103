//! The KMS error enum: each variant mapped once to its AWS error code (`__type`) and HTTP
//! status. Rendering as JSON happens in `wire`.

use trailstack_store::StoreError;

/// A KMS error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KmsError {
    /// 400 NotFoundException: no such key or alias.
    NotFound(String),
    /// 400 DisabledException: the key is disabled.
    Disabled(String),
    /// 400 KMSInvalidStateException: the key's state does not allow the operation.
    InvalidState(String),
    /// 400 InvalidKeyUsageException: the key's usage or spec does not allow the operation.
    InvalidKeyUsage(String),
    /// 400 IncorrectKeyException: the ciphertext was made under another key.
    IncorrectKey(String),
    /// 400 InvalidCiphertextException: tampered ciphertext or wrong encryption context.
    InvalidCiphertext(String),
    /// 400 KMSInvalidSignatureException: Verify of a bad signature.
    InvalidSignature(String),
    /// 400 KMSInvalidMacException: VerifyMac of a bad MAC.
    InvalidMac(String),
    /// 400 AlreadyExistsException.
    AlreadyExists(String),
    /// 400 ValidationException: a parameter violates a constraint.
    Validation(String),
    /// 400 InvalidAliasNameException.
    InvalidAliasName(String),
    /// 400 InvalidArnException.
    InvalidArn(String),
    /// 400 InvalidMarkerException.
    InvalidMarker(String),
    /// 400 InvalidGrantTokenException.
    InvalidGrantToken(String),
    /// 400 InvalidGrantIdException.
    InvalidGrantId(String),
    /// 400 NotAuthorizedException (e.g. changing an AWS managed key's alias).
    NotAuthorized(String),
    /// 400 AccessDeniedException.
    AccessDenied(String),
    /// 400 LimitExceededException.
    LimitExceeded(String),
    /// 400 MalformedPolicyDocumentException.
    MalformedPolicyDocument(String),
    /// 400 TagException.
    Tag(String),
    /// 400 UnsupportedOperationException.
    UnsupportedOperation(String),
    /// 400 IncorrectKeyMaterialException.
    IncorrectKeyMaterial(String),
    /// 400 InvalidImportTokenException.
    InvalidImportToken(String),
    /// 400 ExpiredImportTokenException.
    ExpiredImportToken(String),
    /// 400 SerializationException: the body is not the JSON the operation takes.
    Serialization(String),
    /// 400 UnknownOperationException.
    UnknownOperation(String),
    /// 500 KMSInternalException; the cause is logged once, never sent.
    Internal(String),
    /// 503 ServiceUnavailable (AWS's common error): the database cannot be reached; SDKs retry.
    /// The cause is logged once, never sent.
    Unavailable(String),
}

impl KmsError {
    /// The AWS error code.
    pub fn code(&self) -> &'static str {
        use KmsError::*;
        match self {
            NotFound(_) => "NotFoundException",
            Disabled(_) => "DisabledException",
            InvalidState(_) => "KMSInvalidStateException",
            InvalidKeyUsage(_) => "InvalidKeyUsageException",
            IncorrectKey(_) => "IncorrectKeyException",
            InvalidCiphertext(_) => "InvalidCiphertextException",
            InvalidSignature(_) => "KMSInvalidSignatureException",
            InvalidMac(_) => "KMSInvalidMacException",
            AlreadyExists(_) => "AlreadyExistsException",
            Validation(_) => "ValidationException",
            InvalidAliasName(_) => "InvalidAliasNameException",
            InvalidArn(_) => "InvalidArnException",
            InvalidMarker(_) => "InvalidMarkerException",
            InvalidGrantToken(_) => "InvalidGrantTokenException",
            InvalidGrantId(_) => "InvalidGrantIdException",
            NotAuthorized(_) => "NotAuthorizedException",
            AccessDenied(_) => "AccessDeniedException",
            LimitExceeded(_) => "LimitExceededException",
            MalformedPolicyDocument(_) => "MalformedPolicyDocumentException",
            Tag(_) => "TagException",
            UnsupportedOperation(_) => "UnsupportedOperationException",
            IncorrectKeyMaterial(_) => "IncorrectKeyMaterialException",
            InvalidImportToken(_) => "InvalidImportTokenException",
            ExpiredImportToken(_) => "ExpiredImportTokenException",
            Serialization(_) => "SerializationException",
            UnknownOperation(_) => "UnknownOperationException",
            Internal(_) => "KMSInternalException",
            Unavailable(_) => "ServiceUnavailable",
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        match self {
            KmsError::Internal(_) => 500,
            KmsError::Unavailable(_) => 503,
            _ => 400,
        }
    }

    /// The message sent to the client.
    pub fn message(&self) -> String {
        use KmsError::*;
        match self {
            Internal(_) => "An internal error occurred.".into(),
            Unavailable(_) => trailstack_store::UNAVAILABLE_MESSAGE.into(),
            NotFound(m)
            | Disabled(m)
            | InvalidState(m)
            | InvalidKeyUsage(m)
            | IncorrectKey(m)
            | InvalidCiphertext(m)
            | InvalidSignature(m)
            | InvalidMac(m)
            | AlreadyExists(m)
            | Validation(m)
            | InvalidAliasName(m)
            | InvalidArn(m)
            | InvalidMarker(m)
            | InvalidGrantToken(m)
            | InvalidGrantId(m)
            | NotAuthorized(m)
            | AccessDenied(m)
            | LimitExceeded(m)
            | MalformedPolicyDocument(m)
            | Tag(m)
            | UnsupportedOperation(m)
            | IncorrectKeyMaterial(m)
            | InvalidImportToken(m)
            | ExpiredImportToken(m)
            | Serialization(m)
            | UnknownOperation(m) => m.clone(),
        }
    }
}

impl std::fmt::Display for KmsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code(), self.message())
    }
}

impl std::error::Error for KmsError {}

impl From<StoreError> for KmsError {
    fn from(e: StoreError) -> Self {
        e.classify(KmsError::Unavailable, KmsError::Internal)
    }
}

/// Result of a KMS operation.
pub type KmsResult<T> = Result<T, KmsError>;
