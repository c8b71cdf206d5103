//! STS sessions: the temporary credentials AssumeRole and GetSessionToken hand out. A row holds
//! the `ASIA…` key id, its secret sealed by the root key (bound to the key id), the SHA-256 of
//! its session token (the token itself is never stored), its expiry, and the session as JSON
//! (`record`, with a schema version `v`): who it is, its role, tags, source identity and session
//! policies. Rows live until a day past their expiry, so an expired token is still recognized
//! as expired rather than unknown.

use serde_json::{json, Value};
use trailstack_core::{Principal, Session, SessionIssuer};
use trailstack_store::Conn;

type SqlResult<T> = trailstack_store::sql::Result<T>;

/// How long a session row outlives its expiry.
pub const KEEP_AFTER_EXPIRY_MS: i64 = 24 * 3600 * 1000;

/// The seal purpose of session key `id`'s secret.
pub fn purpose(id: &str) -> String {
    format!("sts-session-key:{id}")
}

/// A session as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSession {
    /// The `ASIA…` access key id.
    pub access_key: String,
    /// The account of the session's principal.
    pub account: String,
    /// The secret, sealed.
    pub sealed: Vec<u8>,
    /// The hex SHA-256 of the session token.
    pub token_sha256: String,
    /// Who the session is.
    pub principal: Principal,
    /// The session itself.
    pub session: Session,
    /// The session policies' documents (AssumeRole's `Policy`, then its `PolicyArns`').
    pub policies: Vec<String>,
    /// Whether the session was made by role chaining (a role session assuming a role).
    pub chained: bool,
}

fn ms(t: time::OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

fn at(ms: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

fn record_of(s: &StoredSession) -> Value {
    let principal = match &s.principal {
        Principal::AssumedRole { role, session } => {
            json!({"kind": "role", "role": role, "session": session})
        }
        Principal::User { name } => json!({"kind": "user", "name": name}),
        _ => json!({"kind": "root"}),
    };
    let issuer = s
        .session
        .issuer
        .as_ref()
        .map(|i| json!({"arn": i.arn, "id": i.id, "name": i.name}));
    json!({
        "v": 1,
        "principal": principal,
        "created_ms": ms(s.session.created),
        "mfa": s.session.mfa,
        "issuer": issuer,
        "source_identity": s.session.source_identity,
        "tags": s.session.tags,
        "transitive_tag_keys": s.session.transitive_tag_keys,
        "policies": s.policies,
        "chained": s.chained,
    })
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn text(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or_default().to_string()
}

/// The session a row describes; `None` for a record this release cannot read.
fn session_of(
    access_key: String,
    account: String,
    sealed: Vec<u8>,
    token_sha256: String,
    expires_ms: i64,
    record: &str,
) -> Option<StoredSession> {
    let r: Value = serde_json::from_str(record).ok()?;
    let p = &r["principal"];
    let principal = match p["kind"].as_str()? {
        "role" => Principal::AssumedRole {
            role: text(p, "role"),
            session: text(p, "session"),
        },
        "user" => Principal::User {
            name: text(p, "name"),
        },
        _ => Principal::Root,
    };
    let issuer = r["issuer"].as_object().map(|i| SessionIssuer {
        arn: i
            .get("arn")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .into(),
        id: i
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .into(),
        name: i
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .into(),
    });
    let tags = r["tags"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|t| Some((t[0].as_str()?.to_string(), t[1].as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    Some(StoredSession {
        access_key,
        account,
        sealed,
        token_sha256,
        principal,
        session: Session {
            created: at(r["created_ms"].as_i64().unwrap_or_default()),
            expires: at(expires_ms),
            mfa: r["mfa"].as_bool().unwrap_or(false),
            issuer,
            source_identity: r["source_identity"].as_str().map(str::to_string),
            tags,
            transitive_tag_keys: strings(&r["transitive_tag_keys"]),
        },
        policies: strings(&r["policies"]),
        chained: r["chained"].as_bool().unwrap_or(false),
    })
}

/// Stores a new session, and forgets those a day past their expiry at `now_ms`.
pub fn insert(c: &Conn, s: &StoredSession, now_ms: i64) -> SqlResult<()> {
    c.execute(
        "DELETE FROM iam_sessions WHERE expires_ms < $1",
        &[&(now_ms - KEEP_AFTER_EXPIRY_MS)],
    )?;
    c.execute(
        "INSERT INTO iam_sessions (access_key, account, sealed, token_sha256, expires_ms, record)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            &s.access_key,
            &s.account,
            &s.sealed,
            &s.token_sha256,
            &ms(s.session.expires),
            &record_of(s).to_string(),
        ],
    )?;
    Ok(())
}

/// Every stored session.
pub fn all(c: &Conn) -> SqlResult<Vec<StoredSession>> {
    let rows = c.query(
        "SELECT access_key, account, sealed, token_sha256, expires_ms, record FROM iam_sessions",
        &[],
        |r| {
            Ok((
                r.get::<String>(0)?,
                r.get::<String>(1)?,
                r.get::<Vec<u8>>(2)?,
                r.get::<String>(3)?,
                r.get::<i64>(4)?,
                r.get::<String>(5)?,
            ))
        },
    )?;
    let mut out = Vec::new();
    for (key, account, sealed, token, expires, record) in rows {
        match session_of(key, account, sealed, token, expires, &record) {
            Some(s) => out.push(s),
            None => tracing::error!("iam: a session record could not be read; left out"),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip() {
        let s = StoredSession {
            access_key: "ASIAEXAMPLE".into(),
            account: "111122223333".into(),
            sealed: vec![1, 2, 3],
            token_sha256: "ab".into(),
            principal: Principal::AssumedRole {
                role: "r".into(),
                session: "s".into(),
            },
            session: Session {
                created: at(1_000),
                expires: at(3_601_000),
                mfa: false,
                issuer: Some(SessionIssuer {
                    arn: "arn:aws:iam::111122223333:role/team/r".into(),
                    id: "AROAEXAMPLE".into(),
                    name: "r".into(),
                }),
                source_identity: Some("alice".into()),
                tags: vec![("team".into(), "blue".into())],
                transitive_tag_keys: vec!["team".into()],
            },
            policies: vec!["{}".into()],
            chained: true,
        };
        let back = session_of(
            s.access_key.clone(),
            s.account.clone(),
            s.sealed.clone(),
            s.token_sha256.clone(),
            3_601_000,
            &record_of(&s).to_string(),
        )
        .unwrap();
        assert_eq!(back, s);
    }
}
