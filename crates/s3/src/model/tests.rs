//! The model's queries on whichever engine the tests run on (SQLite, or PostgreSQL when
//! `TRAILSTACK_TEST_DATABASE` names one): names and keys come back in S3's byte order, and
//! pages resume after their markers.

use super::buckets::{self, Bucket, BucketMeta};
use crate::error::S3Result;
use trailstack_store::{Conn, Db};

fn db() -> (tempfile::TempDir, Db) {
    let migrations: Vec<_> = super::MIGRATIONS
        .iter()
        .chain(trailstack_store::journal::MIGRATIONS)
        .copied()
        .collect();
    trailstack_store::testing::open(&migrations)
}

async fn write<T: Send + 'static>(
    db: &Db,
    f: impl FnOnce(&Conn) -> S3Result<T> + Send + 'static,
) -> T {
    db.write(f).await.unwrap()
}

fn bucket(name: &str, account: &str) -> Bucket {
    Bucket {
        name: name.into(),
        account: account.into(),
        region: "us-east-1".into(),
        created_ms: 1_700_000_000_000,
        versioning: String::new(),
        meta: BucketMeta::default(),
    }
}

fn names(bs: &[Bucket]) -> Vec<&str> {
    bs.iter().map(|b| b.name.as_str()).collect()
}

#[tokio::test]
async fn buckets_list_by_prefix_in_byte_order_and_page_by_name() {
    let (_dir, db) = db();
    write(&db, |c| {
        // Punctuation sorts before digits and letters byte by byte, not as a locale would.
        for name in ["b1", "b.2", "a", "b-1", "c", "bz"] {
            buckets::insert(c, &bucket(name, "111122223333"))?;
        }
        buckets::insert(c, &bucket("b0", "444455556666"))
    })
    .await;
    let (all, page, rest, count, other) = db
        .read(|c| {
            S3Result::Ok((
                buckets::list(c, "111122223333", "b", "", 10)?,
                buckets::list(c, "111122223333", "", "", 2)?,
                buckets::list(c, "111122223333", "b", "b.2", 10)?,
                buckets::count(c, "111122223333")?,
                buckets::all(c)?,
            ))
        })
        .unwrap();
    assert_eq!(names(&all), ["b-1", "b.2", "b1", "bz"]);
    assert_eq!(names(&page), ["a", "b-1"]);
    assert_eq!(names(&rest), ["b1", "bz"]);
    assert_eq!(count, 6);
    assert_eq!(other.len(), 7);
    assert_eq!(other[0].name, "a");
}

#[tokio::test]
async fn a_bucket_round_trips_and_updates() {
    let (_dir, db) = db();
    let mut b = bucket("x", "111122223333");
    b.meta.policy = Some("{}".into());
    write(&db, move |c| {
        buckets::insert(c, &b)?;
        let mut got = buckets::require(c, "x")?;
        got.versioning = "Enabled".into();
        got.meta.tags = Some(vec![("k".into(), "v".into())]);
        buckets::update(c, &got)
    })
    .await;
    let got = db.read(|c| buckets::require(c, "x")).unwrap();
    assert_eq!(got.versioning, "Enabled");
    assert_eq!(got.meta.policy.as_deref(), Some("{}"));
    assert_eq!(got.meta.tags, Some(vec![("k".into(), "v".into())]));
    write(&db, |c| buckets::delete(c, "x")).await;
    assert!(db.read(|c| buckets::get(c, "x")).unwrap().is_none());
    assert!(matches!(
        db.read(|c| buckets::require(c, "x")),
        Err(crate::S3Error::NoSuchBucket(_))
    ));
}
