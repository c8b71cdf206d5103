//! Users and roles: their rows and queries.

use crate::op::{Role, User};
use trailstack_store::{Conn, Row};

type SqlResult<T> = trailstack_store::sql::Result<T>;

/// The ARN of user `name` with `path` in `account`.
pub fn user_arn(account: &str, path: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:user{path}{name}")
}

/// The ARN of role `name` with `path` in `account`.
pub fn role_arn(account: &str, path: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:role{path}{name}")
}

fn user_of(account: &str, r: &Row<'_>) -> SqlResult<User> {
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
pub fn name_taken(c: &Conn, table: &str, account: &str, name: &str) -> SqlResult<bool> {
    c.query_one(
        &format!("SELECT COUNT(*) FROM {table} WHERE account = $1 AND lower(name) = lower($2)"),
        &[&account, &name],
        |r| r.get::<i64>(0),
    )
    .map(|n| n > 0)
}

/// Creates user `u`; false when the account already has a user of that name.
pub fn insert_user(c: &Conn, account: &str, u: &User) -> SqlResult<bool> {
    if name_taken(c, "iam_users", account, &u.name)? {
        return Ok(false);
    }
    let n = c.execute(
        "INSERT INTO iam_users (account, name, path, id, created_ms) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (account, name) DO NOTHING",
        &[&account, &u.name, &u.path, &u.id, &u.created_ms],
    )?;
    Ok(n == 1)
}

/// User `name` of `account`.
pub fn get_user(c: &Conn, account: &str, name: &str) -> SqlResult<Option<User>> {
    c.query_opt(
        "SELECT name, path, id, created_ms FROM iam_users WHERE account = $1 AND name = $2",
        &[&account, &name],
        |r| user_of(account, r),
    )
}

/// Up to `limit` users of `account` after `marker` (by name).
pub fn list_users(
    c: &Conn,
    account: &str,
    path_prefix: &str,
    marker: &str,
    limit: usize,
) -> SqlResult<Vec<User>> {
    c.query(
        "SELECT name, path, id, created_ms FROM iam_users
         WHERE account = $1 AND substr(path, 1, length($2)) = $2 AND name > $3
         ORDER BY name LIMIT $4",
        &[&account, &path_prefix, &marker, &limit],
        |r| user_of(account, r),
    )
}

/// Every user of every account, with its account.
pub fn all_users(c: &Conn) -> SqlResult<Vec<(String, User)>> {
    c.query(
        "SELECT name, path, id, created_ms, account FROM iam_users ORDER BY account, name",
        &[],
        |r| {
            let account: String = r.get(4)?;
            Ok((account.clone(), user_of(&account, r)?))
        },
    )
}

/// Every role of every account, with its account.
pub fn all_roles(c: &Conn) -> SqlResult<Vec<(String, Role)>> {
    c.query(
        &format!("SELECT {ROLE_COLUMNS}, account FROM iam_roles ORDER BY account, name"),
        &[],
        |r| {
            let account: String = r.get(7)?;
            Ok((account.clone(), role_of(&account, r)?))
        },
    )
}

/// Deletes user `name`.
pub fn delete_user(c: &Conn, account: &str, name: &str) -> SqlResult<bool> {
    Ok(c.execute(
        "DELETE FROM iam_users WHERE account = $1 AND name = $2",
        &[&account, &name],
    )? == 1)
}

fn role_of(account: &str, r: &Row<'_>) -> SqlResult<Role> {
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
pub fn insert_role(c: &Conn, account: &str, r: &Role) -> SqlResult<bool> {
    if name_taken(c, "iam_roles", account, &r.name)? {
        return Ok(false);
    }
    let n = c.execute(
        "INSERT INTO iam_roles (account, name, path, id, created_ms, trust_policy, description,
         max_session) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (account, name) DO NOTHING",
        &[
            &account,
            &r.name,
            &r.path,
            &r.id,
            &r.created_ms,
            &r.trust_policy,
            &r.description,
            &r.max_session,
        ],
    )?;
    Ok(n == 1)
}

/// Role `name` of `account`.
pub fn get_role(c: &Conn, account: &str, name: &str) -> SqlResult<Option<Role>> {
    c.query_opt(
        &format!("SELECT {ROLE_COLUMNS} FROM iam_roles WHERE account = $1 AND name = $2"),
        &[&account, &name],
        |r| role_of(account, r),
    )
}

/// Up to `limit` roles of `account` after `marker` (by name).
pub fn list_roles(
    c: &Conn,
    account: &str,
    path_prefix: &str,
    marker: &str,
    limit: usize,
) -> SqlResult<Vec<Role>> {
    c.query(
        &format!(
            "SELECT {ROLE_COLUMNS} FROM iam_roles
             WHERE account = $1 AND substr(path, 1, length($2)) = $2 AND name > $3
             ORDER BY name LIMIT $4"
        ),
        &[&account, &path_prefix, &marker, &limit],
        |r| role_of(account, r),
    )
}

/// Replaces role `r`'s trust policy, description and maximum session duration.
pub fn update_role(c: &Conn, account: &str, r: &Role) -> SqlResult<()> {
    c.execute(
        "UPDATE iam_roles SET trust_policy = $1, description = $2, max_session = $3
         WHERE account = $4 AND name = $5",
        &[
            &r.trust_policy,
            &r.description,
            &r.max_session,
            &account,
            &r.name,
        ],
    )?;
    Ok(())
}

/// Deletes role `name`.
pub fn delete_role(c: &Conn, account: &str, name: &str) -> SqlResult<bool> {
    Ok(c.execute(
        "DELETE FROM iam_roles WHERE account = $1 AND name = $2",
        &[&account, &name],
    )? == 1)
}
