//! When the next scheduled key change (a deletion, an automatic rotation, imported material
//! expiring) falls due, as last read from the key table. Every call runs the housekeeping the
//! clock calls for first; with this it reads the table only when something may be due, not on
//! every Encrypt.

use std::sync::Mutex;

/// The earliest due time last read, valid until the next write.
#[derive(Default)]
pub(crate) struct Schedule {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Writes finished so far: a due time read before one of them may be stale.
    writes: u64,
    /// The due time read after `writes` writes (None inside: nothing is scheduled).
    known: Option<(u64, Option<i64>)>,
}

/// What the housekeeping must do at a given time.
pub(crate) enum Due {
    /// Nothing is due: no read needed.
    Nothing,
    /// Read the table; pass the token to [`Schedule::learned`] with what it said.
    Check(u64),
}

impl Schedule {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether something may be due at `now_ms`.
    pub(crate) fn at(&self, now_ms: i64) -> Due {
        let s = self.lock();
        match s.known {
            Some((_, None)) => Due::Nothing,
            Some((_, Some(t))) if now_ms < t => Due::Nothing,
            _ => Due::Check(s.writes),
        }
    }

    /// Records the earliest due time a read started at `token` found, unless a write has
    /// finished since (the read may predate it).
    pub(crate) fn learned(&self, token: u64, next_due_ms: Option<i64>) {
        let mut s = self.lock();
        if s.writes == token {
            s.known = Some((token, next_due_ms));
        }
    }

    /// Forgets the due time: a write may have changed the schedule. Called once the write has
    /// finished (committed or not), before its caller is answered.
    pub(crate) fn written(&self) {
        let mut s = self.lock();
        s.writes += 1;
        s.known = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_only_when_unknown_or_due() {
        let s = Schedule::default();
        let Due::Check(t) = s.at(0) else {
            panic!("unknown at start")
        };
        s.learned(t, Some(100));
        assert!(matches!(s.at(99), Due::Nothing));
        assert!(matches!(s.at(100), Due::Check(_)));
        s.written();
        assert!(matches!(s.at(0), Due::Check(_)));
    }

    #[test]
    fn a_read_overtaken_by_a_write_is_not_kept() {
        let s = Schedule::default();
        let Due::Check(t) = s.at(0) else {
            panic!("unknown at start")
        };
        s.written();
        s.learned(t, None);
        assert!(matches!(s.at(0), Due::Check(_)));
        let Due::Check(t) = s.at(0) else {
            unreachable!()
        };
        s.learned(t, None);
        assert!(matches!(s.at(i64::MAX), Due::Nothing));
    }
}
