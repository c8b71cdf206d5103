//! A trailstack served in-process over a fresh data dir, the target the bench's end-to-end
//! tests drive.

use std::sync::Arc;
use trailstack_core::SystemClock;
use trailstack_server::config::Config;
use trailstack_server::{serve, App};

/// A running in-process trailstack; it stops when dropped.
pub struct Trailstack {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    _stop: tokio::sync::oneshot::Sender<()>,
    _dir: tempfile::TempDir,
}

impl Trailstack {
    /// Starts a trailstack on an ephemeral local port.
    pub async fn start() -> Trailstack {
        let dir = tempfile::tempdir().unwrap();
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
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(serve(listener, app, async move {
            let _ = stopped.await;
        }));
        Trailstack {
            url: format!("http://{addr}"),
            _stop: stop,
            _dir: dir,
        }
    }
}
