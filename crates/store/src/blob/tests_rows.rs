//! Tests of blobs kept in database rows (`rows.rs`), on whichever engine the tests run on:
//! round trips and ranges in both formats, damage, and what garbage collection may and may not
//! delete.

use super::tests_sealed::{get, is_invalid, key, pattern, put, ranges, C, CTX};
use super::*;
use crate::testing;

fn rows_store() -> (tempfile::TempDir, Arc<Db>, BlobStore) {
    let (dir, db) = testing::open(journal::MIGRATIONS);
    let db = Arc::new(db);
    (dir, db.clone(), BlobStore::in_database(db))
}

async fn read_plain(store: &BlobStore, id: &BlobId, start: u64, len: u64) -> Vec<u8> {
    let mut s = store.read_range(id, start, len).await.unwrap();
    let mut out = Vec::new();
    while let Some(b) = std::future::poll_fn(|cx| s.as_mut().poll_next(cx)).await {
        out.extend_from_slice(&b.unwrap());
    }
    out
}

async fn segments(db: &Db, id: &BlobId) -> i64 {
    let id = id.as_str().to_string();
    db.write(move |c| {
        c.query_one(
            "SELECT COUNT(*) FROM store_blob_segments WHERE blob_id = $1",
            &[&id],
            |r| r.get(0),
        )
    })
    .await
    .unwrap()
}

async fn exec(db: &Db, sql: &'static str, id: &BlobId) {
    let id = id.as_str().to_string();
    db.write(move |c| c.execute(sql, &[&id]).map(drop))
        .await
        .unwrap();
}

#[tokio::test]
async fn both_formats_round_trip_every_range() {
    let (_dir, db, store) = rows_store();
    let k = key(5);
    for n in [0, 1, C - 1, C, C + 1, 4 * C + 1, 9 * C + 100] {
        let data = pattern(n);
        let sealed = put(&store, &k, CTX, &data).await;
        // A header and one segment per chunk (an empty blob has one empty chunk).
        assert_eq!(
            segments(&db, &sealed).await,
            1 + n.div_ceil(C).max(1) as i64
        );
        let mut w = store.create().await.unwrap();
        for piece in data.chunks(C / 3 + 1) {
            w.write(piece).await.unwrap();
        }
        let (plain, len) = w.finish().await.unwrap();
        assert_eq!(len, n as u64);
        for (s, l) in ranges(n) {
            let (got, err) = get(&store, &sealed, &k, CTX, s as u64, l as u64).await;
            assert!(err.is_none(), "size {n} range {s}+{l}: {err:?}");
            assert!(got == data[s..s + l], "sealed size {n} range {s}+{l}");
            let got = read_plain(&store, &plain, s as u64, l as u64).await;
            assert!(got == data[s..s + l], "plain size {n} range {s}+{l}");
        }
        assert!(store.read_range(&plain, n as u64, 1).await.is_err());
        // Each reader refuses the other format.
        assert!(store.read_range(&sealed, 0, 0).await.is_err());
        assert!(get(&store, &plain, &k, CTX, 0, 0).await.1.is_some());
    }
}

#[tokio::test]
async fn the_rows_never_hold_the_plaintext_and_damage_is_found() {
    let (_dir, db, store) = rows_store();
    let k = key(6);
    let data = pattern(9 * C + 100);
    let id = put(&store, &k, CTX, &data).await;
    let ids = id.as_str().to_string();
    let stored: Vec<Vec<u8>> = db
        .read(|c| {
            c.query(
                "SELECT bytes FROM store_blob_segments WHERE blob_id = $1 AND seq >= 0",
                &[&ids],
                |r| r.get(0),
            )
        })
        .unwrap();
    assert!(stored
        .iter()
        .all(|s| !s.windows(32).any(|w| w == &data[..32])));
    // A flipped byte fails its own chunk only.
    let mut bad = stored[3].clone();
    bad[10] ^= 1;
    let i = ids.clone();
    db.write(move |c| {
        c.execute(
            "UPDATE store_blob_segments SET bytes = $1 WHERE blob_id = $2 AND seq = 3",
            &[&bad, &i],
        )
    })
    .await
    .unwrap();
    assert!(get(&store, &id, &k, CTX, 0, (3 * C) as u64)
        .await
        .1
        .is_none());
    assert!(is_invalid(
        &get(&store, &id, &k, CTX, (3 * C) as u64, 1).await.1
    ));
    // A missing segment makes the whole blob unreadable, whatever the range.
    exec(
        &db,
        "DELETE FROM store_blob_segments WHERE blob_id = $1 AND seq = 9",
        &id,
    )
    .await;
    assert!(is_invalid(&get(&store, &id, &k, CTX, 0, 1).await.1));
    // Without its header a blob does not exist.
    exec(
        &db,
        "DELETE FROM store_blob_segments WHERE blob_id = $1 AND seq = -1",
        &id,
    )
    .await;
    assert!(get(&store, &id, &k, CTX, 0, 1).await.1.is_some());
}

#[tokio::test]
async fn garbage_is_what_no_commit_claimed_and_no_writer_touches() {
    let (_dir, db, store) = rows_store();
    let now = rows::now_secs();
    let collect = |at: i64| rows::collect_garbage(&db, at);
    // Finished but not claimed yet: a live upload between its blob and its commit.
    let pending = put(&store, &key(1), CTX, &pattern(5 * C)).await;
    // Claimed by a commit: never collected.
    let kept = put(&store, &key(1), CTX, &pattern(C)).await;
    let k = kept.as_str().to_string();
    db.write(move |c| journal::claim(c, [k.as_str()]))
        .await
        .unwrap();
    // Half written when its node died: nothing dropped it.
    let mut w = store.create().await.unwrap();
    w.write(&pattern(5 * C)).await.unwrap();
    let crashed = w.id().clone();
    std::mem::forget(w);
    assert!(segments(&db, &crashed).await > 0);
    // Released by a commit: collectable at once.
    let released = put(&store, &key(1), CTX, &pattern(C)).await;
    let r = released.as_str().to_string();
    db.write(move |c| {
        journal::claim(c, [r.as_str()])?;
        journal::release(c, [r.as_str()])
    })
    .await
    .unwrap();

    assert_eq!(collect(now).await.unwrap(), 1);
    assert_eq!(segments(&db, &released).await, 0);
    for id in [&pending, &kept, &crashed] {
        assert!(segments(&db, id).await > 0);
    }
    assert_eq!(collect(now + rows::GRACE_SECS + 1).await.unwrap(), 2);
    assert_eq!(segments(&db, &pending).await, 0);
    assert_eq!(segments(&db, &crashed).await, 0);
    assert!(get(&store, &kept, &key(1), CTX, 0, C as u64)
        .await
        .1
        .is_none());
}

#[tokio::test]
async fn delete_removes_only_released_blobs_and_a_dropped_writer_its_rows() {
    let (_dir, db, store) = rows_store();
    let claimed = put(&store, &key(2), CTX, &pattern(2 * C)).await;
    let released = put(&store, &key(2), CTX, &pattern(2 * C)).await;
    let (c1, r1) = (claimed.as_str().to_string(), released.as_str().to_string());
    db.write(move |c| {
        journal::claim(c, [c1.as_str(), r1.as_str()])?;
        journal::release(c, [r1.as_str()])
    })
    .await
    .unwrap();
    let kept = store
        .delete(vec![claimed.clone(), released.clone()])
        .await
        .unwrap();
    assert_eq!(kept, vec![claimed.clone()]);
    assert!(segments(&db, &claimed).await > 0);
    assert_eq!(segments(&db, &released).await, 0);

    let mut w = store.create_encrypted(&key(2), CTX).await.unwrap();
    w.write(&pattern(6 * C)).await.unwrap();
    let dropped = w.id().clone();
    drop(w);
    // The rows go in a task the drop spawned.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while segments(&db, &dropped).await != 0 {
        assert!(std::time::Instant::now() < deadline, "rows kept");
        tokio::task::yield_now().await;
    }
}
