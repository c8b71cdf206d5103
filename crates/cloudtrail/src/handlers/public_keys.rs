//! ListPublicKeys: the region's digest signing keys whose validity overlaps the asked range
//! (default: now), as base64 PKCS#1 RSAPublicKey DER with their MD5 fingerprints
//! (docs/aws/cloudtrail-delivery.md §B.5). The current key is created on first need, so a
//! region always has one to list.

use super::{from_seconds, seconds, Scope};
use crate::error::{CloudTrailError, CtResult};
use crate::model::signing;
use crate::op::{ListPublicKeysInput, Output, PublicKeyView};
use crate::CloudTrail;
use base64::Engine;
use trailstack_core::Caller;

/// ListPublicKeys.
pub async fn list(ct: &CloudTrail, caller: &Caller, i: ListPublicKeysInput) -> CtResult<Output> {
    let scope = Scope::of(ct, caller);
    let now = ct.clock.now();
    let now_ms = ct.now_ms();
    let start = i.start_time.map(from_seconds).unwrap_or(now_ms);
    let end = i.end_time.map(from_seconds).unwrap_or(now_ms);
    if start > end {
        return Err(CloudTrailError::InvalidTimeRange(
            "Start time must be before end time.".into(),
        ));
    }
    ct.signing_key(&scope.region, now).await?;
    let region = scope.region.clone();
    let keys = ct
        .read(move |c| Ok(signing::overlapping(c, &region, start, end)?))
        .await?;
    let b64 = base64::engine::general_purpose::STANDARD;
    Ok(Output::PublicKeys {
        public_key_list: keys
            .into_iter()
            .map(|k| PublicKeyView {
                value: b64.encode(&k.public_der),
                validity_start_time: seconds(k.valid_from_ms),
                validity_end_time: seconds(k.valid_to_ms),
                fingerprint: k.fingerprint,
            })
            .collect(),
    })
}
