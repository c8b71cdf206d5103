//! Configuration: listen address, data dir, region, and the accounts and users whose access keys
//! sign requests. Read from a TOML file, then environment variables and flags (clap), with the
//! defaults users know from other local AWS emulators (account 000000000000, keys test/test).

use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use trailstack_core::{AccountId, Principal};

/// The default account id.
pub const DEFAULT_ACCOUNT: &str = "000000000000";
/// The default access key id and secret.
pub const DEFAULT_KEY: &str = "test";

/// A user as configured.
#[derive(Debug, Clone, Deserialize)]
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
    /// Users (and account roots) with access keys.
    #[serde(default, rename = "users")]
    pub users: Vec<UserConfig>,
}

/// Who an access key belongs to.
#[derive(Debug, Clone)]
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
    /// Identities by access key.
    pub identities: HashMap<String, Identity>,
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
            })?,
        );
        for u in &fc.users {
            identities.insert(u.access_key.clone(), Self::identity_of(u)?);
        }
        Ok(Config {
            listen: listen
                .or(fc.listen)
                .unwrap_or_else(|| "127.0.0.1:4566".into()),
            data_dir: data_dir
                .or(fc.data_dir)
                .unwrap_or_else(|| PathBuf::from("./.trailstack")),
            region: region.or(fc.region).unwrap_or_else(|| "us-east-1".into()),
            require_tls_for_sse: fc.require_tls_for_sse.unwrap_or(false),
            identities,
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
        Ok(Identity {
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

impl trailstack_sigv4::SecretLookup for Config {
    fn secret_for(&self, access_key: &str) -> Option<String> {
        self.identities.get(access_key).map(|i| i.secret.clone())
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
}
