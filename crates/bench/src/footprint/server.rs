//! The trailstack process the footprint measures: started, timed to its first answer, read
//! from /proc, stopped.

use super::*;

/// A running trailstack on a data dir chosen by the caller, killed if dropped unstopped.
pub(super) struct Server {
    child: Child,
    pub(super) pid: u32,
    pub(super) ep: Endpoint,
    log: PathBuf,
    stopped: bool,
}

/// ListBuckets: the start-up probe.
fn list_buckets() -> Spec {
    Spec::s3(Method::GET, "/".into(), "", Expect::OK)
}

impl Server {
    /// Spawns trailstack on `data` and returns it with the times from spawn to its port
    /// accepting a connection and to its first answered ListBuckets.
    pub(super) async fn start(
        o: &Options,
        data: &Path,
        log: &Path,
    ) -> Result<(Server, StartTime), String> {
        let listen = format!("127.0.0.1:{}", target::free_port()?);
        let addr: SocketAddr = listen.parse().map_err(|e| format!("{listen}: {e}"))?;
        let log_file = std::fs::File::options()
            .create(true)
            .append(true)
            .open(log)
            .map_err(|e| format!("{}: {e}", log.display()))?;
        let mut cmd = target::trailstack_command(&o.bin, &listen, data, &o.server_args, &o.env);
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log_file);
        let t0 = Instant::now();
        let child = cmd
            .spawn()
            .map_err(|e| format!("starting {}: {e}", o.bin.display()))?;
        let pid = child.id();
        let mut server = Server {
            child,
            pid,
            ep: Endpoint {
                addr,
                host: Arc::from(listen.as_str()),
                pid: Some(pid),
            },
            log: log.to_owned(),
            stopped: false,
        };
        let mut client = Client::new(&server.ep);
        let mut listening = None;
        loop {
            let last = if listening.is_none() {
                match tokio::net::TcpStream::connect(addr).await {
                    Ok(_) => {
                        listening = Some(t0.elapsed());
                        continue;
                    }
                    Err(e) => format!("connect: {e}"),
                }
            } else {
                match client.send(list_buckets()).await {
                    Ok(_) => {
                        let answered = t0.elapsed();
                        let listening = listening.unwrap_or(answered);
                        return Ok((
                            server,
                            StartTime {
                                listening,
                                answered,
                            },
                        ));
                    }
                    Err(e) => e,
                }
            };
            if let Ok(Some(status)) = server.child.try_wait() {
                server.stopped = true;
                return Err(format!(
                    "trailstack exited ({status}) before answering: {}",
                    server.log_tail()
                ));
            }
            if t0.elapsed() > START_LIMIT {
                return Err(format!(
                    "trailstack did not answer within {START_LIMIT:?}: {last}"
                ));
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }

    /// SIGTERM, then waits for the exit; returns how long the stop took.
    pub(super) async fn stop(mut self) -> Result<Duration, String> {
        let t0 = Instant::now();
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status();
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => {
                    self.stopped = true;
                    if !status.success() {
                        return Err(format!(
                            "trailstack stopped with {status}: {}",
                            self.log_tail()
                        ));
                    }
                    return Ok(t0.elapsed());
                }
                Ok(None) if t0.elapsed() > Duration::from_secs(120) => {
                    return Err("trailstack did not stop within 120 s of SIGTERM".into())
                }
                Ok(None) => tokio::time::sleep(Duration::from_millis(5)).await,
                Err(e) => return Err(format!("waiting for trailstack: {e}")),
            }
        }
    }

    pub(super) fn mem(&self) -> Result<Mem, String> {
        Mem::of(self.pid)
    }

    /// Memory once the server has settled (post-request bookkeeping done).
    pub(super) async fn settled_mem(&self) -> Result<Mem, String> {
        tokio::time::sleep(Duration::from_millis(500)).await;
        self.mem()
    }

    pub(super) fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(10)..].join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if !self.stopped {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
