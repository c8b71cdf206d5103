//! Several servers on one PostgreSQL database (ARCHITECTURE.md §3): any server answers any
//! request with S3's read-after-write, a change made through one is in force on the others once
//! their change watchers have read the notices (stepped here with `changes.check`, which the
//! servers also run every 250 ms), and background work runs on one server at a time. Only on
//! PostgreSQL (`.ci/with-postgres`): on SQLite, a data dir belongs to one server.

use crate::cloudtrail_delivery::{data_trail, log_files};
use crate::common::*;
use aws_sdk_s3::operation::RequestId;
use aws_sdk_s3::primitives::ByteStream;
use std::sync::Arc;
use trailstack_server::config::{Database, RootKeySource};
use trailstack_server::App;
use trailstack_store::lease::{Wait, TTL_MS};

/// Three servers sharing one database and one root key, or `None` on SQLite.
async fn cluster() -> Option<Vec<Server>> {
    let shared = tempfile::tempdir().unwrap();
    let url = trailstack_store::testing::server_database(shared.path())?;
    let mut key = [0u8; 32];
    aws_lc_rs::rand::fill(&mut key).unwrap();
    let mut nodes = Vec::new();
    for _ in 0..3 {
        let (url, key) = (url.clone(), hex::encode(key));
        nodes.push(
            Server::start_configured(tempfile::tempdir().unwrap(), move |c| {
                c.database = Database::Postgres { url, readers: 2 };
                c.root_key = RootKeySource::Hex(key.into());
            })
            .await,
        );
    }
    Some(nodes)
}

/// Reads the change notices once on `node`, as its watcher does every 250 ms.
async fn notices(node: &Server) {
    let app: Arc<App> = node.app.clone();
    tokio::task::spawn_blocking(move || app.changes.check(&app.db).unwrap())
        .await
        .unwrap();
}

async fn put(node: &Server, bucket: &str, key: &str, body: impl Into<ByteStream>) -> String {
    let out = ok!(node
        .s3()
        .put_object()
        .bucket(bucket)
        .key(key)
        .body(body.into()));
    out.request_id().unwrap().to_string()
}

async fn get(node: &Server, bucket: &str, key: &str) -> Vec<u8> {
    body_bytes(ok!(get_req(&node.s3(), bucket, key))).await
}

#[tokio::test]
async fn any_server_answers_with_read_after_write() {
    let Some(n) = cluster().await else { return };
    n[0].with_bucket("shared").await;
    put(&n[0], "shared", "k", data(300_000, 1)).await;
    assert_eq!(get(&n[1], "shared", "k").await, data(300_000, 1));
    let listed = ok!(n[2].s3().list_objects_v2().bucket("shared"));
    assert_eq!(listed.contents().len(), 1);
    put(&n[2], "shared", "k", b"second".to_vec()).await;
    assert_eq!(get(&n[0], "shared", "k").await, b"second");
    ok!(n[1].s3().delete_object().bucket("shared").key("k"));
    assert_eq!(code(&err!(get_req(&n[0].s3(), "shared", "k"))), "NoSuchKey");
    // A multipart upload begun on one server, its part uploaded on another, completed on the
    // third.
    let up = ok!(create_upload_req(&n[0].s3(), "shared", "m"));
    let id = up.upload_id().unwrap();
    let part = ok!(n[1]
        .s3()
        .upload_part()
        .bucket("shared")
        .key("m")
        .upload_id(id)
        .part_number(1)
        .body(ByteStream::from(data(70_000, 2))));
    ok!(
        complete_req(&n[2].s3(), "shared", "m", id).multipart_upload(
            aws_sdk_s3::types::CompletedMultipartUpload::builder()
                .parts(
                    aws_sdk_s3::types::CompletedPart::builder()
                        .part_number(1)
                        .e_tag(part.e_tag().unwrap())
                        .build()
                )
                .build()
        )
    );
    assert_eq!(get(&n[0], "shared", "m").await, data(70_000, 2));
}

#[tokio::test]
async fn a_change_through_one_server_is_in_force_on_the_others() {
    let Some(n) = cluster().await else { return };
    // KMS keeps no key state in memory: a disabled key is refused everywhere at once.
    let key = ok!(n[0].kms().create_key()).key_metadata.unwrap().key_id;
    ok!(n[1]
        .kms()
        .encrypt()
        .key_id(&key)
        .plaintext(aws_sdk_kms::primitives::Blob::new(b"x")));
    ok!(n[2].kms().disable_key().key_id(&key));
    let e = err!(n[0]
        .kms()
        .encrypt()
        .key_id(&key)
        .plaintext(aws_sdk_kms::primitives::Blob::new(b"x")));
    assert_eq!(code(&e), "DisabledException");
    // A bucket policy put through one server binds the others once they read the notice.
    n[0].with_bucket("guarded").await;
    put(&n[0], "guarded", "k", b"v".to_vec()).await;
    assert_eq!(get(&n[1], "guarded", "k").await, b"v");
    let deny = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*",
        "Action":"s3:GetObject","Resource":"arn:aws:s3:::guarded/*"}]}"#;
    ok!(n[0].s3().put_bucket_policy().bucket("guarded").policy(deny));
    notices(&n[1]).await;
    let e = err!(get_req(&n[1].s3(), "guarded", "k"));
    assert_eq!(code(&e), "AccessDenied");
    // A user and access key created through one server sign requests to another.
    ok!(n[0].iam().create_user().user_name("ops"));
    let key = ok!(n[0].iam().create_access_key().user_name("ops"))
        .access_key
        .unwrap();
    notices(&n[2]).await;
    let e = err!(n[2]
        .s3_with(&key.access_key_id, &key.secret_access_key)
        .get_object()
        .bucket("guarded")
        .key("k"));
    // Known on the other server: refused for want of a policy, not as an unknown key.
    assert_eq!(code(&e), "AccessDenied");
    // A trail created through one server records what another serves, and a third delivers.
    data_trail(&n[0], "shared-trail", "trail-logs", "watched", None, false).await;
    notices(&n[1]).await;
    let request = put(&n[1], "watched", "seen", b"v".to_vec()).await;
    let flushed = flush_as_cli(&n[2]).await;
    assert!(flushed.is_ok(), "{flushed:?}");
    let files = log_files(&n[0].s3(), "trail-logs").await;
    let delivered = files
        .iter()
        .flat_map(|f| &f.records)
        .filter(|r| r["requestID"] == request.as_str())
        .count();
    assert_eq!(delivered, 1);
}

#[tokio::test]
async fn background_work_runs_on_one_server_at_a_time() {
    let Some(n) = cluster().await else { return };
    let now = (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64;
    let name = trailstack_server::CLOUDTRAIL_DELIVERY;
    assert!(n[0].app.leases.take(name, now, TTL_MS).await.unwrap());
    // Another server's timer skips its turn while the lease is held.
    let tick = n[1]
        .app
        .exclusive(name, Wait::No, async { "delivered" })
        .await;
    assert_eq!(tick, None);
    n[0].app.leases.give_up(name).await.unwrap();
    let tick = n[1]
        .app
        .exclusive(name, Wait::No, async { "delivered" })
        .await;
    assert_eq!(tick, Some("delivered"));
}
