//! The loose-blob journal: the blob files no committed metadata references, listed in the
//! metadata database itself, so that whatever a crash left behind is removed when the data dir is
//! next opened ([`collect_garbage`]), before anything is served.
//!
//! The invariant: every file in `blobs/` is referenced by committed metadata, or listed in
//! `store_loose_blobs` — durably, before the file got there or by the commit that dropped the
//! reference:
//! - a new blob is listed, and the listing fsynced, before its file is renamed into `blobs/`
//!   (the listing's commit and fsync overlap the blob's own fsync, so a PUT waits for no extra
//!   round trip);
//! - the transaction that makes metadata reference a blob unlists it ([`claim`]);
//! - the transaction that drops a reference lists it again ([`release`]);
//! - a file is deleted only while it is listed and that listing is durable, and its row goes
//!   only once the unlink is durable too (the blob dir fsynced).
//!
//! So the orphans after a crash — a blob whose referencing commit never happened, or whose
//! delete was interrupted — are exactly the listed rows, and GC at open costs one indexed read
//! and one unlink per orphan: O(orphans), not O(objects) nor O(blob files). That is the choice
//! for start-up time (issue 8: 1M objects in under 100 ms). A scan of the blob dirs would be
//! proportional to every blob on disk, and could not tell an orphan from a live blob without
//! reading every object's and part's metadata; "only blobs older than the open" would still need
//! that reference check. Small objects kept inline in SQLite have no blob and no row.
//!
//! Deleting only listed blobs also covers a failed fsync: a commit that claimed a blob may be
//! visible while not known durable, and its blob is then kept (not listed) instead of being
//! deleted from under it; the next open decides from what survived.
//!
//! Blobs written before this journal existed were never listed: an orphan among them stays.
//! Within one transaction that moves a blob from one record to another (a multipart part
//! becoming a segment of the completed object), [`release`] the old record before [`claim`]ing
//! it for the new one: the last of the two decides.

use crate::{Conn, Db, Migration, StoreError};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The journal's table. Owned by the store; services only call [`claim`] and [`release`].
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        component: "store",
        version: 1,
        sql: "CREATE TABLE store_loose_blobs (id TEXT PRIMARY KEY) WITHOUT ROWID;",
    },
    // Blobs kept in the database (`rows.rs`), and when a listing was last touched by a writer
    // of such a blob (0 for every other listing: collectable at once).
    Migration {
        component: "store",
        version: 2,
        sql: "ALTER TABLE store_loose_blobs ADD COLUMN listed_at INTEGER NOT NULL DEFAULT 0;
              CREATE TABLE store_blob_segments (
                  blob_id TEXT NOT NULL,
                  seq INTEGER NOT NULL,
                  bytes BLOB NOT NULL,
                  PRIMARY KEY (blob_id, seq)
              ) WITHOUT ROWID;",
    },
];

/// Marks blobs as referenced by the metadata written in the same transaction as this call.
pub fn claim<'a>(c: &Conn, ids: impl IntoIterator<Item = &'a str>) -> Result<(), StoreError> {
    for id in ids {
        c.execute("DELETE FROM store_loose_blobs WHERE id = $1", &[&id])?;
    }
    Ok(())
}

/// Marks blobs as no longer referenced by the metadata changed in the same transaction, so that
/// they are deleted after it (or, after a crash, at the next open).
pub fn release<'a>(c: &Conn, ids: impl IntoIterator<Item = &'a str>) -> Result<(), StoreError> {
    for id in ids {
        if !id.is_empty() {
            c.execute(
                "INSERT INTO store_loose_blobs (id) VALUES ($1) ON CONFLICT DO NOTHING",
                &[&id],
            )?;
        }
    }
    Ok(())
}

/// Which of `ids` are listed (not referenced by committed metadata).
pub(super) fn listed(c: &Conn, ids: &[String]) -> Result<Vec<String>, StoreError> {
    let mut out = Vec::new();
    for id in ids {
        let row = c.query_opt(
            "SELECT 1 FROM store_loose_blobs WHERE id = $1",
            &[id],
            |_| Ok(()),
        )?;
        if row.is_some() {
            out.push(id.clone());
        }
    }
    Ok(out)
}

/// Removes the rows of blobs whose files are gone (and whose unlink is durable).
pub(super) fn forget(c: &Conn, ids: &[String]) -> Result<(), StoreError> {
    for id in ids {
        c.execute("DELETE FROM store_loose_blobs WHERE id = $1", &[id])?;
    }
    Ok(())
}

/// Unlinks the files of `ids` under `blobs`; a missing one is already gone.
pub(super) fn unlink(blobs: &Path, ids: &[String]) -> Result<(), StoreError> {
    for id in ids {
        match std::fs::remove_file(blobs.join(&id[..2]).join(id)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    Ok(())
}

/// Fsyncs the directories that held `ids`, so that their unlinks outlive a crash.
pub(super) fn sync_dirs(blobs: &Path, ids: &[String]) -> Result<(), StoreError> {
    let dirs: BTreeSet<PathBuf> = ids.iter().map(|id| blobs.join(&id[..2])).collect();
    for dir in dirs {
        match std::fs::File::open(&dir) {
            Ok(d) => d.sync_all()?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// Deletes every listed blob: at open, before anything is served, so they are the orphans a
/// crash left. Their rows are removed by a write queued here and not awaited (the caller is not
/// async); if that write is lost to another crash, the next open finds the rows again and their
/// files already gone.
pub fn collect_garbage(db: &Db, blobs: &Path) -> Result<(), StoreError> {
    let ids: Vec<String> =
        db.read(|c| c.query("SELECT id FROM store_loose_blobs", &[], |r| r.get(0)))?;
    if ids.is_empty() {
        return Ok(());
    }
    // A row that is not a blob id cannot name a file; it is only forgotten.
    let files: Vec<String> = ids
        .iter()
        .filter(|id| super::BlobId::parse(id).is_ok())
        .cloned()
        .collect();
    unlink(blobs, &files)?;
    sync_dirs(blobs, &files)?;
    drop(db.submit(move |c| forget(c, &ids)));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BlobStore;
    use std::sync::Arc;

    fn open(dir: &Path) -> (Arc<Db>, BlobStore) {
        let db = Arc::new(crate::testing::reopen(dir, MIGRATIONS));
        let store = BlobStore::open(dir, db.clone()).unwrap();
        (db, store)
    }

    async fn blob(store: &BlobStore) -> String {
        let mut w = store.create().await.unwrap();
        w.write(&[7u8; 1000]).await.unwrap();
        w.finish().await.unwrap().0.as_str().to_string()
    }

    fn exists(dir: &Path, id: &str) -> bool {
        dir.join("blobs").join(&id[..2]).join(id).exists()
    }

    async fn rows(db: &Db) -> i64 {
        // Queued behind open's own write, so it sees the rows that write forgot.
        db.write(|c| c.query_one("SELECT COUNT(*) FROM store_loose_blobs", &[], |r| r.get(0)))
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn open_deletes_the_blobs_no_commit_claimed_or_that_one_released() {
        let dir = crate::testing::dir();
        let (db, store) = open(dir.path());
        // Committed with its reference: survives.
        let kept = blob(&store).await;
        let k = kept.clone();
        db.write(move |c| claim(c, [k.as_str()])).await.unwrap();
        // Written, but the crash came before the commit that would reference it.
        let unclaimed = blob(&store).await;
        // Referenced, then released by a commit whose delete the crash interrupted.
        let released = blob(&store).await;
        let r = released.clone();
        db.write(move |c| claim(c, [r.as_str()])).await.unwrap();
        let r = released.clone();
        db.write(move |c| release(c, [r.as_str()])).await.unwrap();
        // A file no journal ever listed (written before it existed) is never touched.
        let legacy = "ab".repeat(16);
        std::fs::create_dir_all(dir.path().join("blobs/ab")).unwrap();
        std::fs::write(dir.path().join("blobs/ab").join(&legacy), b"old").unwrap();
        drop((db, store));

        let (db, _store) = open(dir.path());
        assert!(exists(dir.path(), &kept));
        assert!(!exists(dir.path(), &unclaimed));
        assert!(!exists(dir.path(), &released));
        assert!(exists(dir.path(), &legacy));
        assert_eq!(rows(&db).await, 0);
    }

    #[tokio::test]
    async fn delete_removes_only_released_blobs() {
        let dir = crate::testing::dir();
        let (db, store) = open(dir.path());
        let claimed = blob(&store).await;
        let released = blob(&store).await;
        let (c1, r1) = (claimed.clone(), released.clone());
        db.write(move |c| claim(c, [c1.as_str(), r1.as_str()]))
            .await
            .unwrap();
        let r1 = released.clone();
        db.write(move |c| release(c, [r1.as_str()])).await.unwrap();
        let ids = [&claimed, &released]
            .map(|id| crate::BlobId::parse(id).unwrap())
            .to_vec();
        let kept = store.delete(ids).await.unwrap();
        assert_eq!(kept, vec![crate::BlobId::parse(&claimed).unwrap()]);
        assert!(exists(dir.path(), &claimed));
        assert!(!exists(dir.path(), &released));
        // The row goes in the background once the unlink is durable.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while rows(&db).await != 0 {
            assert!(std::time::Instant::now() < deadline, "journal row kept");
            tokio::task::yield_now().await;
        }
    }

    #[tokio::test]
    async fn an_unfinished_blob_leaves_no_row() {
        let dir = crate::testing::dir();
        let (db, store) = open(dir.path());
        let mut w = store.create().await.unwrap();
        w.write(b"partial").await.unwrap();
        drop(w);
        assert_eq!(rows(&db).await, 0);
    }
}
