//! The footprint's report: the markdown section BENCHMARKS.md keeps.

use super::*;
use crate::stats::yes;

impl Report {
    /// The markdown section for BENCHMARKS.md.
    pub fn markdown(&self, o: &Options) -> String {
        let mut t = String::new();
        let env = if o.env.is_empty() {
            "no extra environment".to_owned()
        } else {
            o.env
                .iter()
                .map(|(k, v)| format!("`{k}={v}`"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let objects = thousands(o.objects);
        let events = thousands(o.events);
        t.push_str("## Memory and start-up\n\n");
        t.push_str(&format!(
            "Machine: {}; load average at the end {}\n\n",
            self.machine, self.load_end
        ));
        t.push_str(&format!("Command: `{}`\n\n", o.command));
        t.push_str(&format!(
            "trailstack runs as `trailstack serve {}` ({env}) on a data dir of its own under the \
             system temp dir. Start-up is the time from spawning the process to the first answer \
             to a signed ListBuckets (tried every 1 ms; it records an event and waits for its \
             fsync), the median of {} starts, with the median time to the port accepting a \
             connection beside it; every server is stopped with SIGTERM, and the data \
             dir's files stay in the page cache between starts (warm starts). Objects are \
             {OBJECT}-byte PUTs to fresh keys of one bucket; events are GetBucketLocation calls, \
             management events the recorder keeps in the event history LookupEvents reads. RSS \
             is `VmRSS` of `/proc/PID/status` (peak: `VmHWM`), read 0.5 s after the traffic \
             stopped unless said otherwise.\n\n",
            o.server_args.join(" "),
            o.starts.max(1)
        ));
        t.push_str("| measurement | result | goal |\n|---|---|---|\n");
        let row = |t: &mut String, a: &str, b: String, c: &str| {
            t.push_str(&format!("| {a} | {b} | {c} |\n"));
        };
        row(
            &mut t,
            "start-up, new empty data dir each time",
            self.fresh.describe(),
            "",
        );
        row(
            &mut t,
            "start-up, empty data dir, restart",
            self.empty.describe(),
            "",
        );
        row(
            &mut t,
            &format!("start-up, {objects} objects + {events} events, restart"),
            self.full.describe(),
            &format!(
                "< 100 ms: {}",
                yes(median(&self.full.samples) < Duration::from_millis(100))
            ),
        );
        row(
            &mut t,
            "RSS after start (idle, 0.5 s after its first answer), empty",
            self.empty.first_mem.describe(),
            "",
        );
        row(
            &mut t,
            &format!("peak RSS while storing {objects} objects and {events} events"),
            format!("**{}**", mib(self.populated.hwm)),
            "",
        );
        row(
            &mut t,
            "RSS idle after storing them",
            self.populated.describe(),
            "",
        );
        row(
            &mut t,
            &format!("RSS after restart with {objects} objects (idle, likewise)"),
            self.full.first_mem.describe(),
            "",
        );
        let touched = format!(
            "**{}**; peak since start {} ({})",
            mib(self.touched.rss),
            mib(self.touched.hwm),
            self.touched.describe()
        );
        row(
            &mut t,
            &format!(
                "RSS after a full listing ({} keys, {:.1} s), {} GETs and a LookupEvents",
                thousands(self.listed.0),
                self.listed.1.as_secs_f64(),
                thousands(self.touch.ok)
            ),
            touched,
            &format!(
                "< 150 MiB: {}",
                yes(self.touched.rss.max(self.touched.hwm) < 150 << 20)
            ),
        );
        match &self.mixed {
            Some(Ok(m)) => {
                let (t0, base) = m.baseline().unwrap_or_default();
                let end = m.samples.last().map(|(_, e)| *e).unwrap_or_default();
                let max = m.samples.iter().map(|(_, e)| e.rss).max().unwrap_or(0);
                let f = m.sample.figures();
                row(
                    &mut t,
                    &format!(
                        "{MIXED} for {} s on {} connections ({:.0} req/s, p99 {:.1} ms, {} \
                         errors): RSS at {t0:.0} s / end / max",
                        o.mixed_secs, o.mixed_connections, f.rps, f.p99_ms, m.sample.errors
                    ),
                    format!(
                        "{} / **{}** / {}; growth {:+.1} MiB, slope {:+.2} MiB/min; peak \
                         since start {}",
                        mib(base.rss),
                        mib(end.rss),
                        mib(max),
                        m.growth() as f64 / f64::from(1u32 << 20),
                        m.slope_mib_per_min(),
                        mib(self.last.hwm)
                    ),
                    &format!("no growth: {}", yes(!m.grew())),
                );
            }
            None => {}
            Some(Err(e)) => row(
                &mut t,
                MIXED,
                format!("not run: {e}"),
                "no growth: not measured",
            ),
        }
        t.push_str(&format!(
            "\n- Storing: {objects} objects in {:.0} s ({:.0}/s), {events} events in {:.0} s \
             ({:.0}/s), {} connections; the server then stopped in {}.\n",
            self.fill_times.0.as_secs_f64(),
            o.objects as f64 / self.fill_times.0.as_secs_f64().max(1e-9),
            self.fill_times.1.as_secs_f64(),
            o.events as f64 / self.fill_times.1.as_secs_f64().max(1e-9),
            o.connections,
            ms(self.stop_time)
        ));
        t.push_str(&format!(
            "- Data dir after storing: {}; at the end: {}.\n",
            self.dir.describe(),
            self.dir_end.describe()
        ));
        t.push_str(&format!(
            "- Idle RSS of the populating server before it stored anything: {}.\n",
            self.idle_empty.describe()
        ));
        if let Some(Ok(m)) = &self.mixed {
            t.push_str(&format!(
                "- {MIXED}: set up in {:.0} s; {} requests; RSS every {} s: {}; 0.5 s after the \
                 traffic: {}.\n",
                m.setup.as_secs_f64(),
                thousands(m.sample.ok),
                o.sample_every.as_secs(),
                m.samples
                    .iter()
                    .map(|(_, e)| format!("{:.0}", as_mib(e.rss)))
                    .collect::<Vec<_>>()
                    .join(", "),
                m.after.describe()
            ));
        }
        t
    }
}
