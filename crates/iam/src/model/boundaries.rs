//! The permissions boundaries of users and roles: which managed policy of the account caps each
//! one's identity policies. Rows and queries.

use crate::op::Owner;
use trailstack_store::Conn;

type SqlResult<T> = trailstack_store::sql::Result<T>;

/// Sets the owner's boundary to the account's managed policy `policy_name` (an AWS managed
/// policy: its ARN).
pub fn put(c: &Conn, account: &str, owner: &Owner, policy_name: &str) -> SqlResult<()> {
    c.execute(
        "INSERT INTO iam_boundaries (account, owner_kind, owner, policy_name)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (account, owner_kind, owner) DO UPDATE SET policy_name = excluded.policy_name",
        &[&account, &owner.kind.as_str(), &owner.name, &policy_name],
    )?;
    Ok(())
}

/// Removes the owner's boundary, if it has one.
pub fn delete(c: &Conn, account: &str, owner: &Owner) -> SqlResult<()> {
    c.execute(
        "DELETE FROM iam_boundaries WHERE account = $1 AND owner_kind = $2 AND owner = $3",
        &[&account, &owner.kind.as_str(), &owner.name],
    )?;
    Ok(())
}

/// The ARN of the owner's boundary policy, if it has one.
pub fn get(c: &Conn, account: &str, owner: &Owner) -> SqlResult<Option<String>> {
    c.query_opt(
        "SELECT b.policy_name, p.path FROM iam_boundaries b
         LEFT JOIN iam_policies p ON p.account = b.account AND p.name = b.policy_name
         WHERE b.account = $1 AND b.owner_kind = $2 AND b.owner = $3",
        &[&account, &owner.kind.as_str(), &owner.name],
        |r| {
            let (stored, path) = r.decode()?;
            Ok(super::policies::stored_arn(account, stored, path))
        },
    )
}

/// Every boundary that is an AWS managed policy: (account, owner kind, owner, policy ARN).
pub fn all_aws(c: &Conn) -> SqlResult<Vec<(String, String, String, String)>> {
    super::policies::naming_aws_policies(c, "iam_boundaries")
}

/// One boundary as the directory reads it: account, owner kind, owner, policy ARN, document.
pub type BoundaryRow = (String, String, String, String, String);

/// Every boundary with its policy's ARN and default document.
pub fn all_documents(c: &Conn) -> SqlResult<Vec<BoundaryRow>> {
    c.query(
        "SELECT b.account, b.owner_kind, b.owner, p.path, p.name, v.document
         FROM iam_boundaries b
         JOIN iam_policies p ON p.account = b.account AND p.name = b.policy_name
         JOIN iam_policy_versions v ON v.account = p.account AND v.name = p.name
              AND v.version = p.default_version",
        &[],
        |r| {
            let account: String = r.get(0)?;
            let (path, name): (String, String) = (r.get(3)?, r.get(4)?);
            let arn = super::policies::policy_arn(&account, &path, &name);
            Ok((account, r.get(1)?, r.get(2)?, arn, r.get(5)?))
        },
    )
}
