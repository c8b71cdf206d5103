//! The model's queries on whichever engine the tests run on (SQLite, or PostgreSQL when
//! `TRAILSTACK_TEST_DATABASE` names one): names and keys come back in S3's byte order, and
//! pages resume after their markers.

use super::buckets::{self, Bucket, BucketMeta};
use super::listing;
use super::objects::{self, ObjectMeta, ObjectVersion};
use super::uploads::{self, Part, PartMeta, Upload};
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

fn object(key: &str, size: u64) -> ObjectVersion {
    ObjectVersion::new_current(
        "b".into(),
        key.into(),
        size,
        format!("etag-{key}"),
        1_700_000_000_000,
        ObjectMeta::default(),
        Some(vec![0, 0xFF, b'x']),
    )
}

/// Puts `keys` (each once) into bucket `b` under `versioning`.
async fn put_keys(db: &Db, versioning: &'static str, keys: &[&str]) {
    let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
    write(db, move |c| {
        if buckets::get(c, "b")?.is_none() {
            let mut b = bucket("b", "111122223333");
            b.versioning = versioning.into();
            buckets::insert(c, &b)?;
        }
        for k in &keys {
            objects::put(c, &mut object(k, 3), versioning)?;
        }
        Ok(())
    })
    .await;
}

/// What a scan of bucket `b` from `(prefix, after)` lists, owners read when `owners` says so;
/// with `first_only` the taker stops the scan after the first row.
fn scan_listed(
    db: &Db,
    (prefix, after): (&str, &str),
    limit: usize,
    owners: bool,
    first_only: bool,
) -> Vec<listing::ListedObject> {
    db.read(|c| {
        let mut rows = Vec::new();
        let range = (prefix.as_bytes(), after.as_bytes());
        listing::scan_latest(c, "b", range, limit, owners, |r| {
            rows.push(r);
            Ok(!first_only)
        })?;
        listing::listed(c, "b", rows)
    })
    .unwrap()
}

fn listed(db: &Db, prefix: &str, after: &str, limit: usize) -> Vec<String> {
    let listed = scan_listed(db, (prefix, after), limit, true, false);
    listed.into_iter().map(|o| o.key).collect()
}

#[tokio::test]
async fn objects_list_by_prefix_in_byte_order_and_page_after_a_key() {
    let (_dir, db) = db();
    let keys = ["a\u{10FFFF}", "a/2", "b", "a", "aé", "A", "a0", "a-", "a/1"];
    put_keys(&db, "", &keys).await;
    let in_order = ["a", "a-", "a/1", "a/2", "a0", "aé", "a\u{10FFFF}"];
    assert_eq!(listed(&db, "a", "", 100), in_order);
    assert_eq!(listed(&db, "", "", 3), ["A", "a", "a-"]);
    assert_eq!(listed(&db, "a", "a/1", 3), ["a/2", "a0", "aé"]);
    assert_eq!(listed(&db, "a", "aé", 3), ["a\u{10FFFF}"]);
    // A marker before the prefix starts at the prefix itself, which is a key.
    assert_eq!(listed(&db, "a/", "", 100), ["a/1", "a/2"]);
    assert_eq!(listed(&db, "a/", "A", 1), ["a/1"]);
    assert!(listed(&db, "a\u{10FFFF}", "a\u{10FFFF}", 10).is_empty());
    let first = scan_listed(&db, ("", ""), 100, true, true);
    assert_eq!(first.len(), 1, "the scan stops when told");
    assert_eq!((first[0].key.as_str(), first[0].size), ("A", 3));
    assert_eq!(first[0].etag, "etag-A");
    let (keys, has, latest) = db
        .read(|c| {
            S3Result::Ok((
                objects::keys_after(c, "b", b"a0", 3)?,
                objects::bucket_has_objects(c, "b")?,
                objects::latest(c, "b", "a/1")?,
            ))
        })
        .unwrap();
    assert_eq!(keys, ["aé".as_bytes(), "a\u{10FFFF}".as_bytes(), b"b"]);
    assert!(has);
    let latest = latest.unwrap();
    assert_eq!(latest.version_id, "null");
    assert_eq!(latest.inline.as_deref(), Some(&[0, 0xFF, b'x'][..]));
}

/// Lists every current object of bucket `b`, owners read when `owners` says so.
fn listed_objects(db: &Db, owners: bool) -> Vec<listing::ListedObject> {
    scan_listed(db, ("", ""), 100, owners, false)
}

#[tokio::test]
async fn listings_read_the_listed_columns_and_the_records_of_rows_written_before_them() {
    let (_dir, db) = db();
    write(&db, |c| {
        buckets::insert(c, &bucket("b", "111122223333"))?;
        for key in ["new", "old"] {
            let mut o = object(key, 5);
            o.meta.storage_class = Some("STANDARD_IA".into());
            o.meta.checksum = Some(objects::StoredChecksum {
                algorithm: "CRC32".into(),
                value: "AAAAAA==".into(),
                kind: "FULL_OBJECT".into(),
            });
            o.meta.owner = buckets::Owner {
                id: "c0ffee".into(),
                display_name: "owner".into(),
            };
            objects::put(c, &mut o, "")?;
        }
        // As s3 schema version 1 left rows: the listed columns empty.
        c.execute(
            "UPDATE s3_objects SET storage_class = NULL, checksum_algorithm = NULL, \
             checksum_type = NULL, owner_id = NULL, owner_name = NULL WHERE key = $1",
            &[&b"old".as_slice()],
        )?;
        Ok(())
    })
    .await;
    let all = listed_objects(&db, true);
    let keys: Vec<&str> = all.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(keys, ["new", "old"]);
    for o in &all {
        assert_eq!(o.storage_class.as_deref(), Some("STANDARD_IA"), "{}", o.key);
        let checksum = o.checksum.as_ref().unwrap();
        assert_eq!(
            (checksum.algorithm.as_str(), checksum.kind.as_str()),
            ("CRC32", "FULL_OBJECT")
        );
        let owner = o.owner.as_ref().unwrap();
        assert_eq!(
            (owner.id.as_str(), owner.display_name.as_str()),
            ("c0ffee", "owner")
        );
        assert_eq!(
            (o.size, o.etag.as_str()),
            (5, format!("etag-{}", o.key).as_str())
        );
    }
    assert_eq!(
        listed_objects(&db, false)[0].owner,
        None,
        "owners read only when shown"
    );
    // Changing a record in place keeps its columns in step with it.
    write(&db, |c| {
        let mut o = objects::latest(c, "b", "new")?.unwrap();
        o.meta.storage_class = None;
        o.meta.checksum = None;
        objects::update_meta(c, &o)
    })
    .await;
    let new = &listed_objects(&db, true)[0];
    assert_eq!(
        (new.storage_class.as_ref(), new.checksum.as_ref()),
        (None, None)
    );
}

#[tokio::test]
async fn versions_list_newest_first_and_deletes_promote_the_previous_one() {
    let (_dir, db) = db();
    put_keys(&db, "Enabled", &["k", "k", "k", "k2", "j"]).await;
    let all = db
        .read(|c| objects::scan_versions(c, "b", b"k", b"", None, 100))
        .unwrap();
    let seen: Vec<(&str, i64, bool)> = all
        .iter()
        .map(|o| (o.key.as_str(), o.seq, o.is_latest))
        .collect();
    assert_eq!(
        seen,
        [
            ("k", 3, true),
            ("k", 2, false),
            ("k", 1, false),
            ("k2", 4, true)
        ]
    );
    // Resuming after the second version of `k`, and after `k` as a whole.
    let after = db
        .read(|c| objects::scan_versions(c, "b", b"k", b"k", Some(2), 100))
        .unwrap();
    assert_eq!(after.iter().map(|o| o.seq).collect::<Vec<_>>(), [1, 4]);
    let after = db
        .read(|c| objects::scan_versions(c, "b", b"k", b"k", None, 1))
        .unwrap();
    assert_eq!(after.iter().map(|o| o.seq).collect::<Vec<_>>(), [4]);
    let newest = all[0].clone();
    write(&db, move |c| {
        objects::remove_version(c, "b", "k", &newest.version_id)?;
        let mut marker = object("k2", 0);
        marker.delete_marker = true;
        marker.inline = None;
        objects::put(c, &mut marker, "Enabled")?;
        let mut tagged = objects::latest(c, "b", "j")?.unwrap();
        tagged.meta.tags = vec![("t".into(), "1".into())];
        objects::update_meta(c, &tagged)
    })
    .await;
    let (versions, k2, j) = db
        .read(|c| {
            S3Result::Ok((
                objects::versions_of(c, "b", b"k")?,
                objects::latest(c, "b", "k2")?.unwrap(),
                objects::latest(c, "b", "j")?.unwrap(),
            ))
        })
        .unwrap();
    let seen: Vec<(i64, bool)> = versions.iter().map(|o| (o.seq, o.is_latest)).collect();
    assert_eq!(seen, [(2, true), (1, false)]);
    assert!(k2.delete_marker && k2.is_latest && k2.inline.is_none());
    assert_eq!(j.meta.tags, [("t".to_string(), "1".to_string())]);
    assert_eq!(objects::seq_of_version_id(&versions[0].version_id), Some(2));
    // The delete marker hides `k2` from listings; `k` is current again.
    assert_eq!(listed(&db, "", "", 10), ["j", "k"]);
}

fn upload(id: &str, key: &str, at: i64) -> Upload {
    Upload {
        upload_id: id.into(),
        bucket: "b".into(),
        key: key.into(),
        initiated_ms: at,
        meta: ObjectMeta::default(),
    }
}

fn part(n: u32, blob: &str) -> Part {
    Part {
        part_number: n,
        size: 5 << 20,
        etag: format!("etag-{n}"),
        last_modified_ms: 1_700_000_000_000,
        meta: PartMeta {
            blob: blob.into(),
            checksum: None,
        },
    }
}

#[tokio::test]
async fn uploads_list_after_their_markers_and_parts_replace_by_number() {
    let (_dir, db) = db();
    put_keys(&db, "", &[]).await;
    write(&db, |c| {
        for (id, key, at) in [
            ("u3", "a/x", 3),
            ("u1", "a/x", 1),
            ("u2", "a-", 2),
            ("u4", "b", 4),
            ("u5", "aé", 5),
        ] {
            uploads::insert(c, &upload(id, key, at))?;
        }
        uploads::put_part(c, "u1", &part(2, "blob-2"))?;
        uploads::put_part(c, "u1", &part(1, "blob-1"))?;
        let replaced = uploads::put_part(c, "u1", &part(2, "blob-2b"))?;
        assert_eq!(replaced.map(|p| p.meta.blob).as_deref(), Some("blob-2"));
        Ok(())
    })
    .await;
    let ids = |prefix: &str, key: &str, id: &str, limit: usize| -> Vec<String> {
        db.read(|c| uploads::list(c, "b", prefix.as_bytes(), key.as_bytes(), id, limit))
            .unwrap()
            .into_iter()
            .map(|u| u.upload_id)
            .collect()
    };
    assert_eq!(ids("a", "", "", 10), ["u2", "u1", "u3", "u5"]);
    assert_eq!(ids("", "", "", 2), ["u2", "u1"]);
    assert_eq!(ids("", "a/x", "u1", 10), ["u3", "u5", "u4"]);
    assert_eq!(ids("", "a/x", "", 10), ["u5", "u4"]);
    let (parts, two, u1) = db
        .read(|c| {
            S3Result::Ok((
                uploads::parts(c, "u1", 0, usize::MAX)?,
                uploads::part(c, "u1", 2)?,
                uploads::require(c, "b", "a/x", "u1")?,
            ))
        })
        .unwrap();
    let seen: Vec<(u32, &str)> = parts
        .iter()
        .map(|p| (p.part_number, p.meta.blob.as_str()))
        .collect();
    assert_eq!(seen, [(1, "blob-1"), (2, "blob-2b")]);
    assert_eq!(two.unwrap().etag, "etag-2");
    assert_eq!(u1.initiated_ms, 1);
    assert!(matches!(
        db.read(|c| uploads::require(c, "b", "other", "u1")),
        Err(crate::S3Error::NoSuchUpload(_))
    ));
    let after_one = db.read(|c| uploads::parts(c, "u1", 1, 10)).unwrap();
    assert_eq!(after_one.len(), 1);
    let removed = write(&db, |c| uploads::remove_all(c, "b")).await;
    assert_eq!(removed.len(), 2);
    assert!(ids("", "", "", 10).is_empty());
}
