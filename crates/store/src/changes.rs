//! Change notices between servers sharing a database, for what a service keeps in memory (a
//! bucket's authorization facts, CloudTrail's routing table, IAM's directory, KMS's next due
//! time). A service that changes such state also calls [`bump`] for its topic in the same
//! transaction, and every server's [`Watcher`] reads the topics' versions a few times a second
//! and tells the service's callback when one moved, which drops or reloads its copy. So a change
//! committed on one server is in force on every other within [`POLL_EVERY`] plus the reload.
//!
//! Polling one small table rather than PostgreSQL's `LISTEN`/`NOTIFY`: it is the same query on
//! both engines, needs no connection of its own, and cannot miss a notice while a connection is
//! being re-established — a version read later is still the newer version. A server of its own
//! does not poll: its services already drop their copies when they commit.

use crate::{Conn, Db, Migration, StoreError};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The versions' table.
pub const MIGRATIONS: &[Migration] = &[Migration {
    component: "store_changes",
    version: 1,
    sql: "CREATE TABLE store_changes (
              topic TEXT PRIMARY KEY,
              version INTEGER NOT NULL
          ) WITHOUT ROWID;",
}];

/// How often a watcher reads the versions.
pub const POLL_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

/// Notes, in the caller's transaction, that state under `topic` changed.
pub fn bump(c: &Conn, topic: &str) -> Result<(), StoreError> {
    c.execute(
        "INSERT INTO store_changes (topic, version) VALUES ($1, 1) \
         ON CONFLICT (topic) DO UPDATE SET version = store_changes.version + 1",
        &[&topic],
    )?;
    Ok(())
}

type Callback = Arc<dyn Fn() + Send + Sync>;

/// Calls each topic's callbacks when its version moves.
#[derive(Clone, Default)]
pub struct Watcher {
    inner: Arc<Mutex<Inner>>,
}

#[derive(Default)]
struct Inner {
    callbacks: HashMap<String, Vec<Callback>>,
    /// The versions last read; `None` before the first read.
    seen: Option<HashMap<String, i64>>,
}

impl Watcher {
    /// A watcher with no callbacks.
    pub fn new() -> Watcher {
        Watcher::default()
    }

    /// Calls `f` whenever `topic`'s version moves.
    pub fn on(&self, topic: &str, f: impl Fn() + Send + Sync + 'static) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner
            .callbacks
            .entry(topic.to_string())
            .or_default()
            .push(Arc::new(f));
    }

    /// Reads the versions once and calls the callbacks of the topics that moved since the last
    /// read (none at the first: what is in memory was loaded after it). Returns how many topics
    /// moved.
    pub fn check(&self, db: &Db) -> Result<usize, StoreError> {
        let now: HashMap<String, i64> = db
            .read(|c| {
                c.query("SELECT topic, version FROM store_changes", &[], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
            })?
            .into_iter()
            .collect();
        let fire: Vec<Callback> = {
            let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
            let moved: Vec<String> = match &inner.seen {
                None => Vec::new(),
                Some(seen) => now
                    .iter()
                    .filter(|(t, v)| seen.get(*t) != Some(*v))
                    .map(|(t, _)| t.clone())
                    .collect(),
            };
            inner.seen = Some(now);
            moved
                .iter()
                .flat_map(|t| inner.callbacks.get(t).into_iter().flatten().cloned())
                .collect()
        };
        for f in &fire {
            f();
        }
        Ok(fire.len())
    }

    /// Checks every [`POLL_EVERY`] until the returned task is aborted. Reads and callbacks run on the blocking pool.
    pub fn spawn(&self, db: Arc<Db>) -> tokio::task::JoinHandle<()> {
        let watcher = self.clone();
        tokio::spawn(async move {
            let mut timer = tokio::time::interval(POLL_EVERY);
            timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                timer.tick().await;
                let (w, db) = (watcher.clone(), db.clone());
                match tokio::task::spawn_blocking(move || w.check(&db)).await {
                    Ok(Err(e)) => tracing::warn!("reading change notices: {e}"),
                    Err(e) => tracing::warn!("reading change notices: {e}"),
                    Ok(Ok(_)) => {}
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn a_bump_on_one_server_calls_the_others_callbacks_once() {
        let (dir, a) = testing::open(MIGRATIONS);
        let b = testing::reopen(dir.path(), MIGRATIONS);
        let watcher = Watcher::new();
        let (buckets, trails) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let n = buckets.clone();
        watcher.on("buckets", move || {
            n.fetch_add(1, Ordering::SeqCst);
        });
        let n = trails.clone();
        watcher.on("trails", move || {
            n.fetch_add(1, Ordering::SeqCst);
        });
        a.write(|c| bump(c, "buckets")).await.unwrap();
        // The first read learns the versions: what was loaded before it is current.
        assert_eq!(watcher.check(&b).unwrap(), 0);
        a.write(|c| bump(c, "buckets")).await.unwrap();
        assert_eq!(watcher.check(&b).unwrap(), 1);
        assert_eq!(watcher.check(&b).unwrap(), 0);
        // A topic seen for the first time moved too; one with no callback calls nothing.
        a.write(|c| {
            bump(c, "trails")?;
            bump(c, "nobody")
        })
        .await
        .unwrap();
        assert_eq!(watcher.check(&b).unwrap(), 1);
        assert_eq!(buckets.load(Ordering::SeqCst), 1);
        assert_eq!(trails.load(Ordering::SeqCst), 1);
    }
}
