//! Leases: which server runs a piece of background work (CloudTrail delivery, lifecycle, access
//! log delivery) when several share one database, so that it runs exactly once across them.
//! A lease is a row naming its holder and when it expires; a server takes it when it is free or
//! expired and keeps it by taking it again before it expires. A server that dies stops renewing,
//! and another takes over once the lease has expired.
//!
//! Taking a lease is one upsert, whose condition decides atomically on either engine (no
//! `SELECT … FOR UPDATE` needed): the row is written only if its holder is the caller or it has
//! expired, and the caller holds the lease exactly when a row was written. Expiry is judged by the
//! clock the caller passes, so nodes' clocks must agree to well within a lease's length
//! (NTP does). On a server of its own the lease is always free for it: one write per tick.

use crate::{Db, Migration, StoreError};
use std::sync::Arc;

/// The leases' table.
pub const MIGRATIONS: &[Migration] = &[Migration {
    component: "store_leases",
    version: 1,
    sql: "CREATE TABLE store_leases (
              name TEXT PRIMARY KEY,
              holder TEXT NOT NULL,
              expires_ms INTEGER NOT NULL
          ) WITHOUT ROWID;",
}];

/// How long a lease lasts unless renewed, by default: a dead server's work waits this long for
/// another ([`Leases::with_ttl`] sets it per server, `serve --lease-ttl`).
pub const TTL_MS: i64 = 30_000;
/// How often a server waiting for a lease tries again.
const RETRY_EVERY: std::time::Duration = std::time::Duration::from_millis(200);

/// One server's side of the leases in a database.
#[derive(Clone)]
pub struct Leases {
    db: Arc<Db>,
    holder: String,
    /// How long a lease taken lasts; renewed every third of it while its work runs.
    ttl_ms: i64,
    /// Per lease name, so that two runs on this server (a timer and `trailstack flush`) take
    /// turns: both would hold the lease under the same holder.
    local: Arc<std::sync::Mutex<std::collections::HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
}

/// Whether [`Leases::run`] waits for a lease another server holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// Run only if the lease is free now (a timer's tick: the holder does the work).
    No,
    /// Wait until it is free (`trailstack flush`: the work must run now, here).
    Yes,
}

impl std::fmt::Debug for Leases {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Leases")
            .field("holder", &self.holder)
            .finish()
    }
}

impl Leases {
    /// Leases held as `holder`, which must differ between the servers sharing `db` (and
    /// between a server and its successor after a restart: a random id serves).
    pub fn new(db: Arc<Db>, holder: impl Into<String>) -> Leases {
        Leases {
            db,
            holder: holder.into(),
            ttl_ms: TTL_MS,
            local: Arc::default(),
        }
    }

    /// Runs `work` holding lease `name`, with `now_ms` reading the clock expiry is judged by:
    /// renewed while `work` runs, given up after, so the next run anywhere may start at once.
    /// Returns `None` when another server holds the lease and `wait` is [`Wait::No`].
    pub async fn run<T>(
        &self,
        name: &str,
        now_ms: impl Fn() -> i64,
        wait: Wait,
        work: impl std::future::Future<Output = T>,
    ) -> Result<Option<T>, StoreError> {
        let local = {
            let mut map = self.local.lock().unwrap_or_else(|e| e.into_inner());
            map.entry(name.to_string()).or_default().clone()
        };
        let _here = local.lock().await;
        while !self.take(name, now_ms(), self.ttl_ms).await? {
            if wait == Wait::No {
                return Ok(None);
            }
            tokio::time::sleep(RETRY_EVERY).await;
        }
        let out = tokio::select! {
            out = work => out,
            never = self.renew(name, &now_ms) => match never {},
        };
        self.give_up(name).await?;
        Ok(Some(out))
    }

    /// Leases held under a fresh random holder id.
    pub fn random(db: Arc<Db>) -> Leases {
        Leases::new(db, uuid::Uuid::new_v4().simple().to_string())
    }

    /// The same leases, taken for `ttl` at a time: how long work a dead server held waits
    /// for another. Servers sharing a database should agree on it.
    pub fn with_ttl(mut self, ttl: std::time::Duration) -> Leases {
        self.ttl_ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX).max(3);
        self
    }

    /// Renews lease `name` every third of its length, for as long as it is polled: two
    /// renewals may fail or come late before it lapses.
    async fn renew(&self, name: &str, now_ms: &impl Fn() -> i64) -> std::convert::Infallible {
        let every = std::time::Duration::from_millis((self.ttl_ms / 3) as u64);
        let mut timer = tokio::time::interval(every);
        timer.tick().await;
        loop {
            timer.tick().await;
            // A failed renewal is tried again at the next; the work is not cut short.
            let _ = self.take(name, now_ms(), self.ttl_ms).await;
        }
    }

    /// Takes or renews lease `name` until `now_ms + ttl_ms`; returns whether this server holds
    /// it now. Durable before it returns: a lease is never believed held that a crash undid.
    pub async fn take(&self, name: &str, now_ms: i64, ttl_ms: i64) -> Result<bool, StoreError> {
        let (name, holder) = (name.to_string(), self.holder.clone());
        let until = now_ms.saturating_add(ttl_ms);
        self.db
            .write(move |c| {
                let written = c.execute(
                    "INSERT INTO store_leases (name, holder, expires_ms) VALUES ($1, $2, $3) \
                     ON CONFLICT (name) DO UPDATE \
                     SET holder = excluded.holder, expires_ms = excluded.expires_ms \
                     WHERE store_leases.holder = excluded.holder OR store_leases.expires_ms <= $4",
                    &[&name, &holder, &until, &now_ms],
                )?;
                Ok(written > 0)
            })
            .await
    }

    /// Gives lease `name` up if this server holds it, so another can take it at once (at a
    /// clean shutdown).
    pub async fn give_up(&self, name: &str) -> Result<(), StoreError> {
        let (name, holder) = (name.to_string(), self.holder.clone());
        self.db
            .write(move |c| {
                c.execute(
                    "DELETE FROM store_leases WHERE name = $1 AND holder = $2",
                    &[&name, &holder],
                )
                .map(drop)
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    #[tokio::test]
    async fn one_holder_at_a_time_and_a_dead_one_is_replaced_after_expiry() {
        let (dir, db) = testing::open(MIGRATIONS);
        let a = Leases::new(Arc::new(db), "a");
        let b = Leases::new(Arc::new(testing::reopen(dir.path(), MIGRATIONS)), "b");
        assert!(a.take("delivery", 1_000, 30_000).await.unwrap());
        assert!(!b.take("delivery", 1_001, 30_000).await.unwrap());
        // Another lease is independent.
        assert!(b.take("lifecycle", 1_001, 30_000).await.unwrap());
        // The holder renews before expiry and keeps it.
        assert!(a.take("delivery", 20_000, 30_000).await.unwrap());
        assert!(!b.take("delivery", 40_000, 30_000).await.unwrap());
        // A stops renewing (it died): once its lease has expired, B takes over, and A, back,
        // does not get it again while B renews.
        assert!(b.take("delivery", 50_000, 30_000).await.unwrap());
        assert!(!a.take("delivery", 51_000, 30_000).await.unwrap());
        // Given up, it is free at once.
        b.give_up("delivery").await.unwrap();
        a.give_up("delivery").await.unwrap();
        assert!(a.take("delivery", 52_000, 30_000).await.unwrap());
    }

    #[tokio::test]
    async fn a_lease_lasts_the_ttl_its_leases_were_given() {
        let (dir, db) = testing::open(MIGRATIONS);
        let a = Leases::new(Arc::new(db), "a").with_ttl(std::time::Duration::from_secs(3));
        let b = Leases::new(Arc::new(testing::reopen(dir.path(), MIGRATIONS)), "b");
        let taken_by_b = a
            .run("d", || 1_000, Wait::No, async {
                // Held until 4 000, not the default's 31 000: were A dead, B would wait 3 s.
                let early = b.take("d", 3_999, TTL_MS).await.unwrap();
                (early, b.take("d", 4_000, TTL_MS).await.unwrap())
            })
            .await
            .unwrap();
        assert_eq!(taken_by_b, Some((false, true)));
    }

    #[tokio::test]
    async fn run_does_the_work_only_under_the_lease() {
        let (dir, db) = testing::open(MIGRATIONS);
        let a = Leases::new(Arc::new(db), "a");
        let b = Leases::new(Arc::new(testing::reopen(dir.path(), MIGRATIONS)), "b");
        let now = || 1_000;
        assert_eq!(
            a.run("d", now, Wait::No, async { 1 }).await.unwrap(),
            Some(1)
        );
        // Given up after the run: B may run next.
        assert_eq!(
            b.run("d", now, Wait::No, async { 2 }).await.unwrap(),
            Some(2)
        );
        // While A holds it, B's timer skips its turn, and B's flush waits for A to finish.
        assert!(a.take("d", 1_000, TTL_MS).await.unwrap());
        assert_eq!(b.run("d", now, Wait::No, async { 3 }).await.unwrap(), None);
        let (done, finished) = tokio::sync::oneshot::channel::<()>();
        let waiting = tokio::spawn({
            let b = b.clone();
            async move {
                let out = b.run("d", || 1_000, Wait::Yes, async { 4 }).await.unwrap();
                let _ = done.send(());
                out
            }
        });
        tokio::task::yield_now().await;
        a.give_up("d").await.unwrap();
        finished.await.unwrap();
        assert_eq!(waiting.await.unwrap(), Some(4));
    }
}
