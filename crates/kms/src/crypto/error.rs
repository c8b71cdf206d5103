//! The one error type of the cryptography module. Callers map each variant to an AWS error once
//! (the KMS error enum); nothing here knows about HTTP or AWS error codes.

/// Why a cryptographic operation failed. A bad signature or MAC is not an error: `verify` and
/// `verify_mac` answer `Ok(false)`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// The ciphertext cannot be decrypted: tampered, truncated, made under another key or
    /// algorithm, or bound to other AAD (encryption context). Carries no detail on purpose.
    #[error("the ciphertext is invalid")]
    InvalidCiphertext,
    /// The key material is malformed or does not match its key spec.
    #[error("invalid key material: {0}")]
    InvalidKey(String),
    /// An input is unacceptable: a digest of the wrong length, a plaintext too long for the
    /// key, a malformed or wrong-curve peer public key.
    #[error("{0}")]
    InvalidInput(String),
    /// The key spec does not allow the operation or algorithm (e.g. signing with an HMAC key,
    /// ECDSA_SHA_384 with a P-256 key, GetPublicKey of a symmetric key).
    #[error("{0}")]
    InvalidKeyUsage(String),
    /// The operation is valid in AWS but not provided here.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// The cryptographic library failed where it should not (random source, key generation).
    #[error("internal cryptography failure: {0}")]
    Internal(String),
}

impl CryptoError {
    /// `InvalidKeyUsage` saying that `spec` does not allow `what`.
    pub(crate) fn usage(spec: super::KeySpec, what: impl std::fmt::Display) -> Self {
        CryptoError::InvalidKeyUsage(format!("{what} is not valid for a {spec} key"))
    }

    /// `InvalidKey` for material that does not parse as a `spec` key.
    pub(crate) fn bad_key(spec: super::KeySpec) -> Self {
        CryptoError::InvalidKey(format!("the key material is not a valid {spec} key"))
    }
}
