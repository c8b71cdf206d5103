//! A bucket policy in a few lines: its statements that concern writing objects (`s3:PutObject`,
//! also through `s3:Put*`, `s3:*`, `*` or a `NotAction` that leaves it in), with who they name
//! and what their conditions require. The document is read through the policy crate
//! ([`read_written`]), which also says which actions a statement covers; deciding a request
//! stays the policy engine's job: this only reports.

use super::{PolicyStatement, PolicySummary};
use trailstack_policy::{read_written, Effect, WrittenStatement};

/// The action a statement must cover to concern object writes.
const PUT_OBJECT: &str = "s3:PutObject";

/// The summary of `policy` (the bucket's policy document, if any). S3 validated the document
/// when it was put; one that no longer reads has no statement to show.
pub(super) fn summarize(policy: Option<&str>) -> PolicySummary {
    let Some(doc) = policy else {
        return PolicySummary {
            present: false,
            writes: Vec::new(),
        };
    };
    let writes = read_written(doc)
        .unwrap_or_default()
        .iter()
        .filter(|st| st.covers_action(PUT_OBJECT))
        .map(statement)
        .collect();
    PolicySummary {
        present: true,
        writes,
    }
}

fn statement(st: &WrittenStatement) -> PolicyStatement {
    let not = |all: &[String]| all.iter().map(|p| format!("not {p}")).collect::<Vec<_>>();
    PolicyStatement {
        sid: st.sid().map(str::to_string),
        effect: match st.effect() {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
        .to_string(),
        principals: [st.principals.clone(), not(&st.not_principals)].concat(),
        resources: [st.resources.clone(), not(&st.not_resources)].concat(),
        conditions: st
            .conditions
            .iter()
            .map(|c| format!("{} {} {}", c.key, c.operator, c.values.join(", ")))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_statements_are_summarized() {
        let doc = r#"{"Version":"2012-10-17","Statement":[
            {"Sid":"Read","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},
            {"Sid":"CT","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},
             "Action":["s3:PutObject"],"Resource":"arn:aws:s3:::b/AWSLogs/1/*",
             "Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control","aws:SourceArn":["a","b"]}}},
            {"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"NotAction":"s3:Get*","Resource":"*"}
        ]}"#;
        let s = summarize(Some(doc));
        assert!(s.present);
        assert_eq!(s.writes.len(), 2);
        assert_eq!(s.writes[0].sid.as_deref(), Some("CT"));
        assert_eq!(s.writes[0].principals, ["cloudtrail.amazonaws.com"]);
        assert_eq!(
            s.writes[0].conditions,
            [
                "aws:SourceArn StringEquals a, b",
                "s3:x-amz-acl StringEquals bucket-owner-full-control"
            ]
        );
        assert_eq!(s.writes[1].effect, "Deny");
        assert_eq!(
            s.writes[1].principals,
            ["not arn:aws:iam::111122223333:root"]
        );
        assert!(!summarize(None).present);
    }
}
