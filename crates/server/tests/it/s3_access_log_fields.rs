//! The access log fields that say how a request was allowed: "ACL Required" is `Yes` only for
//! a request that an ACL grant alone let in, and `-` for one a policy or ownership allowed.

use crate::common::{get_bytes, identities, ok, put_bytes, put_policy, Server};
use crate::s3_access_log::{log_policy, logging, records, status_of, t0};
use crate::s3_acl_grants::{config, ID_B};
use std::sync::Arc;
use trailstack_core::{Clock, FixedClock};
use trailstack_server::config::BucketDefaults;

#[tokio::test]
async fn acl_required_marks_only_requests_an_acl_grant_allowed() {
    let clock = Arc::new(FixedClock::new(t0()));
    let dir = tempfile::tempdir().unwrap();
    let ids = identities(&dir, &config());
    let s = Server::start_clocked(dir, clock.clone(), |c| {
        c.identities = ids;
        c.bucket_defaults = BucketDefaults::Legacy;
    })
    .await;
    let via = s.via().clocked(clock.clone());
    let a = via.clone().signing_as("AKROOTA", "root-a").s3();
    let b = via.signing_as("AKROOTB", "root-b").s3();
    for bucket in ["src", "logs"] {
        a.create_bucket().bucket(bucket).send().await.unwrap();
    }
    let to_logs = log_policy("logs", "src").replace("000000000000", "111111111111");
    put_policy(&a, "logs", to_logs).await;
    ok!(a
        .put_bucket_logging()
        .bucket("src")
        .bucket_logging_status(status_of(Some(logging("logs", "")))));
    put_bytes(&a, "src", "by-acl", b"x").await;
    put_bytes(&a, "src", "by-policy", b"y").await;
    ok!(a
        .put_object_acl()
        .bucket("src")
        .key("by-acl")
        .grant_read(format!("id={ID_B}")));
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
        "Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"s3:GetObject",
        "Resource":"arn:aws:s3:::src/by-policy"}]}"#;
    put_policy(&a, "src", policy.to_string()).await;

    assert_eq!(get_bytes(&b, "src", "by-acl").await, b"x");
    assert_eq!(get_bytes(&b, "src", "by-policy").await, b"y");
    assert_eq!(get_bytes(&a, "src", "by-acl").await, b"x");

    clock.advance(time::Duration::minutes(5));
    let out = s.app.access_logs.tick(clock.now()).await.unwrap();
    assert_eq!((out.objects, out.failures), (1, 0));
    let gets: Vec<(String, String, String)> = records(&a)
        .await
        .into_iter()
        .filter(|f| f[6] == "REST.GET.OBJECT")
        .map(|f| (f[4].clone(), f[7].clone(), f[25].clone()))
        .collect();
    let row = |who: &str, key: &str, acl: &str| (who.to_string(), key.to_string(), acl.to_string());
    assert_eq!(
        gets,
        [
            row("arn:aws:iam::222222222222:root", "by-acl", "Yes"),
            row("arn:aws:iam::222222222222:root", "by-policy", "-"),
            row("arn:aws:iam::111111111111:root", "by-acl", "-"),
        ]
    );
}
