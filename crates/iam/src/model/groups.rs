//! Groups and their members: rows and queries.

use super::entities::{delete_named, get_named, insert_plain, list_named, PLAIN_COLUMNS};
use crate::op::Group;
use trailstack_store::sql::decode;
use trailstack_store::{Conn, Row};

type SqlResult<T> = trailstack_store::sql::Result<T>;

/// The ARN of group `name` with `path` in `account`.
pub fn group_arn(account: &str, path: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:group{path}{name}")
}

fn group_of(account: &str, r: &Row<'_>) -> SqlResult<Group> {
    let (name, path): (String, String) = (r.get(0)?, r.get(1)?);
    Ok(Group {
        arn: group_arn(account, &path, &name),
        name,
        path,
        id: r.get(2)?,
        created_ms: r.get(3)?,
    })
}

/// Creates group `g`; false when the account already has a group of that name (case aside).
pub fn insert(c: &Conn, account: &str, g: &Group) -> SqlResult<bool> {
    let row = (
        g.name.as_str(),
        g.path.as_str(),
        g.id.as_str(),
        g.created_ms,
    );
    insert_plain(c, "iam_groups", account, row)
}

/// Group `name` of `account`.
pub fn get(c: &Conn, account: &str, name: &str) -> SqlResult<Option<Group>> {
    get_named(c, "iam_groups", PLAIN_COLUMNS, account, name, group_of)
}

/// Up to `limit` groups of `account` under `path_prefix` after `marker` (by name).
pub fn list(
    c: &Conn,
    account: &str,
    path_prefix: &str,
    marker: &str,
    limit: usize,
) -> SqlResult<Vec<Group>> {
    let under = (path_prefix, marker, limit);
    list_named(c, "iam_groups", PLAIN_COLUMNS, account, under, group_of)
}

/// Deletes group `name`.
pub fn delete(c: &Conn, account: &str, name: &str) -> SqlResult<()> {
    delete_named(c, "iam_groups", account, name)?;
    Ok(())
}

/// Adds `user` to `group` (no change if it is a member).
pub fn add_member(c: &Conn, account: &str, group: &str, user: &str) -> SqlResult<()> {
    c.execute(
        "INSERT INTO iam_group_members (account, group_name, user_name) VALUES ($1, $2, $3)
         ON CONFLICT (account, group_name, user_name) DO NOTHING",
        &[&account, &group, &user],
    )?;
    Ok(())
}

/// Removes `user` from `group`; false when it was not a member.
pub fn remove_member(c: &Conn, account: &str, group: &str, user: &str) -> SqlResult<bool> {
    Ok(c.execute(
        "DELETE FROM iam_group_members WHERE account = $1 AND group_name = $2 AND user_name = $3",
        &[&account, &group, &user],
    )? == 1)
}

/// The names of `group`'s members after `marker`, at most `limit`.
pub fn members(
    c: &Conn,
    account: &str,
    group: &str,
    marker: &str,
    limit: usize,
) -> SqlResult<Vec<String>> {
    c.query(
        "SELECT user_name FROM iam_group_members
         WHERE account = $1 AND group_name = $2 AND user_name > $3
         ORDER BY user_name LIMIT $4",
        &[&account, &group, &marker, &limit],
        |r| r.get(0),
    )
}

/// The groups `user` belongs to after `marker`, at most `limit`.
pub fn of_user(
    c: &Conn,
    account: &str,
    user: &str,
    marker: &str,
    limit: usize,
) -> SqlResult<Vec<Group>> {
    c.query(
        "SELECT g.name, g.path, g.id, g.created_ms FROM iam_group_members m
         JOIN iam_groups g ON g.account = m.account AND g.name = m.group_name
         WHERE m.account = $1 AND m.user_name = $2 AND g.name > $3
         ORDER BY g.name LIMIT $4",
        &[&account, &user, &marker, &limit],
        |r| group_of(account, r),
    )
}

/// Every membership: (account, group, user).
pub fn all_members(c: &Conn) -> SqlResult<Vec<(String, String, String)>> {
    c.query(
        "SELECT account, group_name, user_name FROM iam_group_members",
        &[],
        decode,
    )
}
