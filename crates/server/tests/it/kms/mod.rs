//! KMS through aws-sdk-kms: keys and aliases (`keys`), cryptography (`crypto`), grants,
//! imported key material, data key pairs and key agreement, the AWS managed key, restarts, and
//! acceptance cross-checks outside trailstack: Python `cryptography` (scripts in `py/`)
//! verifies signatures, encrypts for Decrypt, checks key pairs, wraps material for import and
//! derives ECDH secrets.
//!
//! Tests that move time or reach the `App` directly (the KeyService port) call KMS in-process
//! through `Kms::call`, the entry HTTP requests use ([`Server::kms_call`]); after the clock
//! moves, SigV4 would reject the SDK's real-time signatures.

mod aws_managed_key;
mod crypto;
mod grants;
mod imported_material;
mod key_pairs_and_agreement;
mod keys;
mod python_crosscheck;
mod survives_restart;

use crate::common::{b64, ok, py, unb64, Server};
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::KeyAgreementAlgorithmSpec;
use serde_json::{json, Value};
use std::sync::Arc;
use trailstack_core::{AccountId, Caller, FixedClock, Principal};

/// A Python ECDH peer (`py/ecdh.py`) of the key agreement key whose public key is `public`:
/// the peer's public key and the secret it derived.
pub fn ecdh_peer(public: &[u8]) -> Value {
    py("ecdh.py", json!({"kms_public_key": b64(public)}))
}

/// DeriveSharedSecret (ECDH) of key `id` with `peer`'s public key; asserts KMS derived the
/// secret the peer did (`context` says which case failed).
pub async fn assert_agrees_with(
    k: &aws_sdk_kms::Client,
    id: &str,
    peer: &Value,
    context: &str,
) -> aws_sdk_kms::operation::derive_shared_secret::DeriveSharedSecretOutput {
    let out = ok!(k
        .derive_shared_secret()
        .key_id(id)
        .key_agreement_algorithm(KeyAgreementAlgorithmSpec::Ecdh)
        .public_key(Blob::new(unb64(&peer["public_key"]))));
    assert_eq!(
        out.shared_secret().unwrap().as_ref(),
        unb64(&peer["shared_secret"]).as_slice(),
        "{context}"
    );
    out
}

/// A server whose clock stands at the current time until the test moves it.
pub async fn with_fixed_clock() -> (Server, Arc<FixedClock>) {
    let clock = Arc::new(FixedClock::new(time::OffsetDateTime::now_utc()));
    let s = Server::start_clocked(tempfile::tempdir().unwrap(), clock.clone(), |_| {}).await;
    (s, clock)
}

impl Server {
    /// Calls KMS operation `op` in-process as the default account's root, with a JSON body;
    /// an error comes back as (code, message).
    pub async fn kms_call(&self, op: &str, body: Value) -> Result<Value, (String, String)> {
        let parsed =
            trailstack_kms::wire::parse(&format!("TrentService.{op}"), body.to_string().as_bytes())
                .map_err(|e| (e.code().to_string(), e.message()))?;
        self.app
            .kms
            .call(&caller(), parsed)
            .await
            .map(|out| out.to_json().expect("KMS output serializes"))
            .map_err(|e| (e.code().to_string(), e.message()))
    }

    /// As [`Server::kms_call`], expecting success.
    pub async fn kms_ok(&self, op: &str, body: Value) -> Value {
        match self.kms_call(op, body).await {
            Ok(v) => v,
            Err((code, message)) => panic!("{op}: {code}: {message}"),
        }
    }

    /// As [`Server::kms_call`], expecting an error; returns its code.
    pub async fn kms_err(&self, op: &str, body: Value) -> String {
        match self.kms_call(op, body).await {
            Ok(v) => panic!("{op} succeeded: {v}"),
            Err((code, _)) => code,
        }
    }
}

/// The caller the default credentials authenticate as: the root of account 000000000000.
pub fn caller() -> Caller {
    let account = AccountId::parse("000000000000").unwrap();
    Caller {
        access_key: Some("test".into()),
        user_agent: "it-kms".into(),
        ..Caller::new(account, Principal::Root, "us-east-1", "it-kms-test".into())
    }
}
