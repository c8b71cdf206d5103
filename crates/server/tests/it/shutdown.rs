//! Graceful shutdown of the real binary: on SIGTERM it stops accepting, finishes the request in
//! flight (a large PUT whose body is still arriving is stored and answered 200), closes idle
//! connections without waiting for their timeout, stops the delivery worker, and exits 0; the
//! object is there after a restart.

use crate::binary::{s3_at, Binary};
use crate::common::*;
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

/// Waits (up to 10 s) until the log shows `text`.
fn wait_for_log(b: &Binary, text: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !b.output().contains(text) {
        assert!(Instant::now() < deadline, "no {text:?} in {}", b.output());
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test]
async fn shutdown_on_sigterm_finishes_the_put_in_flight_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let log = dir.path().join("server.log");
    // A read timeout far beyond the test's patience: idle connections must close at shutdown,
    // not when they time out.
    let args = ["--delivery-interval", "1s", "--read-timeout", "120s"];
    let mut b = Binary::start(&data_dir, &log, &args, &[]);
    let c = s3_at(&b.endpoint, "test", "test");
    c.create_bucket().bucket("drain").send().await.unwrap();

    let body = data(8 << 20, 42);
    let (put, _) = Raw {
        method: "PUT".into(),
        path: "/drain/in-flight".into(),
        query: String::new(),
        headers: vec![("host".into(), b.authority().to_string())],
        body: body.clone(),
        expect_continue: true,
    }
    .header("content-length", &body.len().to_string())
    .header("expect", "100-continue")
    .sign_with(&Signer::now(), None);
    let mut stream = TcpStream::connect(b.authority()).await.unwrap();
    write_head(&mut stream, &put).await;
    // `100 Continue`: the server has the request and is reading its body.
    let interim = read_head(&mut stream).await;
    assert!(interim.starts_with("HTTP/1.1 100"), "{interim}");
    let half = body.len() / 2;
    stream.write_all(&body[..half]).await.unwrap();

    b.signal("TERM");
    wait_for_log(&b, "stopping");
    // No new connection is accepted...
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(b.authority()).await.is_ok() {
        assert!(Instant::now() < deadline, "still accepting after SIGTERM");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // ...but the PUT in flight is finished and answered.
    stream.write_all(&body[half..]).await.unwrap();
    let answer = read_head(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let status = b.wait_exit(Duration::from_secs(60));
    assert!(status.success(), "exit {status}: {}", b.output());
    assert!(b.output().contains("trailstack stopped"), "{}", b.output());
    drop(b);

    let b = Binary::start(&data_dir, &log, &[], &[]);
    let c = s3_at(&b.endpoint, "test", "test");
    assert_eq!(get_bytes(&c, "drain", "in-flight").await, body);
}
