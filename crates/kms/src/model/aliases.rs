//! Aliases: names (`alias/...`) pointing at keys, unique per account and region.

use crate::error::KmsResult;
use trailstack_store::sql::decode;
use trailstack_store::Conn;

/// An alias.
#[derive(Debug, Clone)]
pub struct Alias {
    /// Account.
    pub account: String,
    /// Region.
    pub region: String,
    /// `alias/...`.
    pub name: String,
    /// Target key id.
    pub key_id: String,
    /// CreationDate.
    pub created_ms: i64,
    /// LastUpdatedDate.
    pub updated_ms: i64,
}

impl Alias {
    /// The alias ARN.
    pub fn arn(&self) -> String {
        format!("arn:aws:kms:{}:{}:{}", self.region, self.account, self.name)
    }
}

trailstack_store::from_row! { Alias { account, region, name, key_id, created_ms, updated_ms } }

const COLS: &str = "account, region, name, key_id, created_ms, updated_ms";

/// The alias `name` of an account and region.
pub fn get(c: &Conn, account: &str, region: &str, name: &str) -> KmsResult<Option<Alias>> {
    Ok(c.query_opt(
        &format!("SELECT {COLS} FROM kms_aliases WHERE account = $1 AND region = $2 AND name = $3"),
        &[&account, &region, &name],
        decode,
    )?)
}

/// Creates or retargets an alias.
pub fn put(c: &Conn, a: &Alias) -> KmsResult<()> {
    c.execute(
        "INSERT INTO kms_aliases (account, region, name, key_id, created_ms, updated_ms) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (account, region, name) DO UPDATE SET \
         key_id = excluded.key_id, created_ms = excluded.created_ms, updated_ms = excluded.updated_ms",
        &[&a.account, &a.region, &a.name, &a.key_id, &a.created_ms, &a.updated_ms],
    )?;
    Ok(())
}

/// Deletes an alias.
pub fn delete(c: &Conn, account: &str, region: &str, name: &str) -> KmsResult<()> {
    c.execute(
        "DELETE FROM kms_aliases WHERE account = $1 AND region = $2 AND name = $3",
        &[&account, &region, &name],
    )?;
    Ok(())
}

/// Aliases of an account and region (optionally of one key) with names after `after`.
pub fn list(
    c: &Conn,
    account: &str,
    region: &str,
    key_id: Option<&str>,
    after: &str,
    limit: usize,
) -> KmsResult<Vec<Alias>> {
    Ok(c.query(
        &format!(
            "SELECT {COLS} FROM kms_aliases WHERE account = $1 AND region = $2 \
             AND key_id = COALESCE($3, key_id) AND name > $4 ORDER BY name LIMIT $5"
        ),
        &[&account, &region, &key_id, &after, &limit],
        decode,
    )?)
}

/// Number of aliases pointing at `key_id`.
pub fn count_for_key(c: &Conn, key_id: &str) -> KmsResult<u64> {
    Ok(c.query_one(
        "SELECT COUNT(*) FROM kms_aliases WHERE key_id = $1",
        &[&key_id],
        |r| r.get(0),
    )?)
}
