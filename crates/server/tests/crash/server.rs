//! A `trailstack serve` child process over a data dir (started, polled until it listens, killed
//! with SIGKILL) and the clients the tests drive it with: no retries, so an acknowledged call
//! is one the server answered, never one a retry hid.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use aws_sdk_s3::config::retry::RetryConfig;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The server binary under test.
pub const BINARY: &str = env!("CARGO_BIN_EXE_trailstack");

/// How often trails deliver, and write digests, in these tests: often enough that kills land
/// in the middle of deliveries.
pub const DELIVERY_INTERVAL: &str = "1s";
pub const DIGEST_INTERVAL: &str = "3s";

/// A running (or starting) server process; SIGKILLed when dropped.
pub struct Proc {
    child: Child,
    log: PathBuf,
    log_start: usize,
}

impl Proc {
    /// Starts `trailstack serve` over `data`, appending its output to `log`. It does not wait:
    /// see [`Proc::ready`].
    pub fn spawn(data: &Path, log: &Path) -> Proc {
        Proc::spawn_with(data, log, &[])
    }

    /// [`Proc::spawn`] with more environment variables.
    pub fn spawn_with(data: &Path, log: &Path, env: &[(&str, &OsStr)]) -> Proc {
        let out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .unwrap();
        let log_start = out.metadata().map(|m| m.len()).unwrap_or(0) as usize;
        let child = Command::new(BINARY)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(["--delivery-interval", DELIVERY_INTERVAL])
            .args(["--digest-interval", DIGEST_INTERVAL, "--data-dir"])
            .arg(data)
            .env("TRAILSTACK_LOG", "warn")
            .env("NO_COLOR", "1")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::from(out.try_clone().unwrap()))
            .stderr(Stdio::from(out))
            .spawn()
            .unwrap();
        Proc {
            child,
            log: log.to_path_buf(),
            log_start,
        }
    }

    /// Waits until the server listens and returns its endpoint; fails if it exits first.
    pub fn ready(&mut self) -> Result<String, String> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let text = std::fs::read_to_string(&self.log).unwrap_or_default();
            let new = &text[self.log_start.min(text.len())..];
            if let Some(i) = new.find("trailstack listening on ") {
                let rest = &new[i + "trailstack listening on ".len()..];
                return Ok(rest.split_whitespace().next().unwrap_or("").to_string());
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "the server exited ({status}) before listening: {new}"
                ));
            }
            if Instant::now() > deadline {
                return Err(format!("the server did not start in 60 s: {new}"));
            }
            std::thread::sleep(Duration::from_millis(3));
        }
    }

    /// Whether the process is still running.
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// What the process wrote since it started.
    pub fn output(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        text[self.log_start.min(text.len())..].to_string()
    }

    /// SIGKILL (std's kill on Unix), then reaped.
    pub fn kill9(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.stop();
    }
}

/// What every client shares: the default account's credentials, us-east-1, `endpoint`, and no
/// retries.
fn sdk_config(endpoint: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .retry_config(RetryConfig::disabled())
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "test", "test", None, None, "test",
        )))
        .build()
}

/// An S3 client that never retries, addressing buckets path-style.
pub fn s3(endpoint: &str) -> aws_sdk_s3::Client {
    let conf = aws_sdk_s3::config::Builder::from(&sdk_config(endpoint)).force_path_style(true);
    aws_sdk_s3::Client::from_conf(conf.build())
}

/// A KMS client that never retries.
pub fn kms(endpoint: &str) -> aws_sdk_kms::Client {
    aws_sdk_kms::Client::new(&sdk_config(endpoint))
}

/// A CloudTrail client that never retries.
pub fn cloudtrail(endpoint: &str) -> aws_sdk_cloudtrail::Client {
    aws_sdk_cloudtrail::Client::new(&sdk_config(endpoint))
}

/// Polls `done` every millisecond until it holds (true) or `limit` has passed (false): how
/// these tests wait for another process, whose time they cannot step.
pub fn poll_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    false
}

/// A small deterministic generator (splitmix64): every random choice of a run comes from one
/// printed seed, so a failing run can be replayed as far as timing allows.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..hi`.
    pub fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo).max(1)
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}
