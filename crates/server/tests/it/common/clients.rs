//! The SDK clients tests drive the server with: one description of how a client reaches and
//! signs ([`Via`]) built into an S3, KMS or CloudTrail client, and [`Clocked`], a server on a
//! settable clock whose clients sign by that clock.

use super::Server;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use trailstack_core::{Clock, FixedClock};

/// How a client reaches the server and signs its requests.
#[derive(Clone)]
pub struct Via {
    endpoint: String,
    /// Access key and secret; None sends every request unsigned.
    credentials: Option<(String, String)>,
    /// The session token of temporary credentials.
    token: Option<String>,
    /// The clock SigV4 signs by; None is the machine's time.
    clock: Option<Arc<FixedClock>>,
    retries: bool,
    path_style: bool,
}

/// A fixed clock as the SDK's time source, so SigV4 times agree with the server's clock.
#[derive(Debug)]
struct SdkTime(Arc<FixedClock>);

impl aws_smithy_async::time::TimeSource for SdkTime {
    fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(self.0.now().unix_timestamp() as u64)
    }
}

/// The settings every SDK's config builder shares, applied to `$builder` of SDK `$sdk`.
macro_rules! configure {
    ($sdk:ident, $via:expr, $builder:expr) => {{
        let via = $via;
        let mut b = $builder
            .behavior_version($sdk::config::BehaviorVersion::latest())
            .endpoint_url(&via.endpoint)
            .region($sdk::config::Region::new("us-east-1"));
        b = match &via.credentials {
            Some((key, secret)) => b.credentials_provider($sdk::config::Credentials::new(
                key,
                secret,
                via.token.clone(),
                None,
                "test",
            )),
            None => b.allow_no_auth(),
        };
        if !via.retries {
            b = b.retry_config($sdk::config::retry::RetryConfig::disabled());
        }
        if let Some(clock) = &via.clock {
            // The server's Date header is the machine's time, not the test clock's.
            b = b
                .time_source(SdkTime(clock.clone()))
                .disable_clock_skew_correction(true);
        }
        b
    }};
}

impl Via {
    /// A client of `endpoint` with the default credentials, path-style, retrying as the SDK does.
    pub fn new(endpoint: &str) -> Via {
        Via {
            endpoint: endpoint.to_string(),
            credentials: Some(("test".into(), "test".into())),
            token: None,
            clock: None,
            retries: true,
            path_style: true,
        }
    }

    /// Signs as `key` with `secret`.
    pub fn signing_as(mut self, key: &str, secret: &str) -> Via {
        self.credentials = Some((key.into(), secret.into()));
        self
    }

    /// Signs with an access key IAM made.
    pub fn signing_with(self, key: &aws_sdk_iam::types::AccessKey) -> Via {
        self.signing_as(key.access_key_id(), key.secret_access_key())
    }

    /// Signs with temporary credentials: `key`, `secret` and session `token`.
    pub fn session(mut self, key: &str, secret: &str, token: &str) -> Via {
        self.credentials = Some((key.into(), secret.into()));
        self.token = Some(token.into());
        self
    }

    /// Sends every request unsigned.
    pub fn anonymous(mut self) -> Via {
        self.credentials = None;
        self
    }

    /// Signs by `clock` instead of the machine's time.
    pub fn clocked(mut self, clock: Arc<FixedClock>) -> Via {
        self.clock = Some(clock);
        self
    }

    /// Never retries (a retry would hide which call the server acknowledged).
    pub fn no_retries(mut self) -> Via {
        self.retries = false;
        self
    }

    /// Addresses buckets as `bucket.host` instead of `host/bucket`.
    pub fn virtual_hosted(mut self) -> Via {
        self.path_style = false;
        self
    }

    /// The S3 configuration, for a test that adds to it.
    pub fn s3_config(&self) -> aws_sdk_s3::config::Builder {
        configure!(aws_sdk_s3, self, aws_sdk_s3::Config::builder())
            .force_path_style(self.path_style)
    }

    pub fn s3(&self) -> aws_sdk_s3::Client {
        aws_sdk_s3::Client::from_conf(self.s3_config().build())
    }

    pub fn kms(&self) -> aws_sdk_kms::Client {
        aws_sdk_kms::Client::from_conf(
            configure!(aws_sdk_kms, self, aws_sdk_kms::Config::builder()).build(),
        )
    }

    pub fn sts(&self) -> aws_sdk_sts::Client {
        aws_sdk_sts::Client::from_conf(
            configure!(aws_sdk_sts, self, aws_sdk_sts::Config::builder()).build(),
        )
    }

    pub fn cloudtrail(&self) -> aws_sdk_cloudtrail::Client {
        let b = configure!(
            aws_sdk_cloudtrail,
            self,
            aws_sdk_cloudtrail::Config::builder()
        );
        aws_sdk_cloudtrail::Client::from_conf(b.build())
    }

    pub fn iam(&self) -> aws_sdk_iam::Client {
        aws_sdk_iam::Client::from_conf(
            configure!(aws_sdk_iam, self, aws_sdk_iam::Config::builder()).build(),
        )
    }
}

impl Server {
    /// How clients reach this server, with the default credentials.
    pub fn via(&self) -> Via {
        Via::new(&self.endpoint)
    }

    /// An S3 client with the default credentials.
    pub fn s3(&self) -> aws_sdk_s3::Client {
        self.via().s3()
    }

    /// An S3 client with the given credentials.
    pub fn s3_with(&self, key: &str, secret: &str) -> aws_sdk_s3::Client {
        self.via().signing_as(key, secret).s3()
    }

    /// An S3 client that signs nothing.
    pub fn s3_anonymous(&self) -> aws_sdk_s3::Client {
        self.via().anonymous().s3()
    }

    /// A KMS client with the default credentials.
    pub fn kms(&self) -> aws_sdk_kms::Client {
        self.via().kms()
    }

    /// A KMS client with the given credentials.
    pub fn kms_with(&self, key: &str, secret: &str) -> aws_sdk_kms::Client {
        self.via().signing_as(key, secret).kms()
    }

    /// A CloudTrail client with the default credentials.
    pub fn cloudtrail(&self) -> aws_sdk_cloudtrail::Client {
        self.via().cloudtrail()
    }

    /// An IAM client with the default credentials (the root of account 000000000000).
    pub fn iam(&self) -> aws_sdk_iam::Client {
        self.via().iam()
    }

    /// An IAM client with the given credentials.
    pub fn iam_with(&self, key: &str, secret: &str) -> aws_sdk_iam::Client {
        self.via().signing_as(key, secret).iam()
    }

    /// A CloudTrail client with the given credentials.
    pub fn cloudtrail_with(&self, key: &str, secret: &str) -> aws_sdk_cloudtrail::Client {
        self.via().signing_as(key, secret).cloudtrail()
    }
}

/// A CloudTrail client for the server at `endpoint`, with the default credentials.
pub fn cloudtrail_at(endpoint: &str) -> aws_sdk_cloudtrail::Client {
    Via::new(endpoint).cloudtrail()
}

/// A server on a settable clock, with clients that sign by it, so times pass without sleeping.
pub struct Clocked {
    pub s: Server,
    pub clock: Arc<FixedClock>,
}

impl Clocked {
    /// A server whose clock stands at `t0` (Unix seconds), with the users of the TOML
    /// configuration `users` if any.
    pub async fn start_at(t0: i64, users: Option<&str>) -> Clocked {
        let clock = Arc::new(FixedClock::new(
            time::OffsetDateTime::from_unix_timestamp(t0).unwrap(),
        ));
        let dir = tempfile::tempdir().unwrap();
        let identities = users.map(|toml| super::identities(&dir, toml));
        let s = Server::start_clocked(dir, clock.clone(), |c| {
            if let Some(ids) = identities {
                c.identities = ids;
            }
        })
        .await;
        Clocked { s, clock }
    }

    /// How clients reach the server, signing by its clock with the default credentials.
    pub fn via(&self) -> Via {
        self.s.via().clocked(self.clock.clone())
    }

    /// An S3 client signing as `key`/`secret` by the test clock.
    pub fn s3_as(&self, key: &str, secret: &str) -> aws_sdk_s3::Client {
        self.via().signing_as(key, secret).s3()
    }

    pub fn s3(&self) -> aws_sdk_s3::Client {
        self.via().s3()
    }

    pub fn kms(&self) -> aws_sdk_kms::Client {
        self.via().kms()
    }

    pub fn cloudtrail(&self) -> aws_sdk_cloudtrail::Client {
        self.via().cloudtrail()
    }
}
