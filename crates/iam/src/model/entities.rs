//! Users and roles: their rows and queries.

use crate::op::{Role, User};
use trailstack_store::rusqlite::{params, Connection, OptionalExtension, Row};

/// The ARN of user `name` with `path` in `account`.
pub fn user_arn(account: &str, path: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:user{path}{name}")
}

/// The ARN of role `name` with `path` in `account`.
pub fn role_arn(account: &str, path: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:role{path}{name}")
}

fn user_of(account: &str, r: &Row) -> trailstack_store::rusqlite::Result<User> {
    let (name, path): (String, String) = (r.get(0)?, r.get(1)?);
    Ok(User {
        arn: user_arn(account, &path, &name),
        name,
        path,
        id: r.get(2)?,
        created_ms: r.get(3)?,
        tags: Vec::new(),
        boundary: None,
    })
}

/// Whether `table` (`iam_users`, `iam_roles`, `iam_policies`) holds `name` in `account`, case
/// aside: IAM names are unique without regard to case.
pub fn name_taken(
    c: &Connection,
    table: &str,
    account: &str,
    name: &str,
) -> trailstack_store::rusqlite::Result<bool> {
    c.query_row(
        &format!("SELECT COUNT(*) FROM {table} WHERE account = $1 AND lower(name) = lower($2)"),
        params![account, name],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n > 0)
}

/// Creates user `u`; false when the account already has a user of that name.
pub fn insert_user(
    c: &Connection,
    account: &str,
    u: &User,
) -> trailstack_store::rusqlite::Result<bool> {
    if name_taken(c, "iam_users", account, &u.name)? {
        return Ok(false);
    }
    let n = c.execute(
        "INSERT INTO iam_users (account, name, path, id, created_ms) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (account, name) DO NOTHING",
        params![account, u.name, u.path, u.id, u.created_ms],
    )?;
    Ok(n == 1)
}

/// User `name` of `account`.
pub fn get_user(
    c: &Connection,
    account: &str,
    name: &str,
) -> trailstack_store::rusqlite::Result<Option<User>> {
    c.query_row(
        "SELECT name, path, id, created_ms FROM iam_users WHERE account = $1 AND name = $2",
        params![account, name],
        |r| user_of(account, r),
    )
    .optional()
}

/// Up to `limit` users of `account` after `marker` (by name).
pub fn list_users(
    c: &Connection,
    account: &str,
    path_prefix: &str,
    marker: &str,
    limit: usize,
) -> trailstack_store::rusqlite::Result<Vec<User>> {
    let mut s = c.prepare_cached(
        "SELECT name, path, id, created_ms FROM iam_users
         WHERE account = $1 AND substr(path, 1, length($2)) = $2 AND name > $3
         ORDER BY name LIMIT $4",
    )?;
    let rows = s.query_map(params![account, path_prefix, marker, limit as i64], |r| {
        user_of(account, r)
    })?;
    rows.collect()
}

/// Every user of every account, with its account.
pub fn all_users(c: &Connection) -> trailstack_store::rusqlite::Result<Vec<(String, User)>> {
    let mut s = c.prepare_cached(
        "SELECT name, path, id, created_ms, account FROM iam_users ORDER BY account, name",
    )?;
    let rows = s.query_map([], |r| {
        let account: String = r.get(4)?;
        Ok((account.clone(), user_of(&account, r)?))
    })?;
    rows.collect()
}

/// Every role of every account, with its account.
pub fn all_roles(c: &Connection) -> trailstack_store::rusqlite::Result<Vec<(String, Role)>> {
    let mut s = c.prepare_cached(&format!(
        "SELECT {ROLE_COLUMNS}, account FROM iam_roles ORDER BY account, name"
    ))?;
    let rows = s.query_map([], |r| {
        let account: String = r.get(7)?;
        Ok((account.clone(), role_of(&account, r)?))
    })?;
    rows.collect()
}

/// Deletes user `name`.
pub fn delete_user(
    c: &Connection,
    account: &str,
    name: &str,
) -> trailstack_store::rusqlite::Result<bool> {
    Ok(c.execute(
        "DELETE FROM iam_users WHERE account = $1 AND name = $2",
        params![account, name],
    )? == 1)
}

fn role_of(account: &str, r: &Row) -> trailstack_store::rusqlite::Result<Role> {
    let (name, path): (String, String) = (r.get(0)?, r.get(1)?);
    Ok(Role {
        arn: role_arn(account, &path, &name),
        name,
        path,
        id: r.get(2)?,
        created_ms: r.get(3)?,
        trust_policy: r.get(4)?,
        description: r.get(5)?,
        max_session: r.get(6)?,
        tags: Vec::new(),
        boundary: None,
    })
}

const ROLE_COLUMNS: &str = "name, path, id, created_ms, trust_policy, description, max_session";

/// Creates role `r`; false when the account already has a role of that name.
pub fn insert_role(
    c: &Connection,
    account: &str,
    r: &Role,
) -> trailstack_store::rusqlite::Result<bool> {
    if name_taken(c, "iam_roles", account, &r.name)? {
        return Ok(false);
    }
    let n = c.execute(
        "INSERT INTO iam_roles (account, name, path, id, created_ms, trust_policy, description,
         max_session) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (account, name) DO NOTHING",
        params![
            account,
            r.name,
            r.path,
            r.id,
            r.created_ms,
            r.trust_policy,
            r.description,
            r.max_session
        ],
    )?;
    Ok(n == 1)
}

/// Role `name` of `account`.
pub fn get_role(
    c: &Connection,
    account: &str,
    name: &str,
) -> trailstack_store::rusqlite::Result<Option<Role>> {
    c.query_row(
        &format!("SELECT {ROLE_COLUMNS} FROM iam_roles WHERE account = $1 AND name = $2"),
        params![account, name],
        |r| role_of(account, r),
    )
    .optional()
}

/// Up to `limit` roles of `account` after `marker` (by name).
pub fn list_roles(
    c: &Connection,
    account: &str,
    path_prefix: &str,
    marker: &str,
    limit: usize,
) -> trailstack_store::rusqlite::Result<Vec<Role>> {
    let mut s = c.prepare_cached(&format!(
        "SELECT {ROLE_COLUMNS} FROM iam_roles
         WHERE account = $1 AND substr(path, 1, length($2)) = $2 AND name > $3
         ORDER BY name LIMIT $4"
    ))?;
    let rows = s.query_map(params![account, path_prefix, marker, limit as i64], |r| {
        role_of(account, r)
    })?;
    rows.collect()
}

/// Replaces role `r`'s trust policy, description and maximum session duration.
pub fn update_role(
    c: &Connection,
    account: &str,
    r: &Role,
) -> trailstack_store::rusqlite::Result<()> {
    c.execute(
        "UPDATE iam_roles SET trust_policy = $1, description = $2, max_session = $3
         WHERE account = $4 AND name = $5",
        params![
            r.trust_policy,
            r.description,
            r.max_session,
            account,
            r.name
        ],
    )?;
    Ok(())
}

/// Deletes role `name`.
pub fn delete_role(
    c: &Connection,
    account: &str,
    name: &str,
) -> trailstack_store::rusqlite::Result<bool> {
    Ok(c.execute(
        "DELETE FROM iam_roles WHERE account = $1 AND name = $2",
        params![account, name],
    )? == 1)
}
