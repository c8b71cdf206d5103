//! KMS grants, imported key material, data key pairs, key agreement and AWS managed keys through
//! aws-sdk-kms, with acceptance cross-checks outside trailstack: Python `cryptography` (scripts
//! in `py/`) verifies signatures, encrypts for Decrypt, checks key pairs, wraps material for
//! import and derives ECDH secrets.
//!
//! Tests that move time or reach the `App` directly (the KeyService port) run their own
//! in-process server ([`Harness`]) and call KMS through `Kms::call`, the entry HTTP requests
//! use; after the clock moves, SigV4 would reject the SDK's real-time signatures.

mod crosscheck;
mod grants;
mod import;
mod managed;
mod pairs;
mod restart;

use base64::Engine;
use serde_json::Value;
use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::Arc;
use trailstack_core::{AccountId, Caller, Clock, FixedClock, Principal};
use trailstack_server::config::Config;
use trailstack_server::{serve, App};

/// Base64 of bytes.
pub fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

/// The bytes of a base64 JSON string.
pub fn unb64(v: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(v.as_str().unwrap_or_else(|| panic!("not a string: {v}")))
        .unwrap()
}

/// Runs `py/<script>` with `input` as JSON on stdin and returns its JSON answer. The
/// cross-checks are acceptance tests: a missing python3 or `cryptography` fails them.
pub fn py(script: &str, input: Value) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/it/py")
        .join(script);
    // -B: no __pycache__ in the source tree.
    let mut child = Command::new("python3")
        .arg("-B")
        .arg(&path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 is needed for the KMS cross-checks");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{script} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// An in-process server whose `App` the test holds, over a given clock.
pub struct Harness {
    pub app: Arc<App>,
    pub endpoint: String,
    _dir: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Harness {
    /// Starts a server over a fresh data dir with `clock`.
    pub async fn start(clock: Arc<dyn Clock>) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::load(
            None,
            Some("127.0.0.1:0".into()),
            Some(dir.path().join("data")),
            None,
        )
        .unwrap();
        let app = Arc::new(App::open(config, clock).unwrap());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(serve(listener, app.clone(), async move {
            let _ = rx.await;
        }));
        Harness {
            app,
            endpoint: format!("http://{addr}"),
            _dir: dir,
            stop: Some(tx),
        }
    }

    /// A server whose clock stands at the current time until the test moves it.
    pub async fn with_fixed_clock() -> (Harness, Arc<FixedClock>) {
        let clock = Arc::new(FixedClock::new(time::OffsetDateTime::now_utc()));
        (Harness::start(clock.clone()).await, clock)
    }

    /// A KMS client of the default credentials.
    pub fn kms(&self) -> aws_sdk_kms::Client {
        crate::common::Via::new(&self.endpoint).kms()
    }

    /// Calls KMS operation `op` in-process as the default account's root, with a JSON body;
    /// an error comes back as (code, message).
    pub async fn call(&self, op: &str, body: Value) -> Result<Value, (String, String)> {
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

    /// As [`Harness::call`], expecting success.
    pub async fn ok(&self, op: &str, body: Value) -> Value {
        match self.call(op, body).await {
            Ok(v) => v,
            Err((code, message)) => panic!("{op}: {code}: {message}"),
        }
    }

    /// As [`Harness::call`], expecting an error; returns its code.
    pub async fn err(&self, op: &str, body: Value) -> String {
        match self.call(op, body).await {
            Ok(v) => panic!("{op} succeeded: {v}"),
            Err((code, _)) => code,
        }
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

/// The caller the default credentials authenticate as: the root of account 000000000000.
pub fn caller() -> Caller {
    Caller {
        account: AccountId::parse("000000000000").unwrap(),
        principal: Principal::Root,
        access_key: Some("test".into()),
        canonical_id: String::new(),
        display_name: String::new(),
        source_ip: None,
        user_agent: "kms_more".into(),
        request_id: "kms-more-test".into(),
        region: "us-east-1".into(),
        secure_transport: false,
        invoked_by: None,
        host: String::new(),
        auth_method: None,
        signature_version: None,
        source_arn: None,
    }
}
