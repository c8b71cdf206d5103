//! Import parameters (GetParametersForImport): the RSA wrapping private key of each import
//! token, sealed by the root key, with the wrapping spec and algorithm and the time the
//! parameters stop being valid. Stored in `kms_import_tokens`, removed with their key.

use crate::error::KmsResult;
use trailstack_store::rusqlite::{self, Connection, OptionalExtension};

/// One set of import parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportParams {
    /// The import token's id (hex of the token bytes).
    pub token: String,
    /// The key the material is for.
    pub key_id: String,
    /// When the parameters were issued.
    pub created_ms: i64,
    /// ParametersValidTo.
    pub valid_to_ms: i64,
    /// WrappingKeySpec, e.g. RSA_2048.
    pub wrapping_spec: String,
    /// WrappingAlgorithm, e.g. RSAES_OAEP_SHA_256.
    pub wrapping_algorithm: String,
    /// The wrapping private key (PKCS#8), sealed by the root key.
    pub sealed: Vec<u8>,
}

/// Stores import parameters.
pub fn insert(c: &Connection, p: &ImportParams) -> KmsResult<()> {
    c.execute(
        "INSERT INTO kms_import_tokens (token, key_id, created_ms, valid_to_ms, wrapping_spec, wrapping_algorithm, sealed)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        rusqlite::params![
            p.token,
            p.key_id,
            p.created_ms,
            p.valid_to_ms,
            p.wrapping_spec,
            p.wrapping_algorithm,
            p.sealed
        ],
    )?;
    Ok(())
}

/// The import parameters of `token`.
pub fn get(c: &Connection, token: &str) -> KmsResult<Option<ImportParams>> {
    Ok(c.prepare_cached(
        "SELECT token, key_id, created_ms, valid_to_ms, wrapping_spec, wrapping_algorithm, sealed
             FROM kms_import_tokens WHERE token = ?1",
    )?
    .query_row([token], |r| {
        Ok(ImportParams {
            token: r.get(0)?,
            key_id: r.get(1)?,
            created_ms: r.get(2)?,
            valid_to_ms: r.get(3)?,
            wrapping_spec: r.get(4)?,
            wrapping_algorithm: r.get(5)?,
            sealed: r.get(6)?,
        })
    })
    .optional()?)
}

/// Forgets parameters that stopped being valid before `before_ms`.
pub fn prune(c: &Connection, before_ms: i64) -> KmsResult<()> {
    c.execute(
        "DELETE FROM kms_import_tokens WHERE valid_to_ms < ?1",
        [before_ms],
    )?;
    Ok(())
}
