//! The real `trailstack serve` process, for what only the binary shows: its start-up checks,
//! its log output, its signals. Output (stdout and stderr) goes to a log file the test reads.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// A running `trailstack serve`; killed when dropped.
pub struct Binary {
    pub child: Child,
    /// `http://host:port`.
    pub endpoint: String,
    pub log: PathBuf,
}

/// `trailstack serve --listen 127.0.0.1:0 --data-dir <data> <args>` with `envs`, its output
/// appended to `log`.
pub fn command(data: &Path, log: &Path, args: &[&str], envs: &[(&str, &str)]) -> Command {
    let out = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_trailstack"));
    // Only what the test says configures the server.
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("TRAILSTACK_") {
            cmd.env_remove(k);
        }
    }
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data)
        .args(args)
        .env("NO_COLOR", "1")
        .envs(envs.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::from(out.try_clone().unwrap()))
        .stderr(Stdio::from(out));
    cmd
}

impl Binary {
    /// Starts the server and waits (up to 30 s) until it listens.
    pub fn start(data: &Path, log: &Path, args: &[&str], envs: &[(&str, &str)]) -> Binary {
        let start = std::fs::metadata(log).map(|m| m.len()).unwrap_or(0) as usize;
        let child = command(data, log, args, envs).spawn().unwrap();
        let mut b = Binary {
            child,
            endpoint: String::new(),
            log: log.to_path_buf(),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        let marker = "trailstack listening on ";
        loop {
            let text = std::fs::read_to_string(log).unwrap_or_default();
            let new = &text[start.min(text.len())..];
            if let Some(i) = new.find(marker) {
                let rest = &new[i + marker.len()..];
                b.endpoint = rest.split_whitespace().next().unwrap().to_string();
                return b;
            }
            if let Some(status) = b.child.try_wait().unwrap() {
                panic!("the server exited with {status}: {new}");
            }
            assert!(Instant::now() < deadline, "the server did not start: {new}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// `host:port`.
    pub fn authority(&self) -> &str {
        self.endpoint.trim_start_matches("http://")
    }

    /// Sends `signal` (e.g. `TERM`) to the process.
    pub fn signal(&self, signal: &str) {
        let ok = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -{signal} failed");
    }

    /// Waits up to `limit` for the process to exit.
    pub fn wait_exit(&mut self, limit: Duration) -> ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Everything the process wrote so far.
    pub fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `trailstack serve` expecting it to refuse to start; returns its exit status and output.
pub fn refused(data: &Path, args: &[&str]) -> (ExitStatus, String) {
    let log = data.with_extension("log");
    let mut child = command(data, &log, args, &[]).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!(
                "the server started: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (status, std::fs::read_to_string(&log).unwrap_or_default())
}

/// An S3 client for `endpoint` with the given credentials and no retries.
pub fn s3_at(endpoint: &str, key: &str, secret: &str) -> aws_sdk_s3::Client {
    crate::common::Via::new(endpoint)
        .signing_as(key, secret)
        .no_retries()
        .s3()
}
