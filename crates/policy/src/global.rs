//! The global `aws:*` condition keys of a request, built in one place for every service from
//! what the service knows of its caller: when AWS includes each key and with what value
//! (docs/aws/iam-authorization.md §4). The principal's own keys (`aws:PrincipalArn`,
//! `aws:userid`, `aws:PrincipalTag/…`) come from its [`PrincipalFacts`]; [`add_caller_keys`]
//! builds both from a [`Caller`], as every service does.

use crate::context::{Conditions, PrincipalKind};
use crate::identities::PrincipalRecord;
use crate::model::Reads;
use crate::principal_keys::{session_tags, PrincipalFacts};
use std::net::IpAddr;
use time::OffsetDateTime;
use trailstack_core::{Caller, Principal};

/// The services whose requests on a principal's behalf carry `aws:CalledVia`; a forwarded
/// request from any other service (S3 calling KMS for a user) carries none.
const CALLED_VIA_SERVICES: [&str; 4] = [
    "athena.amazonaws.com",
    "cloudformation.amazonaws.com",
    "dynamodb.amazonaws.com",
    "kms.amazonaws.com",
];

/// What the global keys of one request are made of, as the service knows its caller.
#[derive(Debug, Clone, Copy)]
pub struct GlobalKeys<'a> {
    /// Who calls.
    pub principal: PrincipalFacts<'a>,
    /// The caller's account: for a service principal, the account it acts for.
    pub account: &'a str,
    /// The address the request came from, when it came over the network.
    pub source_ip: Option<IpAddr>,
    /// Whether the request arrived over TLS.
    pub secure_transport: bool,
    /// When the request is decided.
    pub now: OffsetDateTime,
    /// The region the request was sent to (`us-east-1` for IAM, a global service).
    pub requested_region: &'a str,
    /// The service making the request: a service principal's own name, or the service
    /// forwarding a principal's request with the principal's credentials.
    pub invoked_by: Option<&'a str>,
    /// The resource a service principal acts for (a trail, a logged bucket).
    pub source_arn: Option<&'a str>,
}

impl GlobalKeys<'_> {
    /// Adds the keys to `c`: those `reads` says a policy reads, or every one for `None`. A key
    /// no policy reads cannot change a decision, so leaving it out only saves the work.
    pub fn add_to(&self, c: &mut Conditions, reads: Option<&Reads>) {
        let wanted = |key: &str| reads.is_none_or(|r| r.key(key));
        if wanted("aws:CurrentTime") || wanted("aws:EpochTime") {
            c.insert_time("aws:CurrentTime", self.now);
            c.insert_number("aws:EpochTime", self.now.unix_timestamp());
        }
        if wanted("aws:SecureTransport") {
            c.insert_bool("aws:SecureTransport", self.secure_transport);
        }
        if wanted("aws:RequestedRegion") {
            c.insert("aws:RequestedRegion", self.requested_region);
        }
        if let Some(ip) = self.source_ip.filter(|_| wanted("aws:SourceIp")) {
            c.insert("aws:SourceIp", ip.to_string());
        }
        self.principal.add_to(c, reads);
        let service = self.principal.kind() == PrincipalKind::Service;
        if wanted("aws:PrincipalIsAWSService") {
            c.insert_bool("aws:PrincipalIsAWSService", service);
        }
        // A service principal acting for a resource: the keys that tell whose resource.
        if service {
            if wanted("aws:SourceAccount") {
                c.insert("aws:SourceAccount", self.account);
            }
            if let Some(arn) = self.source_arn.filter(|_| wanted("aws:SourceArn")) {
                c.insert("aws:SourceArn", arn);
            }
        }
        // A service using the principal's own credentials (a forward access session).
        let forwarded_by = self.invoked_by.filter(|_| !service);
        if wanted("aws:ViaAWSService") {
            c.insert_bool("aws:ViaAWSService", forwarded_by.is_some());
        }
        if let Some(via) = forwarded_by.filter(|s| CALLED_VIA_SERVICES.contains(s)) {
            for key in ["aws:CalledVia", "aws:CalledViaFirst", "aws:CalledViaLast"] {
                if wanted(key) {
                    c.insert(key, via);
                }
            }
        }
    }
}

/// Adds the global keys of `caller`'s request to `c` (those `reads` says a policy reads, or
/// every one for `None`), decided at `now` for a request to `requested_region`. `arn` is the
/// caller's ARN as IAM writes it (a user's with its path) and `record` what IAM knows of the
/// user, or of a role session's role, whose tags the session's own tags override.
pub fn add_caller_keys(
    c: &mut Conditions,
    reads: Option<&Reads>,
    caller: &Caller,
    arn: &str,
    record: Option<&PrincipalRecord>,
    requested_region: &str,
    now: OffsetDateTime,
) {
    let account = caller.account.as_str();
    let session = caller.session.as_deref();
    let tags = match (&caller.principal, session) {
        (Principal::AssumedRole { .. }, Some(s)) => {
            session_tags(record.map_or(&[], |r| r.tags.as_slice()), &s.tags)
        }
        _ => Vec::new(),
    };
    GlobalKeys {
        principal: match &caller.principal {
            Principal::Root => PrincipalFacts::Root { account },
            Principal::User { name } => PrincipalFacts::user(arn, account, name, record),
            Principal::AssumedRole { session: name, .. } => PrincipalFacts::AssumedRole {
                role_arn: caller.role_arn().unwrap_or_default(),
                account,
                role_id: session
                    .and_then(|s| s.issuer.as_ref())
                    .map_or("", |i| i.id.as_str()),
                session_name: name,
                tags: &tags,
                source_identity: session.and_then(|s| s.source_identity.as_deref()),
            },
            Principal::Service(name) => PrincipalFacts::Service { name },
            Principal::Anonymous => PrincipalFacts::Anonymous,
        },
        account,
        source_ip: caller.source_ip,
        secure_transport: caller.secure_transport,
        now,
        requested_region,
        invoked_by: caller.invoked_by.as_deref(),
        source_arn: caller.source_arn.as_deref(),
    }
    .add_to(c, reads);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(kind: PrincipalKind) -> PrincipalFacts<'static> {
        match kind {
            PrincipalKind::Root => PrincipalFacts::Root {
                account: "111122223333",
            },
            PrincipalKind::User => PrincipalFacts::User {
                arn: "arn:aws:iam::111122223333:user/alice",
                account: "111122223333",
                name: "alice",
                id: "AIDAEXAMPLE",
                tags: &[],
            },
            PrincipalKind::AssumedRole => PrincipalFacts::AssumedRole {
                role_arn: "arn:aws:iam::111122223333:role/r",
                account: "111122223333",
                role_id: "AROAEXAMPLE",
                session_name: "s",
                tags: &[],
                source_identity: None,
            },
            PrincipalKind::Service => PrincipalFacts::Service {
                name: "cloudtrail.amazonaws.com",
            },
            PrincipalKind::Anonymous => PrincipalFacts::Anonymous,
        }
    }

    fn keys(kind: PrincipalKind, invoked_by: Option<&str>) -> Conditions {
        let mut c = Conditions::new();
        GlobalKeys {
            principal: facts(kind),
            account: "111122223333",
            source_ip: Some("192.0.2.7".parse().unwrap()),
            secure_transport: false,
            now: OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap(),
            requested_region: "eu-west-3",
            invoked_by,
            source_arn: Some("arn:aws:cloudtrail:us-east-1:111122223333:trail/t"),
        }
        .add_to(&mut c, None);
        c
    }

    fn one<'a>(c: &'a Conditions, key: &str) -> Option<&'a str> {
        c.get(key).map(|v| v[0].as_str())
    }

    #[test]
    fn always_present_keys() {
        for kind in [
            PrincipalKind::Root,
            PrincipalKind::User,
            PrincipalKind::Service,
            PrincipalKind::Anonymous,
        ] {
            let c = keys(kind, None);
            assert_eq!(one(&c, "aws:SecureTransport"), Some("false"), "{kind:?}");
            assert_eq!(one(&c, "aws:EpochTime"), Some("1700000000"));
            assert_eq!(one(&c, "aws:CurrentTime"), Some("2023-11-14T22:13:20Z"));
            assert_eq!(one(&c, "aws:SourceIp"), Some("192.0.2.7"));
            assert_eq!(one(&c, "aws:RequestedRegion"), Some("eu-west-3"));
            let service = (kind == PrincipalKind::Service).to_string();
            assert_eq!(one(&c, "aws:PrincipalIsAWSService"), Some(service.as_str()));
        }
    }

    #[test]
    fn service_principal_names_the_resource_and_is_not_via_a_service() {
        let c = keys(PrincipalKind::Service, Some("cloudtrail.amazonaws.com"));
        assert_eq!(one(&c, "aws:SourceAccount"), Some("111122223333"));
        assert_eq!(
            one(&c, "aws:SourceArn"),
            Some("arn:aws:cloudtrail:us-east-1:111122223333:trail/t")
        );
        assert_eq!(one(&c, "aws:ViaAWSService"), Some("false"));
        assert_eq!(one(&c, "aws:CalledVia"), None);
    }

    #[test]
    fn forwarded_requests_are_via_a_service_without_source_keys() {
        let c = keys(PrincipalKind::User, Some("s3.amazonaws.com"));
        assert_eq!(one(&c, "aws:ViaAWSService"), Some("true"));
        assert_eq!(one(&c, "aws:SourceAccount"), None);
        assert_eq!(one(&c, "aws:SourceArn"), None);
        // S3 is not among the services that pass aws:CalledVia on.
        assert_eq!(one(&c, "aws:CalledVia"), None);
        let c = keys(PrincipalKind::User, Some("kms.amazonaws.com"));
        assert_eq!(one(&c, "aws:CalledVia"), Some("kms.amazonaws.com"));
        assert_eq!(one(&c, "aws:CalledViaFirst"), Some("kms.amazonaws.com"));
        assert_eq!(one(&c, "aws:CalledViaLast"), Some("kms.amazonaws.com"));
        let c = keys(PrincipalKind::User, None);
        assert_eq!(one(&c, "aws:ViaAWSService"), Some("false"));
    }

    #[test]
    fn only_read_keys_are_built() {
        let policy = crate::parse::parse_with(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*",
                "Condition":{"Bool":{"aws:SecureTransport":"true"}}}}"#,
            crate::PolicyKind::Identity,
            true,
        )
        .unwrap();
        let mut c = Conditions::new();
        GlobalKeys {
            principal: facts(PrincipalKind::User),
            account: "111122223333",
            source_ip: None,
            secure_transport: true,
            now: OffsetDateTime::UNIX_EPOCH,
            requested_region: "us-east-1",
            invoked_by: None,
            source_arn: None,
        }
        .add_to(&mut c, Some(&Reads::of(Some(&policy), None)));
        assert_eq!(
            c.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            ["aws:securetransport"]
        );
    }
}
