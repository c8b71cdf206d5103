//! Grants: CreateGrant (idempotent by name), ListGrants, ListRetirableGrants, RetireGrant,
//! RevokeGrant, and grant tokens on cryptographic operations.

use crate::common::*;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::{
    GrantConstraints, GrantOperation, KeySpec, KeyUsageType, SigningAlgorithmSpec,
};

const USER: &str = "arn:aws:iam::000000000000:user/alice";
const RETIRER: &str = "arn:aws:iam::000000000000:role/retirer";

#[tokio::test]
async fn create_list_retire_and_revoke() {
    let (_s, k) = start_kms().await;
    let id = new_key_id(&k).await;
    let constraints = GrantConstraints::builder()
        .encryption_context_subset("Dept", "IT")
        .build();
    let create = || {
        k.create_grant()
            .key_id(&id)
            .grantee_principal(USER)
            .retiring_principal(RETIRER)
            .operations(GrantOperation::Encrypt)
            .operations(GrantOperation::Decrypt)
            .operations(GrantOperation::DescribeKey)
            .constraints(constraints.clone())
            .name("first")
    };
    let g1 = create().send().await.unwrap();
    let grant_id = g1.grant_id().unwrap().to_string();
    let token = g1.grant_token().unwrap().to_string();
    assert_eq!(grant_id.len(), 64);
    assert!(grant_id.chars().all(|c| c.is_ascii_hexdigit()));
    // Same name and parameters: the same grant, a fresh token.
    let again = create().send().await.unwrap();
    assert_eq!(again.grant_id(), Some(grant_id.as_str()));
    assert_ne!(again.grant_token(), Some(token.as_str()));
    // Same name, other parameters: a new grant.
    let other = ok!(k
        .create_grant()
        .key_id(&id)
        .grantee_principal(USER)
        .operations(GrantOperation::GenerateDataKey)
        .name("first"));
    let other_id = other.grant_id().unwrap().to_string();
    assert_ne!(other_id, grant_id);
    // A third grant, by key ARN, for another grantee.
    let arn = format!("arn:aws:kms:us-east-1:000000000000:key/{id}");
    let third = ok!(k
        .create_grant()
        .key_id(&arn)
        .grantee_principal("arn:aws:iam::000000000000:role/bob")
        .operations(GrantOperation::ReEncryptFrom)
        .operations(GrantOperation::ReEncryptTo));
    let third_id = third.grant_id().unwrap().to_string();

    let all = k.list_grants().key_id(&id).send().await.unwrap();
    assert_eq!(all.grants().len(), 3);
    assert!(!all.truncated());
    let g = all
        .grants()
        .iter()
        .find(|g| g.grant_id() == Some(grant_id.as_str()))
        .unwrap();
    assert_eq!(g.key_id(), Some(arn.as_str()));
    assert_eq!(g.name(), Some("first"));
    assert_eq!(g.grantee_principal(), Some(USER));
    assert_eq!(g.retiring_principal(), Some(RETIRER));
    assert_eq!(g.issuing_account(), Some("arn:aws:iam::000000000000:root"));
    assert!(g.creation_date().is_some());
    assert_eq!(
        g.operations(),
        &[
            GrantOperation::Encrypt,
            GrantOperation::Decrypt,
            GrantOperation::DescribeKey
        ]
    );
    let subset = g
        .constraints()
        .unwrap()
        .encryption_context_subset()
        .unwrap();
    assert_eq!(subset.get("Dept").map(String::as_str), Some("IT"));
    // Filters.
    let by_id = ok!(k.list_grants().key_id(&id).grant_id(&third_id));
    assert_eq!(by_id.grants().len(), 1);
    assert_eq!(by_id.grants()[0].grant_id(), Some(third_id.as_str()));
    let by_grantee = ok!(k.list_grants().key_id(&id).grantee_principal(USER));
    assert_eq!(by_grantee.grants().len(), 2);
    // Paging, one at a time.
    let mut seen = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let page = ok!(k
            .list_grants()
            .key_id(&id)
            .limit(1)
            .set_marker(marker.clone()));
        seen.extend(
            page.grants()
                .iter()
                .map(|g| g.grant_id().unwrap().to_string()),
        );
        if !page.truncated() {
            break;
        }
        marker = page.next_marker().map(str::to_string);
        assert!(marker.is_some());
    }
    assert_eq!(seen.len(), 3);
    assert!(seen.contains(&grant_id) && seen.contains(&other_id) && seen.contains(&third_id));
    let retirable = ok!(k.list_retirable_grants().retiring_principal(RETIRER));
    assert_eq!(retirable.grants().len(), 1);
    assert_eq!(retirable.grants()[0].grant_id(), Some(grant_id.as_str()));

    // Grant tokens are accepted by cryptographic operations; unknown ones are not.
    ok!(k
        .encrypt()
        .key_id(&id)
        .plaintext(Blob::new("x"))
        .grant_tokens(&token)
        .grant_tokens(again.grant_token().unwrap()));
    ok!(k.describe_key().key_id(&id).grant_tokens(&token));
    assert_fails!(
        k.encrypt()
            .key_id(&id)
            .plaintext(Blob::new("x"))
            .grant_tokens("not-a-grant-token"),
        "InvalidGrantTokenException"
    );
    let mut forged = token.clone().into_bytes();
    forged[10] = if forged[10] == b'A' { b'B' } else { b'A' };
    assert_fails!(
        k.generate_data_key()
            .key_id(&id)
            .number_of_bytes(16)
            .grant_tokens(String::from_utf8(forged).unwrap()),
        "InvalidGrantTokenException"
    );
    let mut eleven = k.encrypt().key_id(&id).plaintext(Blob::new("x"));
    for _ in 0..11 {
        eleven = eleven.grant_tokens(&token);
    }
    assert_eq!(
        code(&eleven.send().await.unwrap_err()),
        "ValidationException"
    );

    // RetireGrant by token, then the token no longer retires anything.
    k.retire_grant().grant_token(&token).send().await.unwrap();
    assert_fails!(
        k.retire_grant().grant_token(&token),
        "InvalidGrantTokenException"
    );
    // RetireGrant by key and grant id.
    ok!(k.retire_grant().key_id(&arn).grant_id(&third_id));
    assert_fails!(k.retire_grant().grant_id(&other_id), "ValidationException");
    // RevokeGrant, twice.
    ok!(k.revoke_grant().key_id(&id).grant_id(&other_id));
    assert_fails!(
        k.revoke_grant().key_id(&id).grant_id(&other_id),
        "InvalidGrantIdException"
    );
    let left = k.list_grants().key_id(&id).send().await.unwrap();
    assert!(left.grants().is_empty());
    assert!(k
        .list_retirable_grants()
        .retiring_principal(RETIRER)
        .send()
        .await
        .unwrap()
        .grants()
        .is_empty());
}

#[tokio::test]
async fn create_grant_validates_like_aws() {
    let (_s, k) = start_kms().await;
    let id = new_key_id(&k).await;
    let grant_code = |r: Result<_, aws_sdk_kms::error::SdkError<_, _>>| match r {
        Ok(_) => "<ok>".to_string(),
        Err(e) => code::<aws_sdk_kms::operation::create_grant::CreateGrantError, _>(&e),
    };
    let base = || {
        k.create_grant()
            .key_id(&id)
            .grantee_principal(USER)
            .operations(GrantOperation::Decrypt)
    };
    assert_eq!(
        grant_code(base().operations(GrantOperation::from("Fly")).send().await),
        "ValidationException"
    );
    assert_eq!(
        grant_code(base().operations(GrantOperation::Sign).send().await),
        "ValidationException"
    );
    assert_eq!(
        grant_code(
            k.create_grant()
                .key_id(&id)
                .grantee_principal(USER)
                .send()
                .await
        ),
        "ValidationException"
    );
    assert_eq!(
        grant_code(
            base()
                .constraints(
                    GrantConstraints::builder()
                        .encryption_context_subset("a", "1")
                        .encryption_context_equals("a", "1")
                        .build()
                )
                .send()
                .await
        ),
        "ValidationException"
    );
    let nine = (0..9).fold(GrantConstraints::builder(), |b, i| {
        b.encryption_context_equals(format!("k{i}"), "v")
    });
    assert_eq!(
        grant_code(base().constraints(nine.build()).send().await),
        "ValidationException"
    );
    assert_eq!(
        grant_code(
            k.create_grant()
                .key_id(&id)
                .grantee_principal("not a principal!")
                .operations(GrantOperation::Decrypt)
                .send()
                .await
        ),
        "ValidationException"
    );
    assert_eq!(
        grant_code(base().name("bad name").send().await),
        "ValidationException"
    );
    // Keys are named by id or ARN, not alias.
    ok!(k
        .create_alias()
        .alias_name("alias/granted")
        .target_key_id(&id));
    let on = |key: &str, op: GrantOperation| {
        k.create_grant()
            .key_id(key)
            .grantee_principal(USER)
            .operations(op)
    };
    for key in ["alias/granted", "11111111-2222-3333-4444-555555555555"] {
        assert_eq!(
            grant_code(on(key, GrantOperation::Decrypt).send().await),
            "NotFoundException",
            "{key}"
        );
    }
    // Operations must fit the key: signing keys sign, HMAC keys MAC.
    let signer = new_key_of(&k, KeySpec::EccNistP256, KeyUsageType::SignVerify).await;
    let mac = new_key_of(&k, KeySpec::Hmac256, KeyUsageType::GenerateVerifyMac).await;
    for (key, op, want) in [
        (
            &signer,
            GrantOperation::GenerateDataKey,
            "ValidationException",
        ),
        (&signer, GrantOperation::Sign, "<ok>"),
        (&signer, GrantOperation::GetPublicKey, "<ok>"),
        (&mac, GrantOperation::GenerateMac, "<ok>"),
        (&mac, GrantOperation::Encrypt, "ValidationException"),
    ] {
        assert_eq!(grant_code(on(key, op.clone()).send().await), want, "{op:?}");
    }
    // Encryption context constraints only on symmetric keys' operations.
    let ctx = GrantConstraints::builder()
        .encryption_context_subset("a", "1")
        .build();
    assert_eq!(
        grant_code(
            on(&signer, GrantOperation::Sign)
                .constraints(ctx.clone())
                .send()
                .await
        ),
        "ValidationException"
    );
    assert_eq!(
        grant_code(
            on(&signer, GrantOperation::DescribeKey)
                .constraints(ctx)
                .send()
                .await
        ),
        "<ok>"
    );
    // Grant tokens on other operations are checked too.
    assert_fails!(
        k.sign()
            .key_id(&signer)
            .message(Blob::new("m"))
            .signing_algorithm(SigningAlgorithmSpec::EcdsaSha256)
            .grant_tokens("bogus"),
        "InvalidGrantTokenException"
    );
    // Key states: disabled, pending deletion.
    k.disable_key().key_id(&id).send().await.unwrap();
    assert_eq!(grant_code(base().send().await), "DisabledException");
    ok!(k
        .schedule_key_deletion()
        .key_id(&id)
        .pending_window_in_days(7));
    assert_eq!(grant_code(base().send().await), "KMSInvalidStateException");
    // Listing works in any state; bad paging is refused.
    k.list_grants().key_id(&id).send().await.unwrap();
    assert_fails!(
        k.list_grants().key_id(&id).marker("garbage"),
        "InvalidMarkerException"
    );
    assert_fails!(k.list_grants().key_id(&id).limit(0), "ValidationException");
    assert_fails!(
        k.revoke_grant().key_id(&id).grant_id("0".repeat(64)),
        "InvalidGrantIdException"
    );
    assert_fails!(k.retire_grant(), "ValidationException");
}
