//! The `trailstack` command line: `trailstack serve` runs the server.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::sync::Arc;
use trailstack_core::SystemClock;
use trailstack_server::config::{Config, DEFAULT_ACCOUNT, DEFAULT_KEY};
use trailstack_server::{serve, App};

#[derive(Parser)]
#[command(
    name = "trailstack",
    version,
    about = "S3, KMS and CloudTrail on one local port"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "TRAILSTACK_LISTEN")]
        listen: Option<String>,
        /// Where state is kept.
        #[arg(long, env = "TRAILSTACK_DATA_DIR")]
        data_dir: Option<PathBuf>,
        /// A TOML configuration file (accounts and users).
        #[arg(long, env = "TRAILSTACK_CONFIG")]
        config: Option<PathBuf>,
        /// The default region.
        #[arg(long, env = "TRAILSTACK_REGION")]
        region: Option<String>,
        /// Refuse SSE-KMS and SSE-C requests over plain HTTP, as AWS does.
        #[arg(long, env = "TRAILSTACK_REQUIRE_TLS_FOR_SSE")]
        require_tls_for_sse: bool,
    },
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TRAILSTACK_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Serve {
            listen,
            data_dir,
            config,
            region,
            require_tls_for_sse,
        } => {
            let cfg = match Config::load(config.as_deref(), listen, data_dir, region) {
                Ok(mut c) => {
                    c.require_tls_for_sse |= require_tls_for_sse;
                    c
                }
                Err(e) => {
                    eprintln!("trailstack: {e}");
                    std::process::exit(2);
                }
            };
            let listen = cfg.listen.clone();
            let dir = cfg.data_dir.clone();
            let app = match App::open(cfg, Arc::new(SystemClock)) {
                Ok(a) => Arc::new(a),
                Err(e) => {
                    eprintln!("trailstack: {e}");
                    std::process::exit(1);
                }
            };
            let listener = match tokio::net::TcpListener::bind(&listen).await {
                Ok(l) => l,
                Err(e) => {
                    eprintln!("trailstack: cannot listen on {listen}: {e}");
                    std::process::exit(1);
                }
            };
            let addr = listener
                .local_addr()
                .map(|a| a.to_string())
                .unwrap_or(listen);
            println!("trailstack listening on http://{addr}");
            println!("  data dir:    {}", dir.display());
            println!("  credentials: access key {DEFAULT_KEY}, secret {DEFAULT_KEY}, account {DEFAULT_ACCOUNT}");
            println!("  use:         AWS_ENDPOINT_URL=http://{addr} AWS_ACCESS_KEY_ID={DEFAULT_KEY} AWS_SECRET_ACCESS_KEY={DEFAULT_KEY} aws s3 ls");
            let shutdown = async {
                let _ = tokio::signal::ctrl_c().await;
            };
            serve(listener, app, shutdown).await;
        }
    }
}
