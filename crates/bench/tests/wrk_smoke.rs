//! The wrk mode end to end, briefly: every case against an in-process trailstack and the
//! limit server (this crate's binary), one short run each; every answer must be a success,
//! and the section must say which rows were bounded by the generator. Needs wrk on PATH
//! (`.ci/run` installs it).

mod in_process;

use in_process::Trailstack;
use trailstack_bench::target::{Target, TargetKind};
use trailstack_bench::wrk::{self, render};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_case_runs_clean_against_trailstack_and_the_limit() {
    if let Err(e) = wrk::check_installed() {
        panic!("{e}");
    }
    let server = Trailstack::start().await;
    let mut trailstack = Target::start(&TargetKind::Url(server.url.clone())).unwrap();
    trailstack.name = "trailstack";
    let limit = Target::start(&TargetKind::Limit {
        bin: env!("CARGO_BIN_EXE_trailstack-bench").into(),
        big_size: 1 << 20,
    })
    .unwrap();
    let args = wrk::Args {
        targets: Vec::new(),
        cases: Vec::new(),
        trailstack_bin: None,
        threads: 1,
        connections: 4,
        duration: 1,
        warmup: 0,
        rounds: 1,
        put_keys: 64,
        timeout: 10,
        out: None,
    };
    let targets = [trailstack, limit];
    let results = wrk::measure_targets(&args, &targets, &|l| eprintln!("{l}"))
        .await
        .unwrap();
    drop(server);

    assert_eq!(results.len(), wrk::requests::CASES.len());
    for c in &results {
        for row in &c.rows {
            let name = format!("{} on {}", c.case.name(), row.target);
            assert_eq!(row.first_error, None, "{name}");
            let m = row.medians();
            assert!(m.rps > 0.0, "{name} made no request");
            assert_eq!(m.non_2xx, 0, "{name} had error answers");
            assert!(m.p50_ms > 0.0, "{name}: {m:?}");
        }
        // The limit server runs as its own process: its CPU is known.
        assert!(c.rows[1].medians().server_us.is_some());
    }
    let info = render::Info::of_run(
        &args,
        "now".into(),
        "here".into(),
        String::new(),
        "test".into(),
        "abc".into(),
    );
    let section = render::section(&results, &info);
    assert!(section.contains("| get-1k | trailstack |"), "{section}");
    assert!(
        section.contains("| kms-generate-data-key | limit |"),
        "{section}"
    );
}
