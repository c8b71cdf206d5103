//! What authorization costs per request, measured in-process on a real store: the root's
//! fast path (own bucket, no policy) and a user judged by a 20-statement bucket policy plus
//! an identity policy. An ignored test, run by hand in release mode:
//! `cargo test --release -p trailstack-s3 authz::cost -- --ignored --nocapture`.

use super::check;
use crate::op::{GetObjectInput, ObjectRef, Op};
use crate::testing::caller;
use crate::S3;
use std::sync::Arc;
use std::time::Instant;
use trailstack_core::{Caller, Principal};
use trailstack_policy::IdentityPolicies;

/// A bucket policy of 20 statements, most of which do not apply to the request.
fn policy_20() -> String {
    let mut st: Vec<String> = (0..18)
        .map(|i| {
            format!(
                r#"{{"Sid":"S{i}","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::444455556666:user/u{i}"}},"Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::bench-b/p{i}/*","Condition":{{"IpAddress":{{"aws:SourceIp":"10.{i}.0.0/16"}}}}}}"#
            )
        })
        .collect();
    st.push(r#"{"Sid":"TLS","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::bench-b/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}"#.into());
    st.push(r#"{"Sid":"Alice","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::bench-b/${aws:username}/*"}"#.into());
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        st.join(",")
    )
}

fn per_call(s3: &S3, c: &Caller, op: &Op, rt: &tokio::runtime::Runtime) -> f64 {
    let n = 200_000;
    rt.block_on(async {
        check(s3, c, op, &Default::default()).await.unwrap();
        let t = Instant::now();
        for _ in 0..n {
            check(s3, c, op, &Default::default()).await.unwrap();
        }
        t.elapsed().as_nanos() as f64 / n as f64
    })
}

#[test]
#[ignore]
fn cost_of_authorization() {
    let (_dir, s3) = crate::testing::service();
    let mut ids = IdentityPolicies::new();
    ids.attach_document(
        "arn:aws:iam::111122223333:user/alice",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"}]}"#,
    )
    .unwrap();
    let s3 = s3.with_identities(Arc::new(ids));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let root = caller(Principal::Root);
    let create = Op::CreateBucket {
        bucket: "bench-b".into(),
        location: None,
        acl: None,
        ownership: None,
        object_lock: false,
    };
    rt.block_on(s3.call(&root, create)).unwrap();
    let get = |key: &str| {
        Op::GetObject(GetObjectInput {
            obj: ObjectRef {
                bucket: "bench-b".into(),
                key: key.into(),
            },
            ..Default::default()
        })
    };
    let fast = per_call(&s3, &root, &get("k"), &rt);
    let doc = policy_20();
    rt.block_on(s3.call(
        &root,
        Op::PutBucketPolicy {
            bucket: "bench-b".into(),
            policy: doc,
        },
    ))
    .unwrap();
    let alice = caller(Principal::User {
        name: "alice".into(),
    });
    let full = per_call(&s3, &alice, &get("alice/k"), &rt);
    let root_with_policy = per_call(&s3, &root, &get("k"), &rt);
    println!(
        "authz per GetObject: root, no bucket policy {fast:.0} ns; root, 20-statement policy {root_with_policy:.0} ns; user, 20-statement policy + identity policy {full:.0} ns"
    );
}
