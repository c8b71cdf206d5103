//! The cluster mode's probe of read-after-write across nodes: through two nodes picked at
//! random, an object put through the first reads back through the second, is deleted through
//! the second and is gone through the first; what KMS encrypts under the CMK on the first, the
//! second decrypts; the second reports the trail logging. A call that fails is excused when a
//! node it called has been killed since it was picked; a wrong answer never is. At the end each
//! acknowledged Encrypt is in the event history (LookupEvents) exactly once.

use crate::server::{self, Rng};
use crate::trail::TRAIL;
use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};
use aws_sdk_kms::operation::RequestId;
use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::primitives::ByteStream;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The probe's objects: in a bucket of their own, outside the model and the trail.
const BUCKET: &str = "probe";

/// Each node's endpoint while it is up, and how many times it has been killed.
#[derive(Clone)]
pub struct Live(Arc<Mutex<Vec<NodeState>>>);

type NodeState = (Option<String>, u64);

/// A node as picked: its index, endpoint and kills so far.
type Picked = (usize, String, u64);

impl Live {
    pub fn new(nodes: usize) -> Live {
        Live(Arc::new(Mutex::new(vec![(None, 0); nodes])))
    }

    pub fn up(&self, i: usize, endpoint: &str) {
        self.0.lock().unwrap()[i].0 = Some(endpoint.to_string());
    }

    /// Marks node `i` down, before it is killed.
    pub fn down(&self, i: usize) {
        let mut nodes = self.0.lock().unwrap();
        nodes[i] = (None, nodes[i].1 + 1);
    }

    /// Two distinct nodes that are up (the same one twice while only one is), or none.
    fn pick(&self, rng: &mut Rng) -> Option<[Picked; 2]> {
        let nodes = self.0.lock().unwrap();
        let up: Vec<Picked> = (0..nodes.len())
            .filter_map(|i| nodes[i].0.clone().map(|e| (i, e, nodes[i].1)))
            .collect();
        if up.is_empty() {
            return None;
        }
        let a = rng.between(0, up.len() as u64) as usize;
        let b = (a + rng.between(1, up.len().max(2) as u64) as usize) % up.len();
        Some([up[a].clone(), up[b].clone()])
    }

    fn killed_since(&self, picked: &[Picked]) -> bool {
        let nodes = self.0.lock().unwrap();
        picked.iter().any(|(i, _, kills)| nodes[*i].1 != *kills)
    }
}

/// Why a round failed.
enum Failure {
    /// A call failed: a finding unless a node it called was killed.
    Call(String),
    /// An answer contradicts an acknowledged write.
    Wrong(String),
}

fn call(what: &str, e: impl std::fmt::Debug) -> Failure {
    Failure::Call(format!("{what}: {e:?}"))
}

/// Creates the probe's bucket.
pub async fn set_up(endpoint: &str) {
    let s3 = server::s3(endpoint);
    s3.create_bucket().bucket(BUCKET).send().await.unwrap();
}

/// What the probe did: rounds passed, and the request ids of the Encrypt calls acknowledged.
#[derive(Debug, Default)]
pub struct Done {
    pub rounds: u64,
    pub encrypts: Vec<String>,
}

/// Probes until `stop`; returns what it did, or the finding.
pub async fn run(
    live: Live,
    cmk_arn: String,
    stop: Arc<AtomicBool>,
    mut rng: Rng,
) -> Result<Done, String> {
    let mut done = Done::default();
    while !stop.load(Ordering::SeqCst) {
        let Some(picked) = live.pick(&mut rng) else {
            tokio::time::sleep(Duration::from_millis(5)).await;
            continue;
        };
        let (a, b) = (&picked[0], &picked[1]);
        match round(&a.1, &b.1, &cmk_arn, &mut rng, &mut done.encrypts).await {
            Ok(()) => done.rounds += 1,
            Err(Failure::Call(_)) if live.killed_since(&picked) => {}
            Err(Failure::Call(e) | Failure::Wrong(e)) => {
                return Err(format!("probe through nodes {} then {}: {e}", a.0, b.0))
            }
        }
    }
    Ok(done)
}

/// The probe's object `key` through `s3`: its bytes, or none.
async fn read(s3: &aws_sdk_s3::Client, key: &str) -> Result<Option<Vec<u8>>, Failure> {
    match s3.get_object().bucket(BUCKET).key(key).send().await {
        Ok(got) => match got.body.collect().await {
            Ok(bytes) => Ok(Some(bytes.into_bytes().to_vec())),
            Err(e) => Err(call("GetObject's body", e)),
        },
        Err(e) if e.code() == Some("NoSuchKey") => Ok(None),
        Err(e) => Err(call("GetObject", e)),
    }
}

async fn round(
    first: &str,
    second: &str,
    cmk_arn: &str,
    rng: &mut Rng,
    encrypts: &mut Vec<String>,
) -> Result<(), Failure> {
    let (s3a, s3b) = (server::s3(first), server::s3(second));
    let key = format!("p{:016x}", rng.next());
    let body = rng
        .next()
        .to_le_bytes()
        .repeat(rng.between(1, 512) as usize);
    s3a.put_object()
        .bucket(BUCKET)
        .key(&key)
        .body(ByteStream::from(body.clone()))
        .send()
        .await
        .map_err(|e| call("PutObject", e))?;
    if read(&s3b, &key).await?.as_ref() != Some(&body) {
        return Err(Failure::Wrong(format!("{key}: put, then not read back")));
    }
    s3b.delete_object()
        .bucket(BUCKET)
        .key(&key)
        .send()
        .await
        .map_err(|e| call("DeleteObject", e))?;
    if read(&s3a, &key).await?.is_some() {
        return Err(Failure::Wrong(format!("{key}: deleted, then found")));
    }
    let plaintext = aws_sdk_kms::primitives::Blob::new(body);
    let sealed = server::kms(first)
        .encrypt()
        .key_id(cmk_arn)
        .plaintext(plaintext.clone())
        .send()
        .await
        .map_err(|e| call("Encrypt", e))?;
    encrypts.push(sealed.request_id().unwrap_or_default().to_string());
    let opened = server::kms(second)
        .decrypt()
        .set_ciphertext_blob(sealed.ciphertext_blob)
        .send()
        .await
        .map_err(|e| call("Decrypt", e))?;
    if opened.plaintext != Some(plaintext) || opened.key_id.as_deref() != Some(cmk_arn) {
        return Err(Failure::Wrong(format!(
            "Decrypt of what the other node encrypted gave key {:?} and other bytes",
            opened.key_id
        )));
    }
    let status = server::cloudtrail(second)
        .get_trail_status()
        .name(TRAIL)
        .send()
        .await
        .map_err(|e| call("GetTrailStatus", e))?;
    if status.is_logging != Some(true) {
        return Err(Failure::Wrong(format!("trail not logging: {status:?}")));
    }
    Ok(())
}

/// Checks through `endpoint` that each of `encrypts` (request ids) is in the event history
/// exactly once, and no Encrypt twice; returns how many Encrypt events it holds.
pub async fn check_history(endpoint: &str, encrypts: &[String]) -> Result<usize, String> {
    let ct = server::cloudtrail(endpoint);
    let by_name = LookupAttribute::builder()
        .attribute_key(LookupAttributeKey::EventName)
        .attribute_value("Encrypt")
        .build()
        .unwrap();
    let (mut by_event, mut by_request) = (HashMap::new(), HashMap::new());
    let mut token = None;
    loop {
        let page = ct
            .lookup_events()
            .lookup_attributes(by_name.clone())
            .max_results(50)
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| format!("LookupEvents: {e:?}"))?;
        for e in page.events() {
            let record: serde_json::Value =
                serde_json::from_str(e.cloud_trail_event().unwrap_or_default())
                    .map_err(|e| format!("LookupEvents: a CloudTrailEvent not JSON: {e}"))?;
            *by_event
                .entry(e.event_id().unwrap_or_default().to_string())
                .or_insert(0) += 1;
            let request = record["requestID"].as_str().unwrap_or_default().to_string();
            *by_request.entry(request).or_insert(0) += 1;
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    let twice: Vec<_> = by_event
        .iter()
        .chain(&by_request)
        .filter(|(_, n)| **n > 1)
        .collect();
    if !twice.is_empty() {
        return Err(format!(
            "Encrypt events in the history more than once: {twice:?}"
        ));
    }
    let missing: Vec<&String> = encrypts
        .iter()
        .filter(|id| !by_request.contains_key(*id))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "{} of {} acknowledged Encrypt calls not in the event history, e.g. {:?}",
            missing.len(),
            encrypts.len(),
            &missing[..missing.len().min(5)]
        ));
    }
    Ok(by_event.len())
}
