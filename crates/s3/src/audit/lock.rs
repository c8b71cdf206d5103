//! `requestParameters` of the Object Lock calls: the subresource marker, the version, the
//! bypass header, and the configuration, retention or legal hold document as JSON, as
//! CloudTrail renders S3's XML bodies.

use super::request::{Params, XMLNS};
use crate::model::lock::{Period, Retention};
use crate::op::LockOp;
use serde_json::json;

fn retention_doc(r: &Retention) -> serde_json::Value {
    json!({
        "xmlns": XMLNS,
        "Mode": r.mode.as_str(),
        "RetainUntilDate": crate::model::lock::format_date(r.until_ms),
    })
}

/// Adds what `l` names beyond its bucket and key.
pub fn parameters(p: &mut Params, l: &LockOp) {
    match l {
        LockOp::PutConfiguration { config, .. } => {
            let mut doc = json!({"xmlns": XMLNS, "ObjectLockEnabled": "Enabled"});
            if let Some(d) = &config.default {
                let mut retention = json!({"Mode": d.mode.as_str()});
                match d.period {
                    Period::Days(n) => retention["Days"] = json!(n),
                    Period::Years(n) => retention["Years"] = json!(n),
                }
                doc["Rule"] = json!({"DefaultRetention": retention});
            }
            p.marker("object-lock").set("ObjectLockConfiguration", doc);
        }
        LockOp::GetConfiguration { .. } => {
            p.marker("object-lock");
        }
        LockOp::PutRetention {
            version_id,
            retention,
            bypass_governance,
            ..
        } => {
            let doc = retention
                .as_ref()
                .map_or_else(|| json!({"xmlns": XMLNS}), retention_doc);
            p.marker("retention")
                .opt("versionId", version_id.clone())
                .set("Retention", doc);
            if *bypass_governance {
                p.set("x-amz-bypass-governance-retention", "true");
            }
        }
        LockOp::GetRetention { version_id, .. } => {
            p.marker("retention").opt("versionId", version_id.clone());
        }
        LockOp::PutLegalHold { version_id, on, .. } => {
            let status = if *on { "ON" } else { "OFF" };
            p.marker("legal-hold")
                .opt("versionId", version_id.clone())
                .set("LegalHold", json!({"xmlns": XMLNS, "Status": status}));
        }
        LockOp::GetLegalHold { version_id, .. } => {
            p.marker("legal-hold").opt("versionId", version_id.clone());
        }
    }
}
