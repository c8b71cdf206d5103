//! What one call asks: the [`RequestContext`] (who, which action, which resource) and its
//! [`Conditions`] (the condition keys the service supplies for this call). Also the one lookup
//! both condition operators and policy variables use, which falls back to keys AWS derives from
//! the principal itself (`aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:username`, ...).
//! Nothing here knows the policy grammar.

use base64::Engine as _;

/// The kind of principal making a request; it decides which policies can grant access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrincipalKind {
    /// The root user of an account (`arn:aws:iam::<account>:root`).
    Root,
    /// An IAM user (`arn:aws:iam::<account>:user/<name>`).
    User,
    /// A role session (`arn:aws:sts::<account>:assumed-role/<role>/<session>`): it holds the
    /// role's identity policies, limited by its session policies.
    AssumedRole,
    /// An AWS service principal such as `cloudtrail.amazonaws.com`.
    Service,
    /// An unsigned request (`*`).
    Anonymous,
}

/// One call to authorize: the principal, the action, the resource and the call's condition keys.
#[derive(Debug, Clone, Copy)]
pub struct RequestContext<'a> {
    /// `arn:aws:iam::111122223333:root`, `arn:aws:iam::111122223333:user/alice`,
    /// `cloudtrail.amazonaws.com`, or `*` for anonymous requests.
    pub principal_arn: &'a str,
    /// The principal's account; `None` for services and anonymous callers.
    pub principal_account: Option<&'a str>,
    /// What kind of principal `principal_arn` names.
    pub principal_kind: PrincipalKind,
    /// The S3 canonical user id of the principal's account, matched by `CanonicalUser`
    /// principals.
    pub canonical_id: Option<&'a str>,
    /// The IAM user name, the value of `${aws:username}`.
    pub username: Option<&'a str>,
    /// For a role session, the role's ARN (with its path): a Principal naming the role names
    /// its sessions too.
    pub role_arn: Option<&'a str>,
    /// For a role session, its session policies (`Policy` and `PolicyArns` of AssumeRole,
    /// merged): they limit what the identity and resource policies allow.
    pub session_policy: Option<&'a crate::model::Policy>,
    /// The action asked, e.g. `s3:PutObject` or `kms:GenerateDataKey`.
    pub action: &'a str,
    /// The ARN of the resource acted on.
    pub resource: &'a str,
    /// The condition keys of this call.
    pub conditions: &'a Conditions,
    /// The principal's permissions boundary, if it has one: the most its identity policies
    /// can grant.
    pub boundary: Option<&'a crate::model::Policy>,
}

impl<'a> RequestContext<'a> {
    /// A request by `principal_arn` of `kind`; the account and user name are read from the
    /// ARN (`arn:aws:iam::<account>:user/<path/><name>`), the canonical id is left unset.
    pub fn new(
        principal_arn: &'a str,
        principal_kind: PrincipalKind,
        action: &'a str,
        resource: &'a str,
        conditions: &'a Conditions,
    ) -> Self {
        let (principal_account, username) = match principal_kind {
            PrincipalKind::Root | PrincipalKind::User | PrincipalKind::AssumedRole => {
                iam_arn_parts(principal_arn)
            }
            PrincipalKind::Service | PrincipalKind::Anonymous => (None, None),
        };
        RequestContext {
            principal_arn,
            principal_account,
            principal_kind,
            canonical_id: None,
            username,
            role_arn: None,
            session_policy: None,
            action,
            resource,
            conditions,
            boundary: None,
        }
    }

    /// The same request by a role session of the role `role_arn`, limited by `session_policy`.
    pub fn for_session(
        self,
        role_arn: Option<&'a str>,
        session_policy: Option<&'a crate::model::Policy>,
    ) -> Self {
        RequestContext {
            role_arn,
            session_policy,
            ..self
        }
    }

    /// The same request for another action and resource (as KMS and CloudTrail simulate).
    pub fn with_target(self, action: &'a str, resource: &'a str) -> Self {
        RequestContext {
            action,
            resource,
            ..self
        }
    }
}

/// The account and user name in an IAM ARN: `arn:aws:iam::111122223333:user/team/alice` gives
/// `(Some("111122223333"), Some("alice"))`; a root ARN gives the account and no name.
fn iam_arn_parts(arn: &str) -> (Option<&str>, Option<&str>) {
    let Some([_, _, _, _, account, rest]) = crate::arn_fields(arn) else {
        return (None, None);
    };
    let account = (!account.is_empty()).then_some(account);
    let name = rest
        .strip_prefix("user/")
        .and_then(|p| p.rsplit('/').next())
        .filter(|n| !n.is_empty());
    (account, name)
}

/// The condition keys of one call. Keys are looked up without regard to case, as AWS does
/// (`aws:SourceIp` = `aws:sourceip`); each key holds one or more values, kept as strings and
/// interpreted by the operator that reads them (numbers, dates, IP addresses, base64 binary).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conditions {
    entries: Vec<(Box<str>, Vec<String>)>,
}

impl Conditions {
    /// No keys.
    pub fn new() -> Self {
        Conditions::default()
    }

    fn slot(&mut self, key: &str) -> &mut Vec<String> {
        match self
            .entries
            .iter()
            .position(|(k, _)| k.eq_ignore_ascii_case(key))
        {
            Some(i) => &mut self.entries[i].1,
            None => {
                // Stored lowercase so policy keys (lowercased when parsed) compare bytewise.
                self.entries
                    .push((key.to_ascii_lowercase().into(), Vec::new()));
                &mut self.entries.last_mut().expect("just pushed").1
            }
        }
    }

    /// Sets `key` to the single `value`, replacing what it held.
    pub fn insert(&mut self, key: &str, value: impl Into<String>) -> &mut Self {
        let slot = self.slot(key);
        slot.clear();
        slot.push(value.into());
        self
    }

    /// Sets `key` to `values` (a multivalued key such as `kms:EncryptionContextKeys` or
    /// `aws:CalledVia`). An empty list leaves the key absent for every operator.
    pub fn insert_many<I, S>(&mut self, key: &str, values: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let slot = self.slot(key);
        slot.clear();
        slot.extend(values.into_iter().map(Into::into));
        self
    }

    /// Adds `value` to the values of `key`.
    pub fn append(&mut self, key: &str, value: impl Into<String>) -> &mut Self {
        self.slot(key).push(value.into());
        self
    }

    /// Sets a boolean key (`aws:SecureTransport`) to `true` or `false`.
    pub fn insert_bool(&mut self, key: &str, value: bool) -> &mut Self {
        self.insert(key, if value { "true" } else { "false" })
    }

    /// Sets a numeric key (`s3:max-keys`).
    pub fn insert_number(&mut self, key: &str, value: impl std::fmt::Display) -> &mut Self {
        self.insert(key, value.to_string())
    }

    /// Sets a date key (`aws:CurrentTime`) in ISO 8601 (RFC 3339) form.
    pub fn insert_time(&mut self, key: &str, value: time::OffsetDateTime) -> &mut Self {
        let text = value
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        self.insert(key, text)
    }

    /// Sets a binary key; `BinaryEquals` compares it with the policy's base64 value.
    pub fn insert_binary(&mut self, key: &str, value: &[u8]) -> &mut Self {
        let text = base64::engine::general_purpose::STANDARD.encode(value);
        self.insert(key, text)
    }

    /// Removes `key`.
    pub fn remove(&mut self, key: &str) -> &mut Self {
        self.entries.retain(|(k, _)| !k.eq_ignore_ascii_case(key));
        self
    }

    /// Builder form of [`Conditions::insert`].
    pub fn with(mut self, key: &str, value: impl Into<String>) -> Self {
        self.insert(key, value);
        self
    }

    /// Builder form of [`Conditions::insert_many`].
    pub fn with_many<I, S>(mut self, key: &str, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.insert_many(key, values);
        self
    }

    /// Builder form of [`Conditions::insert_bool`].
    pub fn with_bool(mut self, key: &str, value: bool) -> Self {
        self.insert_bool(key, value);
        self
    }

    /// Builder form of [`Conditions::insert_number`].
    pub fn with_number(mut self, key: &str, value: impl std::fmt::Display) -> Self {
        self.insert_number(key, value);
        self
    }

    /// Builder form of [`Conditions::insert_time`].
    pub fn with_time(mut self, key: &str, value: time::OffsetDateTime) -> Self {
        self.insert_time(key, value);
        self
    }

    /// Builder form of [`Conditions::insert_binary`].
    pub fn with_binary(mut self, key: &str, value: &[u8]) -> Self {
        self.insert_binary(key, value);
        self
    }

    /// The values of `key` (any case), if it is present.
    pub fn get(&self, key: &str) -> Option<&[String]> {
        self.entries
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_slice())
    }

    /// The values of `key`, which must already be lowercase (the evaluator's fast path).
    fn get_lowercase(&self, key: &str) -> Option<&[String]> {
        self.entries
            .iter()
            .find(|(k, _)| **k == *key)
            .map(|(_, v)| v.as_slice())
    }

    /// The keys (lowercased) and their values, in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.entries.iter().map(|(k, v)| (&**k, v.as_slice()))
    }

    /// How many keys are present.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no key is present.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The values a request has for one condition key: none (the key is absent), one, or many.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Values<'a> {
    Absent,
    One(&'a str),
    Many(&'a [String]),
}

impl<'a> Values<'a> {
    /// Whether the key is absent (or present with no value, which AWS treats alike).
    pub(crate) fn is_absent(&self) -> bool {
        match self {
            Values::Absent => true,
            Values::One(_) => false,
            Values::Many(v) => v.is_empty(),
        }
    }

    /// The single value, when there is exactly one (policy variables take only those).
    pub(crate) fn single(&self) -> Option<&'a str> {
        match *self {
            Values::One(v) => Some(v),
            Values::Many([v]) => Some(v.as_str()),
            _ => None,
        }
    }

    /// Every value.
    pub(crate) fn iter(self) -> impl Iterator<Item = &'a str> {
        let (one, many): (Option<&'a str>, &'a [String]) = match self {
            Values::Absent => (None, &[]),
            Values::One(v) => (Some(v), &[]),
            Values::Many(v) => (None, v),
        };
        one.into_iter().chain(many.iter().map(String::as_str))
    }
}

/// The values of condition key `key` (lowercase, as the parser stores keys) for `req`: what
/// the service supplied, else what AWS derives from the principal (`aws:PrincipalArn`,
/// `aws:PrincipalAccount`, `aws:username`, `aws:userid` of a root user, `aws:PrincipalType`,
/// `aws:PrincipalServiceName`).
pub(crate) fn lookup<'a>(req: &RequestContext<'a>, key: &str) -> Values<'a> {
    if let Some(v) = req.conditions.get_lowercase(key) {
        return Values::Many(v);
    }
    let kind = req.principal_kind;
    let derived = match key {
        "aws:principalarn" => (kind != PrincipalKind::Anonymous).then_some(req.principal_arn),
        "aws:principalaccount" => req.principal_account,
        "aws:username" => req.username,
        // A root user's unique id is its account id; an IAM user's (AIDA...) only the
        // service knows, so it has to supply it.
        "aws:userid" => (kind == PrincipalKind::Root)
            .then_some(req.principal_account)
            .flatten(),
        "aws:principaltype" => match kind {
            PrincipalKind::Root => Some("Account"),
            PrincipalKind::User => Some("User"),
            PrincipalKind::AssumedRole => Some("AssumedRole"),
            PrincipalKind::Anonymous => Some("Anonymous"),
            PrincipalKind::Service => None,
        },
        "aws:principalservicename" => (kind == PrincipalKind::Service).then_some(req.principal_arn),
        _ => None,
    };
    derived.map_or(Values::Absent, Values::One)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_case_insensitive_and_replaceable() {
        let mut c = Conditions::new();
        c.insert("aws:SourceIp", "10.0.0.1");
        c.insert("AWS:SOURCEIP", "10.0.0.2");
        assert_eq!(c.len(), 1);
        assert_eq!(c.get("aws:sourceip"), Some(&["10.0.0.2".to_string()][..]));
        c.append("aws:sourceip", "10.0.0.3");
        assert_eq!(c.get("aws:SourceIp").map(<[String]>::len), Some(2));
        c.remove("aws:sourceIP");
        assert!(c.is_empty());
    }

    #[test]
    fn typed_builders() {
        let c = Conditions::new()
            .with_bool("aws:SecureTransport", true)
            .with_number("s3:max-keys", 10)
            .with_binary("k", b"hi")
            .with_time(
                "aws:CurrentTime",
                time::OffsetDateTime::from_unix_timestamp(1_704_164_645).unwrap(),
            );
        assert_eq!(c.get("aws:SecureTransport").unwrap()[0], "true");
        assert_eq!(c.get("s3:max-keys").unwrap()[0], "10");
        assert_eq!(c.get("k").unwrap()[0], "aGk=");
        assert_eq!(c.get("aws:CurrentTime").unwrap()[0], "2024-01-02T03:04:05Z");
    }

    #[test]
    fn new_reads_account_and_user_from_the_arn() {
        let c = Conditions::new();
        let r = RequestContext::new(
            "arn:aws:iam::111122223333:user/team/alice",
            PrincipalKind::User,
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            &c,
        );
        assert_eq!(r.principal_account, Some("111122223333"));
        assert_eq!(r.username, Some("alice"));
        let r = RequestContext::new(
            "arn:aws:iam::111122223333:root",
            PrincipalKind::Root,
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            &c,
        );
        assert_eq!(r.principal_account, Some("111122223333"));
        assert_eq!(r.username, None);
        assert_eq!(lookup(&r, "aws:userid").single(), Some("111122223333"));
        assert_eq!(lookup(&r, "aws:principaltype").single(), Some("Account"));
        let r = RequestContext::new("*", PrincipalKind::Anonymous, "s3:GetObject", "x", &c);
        assert!(lookup(&r, "aws:principalarn").is_absent());
    }
}
