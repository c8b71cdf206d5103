//! The tags of users and roles: rows and queries. A tag key is unique per entity without regard
//! to case (IAM keeps the case it was last written with), so rows are keyed by the folded key.

use crate::op::{OwnerKind, Tag};
use trailstack_store::rusqlite::{params, Connection};

type SqlResult<T> = trailstack_store::rusqlite::Result<T>;

/// Sets `tags` on the owner: a tag whose key (any case) it has replaces the old one.
pub fn put(
    c: &Connection,
    account: &str,
    kind: OwnerKind,
    owner: &str,
    tags: &[Tag],
) -> SqlResult<()> {
    let mut s = c.prepare_cached(
        "INSERT INTO iam_tags (account, owner_kind, owner, folded, tag_key, tag_value)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (account, owner_kind, owner, folded)
         DO UPDATE SET tag_key = excluded.tag_key, tag_value = excluded.tag_value",
    )?;
    for t in tags {
        s.execute(params![
            account,
            kind.as_str(),
            owner,
            t.key.to_lowercase(),
            t.key,
            t.value
        ])?;
    }
    Ok(())
}

/// Removes the owner's tags with `keys` (any case); keys it does not have are ignored.
pub fn remove(
    c: &Connection,
    account: &str,
    kind: OwnerKind,
    owner: &str,
    keys: &[String],
) -> SqlResult<()> {
    let mut s = c.prepare_cached(
        "DELETE FROM iam_tags
         WHERE account = $1 AND owner_kind = $2 AND owner = $3 AND folded = $4",
    )?;
    for k in keys {
        s.execute(params![account, kind.as_str(), owner, k.to_lowercase()])?;
    }
    Ok(())
}

/// Removes every tag of the owner (it is deleted).
pub fn clear(c: &Connection, account: &str, kind: OwnerKind, owner: &str) -> SqlResult<()> {
    c.execute(
        "DELETE FROM iam_tags WHERE account = $1 AND owner_kind = $2 AND owner = $3",
        params![account, kind.as_str(), owner],
    )?;
    Ok(())
}

/// The owner's tags by folded key after `marker`, at most `limit`.
pub fn list(
    c: &Connection,
    account: &str,
    kind: OwnerKind,
    owner: &str,
    marker: &str,
    limit: usize,
) -> SqlResult<Vec<Tag>> {
    let mut s = c.prepare_cached(
        "SELECT tag_key, tag_value FROM iam_tags
         WHERE account = $1 AND owner_kind = $2 AND owner = $3 AND folded > $4
         ORDER BY folded LIMIT $5",
    )?;
    let rows = s.query_map(
        params![
            account,
            kind.as_str(),
            owner,
            marker.to_lowercase(),
            limit as i64
        ],
        |r| {
            Ok(Tag {
                key: r.get(0)?,
                value: r.get(1)?,
            })
        },
    )?;
    rows.collect()
}

/// How many tags the owner has.
pub fn count(c: &Connection, account: &str, kind: OwnerKind, owner: &str) -> SqlResult<usize> {
    c.query_row(
        "SELECT COUNT(*) FROM iam_tags WHERE account = $1 AND owner_kind = $2 AND owner = $3",
        params![account, kind.as_str(), owner],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n as usize)
}

/// Every tag of every user and role: (account, owner kind, owner, tag), by owner then key.
pub fn all(c: &Connection) -> SqlResult<Vec<(String, String, String, Tag)>> {
    let mut s = c.prepare_cached(
        "SELECT account, owner_kind, owner, tag_key, tag_value FROM iam_tags
         ORDER BY account, owner_kind, owner, folded",
    )?;
    let rows = s.query_map([], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            Tag {
                key: r.get(3)?,
                value: r.get(4)?,
            },
        ))
    })?;
    rows.collect()
}
