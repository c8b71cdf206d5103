//! Who asks, when the explanation was requested with temporary (`ASIA…`) credentials: the role
//! behind the session (or the user or root that called GetSessionToken), the session's name,
//! issue and expiry, and where its permissions come from — the role's identity policies, the
//! session policies passed at AssumeRole, the permissions boundary — as IAM holds them now, so
//! an explanation made with a session says whose rights "can it be read" was judged by.

use super::{internal, ExplainError, PolicyRef, SessionReport};
use crate::App;
use trailstack_core::{Caller, Principal};
use trailstack_iam::explain_queries::PolicySources;
use trailstack_iam::op::OwnerKind;

/// ISO 8601 with whole seconds, as the rest of the report writes times.
fn iso(t: time::OffsetDateTime) -> String {
    super::iso((t.unix_timestamp_nanos() / 1_000_000) as i64)
}

/// The session behind `caller`'s credentials; `None` for long-term keys.
pub(super) fn report(app: &App, caller: &Caller) -> Result<Option<SessionReport>, ExplainError> {
    let (Some(s), Some(key)) = (&caller.session, &caller.access_key) else {
        return Ok(None);
    };
    let holder = match (&caller.principal, &s.issuer) {
        (Principal::AssumedRole { .. }, Some(role)) => Some((OwnerKind::Role, role.name.as_str())),
        (Principal::User { name }, _) => Some((OwnerKind::User, name.as_str())),
        // A root's session has every right of its account: no policy to name.
        _ => None,
    };
    let sources = match holder {
        Some((kind, name)) => app
            .iam
            .policy_sources(caller.account.as_str(), kind, name)
            .map_err(|e| internal(format!("{e:?}")))?,
        None => PolicySources::default(),
    };
    let session_name = match &caller.principal {
        Principal::AssumedRole { session, .. } => Some(session.clone()),
        _ => None,
    };
    Ok(Some(SessionReport {
        access_key: key.clone(),
        role: s.issuer.as_ref().map(|i| i.arn.clone()),
        session_name,
        issued: iso(s.created),
        expires: iso(s.expires),
        source_identity: s.source_identity.clone(),
        identity_policies: sources
            .identity
            .into_iter()
            .map(|p| PolicyRef {
                kind: p.kind.to_string(),
                name: p.name,
                holder: p.holder,
            })
            .collect(),
        session_policies: app.iam.has_session_policy(key),
        permissions_boundary: sources.boundary,
    }))
}
