//! What ACLs may say and how S3 shows them, through the real SDK: grantees must be accounts
//! S3 knows (an unknown canonical id is `InvalidArgument`, an e-mail address
//! `UnresolvableGrantByEmailAddress`) and are shown with their account's display name; group
//! grants are listed before canonical-user grants; server access logging's TargetGrants follow
//! the same rules; with ACLs disabled (BucketOwnerEnforced) only no ACL or
//! bucket-owner-full-control is accepted, `private` included.

use crate::common::{
    assert_fails, assert_outcome, bucket_req, code, copy_req, create_upload_req, group_grantee, ok,
    put_req, root_user, status, user_grant, user_grantee, Server,
};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    AccessControlPolicy, BucketCannedAcl, BucketLoggingStatus, BucketLogsPermission, Grant,
    Grantee, LoggingEnabled, ObjectCannedAcl, ObjectOwnership, Owner, Permission, TargetGrant,
    Type,
};
use trailstack_server::config::BucketDefaults;

const ID_A: &str = "aaaa000000000000000000000000000000000000000000000000000000000001";
pub(crate) const ID_B: &str = "bbbb000000000000000000000000000000000000000000000000000000000002";
const ALL_USERS: &str = "http://acs.amazonaws.com/groups/global/AllUsers";

/// Two accounts with the canonical ids and display names S3 shows for them.
pub(crate) fn config() -> String {
    let a = root_user("AKROOTA", "root-a", "111111111111");
    let b = root_user("AKROOTB", "root-b", "222222222222");
    format!(
        "{a}canonical_id = \"{}\"\ndisplay_name = \"alice\"\n\n{b}canonical_id = \"{}\"\ndisplay_name = \"bob\"\n",
        "aaaa000000000000000000000000000000000000000000000000000000000001",
        "bbbb000000000000000000000000000000000000000000000000000000000002"
    )
}

/// The server (with the pre-2023 bucket defaults: ACLs enabled) and the two roots' clients.
async fn start() -> (Server, aws_sdk_s3::Client, aws_sdk_s3::Client) {
    let s = Server::start_as_with(&config(), |c| c.bucket_defaults = BucketDefaults::Legacy).await;
    let (a, b) = (
        s.s3_with("AKROOTA", "root-a"),
        s.s3_with("AKROOTB", "root-b"),
    );
    (s, a, b)
}

/// (type, id or URI, display name, permission) of each grant, in the order S3 lists them.
fn seen(grants: &[Grant]) -> Vec<(String, String, String, String)> {
    grants
        .iter()
        .map(|g| {
            let e = g.grantee().unwrap();
            (
                e.r#type().as_str().to_string(),
                e.id().or(e.uri()).unwrap_or_default().to_string(),
                e.display_name().unwrap_or_default().to_string(),
                g.permission().unwrap().as_str().to_string(),
            )
        })
        .collect()
}

/// [`seen`] of `bucket`'s ACL as `c` reads it.
async fn bucket_rows(
    c: &aws_sdk_s3::Client,
    bucket: &str,
) -> Vec<(String, String, String, String)> {
    seen(ok!(c.get_bucket_acl().bucket(bucket)).grants())
}

/// [`seen`] of `bucket`/`key`'s ACL as `c` reads it.
async fn object_rows(
    c: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
) -> Vec<(String, String, String, String)> {
    seen(ok!(c.get_object_acl().bucket(bucket).key(key)).grants())
}

fn row(kind: &str, who: &str, name: &str, permission: &str) -> (String, String, String, String) {
    (kind.into(), who.into(), name.into(), permission.into())
}

#[tokio::test]
async fn group_grants_come_first_and_grantees_get_their_display_names() {
    let (_s, a, b) = start().await;
    ok!(bucket_req(&a, "grants1").acl(BucketCannedAcl::PublicReadWrite));
    assert_eq!(
        bucket_rows(&a, "grants1").await,
        [
            row("Group", ALL_USERS, "", "READ"),
            row("Group", ALL_USERS, "", "WRITE"),
            row("CanonicalUser", ID_A, "alice", "FULL_CONTROL"),
        ]
    );

    // An object B writes with bucket-owner-read names both owners by name.
    ok!(put_req(&b, "grants1", "k", b"x").acl(ObjectCannedAcl::BucketOwnerRead));
    assert_eq!(
        object_rows(&b, "grants1", "k").await,
        [
            row("CanonicalUser", ID_B, "bob", "FULL_CONTROL"),
            row("CanonicalUser", ID_A, "alice", "READ"),
        ]
    );
    // A document listing the owner first is shown groups first, and the display names are
    // the accounts' whatever the document claims.
    let claimed = Grant::builder()
        .grantee(
            Grantee::builder()
                .r#type(Type::CanonicalUser)
                .id(ID_B)
                .display_name("not-bob")
                .build()
                .unwrap(),
        )
        .permission(Permission::Read)
        .build();
    let everyone = Grant::builder()
        .grantee(group_grantee(ALL_USERS))
        .permission(Permission::Read)
        .build();
    ok!(a.put_bucket_acl().bucket("grants1").access_control_policy(
        AccessControlPolicy::builder()
            .owner(Owner::builder().id(ID_A).build())
            .grants(user_grant(ID_A, Permission::FullControl))
            .grants(claimed)
            .grants(everyone)
            .build(),
    ));
    assert_eq!(
        bucket_rows(&a, "grants1").await,
        [
            row("Group", ALL_USERS, "", "READ"),
            row("CanonicalUser", ID_A, "alice", "FULL_CONTROL"),
            row("CanonicalUser", ID_B, "bob", "READ"),
        ]
    );

    // So does a grant header naming B by id alone.
    ok!(put_req(&a, "grants1", "h", b"x").grant_read(format!("id={ID_B}")));
    assert_eq!(
        object_rows(&a, "grants1", "h").await,
        [row("CanonicalUser", ID_B, "bob", "READ")]
    );
}

#[tokio::test]
async fn grants_to_unknown_accounts_are_refused() {
    let (_s, a, _b) = start().await;
    a.create_bucket().bucket("grants2").send().await.unwrap();
    assert_outcome!(
        a.put_bucket_acl().bucket("grants2").access_control_policy(
            AccessControlPolicy::builder()
                .owner(Owner::builder().id(ID_A).build())
                .grants(user_grant(ID_A, Permission::FullControl))
                .grants(user_grant("_foo", Permission::FullControl))
                .build(),
        ),
        "InvalidArgument 400"
    );
    assert_outcome!(
        put_req(&a, "grants2", "k", b"x").grant_read("id=_foo"),
        "InvalidArgument 400"
    );

    let by_mail = Grant::builder()
        .grantee(
            Grantee::builder()
                .r#type(Type::AmazonCustomerByEmail)
                .email_address("nobody@example.com")
                .build()
                .unwrap(),
        )
        .permission(Permission::FullControl)
        .build();
    assert_outcome!(
        a.put_bucket_acl().bucket("grants2").access_control_policy(
            AccessControlPolicy::builder()
                .owner(Owner::builder().id(ID_A).build())
                .grants(user_grant(ID_A, Permission::FullControl))
                .grants(by_mail)
                .build(),
        ),
        "UnresolvableGrantByEmailAddress 400"
    );
    // Nothing changed.
    assert_eq!(
        bucket_rows(&a, "grants2").await,
        [row("CanonicalUser", ID_A, "alice", "FULL_CONTROL")]
    );
}

#[tokio::test]
async fn acls_disabled_take_no_acl_but_bucket_owner_full_control() {
    let (_s, a, _b) = start().await;
    ok!(bucket_req(&a, "grants3").object_ownership(ObjectOwnership::BucketOwnerEnforced));
    let put = |key: &str, acl: Option<ObjectCannedAcl>| {
        a.put_object()
            .bucket("grants3")
            .key(key)
            .set_acl(acl)
            .body(ByteStream::from_static(b"x"))
            .send()
    };
    put("none", None).await.unwrap();
    put("full", Some(ObjectCannedAcl::BucketOwnerFullControl))
        .await
        .unwrap();
    let e = put("private", Some(ObjectCannedAcl::Private))
        .await
        .unwrap_err();
    assert_eq!(
        (code(&e).as_str(), status(&e)),
        ("AccessControlListNotSupported", 400)
    );
    assert_fails!(
        create_upload_req(&a, "grants3", "mp").acl(ObjectCannedAcl::Private),
        "AccessControlListNotSupported"
    );
    assert_fails!(
        copy_req(&a, "grants3", "copy", "grants3/none").acl(ObjectCannedAcl::Private),
        "AccessControlListNotSupported"
    );
    assert_fails!(
        a.put_bucket_acl()
            .bucket("grants3")
            .acl(BucketCannedAcl::Private),
        "AccessControlListNotSupported"
    );
    assert_fails!(
        a.put_object_acl()
            .bucket("grants3")
            .key("none")
            .acl(ObjectCannedAcl::Private),
        "AccessControlListNotSupported"
    );
}

#[tokio::test]
async fn logging_target_grants_name_known_accounts() {
    let (_s, a, _b) = start().await;
    a.create_bucket().bucket("logged").send().await.unwrap();
    ok!(bucket_req(&a, "log-target").acl(BucketCannedAcl::from("log-delivery-write")));
    let status_granting = |id: &str| {
        let grant = TargetGrant::builder()
            .grantee(user_grantee(id))
            .permission(BucketLogsPermission::Read)
            .build();
        BucketLoggingStatus::builder()
            .logging_enabled(
                LoggingEnabled::builder()
                    .target_bucket("log-target")
                    .target_prefix("logs/")
                    .target_grants(grant)
                    .build()
                    .unwrap(),
            )
            .build()
    };
    assert_outcome!(
        a.put_bucket_logging()
            .bucket("logged")
            .bucket_logging_status(status_granting("_foo")),
        "InvalidArgument 400"
    );
    ok!(a
        .put_bucket_logging()
        .bucket("logged")
        .bucket_logging_status(status_granting(ID_B)));
    let got = ok!(a.get_bucket_logging().bucket("logged"));
    let grantee = got.logging_enabled().unwrap().target_grants()[0]
        .grantee()
        .unwrap()
        .clone();
    assert_eq!(
        (grantee.id(), grantee.display_name()),
        (Some(ID_B), Some("bob"))
    );
}
