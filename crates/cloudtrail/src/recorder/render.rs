//! Turns an [`AuditEvent`] into the CloudTrail record AWS writes (eventVersion 1.11): the
//! identity block by caller kind, who appears as source and agent for calls a service makes for
//! a caller, TLS details, ids and categories. Pure: ids and the recipient are given.

use serde_json::{json, Map, Value};
use trailstack_core::{AuditEvent, Caller, Principal};

/// The record schema version written.
pub const EVENT_VERSION: &str = "1.11";

/// `YYYY-MM-DDTHH:MM:SSZ`, the record's time format.
pub fn iso_seconds(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// The ids of one record.
pub struct RecordIds<'a> {
    /// `eventID`.
    pub event_id: &'a str,
    /// The account the record is delivered to (`recipientAccountId`).
    pub recipient: &'a str,
    /// `sharedEventID` when the event goes to two accounts.
    pub shared_event_id: Option<&'a str>,
}

/// The record for `event` as delivered to `ids.recipient`.
pub fn render(event: &AuditEvent, ids: &RecordIds) -> Value {
    let caller = &event.caller;
    let via = caller.invoked_by.as_deref();
    let mut r = Map::new();
    r.insert("eventVersion".into(), json!(EVENT_VERSION));
    r.insert("userIdentity".into(), user_identity(caller));
    r.insert("eventTime".into(), json!(iso_seconds(event.time)));
    r.insert("eventSource".into(), json!(event.source));
    r.insert("eventName".into(), json!(event.name));
    r.insert("awsRegion".into(), json!(caller.region));
    let source_ip = match (via, caller.source_ip) {
        (Some(service), _) => service.to_string(),
        (None, Some(ip)) => ip.to_string(),
        (None, None) => "AWS Internal".to_string(),
    };
    r.insert("sourceIPAddress".into(), json!(source_ip));
    let agent = match via {
        Some(service) => service.to_string(),
        // S3 writes the agent in brackets.
        None if event.source == "s3.amazonaws.com" => format!("[{}]", truncate(&caller.user_agent)),
        None => truncate(&caller.user_agent).to_string(),
    };
    r.insert("userAgent".into(), json!(agent));
    if let Some((code, message)) = &event.error {
        r.insert("errorCode".into(), json!(truncate(code)));
        r.insert("errorMessage".into(), json!(truncate(message)));
    }
    r.insert(
        "requestParameters".into(),
        event.request.clone().unwrap_or(Value::Null),
    );
    r.insert(
        "responseElements".into(),
        event.response.clone().unwrap_or(Value::Null),
    );
    if let Some(extra) = &event.additional {
        r.insert("additionalEventData".into(), extra.clone());
    }
    r.insert("requestID".into(), json!(caller.request_id));
    r.insert("eventID".into(), json!(ids.event_id));
    r.insert("readOnly".into(), json!(event.read_only));
    if !event.resources.is_empty() {
        let resources: Vec<Value> = event
            .resources
            .iter()
            .map(|res| {
                let mut o = Map::new();
                if let Some(a) = &res.account {
                    o.insert("accountId".into(), json!(a.as_str()));
                }
                o.insert("type".into(), json!(res.kind));
                o.insert("ARN".into(), json!(res.arn));
                Value::Object(o)
            })
            .collect();
        r.insert("resources".into(), Value::Array(resources));
    }
    let event_type = if event.service_event {
        "AwsServiceEvent"
    } else {
        "AwsApiCall"
    };
    r.insert("eventType".into(), json!(event_type));
    r.insert(
        "managementEvent".into(),
        json!(event.category == trailstack_core::EventCategory::Management),
    );
    r.insert("recipientAccountId".into(), json!(ids.recipient));
    if let Some(shared) = ids.shared_event_id {
        r.insert("sharedEventID".into(), json!(shared));
    }
    r.insert("eventCategory".into(), json!(event.category.as_str()));
    if caller.secure_transport && via.is_none() {
        r.insert(
            "tlsDetails".into(),
            json!({
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": caller.host,
            }),
        );
    }
    Value::Object(r)
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
pub fn user_identity(caller: &Caller) -> Value {
    let account = caller.account.as_str();
    let mut id = match &caller.principal {
        Principal::Root => json!({
            "type": "Root",
            "principalId": account,
            "arn": caller.arn(),
            "accountId": account,
        }),
        Principal::User { name } => json!({
            "type": "IAMUser",
            "principalId": user_principal_id(account, name),
            "arn": caller.arn(),
            "accountId": account,
            "userName": name,
        }),
        Principal::Service(_) => json!({ "type": "AWSService" }),
        // AWS's rendering of unsigned requests; a service acting for one is the service itself.
        Principal::Anonymous if caller.invoked_by.is_some() => json!({ "type": "AWSService" }),
        Principal::Anonymous => json!({
            "type": "AWSAccount",
            "principalId": "",
            "accountId": "anonymous",
        }),
    };
    if let Value::Object(o) = &mut id {
        if let Some(key) = &caller.access_key {
            if matches!(caller.principal, Principal::Root | Principal::User { .. }) {
                o.insert("accessKeyId".into(), json!(key));
            }
        }
        match (&caller.principal, &caller.invoked_by) {
            (_, Some(service)) => {
                o.insert("invokedBy".into(), json!(service));
            }
            (Principal::Service(service), None) => {
                o.insert("invokedBy".into(), json!(service));
            }
            _ => {}
        }
    }
    id
}

/// A stable `AIDA…` principal id for an IAM user, derived from its account and name (AWS assigns
/// random ones; a stable one keeps records comparable across restarts).
pub fn user_principal_id(account: &str, name: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let digest = aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        format!("{account}/{name}").as_bytes(),
    );
    let tail: String = digest.as_ref()[..17]
        .iter()
        .map(|b| ALPHABET[(*b as usize) % 32] as char)
        .collect();
    format!("AIDA{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use trailstack_core::{AccountId, AuditResource, EventCategory};

    fn caller(principal: Principal) -> Caller {
        Caller {
            account: AccountId::parse("111122223333").unwrap(),
            principal,
            access_key: Some("AKIAEXAMPLE".into()),
            canonical_id: String::new(),
            display_name: String::new(),
            source_ip: Some("203.0.113.5".parse().unwrap()),
            user_agent: "aws-cli/1.45.0".into(),
            request_id: "REQ1".into(),
            region: "us-east-1".into(),
            secure_transport: false,
            invoked_by: None,
            host: "b.s3.amazonaws.com".into(),
            auth_method: Some("AuthHeader"),
            source_arn: None,
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
        let r = render(&event(caller(user), "s3.amazonaws.com"), &IDS);
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
        let r = render(&e, &IDS);
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
        let r = render(&e, &IDS);
        assert_eq!(
            r["userIdentity"],
            json!({"type": "AWSService", "invokedBy": "cloudtrail.amazonaws.com"})
        );
        assert_eq!(r["eventType"], "AwsServiceEvent");
        assert_eq!(r["errorCode"], "AccessDenied");
        let anon = render(
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
        let r = render(&event(c, "s3.amazonaws.com"), &ids);
        assert_eq!(
            r["tlsDetails"]["clientProvidedHostHeader"],
            "b.s3.amazonaws.com"
        );
        assert_eq!(r["recipientAccountId"], "444455556666");
        assert_eq!(r["sharedEventID"], "s1");
    }
}
