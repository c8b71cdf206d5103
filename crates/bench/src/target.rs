//! The targets: trailstack (the release binary on a fresh temp data dir, with the delivery
//! interval the caller asks for), moto
//! (`moto_server`), the limit server (this binary's `limit-server` subcommand), each started
//! as its own process on a free loopback port and killed when dropped; or any running S3
//! endpoint given by URL (no CPU accounting).
//!
//! Must not touch: the targets' state, beyond what the scenarios send over HTTP.

use crate::procstat;
use crate::runner::Endpoint;
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What to run or reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetKind {
    /// `BIN serve --listen ADDR --data-dir TEMP ARGS...`, with `ENV`.
    Trailstack {
        /// The `trailstack` binary.
        bin: PathBuf,
        /// Further `serve` arguments, e.g. `--delivery-interval 1s`.
        args: Vec<String>,
        /// Environment variables set for it besides `TRAILSTACK_LOG`.
        env: Vec<(String, String)>,
    },
    /// `moto_server -H 127.0.0.1 -p PORT`.
    Moto,
    /// `BIN limit-server --listen ADDR --big-size N --big-file TEMP/big-object`.
    Limit {
        /// The `trailstack-bench` binary.
        bin: PathBuf,
        /// Size of the large objects it serves.
        big_size: u64,
    },
    /// An S3 endpoint already running, `http://host:port`.
    Url(String),
}

impl TargetKind {
    /// The name in the report.
    pub fn name(&self) -> &'static str {
        match self {
            TargetKind::Trailstack { .. } => "trailstack",
            TargetKind::Moto => "moto",
            TargetKind::Limit { .. } => "limit",
            TargetKind::Url(_) => "endpoint",
        }
    }
}

/// A running target.
pub struct Target {
    /// The name in the report.
    pub name: &'static str,
    /// Where to send, and the PID for CPU accounting.
    pub endpoint: Endpoint,
    child: Option<Child>,
    log: Option<PathBuf>,
    _dir: Option<tempfile::TempDir>,
}

/// `BIN serve --listen LISTEN --data-dir DATA ARGS...` with `TRAILSTACK_LOG=warn` and `env`:
/// how trailstack is started here and by the footprint measurement.
pub fn trailstack_command(
    bin: &Path,
    listen: &str,
    data_dir: &Path,
    args: &[String],
    env: &[(String, String)],
) -> Command {
    // Absolute: the server may be started from another working directory (its temp dir).
    let bin = std::path::absolute(bin).unwrap_or_else(|_| bin.to_path_buf());
    let mut c = Command::new(bin);
    c.args(["serve", "--listen", listen, "--data-dir"])
        .arg(data_dir)
        .args(args)
        .env("TRAILSTACK_LOG", "warn")
        .envs(env.iter().map(|(k, v)| (k, v)));
    c
}

/// A loopback port free at the time of asking.
pub fn free_port() -> Result<u16, String> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("finding a free port: {e}"))?;
    l.local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("finding a free port: {e}"))
}

/// `http://host:port` to a socket address and `Host` header.
pub fn parse_url(url: &str) -> Result<(SocketAddr, String), String> {
    let uri: http::Uri = url.parse().map_err(|e| format!("endpoint {url}: {e}"))?;
    if uri.scheme_str() != Some("http") {
        return Err(format!("endpoint {url}: only http:// is supported"));
    }
    let authority = uri
        .authority()
        .ok_or_else(|| format!("endpoint {url}: no host"))?;
    let port = authority.port_u16().unwrap_or(80);
    let addr = (authority.host(), port)
        .to_socket_addrs()
        .map_err(|e| format!("endpoint {url}: {e}"))?
        .next()
        .ok_or_else(|| format!("endpoint {url}: host does not resolve"))?;
    Ok((addr, authority.as_str().to_owned()))
}

impl Target {
    /// Starts (or reaches) `kind` and waits until it accepts connections.
    pub fn start(kind: &TargetKind) -> Result<Target, String> {
        let name = kind.name();
        if let TargetKind::Url(url) = kind {
            let (addr, host) = parse_url(url)?;
            return Ok(Target {
                name,
                endpoint: Endpoint {
                    addr,
                    host: Arc::from(host),
                    pid: None,
                },
                child: None,
                log: None,
                _dir: None,
            });
        }
        let dir = tempfile::Builder::new()
            .prefix("trailstack-bench-")
            .tempdir()
            .map_err(|e| format!("temp dir: {e}"))?;
        let port = free_port()?;
        let listen = format!("127.0.0.1:{port}");
        let mut cmd = match kind {
            TargetKind::Trailstack { bin, args, env } => {
                trailstack_command(bin, &listen, &dir.path().join("data"), args, env)
            }
            TargetKind::Moto => {
                let mut c = Command::new("moto_server");
                c.args(["-H", "127.0.0.1", "-p", &port.to_string()]);
                c
            }
            // Its temp dir sits beside trailstack's under the same system temp dir, so the warm
            // file is on the disk trailstack's data dir is on.
            TargetKind::Limit { bin, big_size } => {
                let mut c = Command::new(bin);
                c.args(["limit-server", "--listen", &listen, "--big-size"])
                    .arg(big_size.to_string())
                    .arg("--big-file")
                    .arg(dir.path().join("big-object"));
                c
            }
            TargetKind::Url(_) => unreachable!("handled above"),
        };
        let log = dir.path().join("server.log");
        let log_file = std::fs::File::create(&log).map_err(|e| format!("log file: {e}"))?;
        let child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log_file)
            .current_dir(dir.path())
            .spawn()
            .map_err(|e| format!("starting {name} ({cmd:?}): {e}"))?;
        let addr: SocketAddr = listen.parse().map_err(|e| format!("{listen}: {e}"))?;
        let mut target = Target {
            name,
            endpoint: Endpoint {
                addr,
                host: Arc::from(listen.as_str()),
                pid: Some(child.id()),
            },
            child: Some(child),
            log: Some(log),
            _dir: Some(dir),
        };
        // The limit server writes, syncs and reads its warm file (1 GiB) before it listens.
        let ready_within = match kind {
            TargetKind::Limit { .. } => Duration::from_secs(300),
            _ => Duration::from_secs(60),
        };
        target.wait_ready(ready_within)?;
        target.endpoint.pid = target.endpoint.pid.map(procstat::leaf_pid);
        Ok(target)
    }

    fn wait_ready(&mut self, limit: Duration) -> Result<(), String> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Some(status) = self.exited() {
                return Err(format!(
                    "{} exited ({status}) before listening: {}",
                    self.name,
                    self.log_tail()
                ));
            }
            if TcpStream::connect_timeout(&self.endpoint.addr, Duration::from_millis(200)).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(format!("{} did not listen within {limit:?}", self.name))
    }

    /// The exit status if the process has ended.
    pub fn exited(&mut self) -> Option<String> {
        let child = self.child.as_mut()?;
        child.try_wait().ok().flatten().map(|s| s.to_string())
    }

    /// Everything the process wrote to stderr so far.
    pub fn log(&self) -> String {
        self.log
            .as_ref()
            .and_then(|p| std::fs::read_to_string(p).ok())
            .unwrap_or_default()
    }

    /// The last lines of the process's stderr.
    pub fn log_tail(&self) -> String {
        let text = self.log();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(10)..].join("\n")
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // A wrapper that forked rather than exec'd: end the worker process too, by its id.
            if let Some(leaf) = self.endpoint.pid.filter(|p| *p != child.id()) {
                let _ = Command::new("kill").arg(leaf.to_string()).status();
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_endpoints() {
        let (addr, host) = parse_url("http://127.0.0.1:9000").unwrap();
        assert_eq!(addr.port(), 9000);
        assert_eq!(host, "127.0.0.1:9000");
        assert!(parse_url("https://127.0.0.1:9000").is_err());
    }
}
