//! What a footprint run measures, as plain figures: a process's memory, the data dir's size,
//! start-up times, the mixed workload's RSS samples, and the whole run's report; with the
//! small formatting helpers the report's text uses.

use super::*;
pub use crate::stats::thousands;

/// Memory figures of a process, from `/proc/PID/status`, in bytes (threads: a count).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Mem {
    /// `VmRSS`: resident now.
    pub rss: u64,
    /// `VmHWM`: the most ever resident.
    pub hwm: u64,
    /// `RssAnon`: resident heap, stacks and other private memory.
    pub anon: u64,
    /// `RssFile`: resident pages of mapped files (the binary's code and data).
    pub file: u64,
    /// `RssShmem`: resident shared memory.
    pub shmem: u64,
    /// `Threads`.
    pub threads: u64,
}

impl Mem {
    /// Parses `/proc/PID/status` text; `None` without `VmRSS`.
    pub fn parse(status: &str) -> Option<Mem> {
        let field = |name: &str| -> Option<u64> {
            let line = status.lines().find_map(|l| l.strip_prefix(name))?;
            line.trim_start_matches(':')
                .split_whitespace()
                .next()?
                .parse()
                .ok()
        };
        let kib = |name: &str| field(name).map(|k| k * 1024);
        Some(Mem {
            rss: kib("VmRSS")?,
            hwm: kib("VmHWM").unwrap_or(0),
            anon: kib("RssAnon").unwrap_or(0),
            file: kib("RssFile").unwrap_or(0),
            shmem: kib("RssShmem").unwrap_or(0),
            threads: field("Threads").unwrap_or(0),
        })
    }

    /// The figures of process `pid`.
    pub fn of(pid: u32) -> Result<Mem, String> {
        std::fs::read_to_string(format!("/proc/{pid}/status"))
            .ok()
            .and_then(|s| Mem::parse(&s))
            .ok_or_else(|| format!("no memory figures for pid {pid}"))
    }

    /// `RSS 62.1 MiB (anon 40.0, file 22.1, shmem 0.0; 9 threads)`.
    pub fn describe(&self) -> String {
        format!(
            "RSS {} (anon {:.1}, file {:.1}, shmem {:.1} MiB; {} threads)",
            mib(self.rss),
            as_mib(self.anon),
            as_mib(self.file),
            as_mib(self.shmem),
            self.threads
        )
    }
}

pub(super) fn as_mib(bytes: u64) -> f64 {
    bytes as f64 / f64::from(1u32 << 20)
}

/// `61.2 MiB`.
pub fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", as_mib(bytes))
}

pub(super) fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

/// The median (nearest rank) of `v`.
pub fn median(v: &[Duration]) -> Duration {
    let mut us: Vec<u32> = v
        .iter()
        .map(|d| u32::try_from(d.as_micros()).unwrap_or(u32::MAX))
        .collect();
    us.sort_unstable();
    Duration::from_micros(u64::from(quantile(&us, 0.5)))
}

/// Sizes of a data dir, apparent bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DirSize {
    /// Every file.
    pub total: u64,
    /// `meta.sqlite`.
    pub db: u64,
    /// `meta.sqlite-wal`.
    pub wal: u64,
    /// Files under `blobs/`.
    pub blobs: u64,
    /// How many files are under `blobs/`.
    pub blob_files: u64,
}

impl DirSize {
    /// Sizes the data dir `dir`.
    pub fn of(dir: &Path) -> DirSize {
        fn walk(p: &Path, in_blobs: bool, out: &mut DirSize) {
            let Ok(entries) = std::fs::read_dir(p) else {
                return;
            };
            for e in entries.flatten() {
                let Ok(meta) = e.metadata() else { continue };
                let path = e.path();
                if meta.is_dir() {
                    walk(&path, in_blobs || e.file_name() == "blobs", out);
                } else {
                    out.total += meta.len();
                    if in_blobs {
                        out.blobs += meta.len();
                        out.blob_files += 1;
                    }
                }
            }
        }
        let mut out = DirSize::default();
        walk(dir, false, &mut out);
        let len = |name: &str| std::fs::metadata(dir.join(name)).map_or(0, |m| m.len());
        out.db = len("meta.sqlite");
        out.wal = len("meta.sqlite-wal");
        out
    }

    /// `2.1 GiB (meta.sqlite 2.0 GiB, WAL 4.0 MiB, 0 blob files)`.
    pub fn describe(&self) -> String {
        let gib = |b: u64| {
            if b >= 1 << 30 {
                format!("{:.2} GiB", b as f64 / f64::from(1u32 << 30))
            } else {
                mib(b)
            }
        };
        format!(
            "{} (meta.sqlite {}, WAL {}, {} blob files {})",
            gib(self.total),
            gib(self.db),
            gib(self.wal),
            thousands(self.blob_files),
            gib(self.blobs)
        )
    }
}

/// The times of one start, from spawning the process.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StartTime {
    /// To its port accepting a connection.
    pub listening: Duration,
    /// To its first answer.
    pub answered: Duration,
}

/// Start-up times of a series of starts.
#[derive(Debug, Clone, Default)]
pub struct Starts {
    /// Each start to its first answer, in order.
    pub samples: Vec<Duration>,
    /// Each start to its port accepting a connection, in order.
    pub listening: Vec<Duration>,
    /// Memory 0.5 s after the first start answered.
    pub first_mem: Mem,
}

impl Starts {
    pub(super) fn push(&mut self, t: StartTime) {
        self.samples.push(t.answered);
        self.listening.push(t.listening);
    }

    pub(super) fn describe(&self) -> String {
        format!(
            "**{}**, listening after {} (first answers: min {}, max {}; in order: {})",
            ms(median(&self.samples)),
            ms(median(&self.listening)),
            ms(self.samples.iter().min().copied().unwrap_or_default()),
            ms(self.samples.iter().max().copied().unwrap_or_default()),
            self.samples
                .iter()
                .map(|d| format!("{:.1}", d.as_secs_f64() * 1e3))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// RSS sampled during the mixed workload.
#[derive(Debug, Clone, Default)]
pub struct Mixed {
    /// Seconds since the start of the traffic, and the memory then.
    pub samples: Vec<(f64, Mem)>,
    /// The traffic: requests, errors, rate.
    pub sample: Sample,
    /// Memory a moment after the traffic stopped.
    pub after: Mem,
    /// Keys the scenario set up, and what setting them up took.
    pub setup: Duration,
}

impl Mixed {
    /// The baseline reading: the first at or after 60 s (the first of a shorter run), so the
    /// warm-up of the allocator is not counted as growth.
    pub fn baseline(&self) -> Option<(f64, Mem)> {
        self.samples
            .iter()
            .find(|(t, _)| *t >= 60.0)
            .or_else(|| self.samples.first())
            .copied()
    }

    /// RSS growth from the baseline to the last reading, in bytes (negative: shrank).
    pub fn growth(&self) -> i64 {
        match (self.baseline(), self.samples.last()) {
            (Some((_, a)), Some((_, b))) => b.rss as i64 - a.rss as i64,
            _ => 0,
        }
    }

    /// Least-squares slope of RSS over the samples from the baseline on, MiB per minute.
    pub fn slope_mib_per_min(&self) -> f64 {
        let from = self.baseline().map_or(0.0, |(t, _)| t);
        let pts: Vec<(f64, f64)> = self
            .samples
            .iter()
            .filter(|(t, _)| *t >= from)
            .map(|(t, m)| (*t / 60.0, as_mib(m.rss)))
            .collect();
        let n = pts.len() as f64;
        if pts.len() < 2 {
            return 0.0;
        }
        let (sx, sy) = pts.iter().fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
        let (mx, my) = (sx / n, sy / n);
        let (num, den) = pts.iter().fold((0.0, 0.0), |(a, b), (x, y)| {
            (a + (x - mx) * (y - my), b + (x - mx) * (x - mx))
        });
        if den == 0.0 {
            0.0
        } else {
            num / den
        }
    }

    /// Whether RSS grew: the last reading more than 10% (and 4 MiB) above the baseline.
    pub fn grew(&self) -> bool {
        let base = self.baseline().map_or(0, |(_, m)| m.rss);
        self.growth() > ((base / 10).max(4 << 20)) as i64
    }
}

/// Everything one run measured.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// The machine and its load at the start.
    pub machine: String,
    /// Load averages at the end.
    pub load_end: String,
    /// Starts, each on a new data dir.
    pub fresh: Starts,
    /// Restarts of an initialized empty data dir.
    pub empty: Starts,
    /// Idle memory of the populating server before it stored anything.
    pub idle_empty: Mem,
    /// Time to store the objects, and the events.
    pub fill_times: (Duration, Duration),
    /// Peak (VmHWM) and idle memory of the populating server at the end.
    pub populated: Mem,
    /// The data dir after the populating server stopped.
    pub dir: DirSize,
    /// How long the populating server took to stop.
    pub stop_time: Duration,
    /// Restarts on the populated data dir.
    pub full: Starts,
    /// Keys the full listing found, and how long it took.
    pub listed: (u64, Duration),
    /// The GET touch.
    pub touch: Sample,
    /// Memory after the listing, the GETs and a LookupEvents.
    pub touched: Mem,
    /// The mixed workload, if asked for: its figures or why it failed.
    pub mixed: Option<Result<Mixed, String>>,
    /// Memory at the end of the run, its peak being the whole life of the last server.
    pub last: Mem,
    /// The data dir at the end.
    pub dir_end: DirSize,
}
