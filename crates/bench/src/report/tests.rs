//! Tests of the report: tables, ratios, goals and the kept part of BENCHMARKS.md.

use super::*;

#[test]
fn regenerating_keeps_what_follows_the_marker() {
    let first = with_kept_part("# new\n".into(), "# old, no marker\n");
    assert_eq!(first, format!("# new\n\n{KEPT_MARKER}\n"));
    let with_tail = format!("{first}\n## Delivery\n\nfigures\n");
    let again = with_kept_part("# newer\n".into(), &with_tail);
    assert_eq!(
        again,
        format!("# newer\n\n{KEPT_MARKER}\n\n## Delivery\n\nfigures\n")
    );
}

fn row(target: &'static str, connections: usize, rps: &[f64], base: &[f64]) -> Row {
    let f = |rps: f64| Figures {
        rps,
        p99_ms: 4.0,
        ..Figures::default()
    };
    let rounds: Vec<Figures> = rps.iter().copied().map(f).collect();
    Row {
        target,
        connections,
        median: medians(&rounds),
        rounds,
        base_rounds: base.iter().copied().map(f).collect(),
        connections_opened: 0,
        first_error: None,
    }
}

fn scenario(name: &'static str, rows: Vec<Row>) -> ScenarioResult {
    ScenarioResult {
        name,
        description: String::new(),
        weight: Weight::Small,
        limit_label: "limit",
        conditions: (name == "put-1k-trail").then_some(("trail logging", "trail stopped")),
        rows,
    }
}

fn goal_line<'a>(table: &'a str, text: &str) -> &'a str {
    table.lines().find(|l| l.contains(text)).unwrap()
}

#[test]
fn goals_judge_ratios_pairs_and_latency() {
    let results = vec![
        scenario(
            "get-1k",
            vec![
                row("trailstack", 64, &[5000.0], &[]),
                row("moto", 64, &[40.0], &[]),
                row("limit", 64, &[20000.0], &[]),
            ],
        ),
        scenario(
            "put-1k-trail",
            vec![row(
                "trailstack",
                64,
                &[900.0, 400.0, 1000.0],
                &[1000.0, 500.0, 1000.0],
            )],
        ),
    ];
    let table = goals(&results);
    assert_eq!(
        goal_line(&table, "GET 1 KiB ≥ 40%"),
        "| GET 1 KiB ≥ 40% of the limit reference | 25% | no |"
    );
    assert_eq!(
        goal_line(&table, "GET 1 KiB ≥ 100x"),
        "| GET 1 KiB ≥ 100x moto | 125.0x | yes |"
    );
    assert_eq!(
        goal_line(&table, "p99"),
        "| GET 1 KiB p99 latency on 64 connections < 5 ms | 4.00 ms | yes |"
    );
    // Pairs 0.9, 0.8, 1.0: their median, not the ratio of the medians (900 ÷ 1000).
    assert_eq!(
        goal_line(&table, "trail"),
        "| PUT 1 KiB with a trail logging all data events within 15% of without \
         | 90% (median of 3 pairs measured back to back) | yes |"
    );
    assert!(goal_line(&table, "HEAD 1 KiB ≥ 100x").contains("not measured"));

    let few = vec![scenario("get-1k", vec![row("trailstack", 4, &[10.0], &[])])];
    assert_eq!(
        goal_line(&goals(&few), "p99"),
        "| GET 1 KiB p99 latency on 64 connections < 5 ms | 4.00 ms on 4 connections | — |"
    );
}

#[test]
fn a_paired_table_shows_both_conditions_per_round() {
    let results = vec![scenario(
        "put-1k-trail",
        vec![row("trailstack", 64, &[900.0, 450.0], &[1000.0, 500.0])],
    )];
    let t = tables(&results, GIB);
    assert!(t.contains(
        "- trailstack: rounds 900, 450 (trail logging); trail stopped 1000, 500 (median 750); \
         trail logging ÷ trail stopped per pair 0.90x, 0.90x"
    ));
    assert!(t.contains(
        "- trail logging ÷ trail stopped, median of the per-round pairs measured back to \
         back on one target: trailstack 0.90x (2 pairs)"
    ));
}
