//! Access keys of users: rows, with the secret sealed by the root key (bound to the key id as
//! its purpose, so one key's sealed secret cannot be swapped for another's), and their last use.

use crate::op::{AccessKey, LastUsed};
use trailstack_store::sql::decode;
use trailstack_store::Conn;

type SqlResult<T> = trailstack_store::sql::Result<T>;

/// An access key as stored.
pub struct StoredKey {
    /// The metadata.
    pub key: AccessKey,
    /// The owner's account.
    pub account: String,
    /// The secret, sealed.
    pub sealed: Vec<u8>,
}

/// The seal purpose of access key `id`'s secret.
pub fn purpose(id: &str) -> String {
    format!("iam-access-key:{id}")
}

// From `access_key, user_name, active, created_ms`, which every query of keys selects first.
trailstack_store::from_row! { AccessKey { id, user, active, created_ms } }
trailstack_store::from_row! { StoredKey { key, account, sealed } }

/// Stores a new key, or (seeding from the configuration) replaces the secret and owner of an
/// existing one.
pub fn upsert(c: &Conn, k: &StoredKey) -> SqlResult<()> {
    c.execute(
        "INSERT INTO iam_access_keys (access_key, account, user_name, sealed, active, created_ms)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (access_key) DO UPDATE SET account = excluded.account,
         user_name = excluded.user_name, sealed = excluded.sealed",
        &[
            &k.key.id,
            &k.account,
            &k.key.user,
            &k.sealed,
            &k.key.active,
            &k.key.created_ms,
        ],
    )?;
    Ok(())
}

/// Key `id` of user `user` of `account`.
pub fn get(c: &Conn, account: &str, user: &str, id: &str) -> SqlResult<Option<AccessKey>> {
    c.query_opt(
        "SELECT access_key, user_name, active, created_ms FROM iam_access_keys
         WHERE account = $1 AND user_name = $2 AND access_key = $3",
        &[&account, &user, &id],
        decode,
    )
}

/// The keys of user `user`, after `marker` (by id), at most `limit`.
pub fn of_user(
    c: &Conn,
    account: &str,
    user: &str,
    marker: &str,
    limit: usize,
) -> SqlResult<Vec<AccessKey>> {
    c.query(
        "SELECT access_key, user_name, active, created_ms FROM iam_access_keys
         WHERE account = $1 AND user_name = $2 AND access_key > $3 ORDER BY access_key LIMIT $4",
        &[&account, &user, &marker, &limit],
        decode,
    )
}

/// Sets key `id`'s status.
pub fn set_active(c: &Conn, id: &str, active: bool) -> SqlResult<()> {
    c.execute(
        "UPDATE iam_access_keys SET active = $1 WHERE access_key = $2",
        &[&active, &id],
    )?;
    Ok(())
}

/// Deletes key `id`.
pub fn delete(c: &Conn, id: &str) -> SqlResult<()> {
    c.execute("DELETE FROM iam_access_keys WHERE access_key = $1", &[&id])?;
    Ok(())
}

/// Every key (for the in-memory directory).
pub fn all(c: &Conn) -> SqlResult<Vec<StoredKey>> {
    c.query(
        "SELECT access_key, user_name, active, created_ms, account, sealed FROM iam_access_keys",
        &[],
        decode,
    )
}

/// The owner's account and name, and the last use, of key `id`.
pub fn last_used(c: &Conn, id: &str) -> SqlResult<Option<(String, String, Option<LastUsed>)>> {
    c.query_opt(
        "SELECT account, user_name, used_ms, used_service, used_region FROM iam_access_keys
         WHERE access_key = $1",
        &[&id],
        |r| {
            let used = match r.get::<Option<i64>>(2)? {
                Some(used_ms) => Some(LastUsed {
                    used_ms,
                    service: r.get::<Option<String>>(3)?.unwrap_or_default(),
                    region: r.get::<Option<String>>(4)?.unwrap_or_default(),
                }),
                None => None,
            };
            Ok((r.get(0)?, r.get(1)?, used))
        },
    )
}

/// Records a use of key `id`.
pub fn record_use(c: &Conn, id: &str, used: &LastUsed) -> SqlResult<()> {
    c.execute(
        "UPDATE iam_access_keys SET used_ms = $1, used_service = $2, used_region = $3
         WHERE access_key = $4",
        &[&used.used_ms, &used.service, &used.region, &id],
    )?;
    Ok(())
}
