//! The command line's side of `Trailstack.Explain`: sends the target, reads the
//! [`Explanation`] back.

use super::{ExplainRequest, Explanation, Target};
use crate::admin_client::{self, Credentials};

/// Asks the server at `endpoint` to explain `target`, signing at `time`.
pub fn explain(
    endpoint: &str,
    credentials: &Credentials,
    target: &Target,
    time: time::OffsetDateTime,
) -> Result<Explanation, String> {
    let body = serde_json::to_vec(&ExplainRequest {
        target: target.uri(),
    })
    .map_err(|e| e.to_string())?;
    let answer = admin_client::call(endpoint, credentials, "Trailstack.Explain", &body, time)?;
    serde_json::from_str(&answer).map_err(|e| format!("unreadable answer: {e}"))
}
