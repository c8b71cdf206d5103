//! Digest files: per trail and region, every digest interval from when validation started, a
//! signed list of the log files delivered in the period, chained to the previous digest by its
//! hash and signature; a final digest when logging stops, validation is turned off or the
//! trail is deleted (docs/aws/cloudtrail-delivery.md §B).

use super::format::{self, Digest, DigestLogFile, PreviousDigest};
use super::{Delivery, Outcome};
use crate::model::{delivered_files, delivery_state, trails};
use crate::recorder::render::iso_seconds;
use crate::{millis, CtResult, DeliveryStatus};
use std::collections::BTreeMap;
use time::OffsetDateTime;
use trailstack_core::PutObjectRequest;

/// Most overdue periods one tick catches up on per chain (after a long pause).
const MAX_PERIODS_PER_TICK: usize = 48;

fn at(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

fn whole_seconds(ms: i64) -> i64 {
    ms.div_euclid(1000) * 1000
}

impl Delivery {
    /// Opens a chain for every logging trail with validation that has none in its home
    /// region, then writes what is due on every chain.
    pub(super) async fn digests(
        &self,
        now: OffsetDateTime,
        close_periods: bool,
        outcome: &mut Outcome,
    ) -> CtResult<()> {
        let now_ms = whole_seconds(millis(now));
        let mut starting = Vec::new();
        for r in self.ct.routes().iter().filter(|r| r.log_file_validation) {
            let arn = r.arn.clone();
            let Some(trail) = self.read(move |c| trails::get(c, &arn)).await? else {
                continue;
            };
            starting.push(delivery_state::Chain {
                trail_arn: r.arn.clone(),
                region: r.home_region.clone(),
                account: r.account.clone(),
                name: r.name.clone(),
                home_region: r.home_region.clone(),
                bucket: r.bucket.clone(),
                prefix: r.prefix.clone(),
                period_start_ms: super::chain_start(&trail, now_ms),
                previous: None,
            });
        }
        self.write(move |c| {
            for ch in &starting {
                delivery_state::open_chain(c, ch)?;
            }
            Ok(())
        })
        .await?;
        let interval_ms = self.digest_interval.as_millis() as i64;
        for mut chain in self.read(delivery_state::chains).await? {
            let arn = chain.trail_arn.clone();
            let trail = self.read(move |c| trails::get(c, &arn)).await?;
            let live = trail
                .as_ref()
                .is_some_and(|t| t.logging && t.config.log_file_validation);
            if !live {
                // The final digest of the chain, covering up to now — once the log files still
                // in flight are stored, so that it lists them (a chain closed before would leave
                // them to a second chain after the final digest).
                let (arn, region) = (chain.trail_arn.clone(), chain.region.clone());
                if self
                    .read(move |c| delivery_state::has_in_flight(c, &arn, &region))
                    .await?
                {
                    continue;
                }
                if now_ms > chain.period_start_ms
                    && !self.write_digest(&chain, now_ms, now, outcome).await?
                {
                    continue;
                }
                let (arn, region) = (chain.trail_arn.clone(), chain.region.clone());
                self.write(move |c| delivery_state::close_chain(c, &arn, &region))
                    .await?;
                continue;
            }
            if close_periods {
                if now_ms > chain.period_start_ms {
                    self.write_digest(&chain, now_ms, now, outcome).await?;
                }
                continue;
            }
            for _ in 0..MAX_PERIODS_PER_TICK {
                let end_ms = chain.period_start_ms + interval_ms;
                if end_ms > now_ms || interval_ms <= 0 {
                    break;
                }
                if !self.write_digest(&chain, end_ms, now, outcome).await? {
                    break;
                }
                let (arn, region) = (chain.trail_arn.clone(), chain.region.clone());
                match self
                    .read(move |c| delivery_state::get_chain(c, &arn, &region))
                    .await?
                {
                    Some(next) => chain = next,
                    None => break,
                }
            }
        }
        Ok(())
    }

    /// Writes the digest of `chain` for the period ending at `end_ms`; true when stored.
    async fn write_digest(
        &self,
        chain: &delivery_state::Chain,
        end_ms: i64,
        now: OffsetDateTime,
        outcome: &mut Outcome,
    ) -> CtResult<bool> {
        let (arn, region) = (chain.trail_arn.clone(), chain.region.clone());
        let files = self
            .read(move |c| delivery_state::undigested(c, &arn, &region, end_ms))
            .await?;
        let end = at(end_ms);
        let key = format::digest_key(
            chain.prefix.as_deref(),
            &chain.account,
            &chain.region,
            &chain.name,
            &chain.home_region,
            end,
        );
        let (fingerprint, signer) = self.ct.signing_key(&chain.home_region, now).await?;
        let log_files: Vec<DigestLogFile> = files
            .iter()
            .map(|f| DigestLogFile {
                s3_bucket: f.bucket.clone(),
                s3_object: f.key.clone(),
                hash_value: f.sha256.clone().unwrap_or_default(),
                hash_algorithm: "SHA-256",
                newest_event_time: iso_seconds(at(f.newest_ms.unwrap_or(end_ms))),
                oldest_event_time: iso_seconds(at(f.oldest_ms.unwrap_or(end_ms))),
            })
            .collect();
        let newest = files.iter().filter_map(|f| f.newest_ms).max();
        let oldest = files.iter().filter_map(|f| f.oldest_ms).min();
        let mut digest = Digest {
            aws_account_id: chain.account.clone(),
            digest_start_time: iso_seconds(at(chain.period_start_ms)),
            digest_end_time: iso_seconds(end),
            digest_s3_bucket: chain.bucket.clone(),
            digest_s3_object: key.clone(),
            digest_public_key_fingerprint: fingerprint,
            digest_signature_algorithm: "SHA256withRSA",
            newest_event_time: newest.map(|ms| iso_seconds(at(ms))),
            oldest_event_time: oldest.map(|ms| iso_seconds(at(ms))),
            previous_digest_s3_bucket: None,
            previous_digest_s3_object: None,
            previous_digest_hash_value: None,
            previous_digest_hash_algorithm: None,
            previous_digest_signature: None,
            log_files,
        };
        let previous = chain
            .previous
            .as_ref()
            .map(|(bucket, key, hash, signature)| PreviousDigest {
                bucket: bucket.clone(),
                key: key.clone(),
                hash: hash.clone(),
                signature: signature.clone(),
            });
        digest.chain(previous.as_ref());
        let doc = digest.to_bytes();
        let hash = format::sha256_hex(&doc);
        let signature =
            hex::encode(signer.sign(format::string_to_sign(&digest, &hash).as_bytes())?);
        let request = PutObjectRequest {
            bucket: chain.bucket.clone(),
            key: key.clone(),
            body: format::gzip(&doc),
            content_type: Some("application/json".into()),
            content_encoding: None,
            acl: Some("bucket-owner-full-control".into()),
            sse: super::DIGEST_FILE_SSE,
            metadata: BTreeMap::from([
                ("signature".to_string(), signature.clone()),
                (
                    "signature-algorithm".to_string(),
                    "SHA256withRSA".to_string(),
                ),
            ]),
        };
        let caller = self.caller(&chain.account, &chain.region, &chain.trail_arn)?;
        let attempt_ms = millis(now);
        match self.ct.objects.put_object(&caller, request).await {
            Ok(_) => {
                let ids: Vec<i64> = files.iter().map(|f| f.id).collect();
                // What this digest lists: its log files and the digest before it.
                let listed: Vec<(String, String)> = files
                    .iter()
                    .map(|f| (f.bucket.clone(), f.key.clone()))
                    .chain(
                        chain
                            .previous
                            .as_ref()
                            .map(|(b, k, _, _)| (b.clone(), k.clone())),
                    )
                    .collect();
                let record = delivered_files::Delivered {
                    bucket: chain.bucket.clone(),
                    key: key.clone(),
                    digest: true,
                    trail_arn: chain.trail_arn.clone(),
                    region: chain.region.clone(),
                    delivered_ms: attempt_ms,
                    sha256: hash.clone(),
                    start_ms: chain.period_start_ms,
                    end_ms,
                    entries: files.len() as i64,
                    listed_by: None,
                };
                let ch = chain.clone();
                let bucket = chain.bucket.clone();
                let status = DeliveryStatus {
                    digest: true,
                    attempt_ms,
                    error: None,
                };
                self.write(move |c| {
                    delivery_state::mark_digested(c, &ids)?;
                    delivery_state::advance_chain(
                        c,
                        &ch,
                        end_ms,
                        (&bucket, &key, &hash, &signature),
                    )?;
                    delivered_files::record(c, &record)?;
                    for (b, k) in &listed {
                        delivered_files::mark_listed(c, b, k, (&bucket, &key))?;
                    }
                    trails::record_delivery(c, &ch.trail_arn, &status)?;
                    Ok(())
                })
                .await?;
                outcome.digests += 1;
                Ok(true)
            }
            Err(e) => {
                tracing::info!("digest delivery to {} failed: {e}", chain.bucket);
                self.failed(&chain.trail_arn, true, attempt_ms, e.code, outcome)
                    .await
            }
        }
    }
}
