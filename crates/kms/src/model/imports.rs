//! Import parameters (GetParametersForImport): the RSA wrapping private key of each import
//! token, sealed by the root key, with the wrapping spec and algorithm and the time the
//! parameters stop being valid. Stored in `kms_import_tokens`, removed with their key.

use crate::crypto::{KeySpec, WrappingAlgorithm};
use crate::error::{KmsError, KmsResult};
use trailstack_store::sql::decode;
use trailstack_store::Conn;

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
    /// WrappingKeySpec (stored under its name).
    pub wrapping_spec: KeySpec,
    /// WrappingAlgorithm (stored under its name).
    pub wrapping_algorithm: WrappingAlgorithm,
    /// The wrapping private key (PKCS#8), sealed by the root key.
    pub sealed: Vec<u8>,
}

/// Stores import parameters.
pub fn insert(c: &Conn, p: &ImportParams) -> KmsResult<()> {
    c.execute(
        "INSERT INTO kms_import_tokens (token, key_id, created_ms, valid_to_ms, wrapping_spec, \
         wrapping_algorithm, sealed) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            &p.token,
            &p.key_id,
            &p.created_ms,
            &p.valid_to_ms,
            &p.wrapping_spec.name(),
            &p.wrapping_algorithm.name(),
            &p.sealed,
        ],
    )?;
    Ok(())
}

/// The import parameters of `token`.
pub fn get(c: &Conn, token: &str) -> KmsResult<Option<ImportParams>> {
    type Row = (String, String, i64, i64, String, String, Vec<u8>);
    let row: Option<Row> = c.query_opt(
        "SELECT token, key_id, created_ms, valid_to_ms, wrapping_spec, wrapping_algorithm, sealed \
         FROM kms_import_tokens WHERE token = $1",
        &[&token],
        decode,
    )?;
    let Some((token, key_id, created_ms, valid_to_ms, spec, algorithm, sealed)) = row else {
        return Ok(None);
    };
    let bad =
        |what: &str, name: &str| KmsError::Internal(format!("import parameters: {what} {name}"));
    Ok(Some(ImportParams {
        token,
        key_id,
        created_ms,
        valid_to_ms,
        wrapping_spec: KeySpec::parse(&spec).ok_or_else(|| bad("wrapping spec", &spec))?,
        wrapping_algorithm: WrappingAlgorithm::parse(&algorithm)
            .ok_or_else(|| bad("wrapping algorithm", &algorithm))?,
        sealed,
    }))
}

/// Forgets parameters that stopped being valid before `before_ms`.
pub fn prune(c: &Conn, before_ms: i64) -> KmsResult<()> {
    c.execute(
        "DELETE FROM kms_import_tokens WHERE valid_to_ms < $1",
        &[&before_ms],
    )?;
    Ok(())
}
