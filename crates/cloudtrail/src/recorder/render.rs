//! Turns an [`AuditEvent`] into the CloudTrail record AWS writes (eventVersion 1.11): the
//! identity block by caller kind, who appears as source and agent for calls a service makes for
//! a caller, TLS details, ids and categories. Pure: ids and the recipient are given.
//!
//! Every call a trail takes is rendered on the request path, so the record is written straight
//! to text, fields in AWS's order, instead of being built as a `serde_json::Value` first.

use serde_json::Value;
use std::fmt::Write as _;
use trailstack_core::{user_principal_id, AuditEvent, Caller, EventCategory, Principal};

/// The record schema version written.
pub const EVENT_VERSION: &str = "1.11";

/// `YYYY-MM-DDTHH:MM:SSZ`, the record's time format.
pub use trailstack_core::clock::iso_seconds;
use trailstack_core::clock::write_iso_seconds;

/// The ids of one record.
pub struct RecordIds<'a> {
    /// `eventID`.
    pub event_id: &'a str,
    /// The account the record is delivered to (`recipientAccountId`).
    pub recipient: &'a str,
    /// `sharedEventID` when the event goes to two accounts.
    pub shared_event_id: Option<&'a str>,
}

/// The record for `event` as delivered to `ids.recipient`, as JSON text.
pub fn render(event: &AuditEvent, ids: &RecordIds) -> String {
    let caller = &event.caller;
    let via = caller.invoked_by.as_deref();
    let mut r = JsonObject::new(String::with_capacity(1536));
    r.str("eventVersion", EVENT_VERSION);
    r.key("userIdentity");
    user_identity_into(&mut r.out, caller);
    r.key("eventTime");
    r.out.push('"');
    write_iso_seconds(&mut r.out, event.time);
    r.out.push('"');
    r.str("eventSource", event.source);
    r.str("eventName", &event.name);
    r.str("awsRegion", &caller.region);
    match (via, caller.source_ip) {
        (Some(service), _) => r.str("sourceIPAddress", service),
        (None, Some(ip)) => {
            r.key("sourceIPAddress");
            let _ = write!(r.out, "\"{ip}\"");
        }
        (None, None) => r.str("sourceIPAddress", "AWS Internal"),
    }
    match via {
        Some(service) => r.str("userAgent", service),
        // S3 writes the agent in brackets.
        None if event.source == "s3.amazonaws.com" => {
            r.key("userAgent");
            r.out.push_str("\"[");
            escape_into(&mut r.out, truncate(&caller.user_agent));
            r.out.push_str("]\"");
        }
        None => r.str("userAgent", truncate(&caller.user_agent)),
    }
    if let Some((code, message)) = &event.error {
        r.str("errorCode", truncate(code));
        r.str("errorMessage", truncate(message));
    }
    r.value("requestParameters", event.request.as_ref());
    r.value("responseElements", event.response.as_ref());
    if let Some(extra) = &event.additional {
        r.value("additionalEventData", Some(extra));
    }
    r.str("requestID", &caller.request_id);
    r.str("eventID", ids.event_id);
    r.bool("readOnly", event.read_only);
    if !event.resources.is_empty() {
        r.key("resources");
        r.out.push('[');
        for (i, res) in event.resources.iter().enumerate() {
            if i > 0 {
                r.out.push(',');
            }
            let mut o = JsonObject::new(std::mem::take(&mut r.out));
            if let Some(a) = &res.account {
                o.str("accountId", a.as_str());
            }
            o.str("type", &res.kind);
            o.str(if res.prefix { "ARNPrefix" } else { "ARN" }, &res.arn);
            r.out = o.finish();
        }
        r.out.push(']');
    }
    let event_type = if event.service_event {
        "AwsServiceEvent"
    } else {
        "AwsApiCall"
    };
    r.str("eventType", event_type);
    r.bool(
        "managementEvent",
        event.category == EventCategory::Management,
    );
    r.str("recipientAccountId", ids.recipient);
    if let Some(shared) = ids.shared_event_id {
        r.str("sharedEventID", shared);
    }
    r.str("eventCategory", event.category.as_str());
    if caller.secure_transport && via.is_none() {
        r.key("tlsDetails");
        let mut tls = JsonObject::new(std::mem::take(&mut r.out));
        tls.str("tlsVersion", "TLSv1.3");
        tls.str("cipherSuite", "TLS_AES_128_GCM_SHA256");
        tls.str("clientProvidedHostHeader", &caller.host);
        r.out = tls.finish();
    }
    r.finish()
}

/// CloudTrail caps `userAgent`, `errorCode` and `errorMessage` at 1 KB.
fn truncate(s: &str) -> &str {
    if s.len() <= 1024 {
        return s;
    }
    let mut end = 1024;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The `userIdentity` block: by principal kind, with `invokedBy` for calls a service makes on
/// the caller's behalf.
fn user_identity_into(out: &mut String, caller: &Caller) {
    let account = caller.account.as_str();
    let mut o = JsonObject::new(std::mem::take(out));
    match &caller.principal {
        Principal::Root => {
            o.str("type", "Root");
            o.str("principalId", account);
            o.str("arn", &caller.arn());
            o.str("accountId", account);
        }
        Principal::User { name } => {
            o.str("type", "IAMUser");
            o.str("principalId", &user_principal_id(account, name));
            o.str("arn", &caller.arn());
            o.str("accountId", account);
            o.str("userName", name);
        }
        Principal::AssumedRole { .. } => {
            o.str("type", "AssumedRole");
            o.str("principalId", &caller.principal_id().unwrap_or_default());
            o.str("arn", &caller.arn());
            o.str("accountId", account);
        }
        Principal::Service(_) => o.str("type", "AWSService"),
        // AWS's rendering of unsigned requests; a service acting for one is the service itself.
        Principal::Anonymous if caller.invoked_by.is_some() => o.str("type", "AWSService"),
        Principal::Anonymous => {
            o.str("type", "AWSAccount");
            o.str("principalId", "");
            o.str("accountId", "anonymous");
        }
    }
    if let Some(key) = &caller.access_key {
        if caller.is_account_identity() {
            o.str("accessKeyId", key);
        }
    }
    if let Some(session) = caller
        .session
        .as_deref()
        .filter(|_| caller.is_account_identity())
    {
        o.key("sessionContext");
        session_context_into(&mut o.out, account, session);
    }
    match (&caller.principal, &caller.invoked_by) {
        (_, Some(service)) => o.str("invokedBy", service),
        (Principal::Service(service), None) => o.str("invokedBy", service),
        _ => {}
    }
    *out = o.finish();
}

/// `sessionContext` of a call signed with temporary credentials: the role behind it (empty for a
/// GetSessionToken session), when the session began and whether with MFA, and the source
/// identity it carries.
fn session_context_into(out: &mut String, account: &str, session: &trailstack_core::Session) {
    let mut o = JsonObject::new(std::mem::take(out));
    o.key("sessionIssuer");
    let mut issuer = JsonObject::new(std::mem::take(&mut o.out));
    if let Some(role) = &session.issuer {
        issuer.str("type", "Role");
        issuer.str("principalId", &role.id);
        issuer.str("arn", &role.arn);
        issuer.str("accountId", account);
        issuer.str("userName", &role.name);
    }
    o.out = issuer.finish();
    o.key("webIdFederationData");
    o.out.push_str("{}");
    o.key("attributes");
    let mut attributes = JsonObject::new(std::mem::take(&mut o.out));
    attributes.str("creationDate", &iso_seconds(session.created));
    attributes.str(
        "mfaAuthenticated",
        if session.mfa { "true" } else { "false" },
    );
    o.out = attributes.finish();
    if let Some(source) = &session.source_identity {
        o.str("sourceIdentity", source);
    }
    *out = o.finish();
}

/// A JSON object being written field by field into a string.
struct JsonObject {
    out: String,
    empty: bool,
}

impl JsonObject {
    fn new(mut out: String) -> JsonObject {
        out.push('{');
        JsonObject { out, empty: true }
    }

    fn key(&mut self, key: &str) {
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
        self.out.push('"');
        self.out.push_str(key);
        self.out.push_str("\":");
    }

    fn str(&mut self, key: &str, value: &str) {
        self.key(key);
        self.out.push('"');
        escape_into(&mut self.out, value);
        self.out.push('"');
    }

    fn bool(&mut self, key: &str, value: bool) {
        self.key(key);
        self.out.push_str(if value { "true" } else { "false" });
    }

    /// A nested value, `null` when absent.
    fn value(&mut self, key: &str, value: Option<&Value>) {
        self.key(key);
        match value {
            // Display on a Value writes compact JSON.
            Some(v) => {
                let _ = write!(self.out, "{v}");
            }
            None => self.out.push_str("null"),
        }
    }

    fn finish(mut self) -> String {
        self.out.push('}');
        self.out
    }
}

/// Appends `s` as the inside of a JSON string.
fn escape_into(out: &mut String, s: &str) {
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let escaped = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if escaped.is_empty() {
            let _ = write!(out, "\\u{b:04x}");
        } else {
            out.push_str(escaped);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use trailstack_core::{AccountId, AuditResource};

    fn parsed(event: &AuditEvent, ids: &RecordIds) -> Value {
        serde_json::from_str(&render(event, ids)).expect("a record is JSON")
    }

    fn caller(principal: Principal) -> Caller {
        let account = AccountId::parse("111122223333").unwrap();
        Caller {
            access_key: Some("AKIAEXAMPLE".into()),
            source_ip: Some("203.0.113.5".parse().unwrap()),
            user_agent: "aws-cli/1.45.0".into(),
            host: "b.s3.amazonaws.com".into(),
            auth_method: Some("AuthHeader"),
            signature_version: Some(trailstack_core::SignatureVersion::V4),
            ..Caller::new(account, principal, "us-east-1", "REQ1".into())
        }
    }

    fn event(caller: Caller, source: &'static str) -> AuditEvent {
        AuditEvent {
            caller,
            time: time::macros::datetime!(2026-11-28 10:00:05 UTC),
            source,
            name: "GetObject".into(),
            read_only: true,
            category: EventCategory::Data,
            service_event: false,
            request: Some(json!({"bucketName": "b", "key": "k"})),
            response: None,
            additional: None,
            resources: vec![AuditResource {
                kind: "AWS::S3::Object".into(),
                prefix: false,
                arn: "arn:aws:s3:::b/k".into(),
                account: None,
            }],
            error: None,
            resource_account: None,
        }
    }

    const IDS: RecordIds = RecordIds {
        event_id: "e1",
        recipient: "111122223333",
        shared_event_id: None,
    };

    #[test]
    fn an_iam_user_s3_data_event() {
        let user = Principal::User {
            name: "alice".into(),
        };
        let r = parsed(&event(caller(user), "s3.amazonaws.com"), &IDS);
        assert_eq!(r["eventVersion"], "1.11");
        assert_eq!(r["userIdentity"]["type"], "IAMUser");
        assert_eq!(r["userIdentity"]["userName"], "alice");
        assert_eq!(
            r["userIdentity"]["arn"],
            "arn:aws:iam::111122223333:user/alice"
        );
        assert_eq!(r["userIdentity"]["accessKeyId"], "AKIAEXAMPLE");
        assert!(r["userIdentity"]["principalId"]
            .as_str()
            .unwrap()
            .starts_with("AIDA"));
        assert_eq!(r["eventTime"], "2026-11-28T10:00:05Z");
        assert_eq!(r["userAgent"], "[aws-cli/1.45.0]");
        assert_eq!(r["sourceIPAddress"], "203.0.113.5");
        assert_eq!(r["responseElements"], Value::Null);
        assert_eq!(r["managementEvent"], false);
        assert_eq!(r["eventCategory"], "Data");
        assert_eq!(r["eventType"], "AwsApiCall");
        assert_eq!(r["requestID"], "REQ1");
        assert!(r.get("errorCode").is_none());
        assert!(r.get("tlsDetails").is_none());
        assert_eq!(r["resources"][0]["ARN"], "arn:aws:s3:::b/k");
    }

    #[test]
    fn a_kms_call_made_by_s3_for_the_root_user() {
        let c = caller(Principal::Root).on_behalf_of("s3.amazonaws.com");
        let mut e = event(c, "kms.amazonaws.com");
        e.category = EventCategory::Management;
        let r = parsed(&e, &IDS);
        assert_eq!(r["userIdentity"]["type"], "Root");
        assert_eq!(r["userIdentity"]["invokedBy"], "s3.amazonaws.com");
        assert_eq!(r["sourceIPAddress"], "s3.amazonaws.com");
        assert_eq!(r["userAgent"], "s3.amazonaws.com");
        assert_eq!(r["managementEvent"], true);
    }

    #[test]
    fn service_and_anonymous_identities() {
        let acct = AccountId::parse("111122223333").unwrap();
        let c = Caller::service(acct, "cloudtrail.amazonaws.com", "us-east-1", "R".into());
        let mut e = event(c, "s3.amazonaws.com");
        e.service_event = true;
        e.error = Some(("AccessDenied".into(), "Access Denied".into()));
        let r = parsed(&e, &IDS);
        assert_eq!(
            r["userIdentity"],
            json!({"type": "AWSService", "invokedBy": "cloudtrail.amazonaws.com"})
        );
        assert_eq!(r["eventType"], "AwsServiceEvent");
        assert_eq!(r["errorCode"], "AccessDenied");
        let anon = parsed(
            &event(caller(Principal::Anonymous), "s3.amazonaws.com"),
            &IDS,
        );
        assert_eq!(
            anon["userIdentity"],
            json!({"type": "AWSAccount", "principalId": "", "accountId": "anonymous"})
        );
    }

    #[test]
    fn tls_details_and_shared_ids() {
        let mut c = caller(Principal::Root);
        c.secure_transport = true;
        let ids = RecordIds {
            event_id: "e2",
            recipient: "444455556666",
            shared_event_id: Some("s1"),
        };
        let r = parsed(&event(c, "s3.amazonaws.com"), &ids);
        assert_eq!(
            r["tlsDetails"]["clientProvidedHostHeader"],
            "b.s3.amazonaws.com"
        );
        assert_eq!(r["recipientAccountId"], "444455556666");
        assert_eq!(r["sharedEventID"], "s1");
    }

    #[test]
    fn text_escapes_strings_and_keeps_aws_field_order() {
        let mut c = caller(Principal::Root);
        c.user_agent = "agent \"quoted\" \\ tab\t nl\n bell\u{7} é".into();
        let mut e = event(c, "kms.amazonaws.com");
        e.request = Some(json!({"keyId": "k\"1", "n": [1, 2]}));
        let text = render(&e, &IDS);
        let r: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(r["userAgent"], "agent \"quoted\" \\ tab\t nl\n bell\u{7} é");
        assert_eq!(
            r["requestParameters"],
            json!({"keyId": "k\"1", "n": [1, 2]})
        );
        let at = |k: &str| text.find(&format!("\"{k}\":")).unwrap();
        assert!(at("eventVersion") < at("userIdentity"));
        assert!(at("userIdentity") < at("eventTime"));
        assert!(at("requestParameters") < at("eventID"));
        assert!(at("recipientAccountId") < at("eventCategory"));
    }
}
