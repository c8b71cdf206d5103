//! AssumeRole within one account: trust policies with identity policies, session policies,
//! durations, role chaining and `sts:ExternalId`.

use super::{
    allow, assume, create_role, put_role_policy, put_user_policy, trust, user_arn, user_with_key, A,
};
use crate::common::{code, get_out, put_bytes, put_err, Server};

/// Within one account a trust policy naming the user suffices; one naming only the account
/// needs the user's identity policy too, which alone opens no role; the root may not assume roles; the session gets its
/// role's permissions, narrowed by session policies; durations and role chaining keep AWS's
/// limits; `sts:ExternalId` is checked.
#[tokio::test]
async fn trust_session_policies_durations_and_chaining() {
    let s = Server::start().await;
    let root = ("test", "test");
    s.with_bucket("work").await;
    let (alice_key, alice_secret) = user_with_key(&s, root, "alice").await;
    let (carol_key, carol_secret) = user_with_key(&s, root, "carol").await;
    let alice = s.via().signing_as(&alice_key, &alice_secret);
    let carol = s.via().signing_as(&carol_key, &carol_secret);
    let writer_arn = format!("arn:aws:iam::{A}:role/writer");
    let trusts_alice = trust(&user_arn(A, "alice"));
    let longer = [("MaxSessionDuration", "7200")];
    create_role(&s, root, "writer", &trusts_alice, &longer).await;
    let writes = allow(r#"["s3:PutObject","s3:GetObject","sts:AssumeRole"]"#, "*");
    put_role_policy(&s, root, "writer", "s3", &writes).await;
    let by_account = format!("arn:aws:iam::{A}:role/by-account");
    let trusts_account = trust(&format!("arn:aws:iam::{A}:root"));
    create_role(&s, root, "by-account", &trusts_account, &[]).await;

    // Alice is named by writer's trust policy: no identity policy needed.
    let session = assume(&alice, &writer_arn, "w1", |b| b).await.unwrap();
    let w1 = session.via(s.via());
    put_bytes(&w1.s3(), "work", "a", b"1").await;
    // The account's root may not assume a role; carol is not trusted by writer.
    let (c, m) = assume(&s.via(), &writer_arn, "rr", |b| b)
        .await
        .unwrap_err();
    assert_eq!(
        (c.as_str(), m.as_str()),
        ("AccessDenied", "Roles may not be assumed by root accounts.")
    );
    let (c, m) = assume(&carol, &writer_arn, "cc", |b| b).await.unwrap_err();
    assert_eq!(c, "AccessDenied");
    assert_eq!(
        m,
        format!("User: arn:aws:iam::{A}:user/carol is not authorized to perform: sts:AssumeRole on resource: {writer_arn}")
    );
    // A trust policy naming the account delegates to the account's identity policies.
    assert_eq!(
        assume(&carol, &by_account, "cc", |b| b)
            .await
            .unwrap_err()
            .0,
        "AccessDenied"
    );
    let may_assume = allow(r#""sts:AssumeRole""#, &by_account);
    put_user_policy(&s, root, "carol", "assume", &may_assume).await;
    assert!(assume(&carol, &by_account, "cc", |b| b).await.is_ok());
    // An identity policy alone never opens a role whose trust policy names neither the
    // caller nor its account, even within the account.
    let any_role = allow(r#""sts:AssumeRole""#, "*");
    put_user_policy(&s, root, "carol", "assume", &any_role).await;
    let (c, m) = assume(&carol, &writer_arn, "cc", |b| b).await.unwrap_err();
    assert_eq!(c, "AccessDenied", "{m}");
    // A missing role is refused like an untrusted one.
    let missing = format!("arn:aws:iam::{A}:role/nobody");
    assert_eq!(
        assume(&alice, &missing, "xx", |b| b).await.unwrap_err().0,
        "AccessDenied"
    );

    // A session policy narrows the role: only GetObject is left.
    let narrowed = assume(&alice, &writer_arn, "w2", |b| {
        b.policy(allow(r#""s3:GetObject""#, "arn:aws:s3:::work/*"))
    })
    .await
    .unwrap();
    let w2 = narrowed.via(s.via()).s3();
    get_out(&w2, "work", "a").await;
    let r = put_err(&w2, "work", "b", b"2").await;
    assert_eq!(code(&r), "AccessDenied");

    // Durations: within 900 s and the role's maximum.
    let (c, m) = assume(&alice, &writer_arn, "dd", |b| b.duration_seconds(7201))
        .await
        .unwrap_err();
    assert_eq!(c, "ValidationError");
    assert_eq!(
        m,
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
    );
    let (c, m) = assume(&alice, &writer_arn, "dd", |b| b.duration_seconds(899))
        .await
        .unwrap_err();
    assert_eq!(c, "ValidationError");
    assert_eq!(m, "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900");
    assert!(
        assume(&alice, &writer_arn, "dd", |b| b.duration_seconds(7200))
            .await
            .is_ok()
    );
    let (c, _) = assume(&alice, &writer_arn, "a b", |b| b).await.unwrap_err();
    assert_eq!(c, "ValidationError");

    // Role chaining: the session assumes a role trusting the account; at most an hour.
    let (c, m) = assume(&w1, &by_account, "chain", |b| b.duration_seconds(3601))
        .await
        .unwrap_err();
    assert_eq!(c, "ValidationError");
    assert_eq!(m, "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
    let chained = assume(&w1, &by_account, "chain", |b| b).await.unwrap();
    assert_eq!(
        chained.caller_arn(s.via()).await,
        format!("arn:aws:sts::{A}:assumed-role/by-account/chain")
    );

    // sts:ExternalId, as a third party's role asks for it.
    let guarded = format!("arn:aws:iam::{A}:role/guarded");
    let with_external_id = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{A}:user/alice"}},"Action":"sts:AssumeRole","Condition":{{"StringEquals":{{"sts:ExternalId":"ext-42"}}}}}}]}}"#
    );
    create_role(&s, root, "guarded", &with_external_id, &[]).await;
    assert_eq!(
        assume(&alice, &guarded, "gg", |b| b).await.unwrap_err().0,
        "AccessDenied"
    );
    assert_eq!(
        assume(&alice, &guarded, "gg", |b| b.external_id("ext-1"))
            .await
            .unwrap_err()
            .0,
        "AccessDenied"
    );
    assert!(assume(&alice, &guarded, "gg", |b| b.external_id("ext-42"))
        .await
        .is_ok());
}
