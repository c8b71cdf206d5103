//! Configuration: listen address, data dir, region, and the accounts and users whose access keys
//! sign requests. Read from a TOML file, then environment variables and flags (clap), with the
//! defaults users know from other local AWS emulators (account 000000000000, keys test/test).
//! Users may carry inline identity policies, parsed and validated here, once, at load.

pub use crate::backend::{Database, RootKeySource, DEFAULT_DATABASE_READERS};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use trailstack_core::{AccountId, Principal};
pub use trailstack_s3::model::buckets::BucketDefaults;

/// The default account id.
pub const DEFAULT_ACCOUNT: &str = "000000000000";
/// The default access key id and secret.
pub const DEFAULT_KEY: &str = "test";

/// A user as configured.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserConfig {
    /// Access key id.
    pub access_key: String,
    /// Secret access key.
    pub secret_key: String,
    /// The account (12 digits).
    pub account_id: String,
    /// IAM user name; absent for the account root.
    pub user_name: Option<String>,
    /// S3 canonical user id (64 hex digits); derived from the account when absent.
    pub canonical_id: Option<String>,
    /// S3 display name; defaults to the user name or `trailstack`.
    pub display_name: Option<String>,
    /// Inline identity policies (IAM users only): each a JSON document as a string, or the
    /// same document written as a TOML table.
    #[serde(default)]
    pub policies: Vec<PolicyDocument>,
}

/// Everything but the secret key, which never goes into a log line or an error.
impl std::fmt::Debug for UserConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserConfig")
            .field("access_key", &self.access_key)
            .field("account_id", &self.account_id)
            .field("user_name", &self.user_name)
            .finish_non_exhaustive()
    }
}

/// One inline policy as written in the config file.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum PolicyDocument {
    /// `'{"Version": "2012-10-17", "Statement": [...]}'`.
    Json(String),
    /// `{ Version = "2012-10-17", Statement = [...] }`.
    Table(toml::Table),
}

impl PolicyDocument {
    /// The document as JSON text.
    fn to_json(&self) -> Result<String, String> {
        match self {
            PolicyDocument::Json(s) => Ok(s.clone()),
            PolicyDocument::Table(t) => serde_json::to_string(t).map_err(|e| e.to_string()),
        }
    }
}

/// The configuration file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Listen address.
    pub listen: Option<String>,
    /// Data directory.
    pub data_dir: Option<PathBuf>,
    /// Default region.
    pub region: Option<String>,
    /// Refuse SSE-KMS and SSE-C requests over plain HTTP, as AWS does (default off).
    #[serde(default)]
    pub require_tls_for_sse: Option<bool>,
    /// The defaults new buckets get: `current` (AWS since April 2023) or `legacy`.
    #[serde(default)]
    pub bucket_defaults: Option<String>,
    /// The length of a lifecycle day, e.g. `10s` (default 24h; see [`Config::lifecycle_day`]).
    #[serde(default)]
    pub lifecycle_day: Option<String>,
    /// Users (and account roots) with access keys.
    #[serde(default, rename = "users")]
    pub users: Vec<UserConfig>,
}

/// Who an access key belongs to.
#[derive(Clone)]
pub struct Identity {
    /// Secret access key.
    pub secret: String,
    /// Account.
    pub account: AccountId,
    /// Root or user.
    pub principal: Principal,
    /// S3 canonical user id.
    pub canonical_id: String,
    /// S3 display name.
    pub display_name: String,
    /// The user's inline identity policies (JSON, validated at load).
    pub policies: Vec<String>,
    /// For temporary credentials, the STS session they belong to.
    pub session: Option<std::sync::Arc<trailstack_core::Session>>,
}

/// Everything but the secret key, which never goes into a log line or an error.
impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("account", &self.account)
            .field("principal", &self.principal)
            .finish_non_exhaustive()
    }
}

/// The resolved configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Listen address.
    pub listen: String,
    /// Data directory.
    pub data_dir: PathBuf,
    /// Default region.
    pub region: String,
    /// Refuse SSE-KMS, DSSE-KMS and SSE-C requests over plain HTTP with AWS's 400 (default
    /// off: an emulator on `http://localhost` would otherwise refuse them all).
    pub require_tls_for_sse: bool,
    /// The defaults new buckets get: AWS's since April 2023 (`current`, the default) or the
    /// ones before (`legacy`), for suites and scripts written against those.
    pub bucket_defaults: BucketDefaults,
    /// Identities by access key.
    pub identities: HashMap<String, Identity>,
    /// How often trails deliver their pending records (AWS: about every 5 minutes).
    pub delivery_interval: std::time::Duration,
    /// How often a trail with log file validation writes a digest (AWS: hourly).
    pub digest_interval: std::time::Duration,
    /// How often pending server access log records are delivered to their target buckets.
    pub access_log_interval: std::time::Duration,
    /// How long a client may take to send a request's head, and may leave the server waiting
    /// for its next body bytes or for room to write the response, before its connection is
    /// closed (slow clients cannot hold connections forever).
    pub read_timeout: std::time::Duration,
    /// Most connections served at once; clients beyond it are answered S3's `SlowDown` (503)
    /// or `ThrottlingException` (KMS, CloudTrail) and disconnected.
    pub max_connections: usize,
    /// TLS, served on the same port as plain HTTP (a connection opening with a TLS handshake
    /// gets TLS), or None for plain HTTP only.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// How long a "day" of S3 Lifecycle rules lasts: 24 hours, as in AWS, unless shortened
    /// for tests and demos (Ceph's `rgw_lc_debug_interval`; ceph/s3-tests assumes 10 s).
    pub lifecycle_day: std::time::Duration,
    /// Where state is kept: the data dir's SQLite database and blob files (the default), or a
    /// PostgreSQL database that several servers share (ARCHITECTURE.md §3).
    pub database: Database,
    /// Where the root key comes from; by default `root.key` in the data dir, created at first
    /// start. Servers sharing a database must all have the same one.
    pub root_key: RootKeySource,
    /// With a shared database: how long background work a dead server held (CloudTrail
    /// delivery, lifecycle, access logs, blob collection) waits before another takes it over.
    pub lease_ttl: std::time::Duration,
}

/// The default of [`Config::lifecycle_day`].
pub const DEFAULT_LIFECYCLE_DAY: std::time::Duration = std::time::Duration::from_secs(86_400);

/// The default of [`Config::lease_ttl`].
pub const DEFAULT_LEASE_TTL: std::time::Duration =
    std::time::Duration::from_millis(trailstack_store::lease::TTL_MS as u64);

/// The default of [`Config::read_timeout`].
pub const DEFAULT_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
/// The default of [`Config::max_connections`].
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;

/// Parses an interval such as `5m`, `1h`, `30s` or `250ms`.
pub fn parse_interval(s: &str) -> Result<std::time::Duration, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: u64 = n
        .parse()
        .map_err(|_| format!("interval {s:?}: expected a number and a unit (ms, s, m, h)"))?;
    let d = match unit {
        "ms" => std::time::Duration::from_millis(n),
        "s" | "" => std::time::Duration::from_secs(n),
        "m" => std::time::Duration::from_secs(n * 60),
        "h" => std::time::Duration::from_secs(n * 3600),
        _ => return Err(format!("interval {s:?}: unit must be ms, s, m or h")),
    };
    if d.is_zero() {
        return Err(format!("interval {s:?} must be positive"));
    }
    Ok(d)
}

/// The canonical user id trailstack gives an account that configures none: stable per account.
pub fn canonical_id_for(account: &str) -> String {
    let d = aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        format!("trailstack-canonical:{account}").as_bytes(),
    );
    hex::encode(d.as_ref())
}

impl Config {
    /// Builds the configuration from an optional file and overrides (flags / environment).
    pub fn load(
        file: Option<&Path>,
        listen: Option<String>,
        data_dir: Option<PathBuf>,
        region: Option<String>,
    ) -> Result<Config, String> {
        let fc: FileConfig = match file {
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .map_err(|e| format!("reading {}: {e}", p.display()))?;
                toml::from_str(&text).map_err(|e| format!("parsing {}: {e}", p.display()))?
            }
            None => FileConfig::default(),
        };
        let mut identities = HashMap::new();
        identities.insert(
            DEFAULT_KEY.to_string(),
            Self::identity_of(&UserConfig {
                access_key: DEFAULT_KEY.into(),
                secret_key: DEFAULT_KEY.into(),
                account_id: DEFAULT_ACCOUNT.into(),
                user_name: None,
                canonical_id: None,
                display_name: None,
                policies: Vec::new(),
            })?,
        );
        for u in &fc.users {
            identities.insert(u.access_key.clone(), Self::identity_of(u)?);
        }
        let lifecycle_day = match &fc.lifecycle_day {
            Some(d) => parse_interval(d).map_err(|e| format!("lifecycle_day: {e}"))?,
            None => DEFAULT_LIFECYCLE_DAY,
        };
        Ok(Config {
            listen: listen
                .or(fc.listen)
                .unwrap_or_else(|| "127.0.0.1:4566".into()),
            data_dir: data_dir
                .or(fc.data_dir)
                .unwrap_or_else(|| PathBuf::from("./.trailstack")),
            region: region.or(fc.region).unwrap_or_else(|| "us-east-1".into()),
            require_tls_for_sse: fc.require_tls_for_sse.unwrap_or(false),
            bucket_defaults: match fc.bucket_defaults.as_deref() {
                Some(d) => d.parse().map_err(|e| format!("bucket_defaults: {e}"))?,
                None => BucketDefaults::Current,
            },
            identities,
            delivery_interval: std::time::Duration::from_secs(300),
            access_log_interval: std::time::Duration::from_secs(300),
            digest_interval: std::time::Duration::from_secs(3600),
            read_timeout: DEFAULT_READ_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            tls: None,
            lifecycle_day,
            database: Database::Embedded,
            root_key: RootKeySource::DataDir,
            lease_ttl: DEFAULT_LEASE_TTL,
        })
    }

    fn identity_of(u: &UserConfig) -> Result<Identity, String> {
        let account = AccountId::parse(&u.account_id).map_err(|e| e.to_string())?;
        if u.access_key.is_empty() || u.secret_key.is_empty() {
            return Err("access_key and secret_key must not be empty".into());
        }
        let principal = match &u.user_name {
            Some(n) => Principal::User { name: n.clone() },
            None => Principal::Root,
        };
        let who = u.user_name.as_deref().unwrap_or("root");
        if principal == Principal::Root && !u.policies.is_empty() {
            return Err(format!(
                "account {} root: policies are not allowed on the account root, which holds every right in its account",
                u.account_id
            ));
        }
        let mut policies = Vec::with_capacity(u.policies.len());
        for (i, doc) in u.policies.iter().enumerate() {
            let json = doc
                .to_json()
                .map_err(|e| format!("user {who} (account {}): policy {i}: {e}", u.account_id))?;
            trailstack_policy::Policy::parse_identity(&json).map_err(|e| {
                format!(
                    "user {who} (account {}): policy {i} is malformed: {e}",
                    u.account_id
                )
            })?;
            policies.push(json);
        }
        Ok(Identity {
            policies,
            session: None,
            secret: u.secret_key.clone(),
            canonical_id: u
                .canonical_id
                .clone()
                .unwrap_or_else(|| canonical_id_for(&u.account_id)),
            display_name: u
                .display_name
                .clone()
                .or_else(|| u.user_name.clone())
                .unwrap_or_else(|| "trailstack".into()),
            account,
            principal,
        })
    }
}

impl Config {
    /// The configured IAM users, for IAM to seed at start: each with its access key, secret and
    /// inline policies.
    pub fn seed_users(&self) -> Vec<trailstack_iam::SeedUser> {
        let mut out: Vec<_> = self
            .identities
            .iter()
            .filter_map(|(key, id)| match &id.principal {
                Principal::User { name } => Some(trailstack_iam::SeedUser {
                    account: id.account.as_str().to_string(),
                    name: name.clone(),
                    access_key: key.clone(),
                    secret: id.secret.clone(),
                    policies: id.policies.clone(),
                }),
                _ => None,
            })
            .collect();
        out.sort_by(|a, b| a.access_key.cmp(&b.access_key));
        out
    }

    /// The configured account roots' access keys and accounts, for STS's GetAccessKeyInfo.
    pub fn root_keys(&self) -> std::collections::HashMap<String, String> {
        self.identities
            .iter()
            .filter(|(_, id)| id.principal == Principal::Root)
            .map(|(key, id)| (key.clone(), id.account.as_str().to_string()))
            .collect()
    }

    /// The accounts of the configured users, for S3's ACL grants to name.
    pub fn s3_accounts(&self) -> Arc<trailstack_s3::accounts::Accounts> {
        let mut out = trailstack_s3::accounts::Accounts::new();
        for id in self.identities.values() {
            out.add(&id.canonical_id, &id.display_name);
        }
        Arc::new(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_file() {
        let c = Config::load(None, None, None, None).unwrap();
        assert_eq!(c.listen, "127.0.0.1:4566");
        assert!(c.identities.contains_key("test"));
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.toml");
        std::fs::write(
            &p,
            "region = \"eu-west-1\"\n[[users]]\naccess_key = \"AKB\"\nsecret_key = \"s\"\naccount_id = \"111111111111\"\nuser_name = \"bob\"\n",
        )
        .unwrap();
        let c = Config::load(Some(&p), Some("0.0.0.0:1".into()), None, None).unwrap();
        assert_eq!(c.region, "eu-west-1");
        assert_eq!(c.listen, "0.0.0.0:1");
        assert_eq!(c.identities["AKB"].account.as_str(), "111111111111");
        assert_eq!(
            c.identities["AKB"].principal,
            Principal::User { name: "bob".into() }
        );
    }

    #[test]
    fn bucket_defaults_from_the_file() {
        assert_eq!(
            load_text("").unwrap().bucket_defaults,
            BucketDefaults::Current
        );
        let c = load_text("bucket_defaults = \"legacy\"\n").unwrap();
        assert_eq!(c.bucket_defaults, BucketDefaults::Legacy);
        let e = load_text("bucket_defaults = \"2022\"\n").unwrap_err();
        assert!(e.contains("bucket_defaults") && e.contains("legacy"), "{e}");
    }

    #[test]
    fn debug_never_shows_secret_keys() {
        let c = load_text(USER).unwrap();
        let shown = format!("{c:?}");
        assert!(shown.contains("AKA") && shown.contains("alice"), "{shown}");
        assert!(
            !shown.contains("secret") && !shown.contains("\"s\""),
            "{shown}"
        );
    }

    fn load_text(text: &str) -> Result<Config, String> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.toml");
        std::fs::write(&p, text).unwrap();
        Config::load(Some(&p), None, None, None)
    }

    const USER: &str = "[[users]]\naccess_key = \"AKA\"\nsecret_key = \"s\"\naccount_id = \"111111111111\"\nuser_name = \"alice\"\n";

    #[test]
    fn inline_policies_as_json_or_tables() {
        let c = load_text(&format!(
            "{USER}policies = ['{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}}]}}', {{ Version = \"2012-10-17\", Statement = [{{ Effect = \"Deny\", Action = \"s3:DeleteObject\", Resource = \"*\" }}] }}]\n"
        ))
        .unwrap();
        assert_eq!(c.identities["AKA"].policies.len(), 2);
        let users = c.seed_users();
        assert_eq!(users.len(), 1);
        assert_eq!(
            (users[0].name.as_str(), users[0].access_key.as_str()),
            ("alice", "AKA")
        );
        assert_eq!(users[0].policies.len(), 2);
    }

    #[test]
    fn malformed_policy_names_the_user() {
        let e = load_text(&format!("{USER}policies = ['{{\"Statement\": 3}}']\n")).unwrap_err();
        assert!(
            e.contains("user alice (account 111111111111): policy 0 is malformed"),
            "{e}"
        );
        let e = load_text(&format!(
            "{USER}policies = ['{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\"}}]}}']\n"
        ))
        .unwrap_err();
        assert!(e.contains("alice"), "{e}");
        let root = "[[users]]\naccess_key = \"AKR\"\nsecret_key = \"s\"\naccount_id = \"111111111111\"\npolicies = ['{}']\n";
        assert!(load_text(root).unwrap_err().contains("root"));
    }
}
