//! Time as a dependency: every service asks a [`Clock`] for "now", so tests can step time instead
//! of sleeping; and the one ISO 8601 form ([`iso_seconds`]) records and documents write.

use std::sync::Mutex;
use time::OffsetDateTime;

/// `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole seconds): CloudTrail's record and digest times and the
/// query protocol's dates.
pub fn iso_seconds(t: OffsetDateTime) -> String {
    let mut s = String::with_capacity(20);
    write_iso_seconds(&mut s, t);
    s
}

/// Appends `t` to `out` as [`iso_seconds`] writes it (the recorder writes records straight to
/// text).
pub fn write_iso_seconds(out: &mut String, t: OffsetDateTime) {
    use std::fmt::Write as _;
    let t = t.to_offset(time::UtcOffset::UTC);
    let _ = write!(
        out,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
}

/// A source of the current time.
pub trait Clock: Send + Sync {
    /// The current UTC time.
    fn now(&self) -> OffsetDateTime;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that only moves when told to; for tests.
#[derive(Debug)]
pub struct FixedClock(Mutex<OffsetDateTime>);

impl FixedClock {
    /// A clock standing at `at`.
    pub fn new(at: OffsetDateTime) -> Self {
        FixedClock(Mutex::new(at))
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: time::Duration) {
        let mut t = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *t += by;
    }

    /// Sets the clock to `at`.
    pub fn set(&self, at: OffsetDateTime) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = at;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}
