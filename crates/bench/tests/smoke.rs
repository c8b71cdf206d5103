//! The `--smoke` plan against an in-process trailstack: every scenario runs about a second and
//! must finish without a single error, so the harness cannot rot unnoticed. Then the scenarios
//! whose limit reference does more than answer canned bytes (the warm-file GET, the SSE-KMS
//! PUTs bound to a canned key, the multipart upload driven by its canned UploadId, the paired
//! trail rounds) against an in-process limit server.

mod in_process;

use in_process::Trailstack;
use trailstack_bench::limit::{self, warm::WarmFile};
use trailstack_bench::plan::Plan;
use trailstack_bench::target::{Target, TargetKind};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_runs_clean_against_trailstack() {
    let server = Trailstack::start().await;
    let mut targets = vec![Target::start(&TargetKind::Url(server.url.clone())).unwrap()];
    let results = Plan::smoke()
        .execute(&mut targets, &|line| eprintln!("{line}"))
        .await
        .unwrap();
    drop(server);

    assert_eq!(results.len(), trailstack_bench::scenario::NAMES.len());
    for r in &results {
        let row = &r.rows[0];
        assert_eq!(row.first_error, None, "{}", r.name);
        assert_eq!(row.median.errors, 0, "{}", r.name);
        assert!(row.median.rps > 0.0, "{} made no request", r.name);
    }
    let table = trailstack_bench::report::tables(&results, Plan::smoke().big_size);
    assert!(table.contains("### put-1k"));
    assert!(table.contains("### put-1k-kms-bucket-key"));
    assert!(table.contains("with Bucket Keys ÷ without"));
    assert!(table.contains("trail logging ÷ trail stopped, median of the per-round pairs"));
    let trail = results.iter().find(|r| r.name == "put-1k-trail").unwrap();
    let (ratio, pairs) = trailstack_bench::report::paired_median(trail, &trail.rows[0]).unwrap();
    assert!(ratio > 0.0 && pairs == 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_limit_server_answers_what_later_requests_depend_on() {
    let dir = tempfile::tempdir().unwrap();
    let plan = Plan {
        scenarios: [
            "get-1g",
            "put-1k-kms",
            "put-1k-kms-bucket-key",
            "multipart-1g",
            "put-1k-trail",
        ]
        .map(String::from)
        .to_vec(),
        // Not a whole number of 16 MiB parts: the upload sends 16, 16 and 8 MiB on its lanes.
        big_size: 40 << 20,
        ..Plan::smoke()
    };
    let (file, _) = WarmFile::create(&dir.path().join("big-object"), plan.big_size).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(limit::serve(listener, limit::Canned::new(file)));

    let mut targets = vec![Target::start(&TargetKind::Url(format!("http://{addr}"))).unwrap()];
    let results = plan
        .execute(&mut targets, &|line| eprintln!("{line}"))
        .await
        .unwrap();
    server.abort();

    assert_eq!(results.len(), 5);
    for r in &results {
        let row = &r.rows[0];
        assert_eq!(row.first_error, None, "{}", r.name);
        assert!(row.median.rps > 0.0, "{} made no request", r.name);
    }
    assert_eq!(results[0].limit_label, "limit (warm file)");
    let trail = &results[4].rows[0];
    assert_eq!((trail.rounds.len(), trail.base_rounds.len()), (1, 1));
}
