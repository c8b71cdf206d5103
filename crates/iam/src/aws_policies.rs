//! The AWS managed policies trailstack serves (`arn:aws:iam::aws:policy/<name>`): a small set
//! whose documents, versions and dates are those AWS publishes in its managed policy reference.
//! They can be read, attached and set as permissions boundaries like an account's own
//! policies, never changed or deleted.
//!
//! AWS facts: docs/aws/iam-sts.md §8.

use crate::op::{ManagedPolicy, PolicyVersion};
use trailstack_core::unique_id;

/// The ARN prefix of every AWS managed policy.
pub const PREFIX: &str = "arn:aws:iam::aws:policy/";

/// One AWS managed policy as published.
pub struct AwsPolicy {
    pub name: &'static str,
    pub description: &'static str,
    /// The default version's number (`v<n>`).
    pub version: u32,
    /// Creation and last edit, Unix milliseconds.
    pub created_ms: i64,
    pub updated_ms: i64,
    pub document: &'static str,
}

/// The set, by name.
pub const POLICIES: &[AwsPolicy] = &[
    AwsPolicy {
        name: "AWSKeyManagementServicePowerUser",
        description: "Provides access to AWS Key Management Service (KMS).",
        version: 2,
        // 2015-02-06T18:40Z, 2017-03-07T00:55Z
        created_ms: 1_423_248_000_000,
        updated_ms: 1_488_848_100_000,
        document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:CreateAlias","kms:CreateKey","kms:DeleteAlias","kms:Describe*","kms:GenerateRandom","kms:Get*","kms:List*","kms:TagResource","kms:UntagResource","iam:ListGroups","iam:ListRoles","iam:ListUsers"],"Resource":"*"}]}"#,
    },
    AwsPolicy {
        name: "AdministratorAccess",
        description: "Provides full access to AWS services and resources.",
        version: 1,
        // 2015-02-06T18:39Z
        created_ms: 1_423_247_940_000,
        updated_ms: 1_423_247_940_000,
        document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    },
    AwsPolicy {
        name: "AmazonS3ReadOnlyAccess",
        description: "Provides read only access to all buckets via the AWS Management Console.",
        version: 3,
        // 2015-02-06T18:40Z, 2023-08-10T21:31Z
        created_ms: 1_423_248_000_000,
        updated_ms: 1_691_703_060_000,
        document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*","s3:Describe*","s3-object-lambda:Get*","s3-object-lambda:List*"],"Resource":"*"}]}"#,
    },
];

/// The AWS managed policy `arn` names, if trailstack serves it.
pub fn get(arn: &str) -> Option<&'static AwsPolicy> {
    let name = arn.strip_prefix(PREFIX)?;
    POLICIES.iter().find(|p| p.name == name)
}

impl AwsPolicy {
    /// Its ARN.
    pub fn arn(&self) -> String {
        format!("{PREFIX}{}", self.name)
    }

    /// As GetPolicy describes it, attached `attachments` times in the caller's account.
    pub fn managed(&self, attachments: u32) -> ManagedPolicy {
        self.managed_with(attachments, 0)
    }

    /// As GetPolicy describes it, also bounding `boundary_uses` users and roles.
    pub fn managed_with(&self, attachments: u32, boundary_uses: u32) -> ManagedPolicy {
        ManagedPolicy {
            name: self.name.to_string(),
            id: unique_id("ANPA", "aws", self.name),
            arn: self.arn(),
            path: "/".to_string(),
            default_version: self.version,
            attachments,
            boundary_uses,
            description: self.description.to_string(),
            created_ms: self.created_ms,
            updated_ms: self.updated_ms,
        }
    }

    /// Its default version, the only one served.
    pub fn default_version(&self) -> PolicyVersion {
        PolicyVersion {
            version: self.version,
            document: Some(self.document.to_string()),
            default: true,
            created_ms: self.updated_ms,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_parse_and_names_are_sorted() {
        for p in POLICIES {
            trailstack_policy::Policy::parse_as(
                p.document,
                trailstack_policy::PolicyKind::Identity,
            )
            .unwrap_or_else(|e| panic!("{}: {}", p.name, e.message));
            assert_eq!(get(&p.arn()).map(|f| f.name), Some(p.name));
        }
        assert!(POLICIES.windows(2).all(|w| w[0].name < w[1].name));
        assert!(get("arn:aws:iam::aws:policy/Unknown").is_none());
    }
}
