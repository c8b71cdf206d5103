//! The identity services: AWS IAM (API 2010-05-08) and AWS STS (API 2011-06-15), both on the
//! query protocol. [`Iam::iam`] and [`Iam::sts`] are the single entries for their requests
//! (parsed by [`wire::iam`] and [`wire::sts`]); each authorizes (`authz`), runs the handler and
//! reports the call to the [`AuditSink`] (shaped in [`audit`]), as CloudTrail records IAM and STS.
//!
//! IAM's state lives in the store ([`model`]); every request reads it through the in-memory
//! [`directory`], rebuilt inside the transaction of each IAM change: the access keys that
//! authenticate requests and the identity policies ([`Iam::identities`]) that S3, KMS and
//! CloudTrail authorize with. The configuration file's users are seeded at start ([`Iam::seed`]).
//! STS's sessions (AssumeRole, GetSessionToken) are stored like keys and enter the directory the
//! same way, so temporary credentials authenticate from the next request on and survive a restart.

pub mod audit;
mod authz;
pub mod aws_policies;
pub mod directory;
pub mod error;
pub mod explain_queries;
mod handlers;
pub mod model;
pub mod op;
pub mod wire;

pub use directory::{Credential, SessionCredential};
pub use error::{IamError, IamResult};
pub use handlers::sessions::token_digest;
pub use op::{IamOp, IamOutput, StsOp, StsOutput};

use directory::Directory;
use op::LastUsed;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use trailstack_core::{AuditSink, Caller, Clock, NoAudit};
use trailstack_policy::IdentityPolicies;
use trailstack_store::Conn;
use trailstack_store::{Db, RootKey};

/// The change-notice topic of IAM and STS changes (ARCHITECTURE.md §3).
pub const CHANGES_TOPIC: &str = "iam.directory";

/// The committed directory and the order of the write that produced it, so a slower rebuild
/// never replaces a newer one.
struct Installed {
    seq: u64,
    directory: Arc<Directory>,
}

/// A configured user to seed: its account, name, access key, secret and inline policies.
pub struct SeedUser {
    pub account: String,
    pub name: String,
    pub access_key: String,
    pub secret: String,
    pub policies: Vec<String>,
}

/// How long the last use of a key may go unsaved: uses are noted in memory on every request and
/// written at most this often per key.
const LAST_USE_SAVE_MS: i64 = 60_000;

/// The identity services.
#[derive(Clone)]
pub struct Iam {
    db: Arc<Db>,
    root: Arc<RootKey>,
    clock: Arc<dyn Clock>,
    /// Where every call is reported (CloudTrail's recorder).
    audit: Arc<dyn AuditSink>,
    /// The identity policies of every user and role, shared with the other services.
    identities: Arc<IdentityPolicies>,
    installed: Arc<RwLock<Installed>>,
    seq: Arc<AtomicU64>,
    /// The last use of each key, and when it was last saved.
    uses: Arc<Mutex<HashMap<String, (LastUsed, i64)>>>,
    /// The configuration's account root keys (access key → account), which IAM does not hold
    /// but GetAccessKeyInfo answers for.
    roots: Arc<HashMap<String, String>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // The guarded map is updated entry by entry, never left half-written.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Iam {
    /// The identity services over `db` (migrated), sealing secrets with `root`.
    pub fn new(db: Arc<Db>, root: Arc<RootKey>, clock: Arc<dyn Clock>) -> Result<Iam, IamError> {
        let (directory, policies) = db.read(|c| directory::load(c, &root))?;
        let identities = Arc::new(IdentityPolicies::new());
        identities.replace(policies);
        Ok(Iam {
            db,
            root,
            clock,
            audit: Arc::new(NoAudit),
            identities,
            installed: Arc::new(RwLock::new(Installed {
                seq: 0,
                directory: Arc::new(directory),
            })),
            seq: Arc::new(AtomicU64::new(0)),
            uses: Arc::default(),
            roots: Arc::default(),
        })
    }

    /// The same services knowing the configuration's root keys (access key → account).
    pub fn with_roots(mut self, roots: HashMap<String, String>) -> Self {
        self.roots = Arc::new(roots);
        self
    }

    /// The account of configured root key `access_key`.
    fn root_account(&self, access_key: &str) -> Option<String> {
        self.roots.get(access_key).cloned()
    }

    /// The same services reporting every call to `sink`.
    pub fn with_audit(mut self, sink: Arc<dyn AuditSink>) -> Self {
        self.audit = sink;
        self
    }

    /// The identity policies of every user and role, kept current as IAM changes: S3, KMS and
    /// CloudTrail authorize with this set.
    pub fn identities(&self) -> Arc<IdentityPolicies> {
        self.identities.clone()
    }

    /// The owner of active access key `access_key`, if IAM knows it.
    pub fn credential(&self, access_key: &str) -> Option<Credential> {
        let installed = self.installed.read().unwrap_or_else(|e| e.into_inner());
        installed.directory.keys.get(access_key).cloned()
    }

    /// Seeds the configuration file's users: each exists with its access key and its policies
    /// (inline policies named `trailstack-config-<n>`, replaced at every start).
    pub async fn seed(&self, users: Vec<SeedUser>) -> IamResult<()> {
        let now = self.now_ms();
        let mut sealed = Vec::with_capacity(users.len());
        for u in &users {
            sealed.push(
                self.root
                    .seal(&model::keys::purpose(&u.access_key), u.secret.as_bytes())?,
            );
        }
        self.change(move |c| {
            for (u, sealed) in users.iter().zip(sealed) {
                let user = op::User {
                    path: "/".into(),
                    name: u.name.clone(),
                    id: trailstack_core::user_principal_id(&u.account, &u.name),
                    arn: model::entities::user_arn(&u.account, "/", &u.name),
                    created_ms: now,
                    tags: Vec::new(),
                    boundary: None,
                };
                model::entities::insert_user(c, &u.account, &user)?;
                model::keys::upsert(
                    c,
                    &model::keys::StoredKey {
                        key: op::AccessKey {
                            user: u.name.clone(),
                            id: u.access_key.clone(),
                            active: true,
                            created_ms: now,
                        },
                        account: u.account.clone(),
                        sealed,
                    },
                )?;
                model::policies::clear_config_policies(c, &u.account, &u.name)?;
                for (n, doc) in u.policies.iter().enumerate() {
                    let name = format!("trailstack-config-{}", n + 1);
                    let user = op::Owner::new(op::OwnerKind::User, &u.name);
                    model::policies::put_inline(c, &u.account, &user, &name, doc)?;
                }
            }
            Ok(())
        })
        .await
    }

    /// Notes a use of `access_key` (GetAccessKeyLastUsed): kept in memory, saved at most every
    /// minute per key.
    pub fn note_use(&self, access_key: &str, service: &str, region: &str) {
        // Temporary credentials have no last use to report.
        if self
            .credential(access_key)
            .is_none_or(|c| c.session.is_some())
        {
            return;
        }
        let now = self.now_ms();
        let used = LastUsed {
            used_ms: now,
            service: service.to_string(),
            region: region.to_string(),
        };
        let save = {
            let mut uses = lock(&self.uses);
            let saved = uses.get(access_key).map_or(i64::MIN, |(_, s)| *s);
            let save = now.saturating_sub(saved) >= LAST_USE_SAVE_MS;
            let saved = if save { now } else { saved };
            uses.insert(access_key.to_string(), (used.clone(), saved));
            save
        };
        if save {
            let key = access_key.to_string();
            // Queued into the request's durable scope; nothing waits on it.
            drop(
                self.db.submit(move |c| {
                    model::keys::record_use(c, &key, &used).map_err(IamError::from)
                }),
            );
        }
    }

    /// The last use of `access_key` noted since start.
    fn last_use(&self, access_key: &str) -> Option<LastUsed> {
        lock(&self.uses).get(access_key).map(|(u, _)| u.clone())
    }

    /// Runs one IAM operation for `caller` and records it. A call whose record cannot be made
    /// durable fails with an internal error: it must not be acknowledged.
    pub async fn iam(&self, caller: &Caller, op: IamOp) -> IamResult<IamOutput> {
        let record = audit::Pending::iam(&op);
        let result = match authz::check(self, caller, &op) {
            Ok(()) => handlers::dispatch(self, caller, op).await,
            Err(e) => Err(e),
        };
        self.audit
            .record(record.finish(caller, &result, self.clock.now()))
            .await
            .map_err(|e| IamError::Internal(e.to_string()))?;
        result
    }

    /// Runs one STS operation for `caller` and records it.
    pub async fn sts(&self, caller: &Caller, op: StsOp) -> IamResult<StsOutput> {
        let record = audit::Pending::sts(&op);
        let result = handlers::dispatch_sts(self, caller, &op).await;
        self.audit
            .record(record.finish(caller, &result, self.clock.now()))
            .await
            .map_err(|e| IamError::Internal(e.to_string()))?;
        result
    }

    /// Runs a write that changes IAM, and installs the directory and identity policies as that
    /// write left them. Both are read inside the same transaction, and writes run one after
    /// another on the writer, so their sequence numbers order the installs.
    async fn change<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Conn) -> IamResult<T> + Send + 'static,
    ) -> IamResult<T> {
        self.install(f, true).await
    }

    /// Reads the directory and identity policies again: another server sharing the database
    /// changed IAM (the change notice [`CHANGES_TOPIC`]). Read on the writer, so it is ordered
    /// with this server's own changes.
    pub async fn reload(&self) -> IamResult<()> {
        self.install(|_| Ok(()), false).await
    }

    /// [`Iam::change`]; with `notify`, other servers sharing the database are told.
    async fn install<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Conn) -> IamResult<T> + Send + 'static,
        notify: bool,
    ) -> IamResult<T> {
        let (seq, root) = (self.seq.clone(), self.root.clone());
        let (v, directory, policies, n) = self
            .db
            .write(move |c| {
                let v = f(c)?;
                if notify {
                    trailstack_store::changes::bump(c, CHANGES_TOPIC)?;
                }
                let (directory, policies) = directory::load(c, &root)?;
                Ok::<_, IamError>((
                    v,
                    directory,
                    policies,
                    seq.fetch_add(1, Ordering::SeqCst) + 1,
                ))
            })
            .await?;
        let mut installed = self.installed.write().unwrap_or_else(|e| e.into_inner());
        if n > installed.seq {
            *installed = Installed {
                seq: n,
                directory: Arc::new(directory),
            };
            self.identities.replace(policies);
        }
        Ok(v)
    }

    /// Runs a read of a few rows on this thread.
    fn read<T>(&self, f: impl FnOnce(&Conn) -> IamResult<T>) -> IamResult<T> {
        self.db.read(f)
    }

    fn now_ms(&self) -> i64 {
        (self.clock.now().unix_timestamp_nanos() / 1_000_000) as i64
    }
}
