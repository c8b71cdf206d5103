//! The wrk section: the generator-bound mark, the ratios it withholds, and its place in the
//! document.

use super::*;
use crate::wrk::Round;

fn round(rps: f64, server_cpu: f64, wrk_cpu: f64) -> Round {
    let secs = 5.0;
    Round {
        run: WrkRun {
            requests: (rps * secs) as u64,
            secs,
            rps,
            p50_ms: 1.0,
            p99_ms: 3.0,
            non_2xx: 0,
            socket_errors: 0,
            wrk_cpu,
        },
        server_cpu: Some(server_cpu),
    }
}

fn row(target: &'static str, rounds: Vec<Round>) -> Row {
    Row {
        target,
        rounds,
        first_error: None,
    }
}

#[test]
fn a_generator_that_outspends_the_server_gives_no_ratio() {
    let c = CaseResult {
        case: Case::Get1k,
        rows: vec![
            row("trailstack", vec![round(20_000.0, 6.0, 2.0)]),
            row("limit", vec![round(100_000.0, 3.0, 4.0)]),
            row("moto", vec![round(500.0, 5.0, 0.1)]),
        ],
    };
    assert!(!c.rows[0].generator_bound(2));
    assert!(c.rows[1].generator_bound(2));
    assert!(ratio(&c, "limit", 2)
        .unwrap_err()
        .contains("limit row not usable"));
    assert!((ratio(&c, "moto", 2).unwrap() - 40.0).abs() < 1e-9);
}

#[test]
fn a_generator_near_its_cores_is_the_bound() {
    // 9.5 CPU-s in a 5 s run on 2 threads: 1.9 cores.
    let r = row("limit", vec![round(100_000.0, 20.0, 9.5)]);
    assert!(r.generator_bound(2));
    assert!(!r.generator_bound(4));
}

#[test]
fn error_answers_give_no_ratio() {
    let mut bad = round(20_000.0, 6.0, 2.0);
    bad.run.non_2xx = 3;
    assert_eq!(row("trailstack", vec![bad]).usable_rps(2), None);
}

#[test]
fn the_section_shows_rows_goals_and_marks() {
    let results = vec![CaseResult {
        case: Case::Get1k,
        rows: vec![
            row("trailstack", vec![round(20_000.0, 6.0, 2.0)]),
            row("limit", vec![round(50_000.0, 3.0, 2.0)]),
        ],
    }];
    let info = Info {
        date: "d".into(),
        machine: "m".into(),
        load_at_end: "1 2 3".into(),
        command: "c".into(),
        commit: "abc".into(),
        threads: 2,
        connections: 64,
        duration: 5,
        warmup: 1,
        rounds: 1,
        put_keys: 16384,
    };
    let s = section(&results, &info);
    assert!(s.starts_with(BEGIN) && s.trim_end().ends_with(END));
    assert!(
        s.contains("| GET 1 KiB ≥ 40% of the limit | 40% | yes |"),
        "{s}"
    );
    assert!(s.contains("| get-1k | trailstack | 20,000 |"), "{s}");
    assert!(s.contains("| GET 1 KiB p99 < 5 ms at 64 connections | 3.00 ms | yes |"));
}

#[test]
fn the_section_survives_report() {
    let doc = "# Benchmarks\n\nintro\n\n## Method\n\ntext\n";
    let with = splice(doc, &format!("{BEGIN}\none\n{END}\n"));
    assert!(with.find(BEGIN) < with.find("## Method"));
    assert_eq!(carry(&with, doc.to_owned()), with);
}
