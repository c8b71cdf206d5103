//! CreateGrant, ListGrants, ListRetirableGrants, RetireGrant, RevokeGrant.

use super::{record, GrantConstraints, Named};
use crate::model::grants::GrantOperation;

shapes! {
    /// CreateGrant's request.
    input CreateGrantInput {
        key_id: String,
        grantee_principal: String,
        retiring_principal: String,
        operations: Vec<Named<GrantOperation>>,
        #[serde(serialize_with = "record::constraints")]
        constraints: GrantConstraints,
        #[serde(skip_serializing)]
        grant_tokens: Vec<String>,
        name: String,
        dry_run: bool,
    }

    /// CreateGrant's answer; its record logs the id, never the token.
    output CreateGrantOutput {
        grant_token: String,
        grant_id: String,
    }

    /// ListGrants' request.
    input ListGrantsInput {
        limit: i64,
        marker: String,
        key_id: String,
        grant_id: String,
        grantee_principal: String,
    }

    /// ListRetirableGrants' request.
    input ListRetirableGrantsInput {
        limit: i64,
        marker: String,
        retiring_principal: String,
    }

    /// One grant of ListGrants and ListRetirableGrants.
    output GrantListEntry {
        key_id: String,
        grant_id: String,
        /// Epoch seconds.
        creation_date: f64,
        grantee_principal: String,
        /// `arn:aws:iam::<account>:root`.
        issuing_account: String,
        operations: Vec<GrantOperation>,
        #[serde(skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        retiring_principal: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        constraints: Option<GrantConstraints>,
    }

    /// ListGrants' answer (ListRetirableGrants answers the same shape, as in AWS).
    page ListGrantsOutput { grants: GrantListEntry }

    /// RetireGrant's request. The grant token is a bearer credential: never recorded.
    input RetireGrantInput {
        #[serde(skip_serializing)]
        grant_token: String,
        key_id: String,
        grant_id: String,
        dry_run: bool,
    }

    /// RevokeGrant's request.
    input RevokeGrantInput {
        key_id: String,
        grant_id: String,
        dry_run: bool,
    }
}
