//! Key records and their sealed material versions.

use crate::error::{KmsError, KmsResult};
use serde::{Deserialize, Serialize};
use trailstack_store::rusqlite::{self, Connection, OptionalExtension};

/// One rotation of a key's material, as ListKeyRotations reports it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RotationEntry {
    /// Material version created by the rotation.
    pub version: u32,
    /// When it happened.
    pub at_ms: i64,
    /// AUTOMATIC or ON_DEMAND.
    pub kind: String,
}

/// A key's mutable metadata, stored as JSON.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct KeyMeta {
    /// Record schema version.
    #[serde(default)]
    pub v: u32,
    /// Description.
    pub description: String,
    /// KeySpec, e.g. SYMMETRIC_DEFAULT.
    pub key_spec: String,
    /// KeyUsage, e.g. ENCRYPT_DECRYPT.
    pub key_usage: String,
    /// AWS_KMS or EXTERNAL.
    pub origin: String,
    /// Enabled, Disabled, PendingDeletion, PendingImport.
    pub key_state: String,
    /// CUSTOMER or AWS.
    pub key_manager: String,
    /// Multi-Region key?
    pub multi_region: bool,
    /// The key policy document.
    pub policy: String,
    /// Tags.
    pub tags: Vec<(String, String)>,
    /// Scheduled deletion date.
    pub deletion_ms: Option<i64>,
    /// PendingWindowInDays of the scheduled deletion.
    pub pending_window_days: Option<u32>,
    /// Automatic rotation enabled?
    pub rotation_enabled: bool,
    /// RotationPeriodInDays.
    pub rotation_period_days: Option<u32>,
    /// Next automatic rotation.
    pub next_rotation_ms: Option<i64>,
    /// The material version new ciphertexts use (0: none yet, pending import).
    pub current_version: u32,
    /// Past rotations.
    pub rotations: Vec<RotationEntry>,
    /// Imported material expiry (ValidTo).
    pub valid_to_ms: Option<i64>,
    /// KEY_MATERIAL_EXPIRES or KEY_MATERIAL_DOES_NOT_EXPIRE, for imported material.
    pub expiration_model: Option<String>,
    /// The state the key had before PendingDeletion/PendingImport changes, when relevant.
    #[serde(default)]
    pub import_token: Option<String>,
    /// KeyMaterialId of imported material (64 hex digits), kept after the material is deleted
    /// or expires so that only the same material can be imported again.
    #[serde(default)]
    pub material_id: Option<String>,
}

/// A KMS key.
#[derive(Debug, Clone)]
pub struct KeyRecord {
    /// The key id (UUID, or mrk- + 32 hex).
    pub key_id: String,
    /// Owning account.
    pub account: String,
    /// Region.
    pub region: String,
    /// Creation time.
    pub created_ms: i64,
    /// Metadata.
    pub meta: KeyMeta,
}

impl KeyRecord {
    /// The key ARN.
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:kms:{}:{}:key/{}",
            self.region, self.account, self.key_id
        )
    }
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(KeyRecord, String)> {
    Ok((
        KeyRecord {
            key_id: r.get(0)?,
            account: r.get(1)?,
            region: r.get(2)?,
            created_ms: r.get(3)?,
            meta: KeyMeta::default(),
        },
        r.get(4)?,
    ))
}

/// Keys' metadata as last decoded: read twice by every call on a key (its policy check and its
/// handler), and rarely changed.
static DECODED: std::sync::LazyLock<trailstack_store::DecodeMemo<KeyMeta>> =
    std::sync::LazyLock::new(|| trailstack_store::DecodeMemo::new(1024));

fn decode(pair: (KeyRecord, String)) -> KmsResult<KeyRecord> {
    let (mut k, meta) = pair;
    k.meta = DECODED.decode(&k.key_id, &meta, |text| {
        serde_json::from_str(text).map_err(|e| KmsError::Internal(format!("key record: {e}")))
    })?;
    Ok(k)
}

/// The key `key_id`, in any account.
pub fn get(c: &Connection, key_id: &str) -> KmsResult<Option<KeyRecord>> {
    let r = c
        .prepare_cached(
            "SELECT key_id, account, region, created_ms, meta FROM kms_keys WHERE key_id = ?1",
        )?
        .query_row([key_id], row)
        .optional()?;
    r.map(decode).transpose()
}

/// Inserts a key.
pub fn insert(c: &Connection, k: &KeyRecord) -> KmsResult<()> {
    c.execute(
        "INSERT INTO kms_keys (key_id, account, region, created_ms, deletion_ms, rotate_ms, expire_ms, meta) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        rusqlite::params![k.key_id, k.account, k.region, k.created_ms, k.meta.deletion_ms, k.meta.next_rotation_ms, k.meta.valid_to_ms, encode(&k.meta)?],
    )?;
    Ok(())
}

fn encode(m: &KeyMeta) -> KmsResult<String> {
    serde_json::to_string(m).map_err(|e| KmsError::Internal(e.to_string()))
}

/// Saves a key's metadata.
pub fn update(c: &Connection, k: &KeyRecord) -> KmsResult<()> {
    c.execute(
        "UPDATE kms_keys SET deletion_ms = ?2, rotate_ms = ?3, expire_ms = ?4, meta = ?5 WHERE key_id = ?1",
        rusqlite::params![
            k.key_id,
            k.meta.deletion_ms,
            k.meta.next_rotation_ms,
            k.meta.valid_to_ms,
            encode(&k.meta)?
        ],
    )?;
    Ok(())
}

/// Deletes a key with its material, grants and aliases.
pub fn delete(c: &Connection, key_id: &str) -> KmsResult<()> {
    c.execute("DELETE FROM kms_aliases WHERE key_id = ?1", [key_id])?;
    c.execute("DELETE FROM kms_keys WHERE key_id = ?1", [key_id])?;
    Ok(())
}

/// Keys of an account and region with ids after `after`, at most `limit`.
pub fn list(
    c: &Connection,
    account: &str,
    region: &str,
    after: &str,
    limit: usize,
) -> KmsResult<Vec<KeyRecord>> {
    let mut stmt = c.prepare_cached(
        "SELECT key_id, account, region, created_ms, meta FROM kms_keys
         WHERE account = ?1 AND region = ?2 AND key_id > ?3 ORDER BY key_id LIMIT ?4",
    )?;
    let rows = stmt.query_map(rusqlite::params![account, region, after, limit as i64], row)?;
    rows.map(|r| decode(r?)).collect()
}

/// Keys whose scheduled deletion date has passed.
pub fn due_for_deletion(c: &Connection, now_ms: i64) -> KmsResult<Vec<String>> {
    let mut stmt = c.prepare_cached(
        "SELECT key_id FROM kms_keys WHERE deletion_ms IS NOT NULL AND deletion_ms <= ?1",
    )?;
    let rows = stmt.query_map([now_ms], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Keys whose automatic rotation is due.
pub fn due_for_rotation(c: &Connection, now_ms: i64) -> KmsResult<Vec<String>> {
    let mut stmt = c.prepare_cached(
        "SELECT key_id FROM kms_keys WHERE rotate_ms IS NOT NULL AND rotate_ms <= ?1",
    )?;
    let rows = stmt.query_map([now_ms], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Keys whose imported material has expired (ValidTo passed).
pub fn due_for_expiry(c: &Connection, now_ms: i64) -> KmsResult<Vec<String>> {
    let mut stmt = c.prepare_cached(
        "SELECT key_id FROM kms_keys WHERE expire_ms IS NOT NULL AND expire_ms <= ?1",
    )?;
    let rows = stmt.query_map([now_ms], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The earliest time any key's deletion, automatic rotation or material expiry falls due.
pub fn next_due(c: &Connection) -> KmsResult<Option<i64>> {
    let mut stmt = c.prepare_cached(
        "SELECT MIN(t) FROM (SELECT MIN(deletion_ms) AS t FROM kms_keys \
         UNION ALL SELECT MIN(rotate_ms) FROM kms_keys \
         UNION ALL SELECT MIN(expire_ms) FROM kms_keys)",
    )?;
    Ok(stmt.query_row([], |r| r.get(0))?)
}

/// Stores a sealed material version.
pub fn put_material(
    c: &Connection,
    key_id: &str,
    version: u32,
    created_ms: i64,
    sealed: &[u8],
) -> KmsResult<()> {
    c.execute(
        "INSERT OR REPLACE INTO kms_material (key_id, version, created_ms, sealed) VALUES (?1, ?2, ?3, ?4)",
        rusqlite::params![key_id, version, created_ms, sealed],
    )?;
    Ok(())
}

/// A sealed material version.
pub fn material(c: &Connection, key_id: &str, version: u32) -> KmsResult<Option<Vec<u8>>> {
    Ok(
        c.prepare_cached("SELECT sealed FROM kms_material WHERE key_id = ?1 AND version = ?2")?
            .query_row(rusqlite::params![key_id, version], |r| r.get(0))
            .optional()?,
    )
}

/// Removes every material version (DeleteImportedKeyMaterial).
pub fn delete_material(c: &Connection, key_id: &str) -> KmsResult<()> {
    c.execute("DELETE FROM kms_material WHERE key_id = ?1", [key_id])?;
    Ok(())
}
