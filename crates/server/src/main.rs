//! The `trailstack` command line: `trailstack serve` runs the server; `flush` and `explain`
//! talk to a running one.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use trailstack_core::SystemClock;
use trailstack_server::admin_client::Credentials;
use trailstack_server::config::{
    parse_interval, BucketDefaults, Config, Database, RootKeySource, DEFAULT_ACCOUNT,
    DEFAULT_DATABASE_READERS, DEFAULT_KEY, DEFAULT_MAX_CONNECTIONS,
};
use trailstack_server::explain::{client, render, Target};
use trailstack_server::{
    serve, spawn_blob_collector, spawn_change_watcher, spawn_delivery, spawn_lifecycle, App,
};

/// jemalloc rather than the system allocator. Under many connections glibc's malloc hands the
/// blocking pool's threads arenas of their own (up to eight per core), and each keeps its high
/// water mark: in a 120 s soak of 256 connections RSS climbed 63 -> 132 MiB and was still
/// climbing, where with jemalloc it levelled off near 90 MiB, at equal or better throughput.
#[cfg(all(feature = "jemalloc", not(target_env = "msvc")))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

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

// Parsed once at start: the size of the biggest variant costs nothing.
#[allow(clippy::large_enum_variant)]
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
        /// The defaults new buckets get: `current` (AWS's since April 2023: ACLs disabled,
        /// Block Public Access on, SSE-S3 default encryption reported) or `legacy` (before:
        /// ACLs apply, no Block Public Access, no default encryption reported). Each bucket
        /// keeps the defaults it was created with.
        #[arg(long, env = "TRAILSTACK_BUCKET_DEFAULTS")]
        bucket_defaults: Option<BucketDefaults>,
        /// How often trails deliver log files, e.g. `5m` (AWS's cadence) or `1s`.
        #[arg(long, env = "TRAILSTACK_DELIVERY_INTERVAL", default_value = "5m", value_parser = parse_interval)]
        delivery_interval: Duration,
        /// How often trails with log file validation write a digest, e.g. `1h` or `1m`.
        #[arg(long, env = "TRAILSTACK_DIGEST_INTERVAL", default_value = "1h", value_parser = parse_interval)]
        digest_interval: Duration,
        /// How often S3 server access logs are delivered to their target buckets, e.g. `5m` or `1s`.
        #[arg(long, env = "TRAILSTACK_ACCESS_LOG_INTERVAL", default_value = "5m", value_parser = parse_interval)]
        access_log_interval: Duration,
        /// Serve TLS on the same port with this PEM certificate chain (needs --tls-key).
        #[arg(
            long,
            env = "TRAILSTACK_TLS_CERT",
            requires = "tls_key",
            conflicts_with = "tls_self_signed"
        )]
        tls_cert: Option<PathBuf>,
        /// The PEM private key of --tls-cert.
        #[arg(long, env = "TRAILSTACK_TLS_KEY", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// Serve TLS on the same port with a self-signed certificate for localhost, generated
        /// once into <data dir>/tls/cert.pem (tell clients to trust that file).
        #[arg(long, env = "TRAILSTACK_TLS_SELF_SIGNED")]
        tls_self_signed: bool,
        /// How long a client may take to send a request head, or stall its body or the
        /// reading of its response, before its connection is closed, e.g. `30s`.
        #[arg(long, env = "TRAILSTACK_READ_TIMEOUT", default_value = "30s", value_parser = parse_interval)]
        read_timeout: Duration,
        /// Most connections served at once; beyond it clients are told to slow down.
        #[arg(long, env = "TRAILSTACK_MAX_CONNECTIONS", default_value_t = DEFAULT_MAX_CONNECTIONS)]
        max_connections: usize,
        /// How long a day of S3 Lifecycle rules and Object Lock default retention lasts, e.g.
        /// `10s` for tests and demos (default 24h, as in AWS; also `lifecycle_day` in the
        /// config file).
        #[arg(long, env = "TRAILSTACK_LIFECYCLE_DAY", value_parser = parse_interval)]
        lifecycle_day: Option<Duration>,
        /// Keep state in this PostgreSQL database (`postgres://user:password@host:port/db`)
        /// instead of the data dir, so several servers can share it; every one of them needs
        /// the same root key (--root-key-file or TRAILSTACK_ROOT_KEY).
        #[arg(long, env = "TRAILSTACK_DATABASE")]
        database: Option<String>,
        /// With --database: how long background work a server held when it died (CloudTrail
        /// delivery, lifecycle, access logs) waits before another server takes it over, e.g.
        /// `30s`. Every server sharing the database should have the same.
        #[arg(long, env = "TRAILSTACK_LEASE_TTL", default_value = "30s", value_parser = parse_interval, requires = "database")]
        lease_ttl: Duration,
        /// Reader connections to PostgreSQL per server (the writer has one more).
        #[arg(long, env = "TRAILSTACK_DATABASE_READERS", default_value_t = DEFAULT_DATABASE_READERS, requires = "database")]
        database_readers: usize,
        /// The root key that seals every secret at rest: a file holding its 32 bytes or 64
        /// hexadecimal digits (default: root.key in the data dir, created at first start).
        #[arg(long, env = "TRAILSTACK_ROOT_KEY_FILE", conflicts_with = "root_key")]
        root_key_file: Option<PathBuf>,
        /// The root key itself, as 64 hexadecimal digits (only from the environment, so it
        /// never shows in a process list).
        #[arg(long, env = "TRAILSTACK_ROOT_KEY", hide = true, hide_env_values = true)]
        root_key: Option<String>,
    },
    /// Deliver every pending log file now and close every trail's digest period.
    Flush {
        #[command(flatten)]
        server: Running,
    },
    /// Explain how an object, a bucket or a KMS key is encrypted, logged and readable, and why.
    Explain {
        /// s3://bucket/key, s3://bucket or kms://key-id-or-alias.
        target: String,
        #[command(flatten)]
        server: Running,
        /// Print the JSON report instead of the human one.
        #[arg(long)]
        json: bool,
    },
}

/// The running server an admin command (`flush`, `explain`) calls.
#[derive(clap::Args)]
struct Running {
    /// The running server, e.g. http://127.0.0.1:4566.
    #[arg(
        long,
        env = "AWS_ENDPOINT_URL",
        default_value = "http://127.0.0.1:4566"
    )]
    endpoint: String,
    /// The region to sign for (for `explain`, key ids and aliases are looked up in it).
    #[arg(long, env = "AWS_DEFAULT_REGION", default_value = "us-east-1")]
    region: String,
}

/// The credentials of the admin commands: the usual AWS environment variables (temporary
/// credentials with `AWS_SESSION_TOKEN`), else the default `test` key.
fn credentials(region: String) -> Credentials {
    Credentials {
        access_key: std::env::var("AWS_ACCESS_KEY_ID").unwrap_or_else(|_| DEFAULT_KEY.into()),
        secret_key: std::env::var("AWS_SECRET_ACCESS_KEY").unwrap_or_else(|_| DEFAULT_KEY.into()),
        region,
        session_token: std::env::var("AWS_SESSION_TOKEN")
            .ok()
            .filter(|t| !t.is_empty()),
    }
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
            bucket_defaults,
            delivery_interval,
            digest_interval,
            access_log_interval,
            tls_cert,
            tls_key,
            tls_self_signed,
            read_timeout,
            max_connections,
            lifecycle_day,
            database,
            database_readers,
            lease_ttl,
            root_key_file,
            root_key,
        } => {
            let mut cfg = match Config::load(config.as_deref(), listen, data_dir, region) {
                Ok(mut c) => {
                    c.require_tls_for_sse |= require_tls_for_sse;
                    c.bucket_defaults = bucket_defaults.unwrap_or(c.bucket_defaults);
                    c.delivery_interval = delivery_interval;
                    c.digest_interval = digest_interval;
                    c.access_log_interval = access_log_interval;
                    c.read_timeout = read_timeout;
                    c.max_connections = max_connections;
                    if let Some(day) = lifecycle_day {
                        c.lifecycle_day = day;
                    }
                    if let Some(url) = database {
                        c.database = Database::Postgres {
                            url,
                            readers: database_readers,
                        };
                    }
                    c.lease_ttl = lease_ttl;
                    c.root_key = match (root_key_file, root_key) {
                        (Some(path), _) => RootKeySource::File(path),
                        (None, Some(hex)) => RootKeySource::Hex(hex.into()),
                        (None, None) => RootKeySource::DataDir,
                    };
                    c
                }
                Err(e) => {
                    eprintln!("trailstack: {e}");
                    std::process::exit(2);
                }
            };
            let tls = match (tls_cert, tls_key, tls_self_signed) {
                (Some(cert), Some(key), _) => trailstack_server::tls::load(&cert, &key)
                    .map(|c| Some((c, format!("certificate {}", cert.display())))),
                (_, _, true) => trailstack_server::tls::self_signed(&cfg.data_dir).map(|(c, p)| {
                    Some((
                        c,
                        format!("self-signed certificate {} (trust this file)", p.display()),
                    ))
                }),
                _ => Ok(None),
            };
            let tls_note = match tls {
                Ok(Some((c, note))) => {
                    cfg.tls = Some(c);
                    Some(note)
                }
                Ok(None) => None,
                Err(e) => {
                    eprintln!("trailstack: {e}");
                    std::process::exit(1);
                }
            };
            let listen = cfg.listen.clone();
            let dir = cfg.data_dir.clone();
            let defaults = cfg.bucket_defaults;
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
            println!(
                "  console:     http://{addr}{}",
                trailstack_server::console::PREFIX
            );
            println!("  data dir:    {}", dir.display());
            println!("  credentials: access key {DEFAULT_KEY}, secret {DEFAULT_KEY}, account {DEFAULT_ACCOUNT}");
            println!("  use:         AWS_ENDPOINT_URL=http://{addr} AWS_ACCESS_KEY_ID={DEFAULT_KEY} AWS_SECRET_ACCESS_KEY={DEFAULT_KEY} aws s3 ls");
            println!("  new buckets: {}", defaults_note(defaults));
            if let Some(note) = tls_note {
                println!("  tls:         https://{addr} (same port), {note}");
            }
            let worker = spawn_delivery(app.clone());
            let lifecycle = spawn_lifecycle(app.clone());
            let watcher = spawn_change_watcher(&app);
            let collector = spawn_blob_collector(app.clone());
            serve(listener, app, stop_signal()).await;
            if let Some(w) = watcher {
                w.abort();
            }
            if let Some(c) = collector {
                c.stop().await;
            }
            // Every request has been answered; a delivery or lifecycle page under way
            // finishes, none starts.
            worker.stop().await;
            lifecycle.stop().await;
            println!("trailstack stopped");
        }
        Command::Flush {
            server: Running { endpoint, region },
        } => match trailstack_server::flush::flush(&endpoint, &credentials(region)) {
            Ok(answer) => println!("{answer}"),
            Err(e) => {
                eprintln!("trailstack flush: {e}");
                std::process::exit(1);
            }
        },
        Command::Explain {
            target,
            server: Running { endpoint, region },
            json,
        } => explain(&target, &endpoint, region, json),
    }
}

/// The start-up line about the defaults new buckets get.
fn defaults_note(d: BucketDefaults) -> &'static str {
    match d {
        BucketDefaults::Current => "AWS's defaults since April 2023 (ACLs disabled, Block Public Access on, SSE-S3 default encryption); --bucket-defaults legacy for the older ones",
        BucketDefaults::Legacy => "legacy defaults, before April 2023 (ACLs enabled, no Block Public Access, no default encryption reported; objects still encrypted at rest)",
    }
}

/// Completes on the first SIGTERM or SIGINT (Ctrl-C). The server then stops accepting and
/// finishes the requests in flight; a second signal ends the process at once.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let (Ok(mut term), Ok(mut int)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) else {
            eprintln!("trailstack: cannot listen for signals; stop with SIGKILL");
            return std::future::pending().await;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
        println!("trailstack: stopping (finishing requests in flight)");
        tokio::spawn(async move {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
            eprintln!("trailstack: stopped before requests in flight were finished");
            std::process::exit(130);
        });
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        println!("trailstack: stopping (finishing requests in flight)");
    }
}

/// `trailstack explain`: the JSON report, or the human one (coloured on a terminal unless
/// `NO_COLOR` is set).
fn explain(target: &str, endpoint: &str, region: String, json: bool) {
    use std::io::{IsTerminal, Write};
    let fail = |e: String| -> ! {
        eprintln!("trailstack explain: {e}");
        std::process::exit(1)
    };
    let target = Target::parse(target).unwrap_or_else(|e| fail(e));
    let answer = client::explain(
        endpoint,
        &credentials(region),
        &target,
        time::OffsetDateTime::now_utc(),
    )
    .unwrap_or_else(|e| fail(e));
    let text = if json {
        let mut text =
            serde_json::to_string_pretty(&answer).unwrap_or_else(|e| fail(e.to_string()));
        text.push('\n');
        text
    } else {
        let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        render::render(&answer, colour)
    };
    // A reader that stops early (`| head`) ends the output; it is not an error to report.
    let _ = std::io::stdout().write_all(text.as_bytes());
}
