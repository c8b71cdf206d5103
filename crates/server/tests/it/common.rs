//! The test server and clients.

use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use std::path::PathBuf;
use std::sync::Arc;
use trailstack_core::SystemClock;
use trailstack_server::config::Config;
use trailstack_server::{serve, App};

/// A running in-process server.
pub struct Server {
    pub endpoint: String,
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
        let config = Config::load(
            None,
            Some("127.0.0.1:0".into()),
            Some(dir.path().join("data")),
            None,
        )
        .unwrap();
        let app = Arc::new(App::open(config, Arc::new(SystemClock)).unwrap());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(serve(listener, app, async move {
            let _ = rx.await;
        }));
        Server {
            endpoint: format!("http://{addr}"),
            dir,
            stop: Some(tx),
        }
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

    /// An S3 client with the default credentials.
    pub fn s3(&self) -> aws_sdk_s3::Client {
        self.s3_with("test", "test")
    }

    /// An S3 client with the given credentials.
    pub fn s3_with(&self, key: &str, secret: &str) -> aws_sdk_s3::Client {
        let conf = aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .endpoint_url(&self.endpoint)
            .force_path_style(true)
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new(key, secret, None, None, "test"))
            .build();
        aws_sdk_s3::Client::from_conf(conf)
    }

    /// A client with a bucket already created.
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

/// The AWS error code of an SDK error.
pub fn code<E: aws_sdk_s3::error::ProvideErrorMetadata, R>(
    e: &aws_sdk_s3::error::SdkError<E, R>,
) -> String {
    e.as_service_error()
        .and_then(|s| s.code())
        .unwrap_or("<none>")
        .to_string()
}

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

/// Deterministic pseudo-random bytes.
pub fn data(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}
