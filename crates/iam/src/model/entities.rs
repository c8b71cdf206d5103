//! Users and roles: their rows and queries; and the queries users, roles and groups share
//! (created, found, listed by path and deleted by name alike).

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
    let row = (
        u.name.as_str(),
        u.path.as_str(),
        u.id.as_str(),
        u.created_ms,
    );
    insert_plain(c, "iam_users", account, row)
}

/// User `name` of `account`.
pub fn get_user(c: &Conn, account: &str, name: &str) -> SqlResult<Option<User>> {
    get_named(c, "iam_users", PLAIN_COLUMNS, account, name, user_of)
}

/// Up to `limit` users of `account` after `marker` (by name).
pub fn list_users(
    c: &Conn,
    account: &str,
    path_prefix: &str,
    marker: &str,
    limit: usize,
) -> SqlResult<Vec<User>> {
    let under = (path_prefix, marker, limit);
    list_named(c, "iam_users", PLAIN_COLUMNS, account, under, user_of)
}

/// Every user of every account, with its account.
pub fn all_users(c: &Conn) -> SqlResult<Vec<(String, User)>> {
    c.query(
        &format!("SELECT {PLAIN_COLUMNS}, account FROM iam_users ORDER BY account, name"),
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
    delete_named(c, "iam_users", account, name)
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
    get_named(c, "iam_roles", ROLE_COLUMNS, account, name, role_of)
}

/// Up to `limit` roles of `account` after `marker` (by name).
pub fn list_roles(
    c: &Conn,
    account: &str,
    path_prefix: &str,
    marker: &str,
    limit: usize,
) -> SqlResult<Vec<Role>> {
    let under = (path_prefix, marker, limit);
    list_named(c, "iam_roles", ROLE_COLUMNS, account, under, role_of)
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
    delete_named(c, "iam_roles", account, name)
}

/// The columns of the entities that hold nothing more than a name, path, id and creation
/// time (users, groups), in the order their row readers take them.
pub(super) const PLAIN_COLUMNS: &str = "name, path, id, created_ms";

/// Creates the entity `(name, path, id, created_ms)` in `table` (`iam_users`, `iam_groups`);
/// false when the account already has one of that name, case aside.
pub(super) fn insert_plain(
    c: &Conn,
    table: &str,
    account: &str,
    (name, path, id, created_ms): (&str, &str, &str, i64),
) -> SqlResult<bool> {
    if name_taken(c, table, account, name)? {
        return Ok(false);
    }
    let n = c.execute(
        &format!(
            "INSERT INTO {table} (account, {PLAIN_COLUMNS}) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (account, name) DO NOTHING"
        ),
        &[&account, &name, &path, &id, &created_ms],
    )?;
    Ok(n == 1)
}

/// The entity `name` of `account` in `table` (users, roles, groups): `columns` read by `of`.
pub(super) fn get_named<T>(
    c: &Conn,
    table: &str,
    columns: &str,
    account: &str,
    name: &str,
    of: fn(&str, &Row<'_>) -> SqlResult<T>,
) -> SqlResult<Option<T>> {
    c.query_opt(
        &format!("SELECT {columns} FROM {table} WHERE account = $1 AND name = $2"),
        &[&account, &name],
        |r| of(account, r),
    )
}

/// Up to `limit` entities of `account` in `table` whose path starts with `path_prefix`, after
/// `marker` by name: `columns` read by `of`.
pub(super) fn list_named<T>(
    c: &Conn,
    table: &str,
    columns: &str,
    account: &str,
    (path_prefix, marker, limit): (&str, &str, usize),
    of: fn(&str, &Row<'_>) -> SqlResult<T>,
) -> SqlResult<Vec<T>> {
    c.query(
        &format!(
            "SELECT {columns} FROM {table}
             WHERE account = $1 AND substr(path, 1, length($2)) = $2 AND name > $3
             ORDER BY name LIMIT $4"
        ),
        &[&account, &path_prefix, &marker, &limit],
        |r| of(account, r),
    )
}

/// Deletes the entity `name` of `account` from `table`; false when there was none.
pub(super) fn delete_named(c: &Conn, table: &str, account: &str, name: &str) -> SqlResult<bool> {
    Ok(c.execute(
        &format!("DELETE FROM {table} WHERE account = $1 AND name = $2"),
        &[&account, &name],
    )? == 1)
}
