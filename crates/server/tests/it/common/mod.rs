//! The shared harness: the in-process server, its configuration from a TOML of users, and the
//! error readers and data makers every test file uses. Clients, raw requests, query-protocol
//! calls, IAM set-up, SSE request headers, the users of the configuration and per-service
//! set-up live in the submodules, all re-exported here.

mod clients;
mod cloudtrail;
mod iam;
mod kms;
mod python;
mod query;
mod raw;
mod s3;
mod sse;
mod users;

pub use clients::*;
pub use cloudtrail::*;
pub use iam::*;
pub use kms::*;
pub use python::*;
pub use query::*;
pub use raw::*;
pub use s3::*;
pub use sse::*;
pub use users::*;

use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use std::path::PathBuf;
use std::sync::Arc;
use trailstack_core::SystemClock;
use trailstack_server::config::{Config, Database};
use trailstack_server::{serve, App};

/// A running in-process server.
pub struct Server {
    pub endpoint: String,
    /// The services behind the port, for calls tests make in-process (ports, ticks).
    pub app: Arc<App>,
    pub dir: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Server {
    /// Starts a server over a fresh data dir.
    pub async fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        Self::start_in(dir).await
    }

    /// Starts a server over `dir` (for restart tests).
    pub async fn start_in(dir: tempfile::TempDir) -> Server {
        Self::start_configured(dir, |_| {}).await
    }

    /// Starts a server over a fresh data dir with its configuration adjusted by `adjust`.
    pub async fn start_configured(
        dir: tempfile::TempDir,
        adjust: impl FnOnce(&mut Config),
    ) -> Server {
        Self::start_clocked(dir, Arc::new(SystemClock), adjust).await
    }

    /// Starts a server over `dir` whose services read `clock`, with its configuration
    /// adjusted by `adjust`.
    pub async fn start_clocked(
        dir: tempfile::TempDir,
        clock: Arc<dyn trailstack_core::Clock>,
        adjust: impl FnOnce(&mut Config),
    ) -> Server {
        let mut config = Config::load(
            None,
            Some("127.0.0.1:0".into()),
            Some(dir.path().join("data")),
            None,
        )
        .unwrap();
        // The same tests run on PostgreSQL when CI names one (.ci/with-postgres).
        if let Some(url) = trailstack_store::testing::server_database(dir.path()) {
            config.database = Database::Postgres { url, readers: 4 };
        }
        adjust(&mut config);
        let app = Arc::new(App::open(config, clock).unwrap());
        let watcher = trailstack_server::spawn_change_watcher(&app);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(serve(listener, app.clone(), async move {
            let _ = rx.await;
            if let Some(w) = watcher {
                w.abort();
            }
        }));
        Server {
            endpoint: format!("http://{addr}"),
            app,
            dir,
            stop: Some(tx),
        }
    }

    /// Starts a server over a fresh data dir whose users are those of the TOML configuration
    /// `users`.
    pub async fn start_as(users: &str) -> Server {
        Self::start_as_with(users, |_| {}).await
    }

    /// As [`Server::start_as`], with the configuration further adjusted by `adjust`.
    pub async fn start_as_with(users: &str, adjust: impl FnOnce(&mut Config)) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let ids = identities(&dir, users);
        Self::start_configured(dir, move |c| {
            c.identities = ids;
            adjust(c);
        })
        .await
    }

    /// Stops the server and returns its data dir.
    pub fn stop(mut self) -> tempfile::TempDir {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        let dir = tempfile::tempdir().unwrap();
        std::mem::replace(&mut self.dir, dir)
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// A client with a bucket already created.
    /// Starts a server (as [`Server::start`]) holding the new bucket `name`; the server and an
    /// S3 client of the default credentials.
    pub async fn start_with_bucket(name: &str) -> (Server, aws_sdk_s3::Client) {
        let s = Server::start().await;
        let c = s.with_bucket(name).await;
        (s, c)
    }

    pub async fn with_bucket(&self, name: &str) -> aws_sdk_s3::Client {
        let c = self.s3();
        c.create_bucket().bucket(name).send().await.unwrap();
        c
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

/// `trailstack flush` against `s` as the default account's root: its JSON answer, or why not.
pub async fn flush_as_cli(s: &Server) -> Result<String, String> {
    let endpoint = s.endpoint.clone();
    tokio::task::spawn_blocking(move || {
        trailstack_server::flush::flush(
            &endpoint,
            &trailstack_server::admin_client::Credentials {
                access_key: "test".into(),
                secret_key: "test".into(),
                region: "us-east-1".into(),
                session_token: None,
            },
        )
    })
    .await
    .unwrap()
}

/// The identities of the TOML configuration `users`, read through a file in `dir` as the
/// binary reads its configuration.
pub fn identities(
    dir: &tempfile::TempDir,
    users: &str,
) -> std::collections::HashMap<String, trailstack_server::config::Identity> {
    let file = dir.path().join("users.toml");
    std::fs::write(&file, users).unwrap();
    Config::load(Some(&file), None, None, None)
        .unwrap()
        .identities
}

/// The AWS error code of an SDK error (S3, KMS and CloudTrail errors are the same type).
pub fn code<E: ProvideErrorMetadata, R>(e: &SdkError<E, R>) -> String {
    let code = e.as_service_error().and_then(|s| s.code());
    code.unwrap_or("<none>").to_string()
}

/// The message of an SDK error's service error, empty when it has none.
pub fn message<E: ProvideErrorMetadata, R>(e: &SdkError<E, R>) -> String {
    let message = e.as_service_error().and_then(|s| s.message());
    message.unwrap_or("").to_string()
}

/// `code status` of an SDK call that failed, `ok` of one that succeeded.
macro_rules! outcome {
    ($call:expr) => {
        match $call.send().await {
            Ok(_) => "ok".to_string(),
            Err(e) => format!(
                "{} {}",
                $crate::common::code(&e),
                $crate::common::status(&e)
            ),
        }
    };
}
pub(crate) use outcome;

/// The output of an SDK call that must succeed (a failure panics with the SDK's error).
macro_rules! ok {
    ($call:expr) => {
        $call.send().await.unwrap()
    };
}
pub(crate) use ok;

/// The error of an SDK call that must fail.
macro_rules! err {
    ($call:expr) => {
        $call.send().await.expect_err("the call should fail")
    };
}
pub(crate) use err;

/// The AWS error code of an SDK call that must fail.
macro_rules! fails {
    ($call:expr) => {
        $crate::common::code(&$crate::common::err!($call))
    };
}
pub(crate) use fails;

/// Asserts that an SDK call fails with the AWS error code `code` (a message may follow).
macro_rules! assert_fails {
    ($call:expr, $code:expr $(, $($msg:tt)+)?) => {
        assert_eq!($crate::common::fails!($call), $code $(, $($msg)+)?)
    };
}
pub(crate) use assert_fails;

/// Asserts the outcome of an SDK call, `code status` or `ok` (a message may follow).
macro_rules! assert_outcome {
    ($call:expr, $want:expr $(, $($msg:tt)+)?) => {
        assert_eq!($crate::common::outcome!($call), $want $(, $($msg)+)?)
    };
}
pub(crate) use assert_outcome;

/// The HTTP status of an SDK error.
pub fn status<E>(
    e: &aws_sdk_s3::error::SdkError<E, aws_sdk_s3::config::http::HttpResponse>,
) -> u16 {
    e.raw_response().map(|r| r.status().as_u16()).unwrap_or(0)
}

/// Collects a GetObject body.
pub async fn body_bytes(out: aws_sdk_s3::operation::get_object::GetObjectOutput) -> Vec<u8> {
    out.body.collect().await.unwrap().into_bytes().to_vec()
}

/// Deterministic pseudo-random bytes (the ones the benchmarks send too).
pub use trailstack_fixtures::pseudo_random as data;

/// `pairs` as owned strings, to compare with what a test collected.
pub fn owned_pairs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// Every file below `dir`, at any depth, appended to `out`.
pub fn files_under(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// `host:port` of a running server.
pub fn host_of(s: &Server) -> String {
    s.endpoint.trim_start_matches("http://").to_string()
}

/// The account of the default credentials.
pub const ACCOUNT: &str = "000000000000";
