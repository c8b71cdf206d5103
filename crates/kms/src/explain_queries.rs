//! Read-only queries for `trailstack explain`: a key as KMS knows it (record and aliases),
//! looked up by key id, key ARN, alias name or alias ARN from the caller's account and region.
//! Nothing here is authorized or recorded as a KMS call: it serves trailstack's own
//! authenticated admin operation, and it changes nothing.

use crate::error::KmsResult;
use crate::handlers::resolve;
use crate::model::aliases::{self, Alias};
use crate::model::keys::KeyRecord;
use crate::Kms;
use trailstack_core::Caller;

/// A limit that lists every alias of a key (the query binds it as an SQLite integer).
const EVERY_ALIAS: usize = i64::MAX as usize;

/// A key and the aliases that point at it.
#[derive(Debug, Clone)]
pub struct KeyFacts {
    /// The key record (state, rotation, manager, deletion date).
    pub record: KeyRecord,
    /// Its aliases, in name order.
    pub aliases: Vec<Alias>,
}

impl Kms {
    /// The key `key` (id, ARN, alias name or alias ARN) names for `caller`, with its aliases;
    /// `NotFoundException` when there is none.
    pub async fn key_facts(&self, caller: &Caller, key: &str) -> KmsResult<KeyFacts> {
        let (kms, caller, key) = (self.clone(), caller.clone(), key.to_string());
        self.read(move |c| {
            let record = resolve(c, &kms, &caller, &key, true)?;
            let aliases = aliases::list(
                c,
                &record.account,
                &record.region,
                Some(&record.key_id),
                "",
                EVERY_ALIAS,
            )?;
            Ok(KeyFacts { record, aliases })
        })
        .await
    }
}
