//! The tags of users and roles: rows and queries. A tag key is unique per entity without regard
//! to case (IAM keeps the case it was last written with), so rows are keyed by the folded key.

use crate::op::{Owner, Tag};
use trailstack_store::sql::decode;
use trailstack_store::Conn;

type SqlResult<T> = trailstack_store::sql::Result<T>;

// From `tag_key, tag_value`.
trailstack_store::from_row! { Tag { key, value } }

/// Sets `tags` on the owner: a tag whose key (any case) it has replaces the old one.
pub fn put(c: &Conn, account: &str, owner: &Owner, tags: &[Tag]) -> SqlResult<()> {
    for t in tags {
        c.execute(
            "INSERT INTO iam_tags (account, owner_kind, owner, folded, tag_key, tag_value)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (account, owner_kind, owner, folded)
             DO UPDATE SET tag_key = excluded.tag_key, tag_value = excluded.tag_value",
            &[
                &account,
                &owner.kind.as_str(),
                &owner.name,
                &t.key.to_lowercase(),
                &t.key,
                &t.value,
            ],
        )?;
    }
    Ok(())
}

/// Removes the owner's tags with `keys` (any case); keys it does not have are ignored.
pub fn remove(c: &Conn, account: &str, owner: &Owner, keys: &[String]) -> SqlResult<()> {
    for k in keys {
        c.execute(
            "DELETE FROM iam_tags
             WHERE account = $1 AND owner_kind = $2 AND owner = $3 AND folded = $4",
            &[
                &account,
                &owner.kind.as_str(),
                &owner.name,
                &k.to_lowercase(),
            ],
        )?;
    }
    Ok(())
}

/// Removes every tag of the owner (it is deleted).
pub fn clear(c: &Conn, account: &str, owner: &Owner) -> SqlResult<()> {
    c.execute(
        "DELETE FROM iam_tags WHERE account = $1 AND owner_kind = $2 AND owner = $3",
        &[&account, &owner.kind.as_str(), &owner.name],
    )?;
    Ok(())
}

/// The owner's tags by folded key after `marker`, at most `limit`.
pub fn list(
    c: &Conn,
    account: &str,
    owner: &Owner,
    marker: &str,
    limit: usize,
) -> SqlResult<Vec<Tag>> {
    c.query(
        "SELECT tag_key, tag_value FROM iam_tags
         WHERE account = $1 AND owner_kind = $2 AND owner = $3 AND folded > $4
         ORDER BY folded LIMIT $5",
        &[
            &account,
            &owner.kind.as_str(),
            &owner.name,
            &marker.to_lowercase(),
            &limit,
        ],
        decode,
    )
}

/// How many tags the owner has.
pub fn count(c: &Conn, account: &str, owner: &Owner) -> SqlResult<usize> {
    c.query_one(
        "SELECT COUNT(*) FROM iam_tags WHERE account = $1 AND owner_kind = $2 AND owner = $3",
        &[&account, &owner.kind.as_str(), &owner.name],
        |r| r.get::<i64>(0),
    )
    .map(|n| n as usize)
}

/// Every tag of every user and role: (account, owner kind, owner, tag), by owner then key.
pub fn all(c: &Conn) -> SqlResult<Vec<(String, String, String, Tag)>> {
    c.query(
        "SELECT account, owner_kind, owner, tag_key, tag_value FROM iam_tags
         ORDER BY account, owner_kind, owner, folded",
        &[],
        decode,
    )
}
