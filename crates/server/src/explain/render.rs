//! The human report of an [`Explanation`]: a title, then aligned `label  value` lines (values that
//! run over several lines continue under the value column), and for a bucket the rows of
//! ARCHITECTURE.md §5 as a table. With colour (a terminal), labels are bold, verdicts green or red
//! and rules cyan; without (piped, `NO_COLOR`), it is plain text. Only presentation lives here:
//! every fact comes from the JSON report.

use super::sse::label;
use super::{
    BucketReport, DeliveredFile, Explanation, KeyRef, KeyReport, ObjectReport, Report,
    SessionReport, StoredAs, TrailCoverage, TrailDelivery,
};

/// Width of the label column.
const LABEL: usize = 16;

/// ANSI styles.
#[derive(Clone, Copy)]
enum Tone {
    Bold,
    Good,
    Bad,
    Rule,
    Dim,
}

/// Text being built, with or without colour.
struct Out {
    colour: bool,
    text: String,
}

impl Out {
    fn paint(&self, tone: Tone, s: &str) -> String {
        if !self.colour {
            return s.to_string();
        }
        let code = match tone {
            Tone::Bold => "1",
            Tone::Good => "32",
            Tone::Bad => "31",
            Tone::Rule => "36",
            Tone::Dim => "2",
        };
        format!("\x1b[{code}m{s}\x1b[0m")
    }

    fn title(&mut self, s: &str) {
        let t = self.paint(Tone::Bold, s);
        self.text.push_str(&t);
        self.text.push('\n');
    }

    /// `  label   value`, the label padded before it is painted so columns stay aligned.
    fn line(&mut self, label: &str, value: &str) {
        let padded = format!("{label:<LABEL$}");
        let l = self.paint(Tone::Bold, &padded);
        self.text.push_str(&format!("  {l}  {value}\n"));
    }

    /// A continuation line under the value column, indented by `depth` steps.
    fn more(&mut self, depth: usize, value: &str) {
        let indent = " ".repeat(2 + LABEL + 2 + 2 * depth);
        self.text.push_str(&format!("{indent}{value}\n"));
    }

    /// Entry `i` of a list under `label`: the label stands on the first entry's line only.
    fn entry(&mut self, i: usize, label: &str, value: &str) {
        if i == 0 {
            self.line(label, value);
        } else {
            self.more(0, value);
        }
    }

    fn blank(&mut self) {
        self.text.push('\n');
    }
}

/// Renders `e` for people; `colour` adds ANSI styles.
pub fn render(e: &Explanation, colour: bool) -> String {
    let mut out = Out {
        colour,
        text: String::new(),
    };
    match &e.report {
        Report::Object(o) => object(&mut out, &e.target, &e.asked_by, o),
        Report::Bucket(b) => bucket(&mut out, &e.target, b),
        Report::Key(k) => key(&mut out, &e.target, k),
    }
    if let Some(s) = &e.session {
        session(&mut out, &e.asked_by, s);
    }
    out.text
}

/// The temporary credentials the explanation was asked with, and their policies.
fn session(out: &mut Out, asked_by: &str, s: &SessionReport) {
    out.line("asked as", asked_by);
    match (&s.role, &s.session_name) {
        (Some(role), Some(name)) => out.more(0, &format!("session {name} of role {role}")),
        _ => out.more(0, "a GetSessionToken session"),
    }
    let mut more = format!("key {}, issued {}", s.access_key, s.issued);
    more.push_str(&format!(", expires {}", s.expires));
    if let Some(who) = &s.source_identity {
        more.push_str(&format!(", source identity {who}"));
    }
    out.more(0, &more);
    let mut lines: Vec<String> = s
        .identity_policies
        .iter()
        .map(|p| format!("{} policy {} of {}", p.kind, p.name, p.holder))
        .collect();
    if lines.is_empty() && asked_by.ends_with(":root") {
        lines.push("the account's root: every right in its account".into());
    } else if lines.is_empty() {
        lines.push("no identity policy: only resource policies naming it allow".into());
    }
    if s.session_policies {
        lines.push("session policies: only what they also allow".into());
    }
    if let Some(b) = &s.permissions_boundary {
        lines.push(format!(
            "permissions boundary {b}: only what it also allows"
        ));
    }
    out.line("permissions", &lines[0]);
    lines[1..].iter().for_each(|l| out.more(0, l));
}

/// A key in a few words with its state: `alias/cmk1 (Enabled)`.
fn key_words(k: &KeyRef) -> String {
    format!("{} ({})", label(k), k.state)
}

/// `1 record`, `2 records`.
fn count(n: i64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn on_off(b: bool) -> &'static str {
    if b {
        "on"
    } else {
        "off"
    }
}

fn object(out: &mut Out, target: &str, asked_by: &str, o: &ObjectReport) {
    out.title(target);
    out.line(
        "size",
        &format!("{}, version {}", count(o.size as i64, "byte"), o.version_id),
    );
    match &o.written_by {
        Some(w) => {
            let via = match (&w.invoked_by, &w.on_behalf_of) {
                (Some(s), Some(src)) if *s == w.principal => format!(" for {src}"),
                (Some(s), _) if *s == w.principal => String::new(),
                (Some(s), _) => format!(" via {s}"),
                (None, _) => String::new(),
            };
            out.line("written by", &format!("{}{via}", w.principal));
            out.more(0, &format!("at {}, request {}", w.time, w.request_id));
        }
        None => out.line(
            "written by",
            &format!("not recorded (at {})", o.last_modified),
        ),
    }
    match &o.encryption {
        Some(enc) => {
            let mut value = match &enc.key {
                Some(k) => format!("{}, key {}", enc.mode, key_words(k)),
                None => enc.mode.clone(),
            };
            if enc.key.is_some() {
                value.push_str(&format!(", bucket key {}", on_off(enc.bucket_key)));
            }
            out.line("encryption", &value);
            if let Some(k) = &enc.key {
                out.more(0, &k.arn);
            }
        }
        None => out.line(
            "encryption",
            "not recorded (stored before encryption at rest)",
        ),
    }
    if let Some(r) = &o.rule {
        let name = out.paint(Tone::Rule, &r.text);
        out.line("rule", &name);
        out.more(0, &r.because);
    }
    let tone = if o.readable.can_read {
        Tone::Good
    } else {
        Tone::Bad
    };
    let verdict = out.paint(tone, &o.readable.summary);
    out.line("readable", &verdict);
    if !o.readable.can_read {
        out.more(0, &format!("asked as {asked_by}"));
    }
    coverage(
        out,
        "data events",
        &o.data_events,
        "no trail takes this object's data events",
    );
    if let Some(f) = &o.cloudtrail_file {
        delivered(out, f);
    }
    if let Some(l) = &o.object_lock {
        out.line("object lock", &l.summary);
    }
}

/// The trails taking data events, each with its selectors and delivery.
fn coverage(out: &mut Out, label: &str, trails: &[TrailCoverage], none: &str) {
    if trails.is_empty() {
        out.line(label, none);
        return;
    }
    for (i, t) in trails.iter().enumerate() {
        let kinds = match (t.read, t.write) {
            (true, true) => "reads and writes",
            (true, false) => "reads",
            _ => "writes",
        };
        let state = if t.logging { "logging" } else { "not logging" };
        let head = format!("trail {} ({state}): {kinds}", t.trail.name);
        out.entry(i, label, &head);
        for s in &t.selectors {
            out.more(1, &format!("selector {}: {}", s.index, s.description));
        }
        delivery(out, 1, &t.delivery);
    }
}

/// Where a trail's files go and how they are stored.
fn delivery(out: &mut Out, depth: usize, d: &TrailDelivery) {
    out.more(
        depth,
        &format!(
            "log files to {} as {}",
            d.log_location,
            stored(out, &d.log_files)
        ),
    );
    match &d.digest_files {
        Some(s) => {
            let how = stored(out, s);
            out.more(depth, &format!("digest files as {how}"));
        }
        None => out.more(depth, "no digest files (log file validation off)"),
    }
    if let Some(e) = &d.latest_delivery_error {
        let e = out.paint(Tone::Bad, &format!("last delivery failed: {e}"));
        out.more(depth, &e);
    }
}

/// `SSE-KMS, alias/cmk2 (CloudTrail log file with the trail's key)`.
fn stored(out: &Out, s: &StoredAs) -> String {
    format!("{} ({})", s.stored_as, out.paint(Tone::Rule, &s.rule.text))
}

fn delivered(out: &mut Out, f: &DeliveredFile) {
    let (what, period, entries) = if f.file_type == "digest" {
        ("digest file", "period", "log file")
    } else {
        ("log file", "events", "record")
    };
    out.line(
        "CloudTrail",
        &format!("{what} of trail {} ({})", f.trail.name, f.region),
    );
    out.more(
        0,
        &format!(
            "{period} {} to {}, {}",
            f.period_start,
            f.period_end,
            count(f.entries, entries)
        ),
    );
    if let Some(by) = &f.listed_by {
        out.more(0, &format!("listed by {by}"));
    }
    let tone = match f.hash.status.as_str() {
        "matches" => Tone::Good,
        "differs" => Tone::Bad,
        _ => Tone::Dim,
    };
    let summary = out.paint(tone, &f.hash.summary);
    out.more(0, &summary);
}

fn bucket(out: &mut Out, target: &str, b: &BucketReport) {
    out.title(&format!("{target} (account {}, {})", b.account, b.region));
    let d = &b.default_encryption;
    let mut value = match &d.key {
        Some(k) => format!("{}, key {}", d.mode, key_words(k)),
        None => d.mode.clone(),
    };
    if d.key.is_some() {
        value.push_str(&format!(", bucket key {}", on_off(d.bucket_key)));
    }
    let legacy = b.bucket_defaults == "legacy";
    if !d.configured && legacy {
        value.push_str(
            " (not configured: the service default, which GetBucketEncryption does not report)",
        );
    } else if !d.configured {
        value.push_str(" (not configured: the service default)");
    }
    out.line("default", &value);
    if legacy {
        out.line(
            "created with",
            "legacy bucket defaults (before April 2023): ACLs enabled, no Block Public Access, no default encryption reported",
        );
    }
    if !b.policy.present {
        out.line("policy", "none");
    } else if b.policy.writes.is_empty() {
        out.line("policy", "no statement about writing objects");
    } else {
        for (i, st) in b.policy.writes.iter().enumerate() {
            let who = if st.principals.is_empty() {
                "(no principal)".to_string()
            } else {
                st.principals.join(", ")
            };
            let head = format!("{} {who} to write {}", st.effect, st.resources.join(", "));
            out.entry(i, "policy", &head);
            for c in &st.conditions {
                out.more(1, &format!("if {c}"));
            }
        }
    }
    if let Some(l) = &b.object_lock {
        out.line("object lock", &l.summary);
    }
    coverage(
        out,
        "object logging",
        &b.object_level_logging,
        "none (no trail takes data events of every object here)",
    );
    access_logging(out, b.server_access_logging.as_ref());
    if b.deliveries.is_empty() {
        out.line("trails into it", "none");
    }
    for (i, t) in b.deliveries.iter().enumerate() {
        let state = if t.logging { "logging" } else { "not logging" };
        let head = format!("trail {} ({state})", t.trail.name);
        out.entry(i, "trails into it", &head);
        delivery(out, 1, &t.delivery);
    }
    out.blank();
    let default = b
        .encryption_rules
        .first()
        .map_or("none set", |r| r.bucket_default.as_str());
    out.title(&format!(
        "What is written here and how it is stored (bucket default: {default})"
    ));
    table(out, &b.encryption_rules);
}

/// The bucket's S3 server access logging, beside its object-level logging.
fn access_logging(out: &mut Out, l: Option<&super::AccessLogging>) {
    let Some(l) = l else {
        out.line("access logging", "none (S3 server access logging is off)");
        return;
    };
    let format = match &l.partition_date_source {
        Some(source) => format!("{}, {source}", l.key_format),
        None => l.key_format.clone(),
    };
    out.line(
        "access logging",
        &format!(
            "server access logs to s3://{}/{} ({format})",
            l.target_bucket, l.target_prefix
        ),
    );
    out.more(1, &format!("stored as {} ({})", l.stored_as, l.rule.text));
    if let Some(p) = &l.problem {
        out.more(1, &format!("not delivered: {p}"));
    }
    if l.pending_records > 0 {
        out.more(1, &format!("{} records waiting", l.pending_records));
    }
    if let Some(e) = &l.last_error {
        out.more(1, &format!("last delivery failed: {e}"));
    }
}

/// ARCHITECTURE.md §5's rows as an aligned table.
fn table(out: &mut Out, rows: &[StoredAs]) {
    let header = ["written by", "asks for", "rule", "stored as"];
    let cells: Vec<[&str; 4]> = rows
        .iter()
        .map(|r| {
            [
                r.written_by.as_str(),
                r.asks_for.as_str(),
                r.rule.text.as_str(),
                r.stored_as.as_str(),
            ]
        })
        .collect();
    let mut width = header.map(|h| h.chars().count());
    for row in &cells {
        for (w, c) in width.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let pad = |s: &str, w: usize| format!("{s}{}", " ".repeat(w - s.chars().count()));
    let head: Vec<String> = header.iter().zip(width).map(|(h, w)| pad(h, w)).collect();
    let head = out.paint(Tone::Bold, head.join("  ").trim_end());
    out.text.push_str(&format!("  {head}\n"));
    for row in &cells {
        let mut line = String::from("  ");
        for (i, (c, w)) in row.iter().zip(width).enumerate() {
            let cell = pad(c, w);
            let cell = if i == 2 {
                out.paint(Tone::Rule, &cell)
            } else {
                cell
            };
            line.push_str(&cell);
            if i < 3 {
                line.push_str("  ");
            }
        }
        out.text.push_str(line.trim_end());
        out.text.push('\n');
    }
}

fn key(out: &mut Out, target: &str, k: &KeyReport) {
    out.title(target);
    out.line("key", &k.key.arn);
    if !k.key.aliases.is_empty() {
        out.line("aliases", &k.key.aliases.join(", "));
    }
    let tone = if k.key.state == "Enabled" {
        Tone::Good
    } else {
        Tone::Bad
    };
    let state = out.paint(tone, &k.key.state);
    let manager = k.key.manager.as_deref().unwrap_or("");
    out.line(
        "state",
        &format!("{state} ({manager}, {}), created {}", k.spec, k.created),
    );
    if let Some(d) = &k.deletion_date {
        out.more(0, &format!("deletion scheduled for {d}"));
    }
    let rotation = if k.rotation.enabled {
        let mut r = format!("every {} days", k.rotation.period_days.unwrap_or(365));
        if let Some(n) = &k.rotation.next {
            r.push_str(&format!(", next {n}"));
        }
        r
    } else {
        "off".to_string()
    };
    out.line("rotation", &rotation);
    if let Some(last) = &k.rotation.last {
        out.more(0, &format!("last rotated {last}"));
    }
    if k.bucket_defaults.is_empty() {
        out.line("bucket default", "of no bucket");
    }
    for (i, b) in k.bucket_defaults.iter().enumerate() {
        let v = format!("s3://{}, bucket key {}", b.bucket, on_off(b.bucket_key));
        out.entry(i, "bucket default", &v);
    }
    if k.trails.is_empty() {
        out.line("trail key", "of no trail");
    }
    for (i, t) in k.trails.iter().enumerate() {
        let state = if t.logging { "logging" } else { "not logging" };
        let v = format!(
            "trail {} ({state}) into {}",
            t.trail.name, t.delivery.log_location
        );
        out.entry(i, "trail key", &v);
    }
    if k.recent_events.is_empty() {
        out.line("recent events", "none in the event history");
    }
    for (i, e) in k.recent_events.iter().enumerate() {
        let via = e
            .invoked_by
            .as_ref()
            .filter(|s| **s != e.principal)
            .map(|s| format!(" via {s}"))
            .unwrap_or_default();
        let mut v = format!("{}  {}  {}{via}", e.time, e.event_name, e.principal);
        if let Some(code) = &e.error_code {
            v.push_str(&format!("  failed: {code}"));
        }
        out.entry(i, "recent events", &v);
        if let Some(c) = &e.context {
            let c = out.paint(Tone::Dim, c);
            out.more(1, &c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::{Rotation, FORMAT_VERSION};

    fn disabled_key() -> Explanation {
        Explanation {
            format_version: FORMAT_VERSION,
            target: "kms://alias/k".into(),
            asked_by: "arn:aws:iam::000000000000:root".into(),
            session: None,
            report: Report::Key(Box::new(KeyReport {
                key: KeyRef {
                    arn: "arn:aws:kms:us-east-1:000000000000:key/k1".into(),
                    aliases: vec!["alias/k".into()],
                    state: "Disabled".into(),
                    manager: Some("CUSTOMER".into()),
                },
                description: String::new(),
                spec: "SYMMETRIC_DEFAULT".into(),
                created: "2025-06-01T12:00:00Z".into(),
                rotation: Rotation {
                    enabled: true,
                    period_days: Some(90),
                    next: Some("2025-08-30T12:00:00Z".into()),
                    last: None,
                },
                deletion_date: None,
                bucket_defaults: vec![],
                trails: vec![],
                recent_events: vec![],
            })),
        }
    }

    #[test]
    fn plain_text_is_aligned_and_colour_only_when_asked() {
        let plain = render(&disabled_key(), false);
        assert!(!plain.contains('\x1b'));
        assert!(plain.contains(
            "\n  state             Disabled (CUSTOMER, SYMMETRIC_DEFAULT), created 2025-06-01T12:00:00Z\n"
        ));
        assert!(plain.contains("\n  rotation          every 90 days, next 2025-08-30T12:00:00Z\n"));
        let coloured = render(&disabled_key(), true);
        assert!(coloured.contains("\x1b[31mDisabled\x1b[0m"), "{coloured}");
        assert!(
            coloured.contains("\x1b[1mstate           \x1b[0m"),
            "{coloured}"
        );
    }

    #[test]
    fn counts_agree_with_their_number() {
        assert_eq!(count(1, "record"), "1 record");
        assert_eq!(count(0, "log file"), "0 log files");
    }
}
