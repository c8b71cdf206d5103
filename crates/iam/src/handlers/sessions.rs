//! Temporary credentials: minting the `ASIA…` key, secret and session token of a new session,
//! storing it durably (the directory then knows it from the next request on), and
//! GetSessionToken, the session of the calling user or root.
//!
//! AWS facts: docs/aws/iam-sts.md §9.

use super::users::random_text;
use crate::error::{IamError, IamResult};
use crate::model::sessions::{self, StoredSession};
use crate::op::{Credentials, StsOutput};
use crate::Iam;
use trailstack_core::{Caller, Principal, Session};

const KEY_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const SECRET_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The hex SHA-256 of a session token, as stored and compared.
pub fn token_digest(token: &str) -> String {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes());
    d.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// What a new session is, before it has credentials.
pub struct NewSession {
    pub account: String,
    pub principal: Principal,
    pub session: Session,
    pub policies: Vec<String>,
    pub chained: bool,
}

/// Mints credentials for `s` and stores the session; it authenticates from the next request.
pub async fn store(iam: &Iam, s: NewSession) -> IamResult<Credentials> {
    let access_key = format!("ASIA{}", random_text(16, KEY_ALPHABET)?);
    let secret = random_text(40, SECRET_ALPHABET)?;
    let token = random_text(356, SECRET_ALPHABET)?;
    let sealed = iam
        .root
        .seal(&sessions::purpose(&access_key), secret.as_bytes())?;
    let expires_ms = (s.session.expires.unix_timestamp_nanos() / 1_000_000) as i64;
    let stored = StoredSession {
        access_key: access_key.clone(),
        account: s.account,
        sealed,
        token_sha256: token_digest(&token),
        principal: s.principal,
        session: s.session,
        policies: s.policies,
        chained: s.chained,
    };
    let now = iam.now_ms();
    iam.change(move |c| sessions::insert(c, &stored, now).map_err(IamError::from))
        .await?;
    Ok(Credentials {
        access_key,
        secret,
        token,
        expires_ms,
    })
}

/// GetSessionToken: credentials of the calling user (15 minutes to 36 hours, 12 by default)
/// or root (15 minutes to 1 hour, 1 by default), with its permissions. Session credentials
/// cannot ask for more; without MFA devices here, an MFA code cannot be checked.
pub async fn get_session_token(
    iam: &Iam,
    caller: &Caller,
    duration: Option<u32>,
    serial_number: Option<&str>,
) -> IamResult<StsOutput> {
    if caller.session.is_some() {
        return Err(IamError::AccessDenied(
            "Cannot call GetSessionToken with session credentials".into(),
        ));
    }
    let (default, max) = match &caller.principal {
        Principal::User { .. } => (43_200, 129_600),
        Principal::Root => (3_600, 3_600),
        _ => {
            return Err(IamError::AccessDenied(
                "GetSessionToken needs the credentials of an IAM user or an account's root".into(),
            ))
        }
    };
    if serial_number.is_some() {
        return Err(mfa_failed());
    }
    let seconds = duration.unwrap_or(default).min(max);
    let now = iam.clock.now();
    let credentials = store(
        iam,
        NewSession {
            account: caller.account.as_str().to_string(),
            principal: caller.principal.clone(),
            session: Session::plain(now, now + time::Duration::seconds(i64::from(seconds))),
            policies: Vec::new(),
            chained: false,
        },
    )
    .await?;
    Ok(StsOutput::SessionToken(credentials))
}

/// AWS's refusal of an MFA code it cannot verify: no MFA device exists on this server.
pub fn mfa_failed() -> IamError {
    IamError::AccessDenied(
        "MultiFactorAuthentication failed with invalid MFA one time pass code.".into(),
    )
}
