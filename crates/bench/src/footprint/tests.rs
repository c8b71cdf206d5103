//! Tests of the footprint run's pieces: populating, touching and the report's wording.

use super::populate::Fill;
use super::*;

#[test]
fn parses_status() {
    let status = "Name:\ttrailstack\nVmHWM:\t  90000 kB\nVmRSS:\t   61440 kB\n\
                  RssAnon:\t   40960 kB\nRssFile:\t   20480 kB\nRssShmem:\t       0 kB\n\
                  Threads:\t9\n";
    let m = Mem::parse(status).unwrap();
    assert_eq!(m.rss, 60 << 20);
    assert_eq!(m.hwm, 90000 * 1024);
    assert_eq!((m.anon, m.file, m.shmem), (40 << 20, 20 << 20, 0));
    assert_eq!(m.threads, 9);
    assert!(m
        .describe()
        .starts_with("RSS 60.0 MiB (anon 40.0, file 20.0"));
    assert!(Mem::parse("Name:\tx\n").is_none());
    assert!(Mem::of(std::process::id()).is_ok_and(|m| m.rss > 0 && m.hwm >= m.rss));
}

#[test]
fn medians_and_numbers() {
    let d = |ms| Duration::from_millis(ms);
    assert_eq!(median(&[d(30), d(10), d(20), d(50), d(40)]), d(30));
    assert_eq!(median(&[]), Duration::ZERO);
    assert_eq!(thousands(1_000_000), "1,000,000");
    assert_eq!(thousands(999), "999");
    assert_eq!(thousands(1000), "1,000");
}

#[test]
fn judges_growth_after_the_first_minute() {
    let m = |rss: u64| Mem {
        rss: rss << 20,
        ..Mem::default()
    };
    let flat = Mixed {
        samples: vec![(10.0, m(50)), (60.0, m(80)), (120.0, m(82)), (180.0, m(81))],
        ..Mixed::default()
    };
    assert_eq!(flat.baseline().map(|(t, _)| t), Some(60.0));
    assert!(!flat.grew());
    assert!(flat.slope_mib_per_min().abs() < 1.0);
    let growing = Mixed {
        samples: vec![(60.0, m(80)), (120.0, m(90)), (180.0, m(100))],
        ..Mixed::default()
    };
    assert!(growing.grew());
    assert!((growing.slope_mib_per_min() - 10.0).abs() < 1e-9);
}

#[test]
fn fills_use_fresh_keys_and_management_calls() {
    let s = Fill::new_dyn(FillKind::Objects);
    let slot = |worker, seq| Slot {
        round: 1,
        worker,
        seq,
    };
    assert_ne!(s.request(slot(1, 2)).path, s.request(slot(2, 1)).path);
    assert_eq!(s.request(slot(3, 4)).body_len(), OBJECT as u64);
    let e = Fill::new_dyn(FillKind::Events).request(slot(0, 0));
    assert_eq!(
        (e.path.as_str(), e.query.as_str()),
        ("/footprint", "location=")
    );
}
