//! Inline policies of users and roles, managed policies with their versions, and the
//! attachments of managed policies to users and roles: rows and queries.

use crate::op::{ManagedPolicy, Owner, OwnerKind, PolicyVersion};
use trailstack_store::sql::decode;
use trailstack_store::{Conn, Row};

type SqlResult<T> = trailstack_store::sql::Result<T>;

/// The ARN of managed policy `name` with `path` in `account`.
pub fn policy_arn(account: &str, path: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:policy{path}{name}")
}

/// The ARN of the policy an attachment or a boundary names by `stored`: a policy of the
/// account by its name, `path` coming from its row; an AWS managed policy, which has no row
/// (no path), by its ARN.
pub fn stored_arn(account: &str, stored: String, path: Option<String>) -> String {
    match path {
        Some(path) => policy_arn(account, &path, &stored),
        None => stored,
    }
}

/// Creates or replaces inline policy `name` of the owner.
pub fn put_inline(
    c: &Conn,
    account: &str,
    owner: &Owner,
    name: &str,
    document: &str,
) -> SqlResult<()> {
    c.execute(
        "INSERT INTO iam_inline_policies (account, owner_kind, owner, name, document)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (account, owner_kind, owner, name) DO UPDATE SET document = excluded.document",
        &[
            &account,
            &owner.kind.as_str(),
            &owner.name,
            &name,
            &document,
        ],
    )?;
    Ok(())
}

/// Inline policy `name` of the owner.
pub fn get_inline(c: &Conn, account: &str, owner: &Owner, name: &str) -> SqlResult<Option<String>> {
    c.query_opt(
        "SELECT document FROM iam_inline_policies
         WHERE account = $1 AND owner_kind = $2 AND owner = $3 AND name = $4",
        &[&account, &owner.kind.as_str(), &owner.name, &name],
        |r| r.get(0),
    )
}

/// The names of the owner's inline policies after `marker`, at most `limit`.
pub fn list_inline(
    c: &Conn,
    account: &str,
    owner: &Owner,
    marker: &str,
    limit: usize,
) -> SqlResult<Vec<String>> {
    c.query(
        "SELECT name FROM iam_inline_policies
         WHERE account = $1 AND owner_kind = $2 AND owner = $3 AND name > $4
         ORDER BY name LIMIT $5",
        &[&account, &owner.kind.as_str(), &owner.name, &marker, &limit],
        |r| r.get(0),
    )
}

/// Deletes inline policy `name` of the owner; false when there was none.
pub fn delete_inline(c: &Conn, account: &str, owner: &Owner, name: &str) -> SqlResult<bool> {
    delete_owned(c, "iam_inline_policies", "name", account, owner, name)
}

/// Deletes the row of `table` (inline policies, attachments) tying the owner to the policy
/// `name` (in `column`); false when there was none.
fn delete_owned(
    c: &Conn,
    table: &str,
    column: &str,
    account: &str,
    owner: &Owner,
    name: &str,
) -> SqlResult<bool> {
    let sql = format!(
        "DELETE FROM {table}
         WHERE account = $1 AND owner_kind = $2 AND owner = $3 AND {column} = $4"
    );
    let deleted = c.execute(&sql, &[&account, &owner.kind.as_str(), &owner.name, &name])?;
    Ok(deleted == 1)
}

/// Deletes the inline policies the configuration file gave user `owner` at the last start
/// (`trailstack-config-<n>`), before the current ones are seeded.
pub fn clear_config_policies(c: &Conn, account: &str, owner: &str) -> SqlResult<()> {
    c.execute(
        "DELETE FROM iam_inline_policies WHERE account = $1 AND owner_kind = $2 AND owner = $3
         AND substr(name, 1, 18) = 'trailstack-config-'",
        &[&account, &OwnerKind::User.as_str(), &owner],
    )?;
    Ok(())
}

/// Every inline policy: (account, owner kind, owner, document).
pub fn all_inline(c: &Conn) -> SqlResult<Vec<(String, String, String, String)>> {
    c.query(
        "SELECT account, owner_kind, owner, document FROM iam_inline_policies",
        &[],
        decode,
    )
}

const POLICY_COLUMNS: &str = "p.name, p.path, p.id, p.description, p.default_version,
    p.created_ms, p.updated_ms,
    (SELECT COUNT(*) FROM iam_attachments a WHERE a.account = p.account AND a.policy_name = p.name),
    (SELECT COUNT(*) FROM iam_boundaries b WHERE b.account = p.account AND b.policy_name = p.name)";

fn policy_of(account: &str, r: &Row<'_>) -> SqlResult<ManagedPolicy> {
    let (name, path): (String, String) = (r.get(0)?, r.get(1)?);
    Ok(ManagedPolicy {
        arn: policy_arn(account, &path, &name),
        name,
        path,
        id: r.get(2)?,
        description: r.get(3)?,
        default_version: r.get(4)?,
        created_ms: r.get(5)?,
        updated_ms: r.get(6)?,
        attachments: r.get(7)?,
        boundary_uses: r.get(8)?,
    })
}

/// Creates managed policy `p` with `document` as its version 1; false when the account already
/// has a policy of that name.
pub fn insert_policy(
    c: &Conn,
    account: &str,
    p: &ManagedPolicy,
    document: &str,
) -> SqlResult<bool> {
    if super::entities::name_taken(c, "iam_policies", account, &p.name)? {
        return Ok(false);
    }
    let n = c.execute(
        "INSERT INTO iam_policies (account, name, path, id, description, default_version,
         next_version, created_ms, updated_ms) VALUES ($1, $2, $3, $4, $5, 1, 2, $6, $6)
         ON CONFLICT (account, name) DO NOTHING",
        &[
            &account,
            &p.name,
            &p.path,
            &p.id,
            &p.description,
            &p.created_ms,
        ],
    )?;
    if n == 1 {
        insert_version(c, account, &p.name, 1, document, p.created_ms)?;
    }
    Ok(n == 1)
}

fn insert_version(
    c: &Conn,
    account: &str,
    name: &str,
    v: u32,
    doc: &str,
    ms: i64,
) -> SqlResult<()> {
    c.execute(
        "INSERT INTO iam_policy_versions (account, name, version, document, created_ms)
         VALUES ($1, $2, $3, $4, $5)",
        &[&account, &name, &v, &doc, &ms],
    )?;
    Ok(())
}

/// Managed policy `name` of `account`.
pub fn get_policy(c: &Conn, account: &str, name: &str) -> SqlResult<Option<ManagedPolicy>> {
    c.query_opt(
        &format!(
            "SELECT {POLICY_COLUMNS} FROM iam_policies p WHERE p.account = $1 AND p.name = $2"
        ),
        &[&account, &name],
        |r| policy_of(account, r),
    )
}

/// Up to `limit` managed policies of `account` after `marker` (by name).
pub fn list_policies(
    c: &Conn,
    account: &str,
    path_prefix: &str,
    only_attached: bool,
    marker: &str,
    limit: usize,
) -> SqlResult<Vec<ManagedPolicy>> {
    c.query(
        &format!(
            "SELECT {POLICY_COLUMNS} FROM iam_policies p
         WHERE p.account = $1 AND substr(p.path, 1, length($2)) = $2 AND p.name > $3
         AND ($4 = 0 OR EXISTS (SELECT 1 FROM iam_attachments a
                                WHERE a.account = p.account AND a.policy_name = p.name))
         ORDER BY p.name LIMIT $5"
        ),
        &[&account, &path_prefix, &marker, &only_attached, &limit],
        |r| policy_of(account, r),
    )
}

/// Deletes managed policy `name` and its versions.
pub fn delete_policy(c: &Conn, account: &str, name: &str) -> SqlResult<()> {
    c.execute(
        "DELETE FROM iam_policy_versions WHERE account = $1 AND name = $2",
        &[&account, &name],
    )?;
    c.execute(
        "DELETE FROM iam_policies WHERE account = $1 AND name = $2",
        &[&account, &name],
    )?;
    Ok(())
}

/// Adds the next version of policy `name`; returns its number.
pub fn add_version(
    c: &Conn,
    account: &str,
    name: &str,
    doc: &str,
    ms: i64,
    default: bool,
) -> SqlResult<u32> {
    let v: u32 = c.query_one(
        "SELECT next_version FROM iam_policies WHERE account = $1 AND name = $2",
        &[&account, &name],
        |r| r.get(0),
    )?;
    insert_version(c, account, name, v, doc, ms)?;
    c.execute(
        "UPDATE iam_policies SET next_version = $1, updated_ms = $2 WHERE account = $3 AND name = $4",
        &[&(v + 1), &ms, &account, &name],
    )?;
    if default {
        set_default(c, account, name, v, ms)?;
    }
    Ok(v)
}

/// Makes version `v` of policy `name` its default.
pub fn set_default(c: &Conn, account: &str, name: &str, v: u32, ms: i64) -> SqlResult<()> {
    c.execute(
        "UPDATE iam_policies SET default_version = $1, updated_ms = $2 WHERE account = $3 AND name = $4",
        &[&v, &ms, &account, &name],
    )?;
    Ok(())
}

/// The versions of policy `name`, oldest first, with their documents; `default` marks the
/// policy's default.
pub fn versions(
    c: &Conn,
    account: &str,
    name: &str,
    default: u32,
) -> SqlResult<Vec<PolicyVersion>> {
    c.query(
        "SELECT version, document, created_ms FROM iam_policy_versions
         WHERE account = $1 AND name = $2 ORDER BY version",
        &[&account, &name],
        |r| {
            let version: u32 = r.get(0)?;
            Ok(PolicyVersion {
                version,
                document: Some(r.get(1)?),
                default: version == default,
                created_ms: r.get(2)?,
            })
        },
    )
}

/// Deletes version `v` of policy `name`; false when there was none.
pub fn delete_version(c: &Conn, account: &str, name: &str, v: u32) -> SqlResult<bool> {
    Ok(c.execute(
        "DELETE FROM iam_policy_versions WHERE account = $1 AND name = $2 AND version = $3",
        &[&account, &name, &v],
    )? == 1)
}

/// Attaches policy `name` to the owner; false when it already was.
pub fn attach(c: &Conn, account: &str, owner: &Owner, name: &str) -> SqlResult<bool> {
    Ok(c.execute(
        "INSERT INTO iam_attachments (account, owner_kind, owner, policy_name) VALUES ($1, $2, $3, $4)
         ON CONFLICT (account, owner_kind, owner, policy_name) DO NOTHING",
        &[&account, &owner.kind.as_str(), &owner.name, &name],
    )? == 1)
}

/// Detaches policy `name` from the owner; false when it was not attached.
pub fn detach(c: &Conn, account: &str, owner: &Owner, name: &str) -> SqlResult<bool> {
    delete_owned(c, "iam_attachments", "policy_name", account, owner, name)
}

/// The policies attached to the owner after `marker`, at most `limit`: (stored name, path).
/// An AWS managed policy is stored by its ARN and has no path here.
pub fn attached(
    c: &Conn,
    account: &str,
    owner: &Owner,
    marker: &str,
    limit: usize,
) -> SqlResult<Vec<(String, Option<String>)>> {
    c.query(
        "SELECT a.policy_name, p.path FROM iam_attachments a LEFT JOIN iam_policies p
         ON p.account = a.account AND p.name = a.policy_name
         WHERE a.account = $1 AND a.owner_kind = $2 AND a.owner = $3 AND a.policy_name > $4
         ORDER BY a.policy_name LIMIT $5",
        &[&account, &owner.kind.as_str(), &owner.name, &marker, &limit],
        decode,
    )
}

/// Every attachment with its policy's default document: (account, owner kind, owner, document).
pub fn all_attached_documents(c: &Conn) -> SqlResult<Vec<(String, String, String, String)>> {
    c.query(
        "SELECT a.account, a.owner_kind, a.owner, v.document FROM iam_attachments a
         JOIN iam_policies p ON p.account = a.account AND p.name = a.policy_name
         JOIN iam_policy_versions v ON v.account = p.account AND v.name = p.name
              AND v.version = p.default_version",
        &[],
        decode,
    )
}

/// Every attachment of an AWS managed policy: (account, owner kind, owner, policy ARN).
pub fn all_aws_attachments(c: &Conn) -> SqlResult<Vec<(String, String, String, String)>> {
    naming_aws_policies(c, "iam_attachments")
}

/// The rows of `table` (`iam_attachments`, `iam_boundaries`: an owner and the policy it names)
/// whose policy is an AWS managed one, stored by its ARN: (account, owner kind, owner, ARN).
pub(super) fn naming_aws_policies(
    c: &Conn,
    table: &str,
) -> SqlResult<Vec<(String, String, String, String)>> {
    c.query(
        &format!(
            "SELECT account, owner_kind, owner, policy_name FROM {table}
             WHERE substr(policy_name, 1, 4) = 'arn:'"
        ),
        &[],
        decode,
    )
}

/// How many of `account`'s users and roles have policy `stored` as their boundary.
pub fn boundary_count(c: &Conn, account: &str, stored: &str) -> SqlResult<u32> {
    c.query_one(
        "SELECT COUNT(*) FROM iam_boundaries WHERE account = $1 AND policy_name = $2",
        &[&account, &stored],
        |r| r.get(0),
    )
}

/// How many of `account`'s users, roles and groups have policy `stored` attached.
pub fn attachment_count(c: &Conn, account: &str, stored: &str) -> SqlResult<u32> {
    c.query_one(
        "SELECT COUNT(*) FROM iam_attachments WHERE account = $1 AND policy_name = $2",
        &[&account, &stored],
        |r| r.get(0),
    )
}

/// How many inline policies and attachments the owner has: (inline, attached).
pub fn owned_counts(c: &Conn, account: &str, owner: &Owner) -> SqlResult<(u32, u32)> {
    let inline = c.query_one(
        "SELECT COUNT(*) FROM iam_inline_policies WHERE account = $1 AND owner_kind = $2 AND owner = $3",
        &[&account, &owner.kind.as_str(), &owner.name],
        |r| r.get(0),
    )?;
    let attached = c.query_one(
        "SELECT COUNT(*) FROM iam_attachments WHERE account = $1 AND owner_kind = $2 AND owner = $3",
        &[&account, &owner.kind.as_str(), &owner.name],
        |r| r.get(0),
    )?;
    Ok((inline, attached))
}
