//! A real trailstack in the fuzzing process: the server's own [`App`] (S3, KMS and CloudTrail
//! over one store) on a throwaway data dir, a current-thread tokio runtime to drive it, and
//! the account root of the default credentials as the caller. Requests go through the same
//! wire parsers and `call`s as the HTTP edge's, minus sockets and signatures.
//!
//! The data dir lives under `$TRAILSTACK_FUZZ_SCRATCH` (set by `run.sh`), else under
//! `/dev/shm` or the system temp dir, named after the process id; a process exits without
//! running destructors, so each harness first removes the dirs of processes that are gone.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use trailstack_core::{AccountId, Caller, Principal, SignatureVersion, SystemClock};
use trailstack_server::config::{Config, DEFAULT_ACCOUNT, DEFAULT_KEY};
use trailstack_server::App;

/// The running services and what drives them.
pub struct Harness {
    /// The composed services.
    pub app: App,
    /// The runtime every call runs on.
    pub rt: tokio::runtime::Runtime,
    /// The root of the default account, signing with the default key.
    pub root: Caller,
    /// Where the services keep their state.
    pub data_dir: PathBuf,
    /// The folder that holds `data_dir` and nothing else.
    pub sandbox: PathBuf,
}

const PREFIX: &str = "trailstack-fuzz-";

fn scratch_base() -> PathBuf {
    if let Some(dir) = std::env::var_os("TRAILSTACK_FUZZ_SCRATCH") {
        return PathBuf::from(dir);
    }
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    }
}

/// Removes `trailstack-fuzz-<pid>` dirs under `base` whose process no longer runs.
fn remove_stale(base: &Path) {
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.strip_prefix(PREFIX)) else {
            continue;
        };
        if pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

impl Harness {
    /// The process's harness, opened at first use.
    pub fn get() -> &'static Harness {
        static H: OnceLock<Harness> = OnceLock::new();
        H.get_or_init(|| Harness::open().unwrap_or_else(|e| panic!("fuzz harness: {e}")))
    }

    fn open() -> Result<Harness, String> {
        let base = scratch_base();
        std::fs::create_dir_all(&base).map_err(|e| format!("{}: {e}", base.display()))?;
        remove_stale(&base);
        let sandbox = base.join(format!("{PREFIX}{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&sandbox);
        std::fs::create_dir_all(&sandbox).map_err(|e| format!("{}: {e}", sandbox.display()))?;
        let data_dir = sandbox.join("data");
        let config = Config::load(None, None, Some(data_dir.clone()), None)?;
        let region = config.region.clone();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("runtime: {e}"))?;
        let app = {
            let _entered = rt.enter();
            App::open(config, Arc::new(SystemClock))?
        };
        let identity = app
            .config
            .identities
            .get(DEFAULT_KEY)
            .ok_or("no default identity")?;
        let root = Caller {
            account: AccountId::parse(DEFAULT_ACCOUNT).map_err(|e| e.to_string())?,
            principal: Principal::Root,
            access_key: Some(DEFAULT_KEY.to_string()),
            canonical_id: identity.canonical_id.clone(),
            display_name: identity.display_name.clone(),
            source_ip: Some([127, 0, 0, 1].into()),
            user_agent: "trailstack-fuzz".into(),
            request_id: "FUZZ".into(),
            region,
            secure_transport: false,
            invoked_by: None,
            host: "localhost:4566".into(),
            auth_method: Some("AuthHeader"),
            signature_version: Some(SignatureVersion::V4),
            source_arn: None,
            session: None,
        };
        Ok(Harness {
            app,
            rt,
            root,
            data_dir,
            sandbox,
        })
    }

    /// Runs `f` on the harness's runtime.
    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    /// An S3 request through the wire parser and the service, as the edge makes it.
    pub fn s3(
        &self,
        method: http::Method,
        path: &str,
        query: &str,
        headers: http::HeaderMap,
        body: &[u8],
    ) -> trailstack_s3::S3Result<trailstack_s3::Output> {
        let req = trailstack_s3::wire::Request {
            method,
            raw_path: path.to_string(),
            query: trailstack_s3::wire::parse_query(query),
            headers,
            body: crate::body_stream(vec![bytes::Bytes::copy_from_slice(body)]),
        };
        self.block_on(async {
            let op = trailstack_s3::wire::parse(req, "localhost:4566").await?;
            self.app.s3.call(&self.root, op).await
        })
    }

    /// A KMS request (`X-Amz-Target` operation name and JSON body), parsed and run.
    pub fn kms(
        &self,
        target: &str,
        body: &[u8],
    ) -> trailstack_kms::KmsResult<trailstack_kms::Output> {
        let op = trailstack_kms::wire::parse(target, body)?;
        self.block_on(self.app.kms.call(&self.root, op))
    }

    /// A CloudTrail request (operation name and JSON body), parsed and run.
    pub fn cloudtrail(
        &self,
        op: &str,
        body: &[u8],
    ) -> trailstack_cloudtrail::CtResult<trailstack_cloudtrail::Output> {
        let op = trailstack_cloudtrail::wire::parse(op, body)?;
        self.block_on(self.app.cloudtrail.call(&self.root, op))
    }

    /// Creates bucket `name` (setup; panics on failure other than "already yours").
    pub fn bucket(&self, name: &str) {
        let path = format!("/{name}");
        match self.s3(http::Method::PUT, &path, "", content_length(0), b"") {
            Ok(_) | Err(trailstack_s3::S3Error::BucketAlreadyOwnedByYou(_)) => {}
            Err(e) => panic!("setup: CreateBucket {name}: {e:?}"),
        }
    }

    /// Creates a KMS key from a CreateKey body, names it `alias` and returns its id (setup).
    pub fn key(&self, create_body: &str, alias: &str) -> String {
        let out = self
            .kms("CreateKey", create_body.as_bytes())
            .unwrap_or_else(|e| panic!("setup: CreateKey {create_body}: {e:?}"));
        let trailstack_kms::Output::CreateKey(created) = out else {
            panic!("setup: CreateKey answered {out:?}")
        };
        let id = created.key_metadata.key_id;
        let alias_body = serde_json::json!({ "AliasName": alias, "TargetKeyId": id }).to_string();
        self.kms("CreateAlias", alias_body.as_bytes())
            .unwrap_or_else(|e| panic!("setup: CreateAlias {alias}: {e:?}"));
        id
    }
}

/// Headers with only a `content-length`, as a plain PUT carries.
pub fn content_length(len: usize) -> http::HeaderMap {
    let mut h = http::HeaderMap::new();
    h.insert(http::header::CONTENT_LENGTH, http::HeaderValue::from(len));
    h
}
