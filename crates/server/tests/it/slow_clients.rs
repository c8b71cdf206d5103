//! Slow clients cannot starve others: a client that trickles a request head, stalls its body,
//! never reads its response or never speaks at all holds its connection for the read timeout
//! only; while it does, other clients are served; beyond the connection limit clients are
//! told to slow down (S3's `SlowDown`) rather than left waiting. The read timeout is configured
//! short so the tests take seconds.

use crate::common::*;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const READ_TIMEOUT: Duration = Duration::from_secs(2);
/// How long past the read timeout a slow connection may survive on a busy test machine.
const SLACK: Duration = Duration::from_secs(10);

async fn server(max_connections: usize, tls: bool) -> Server {
    let dir = tempfile::tempdir().unwrap();
    Server::start_configured(dir, |c| {
        c.read_timeout = READ_TIMEOUT;
        c.max_connections = max_connections;
        if tls {
            c.tls = Some(trailstack_server::tls::self_signed(&c.data_dir).unwrap().0);
        }
    })
    .await
}

/// How a slow client misbehaves.
#[derive(Debug, Clone, Copy)]
enum Slow {
    /// Connects and sends nothing.
    Silent,
    /// Sends a request head one byte every 100 ms, never finishing it.
    Trickle,
    /// Opens a TLS handshake and stalls inside it.
    Handshake,
}

/// Runs one slow client until the server closes its connection; returns how long it lived.
async fn slow_client(s: &Server, how: Slow) -> Duration {
    let start = Instant::now();
    let mut stream = TcpStream::connect(host_of(s)).await.unwrap();
    let mut buf = [0u8; 256];
    match how {
        Slow::Silent => {}
        // A TLS record header announcing a handshake message that never comes.
        Slow::Handshake => stream.write_all(&[0x16, 3, 1, 0, 200, 1]).await.unwrap(),
        Slow::Trickle => {
            let head = format!("GET / HTTP/1.1\r\nhost: {}\r\nx-slow: ", host_of(s));
            stream.write_all(head.as_bytes()).await.unwrap();
            let mut tick = tokio::time::interval(Duration::from_millis(100));
            loop {
                tokio::select! {
                    _ = tick.tick() => {
                        if stream.write_all(b"a").await.is_err() {
                            return start.elapsed();
                        }
                    }
                    r = stream.read(&mut buf) => match r {
                        Ok(0) | Err(_) => return start.elapsed(),
                        Ok(_) => {}
                    },
                }
            }
        }
    }
    while let Ok(1..) = stream.read(&mut buf).await {}
    start.elapsed()
}

#[tokio::test]
async fn slow_clients_cannot_starve_others_and_are_closed_after_the_read_timeout() {
    let s = server(1024, true).await;
    let c = s.with_bucket("busy").await;
    let mut slow = tokio::task::JoinSet::new();
    let server = std::sync::Arc::new(s);
    for i in 0..60 {
        let how = [Slow::Silent, Slow::Trickle, Slow::Handshake][i % 3];
        let s = server.clone();
        slow.spawn(async move {
            let lived = tokio::time::timeout(READ_TIMEOUT + SLACK, slow_client(&s, how)).await;
            (
                how,
                lived.unwrap_or_else(|_| panic!("a {how:?} client was never cut off")),
            )
        });
    }
    // Every slow client is connected and stalling: a normal client is served at once, long
    // before the slow ones time out.
    let started = Instant::now();
    for i in 0..5u64 {
        put_bytes(&c, "busy", &format!("k{i}"), &data(10_000, i)).await;
        let got = get_out(&c, "busy", &format!("k{i}")).await;
        assert_eq!(body_bytes(got).await, data(10_000, i));
    }
    assert!(
        started.elapsed() < READ_TIMEOUT,
        "a normal client waited {:?} behind slow ones",
        started.elapsed()
    );
    while let Some(r) = slow.join_next().await {
        let (how, lived) = r.unwrap();
        assert!(
            lived >= READ_TIMEOUT / 2 && lived < READ_TIMEOUT + SLACK,
            "{how:?} client lived {lived:?}"
        );
    }
}

#[tokio::test]
async fn slow_body_is_answered_request_timeout_and_nothing_is_stored() {
    let s = server(1024, false).await;
    let c = s.with_bucket("stall").await;
    let req = Raw::new(&s, "PUT", "/stall/half")
        .header("content-length", "100")
        .sign_with(&Signer::now(), Some("UNSIGNED-PAYLOAD"))
        .0;
    let mut stream = TcpStream::connect(host_of(&s)).await.unwrap();
    let mut head = format!("PUT {} HTTP/1.1\r\n", req.path);
    for (k, v) in &req.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&[b'x'; 10]).await.unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    tokio::time::timeout(READ_TIMEOUT + SLACK, stream.read_to_end(&mut answer))
        .await
        .expect("the server kept waiting for the body")
        .unwrap();
    assert!(started.elapsed() >= READ_TIMEOUT / 2);
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 400"), "{text}");
    assert_eq!(
        xml_value(&text, "Code").as_deref(),
        Some("RequestTimeout"),
        "{text}"
    );
    let e = head_err(&c, "stall", "half").await;
    assert_eq!(status(&e), 404);
}

/// GET / on a fresh connection: the status and the error code, if any.
async fn list_buckets(s: &Server) -> (u16, Option<String>) {
    let r = tokio::time::timeout(
        Duration::from_secs(20),
        Raw::new(s, "GET", "/").signed().send(s),
    )
    .await
    .expect("no answer");
    (r.status, r.xml("Code"))
}

#[tokio::test]
async fn slow_connection_limit_answers_slow_down_until_a_slow_reader_is_cut_off() {
    // One connection at a time; every request below opens and closes its own.
    let s = server(1, false).await;
    let created = Raw::new(&s, "PUT", "/reader").signed().send(&s).await;
    assert_eq!(created.status, 200, "{}", created.text());
    let big = data(16 << 20, 7);
    let put = Raw::new(&s, "PUT", "/reader/big")
        .body(big)
        .send_signed(&s)
        .await;
    assert_eq!(put.status, 200, "{}", put.text());

    // A client that asks for 16 MiB and reads no more than the status line, through a small
    // receive buffer. (The connection before it may not have given its slot back yet: then it
    // is told to slow down, and tries again.)
    let reader = loop {
        let get = Raw::new(&s, "GET", "/reader/big").signed();
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(4096).unwrap();
        let mut reader = socket.connect(host_of(&s).parse().unwrap()).await.unwrap();
        let mut head = format!("GET {} HTTP/1.1\r\n", get.path);
        for (k, v) in &get.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        reader.write_all(head.as_bytes()).await.unwrap();
        let mut status = [0u8; 12];
        reader.read_exact(&mut status).await.unwrap();
        if &status == b"HTTP/1.1 200" {
            break reader;
        }
        assert_eq!(&status, b"HTTP/1.1 503");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };

    // While it holds the only connection, others are told to slow down, promptly: S3 with
    // SlowDown, KMS and CloudTrail with ThrottlingException (before any authentication).
    let kms = Raw::new(&s, "POST", "/")
        .header("x-amz-target", "TrentService.ListKeys")
        .header("content-type", "application/x-amz-json-1.1")
        .body(b"{}".to_vec())
        .send(&s)
        .await;
    assert_eq!(kms.status, 400);
    assert!(kms.text().contains("ThrottlingException"), "{}", kms.text());
    let deadline = Instant::now() + READ_TIMEOUT + SLACK;
    let mut throttled = 0;
    loop {
        match list_buckets(&s).await {
            (503, Some(code)) => {
                assert_eq!(code, "SlowDown");
                throttled += 1;
            }
            (200, _) => break,
            other => panic!("unexpected answer {other:?}"),
        }
        assert!(
            Instant::now() < deadline,
            "the slow reader kept its connection"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(throttled > 0, "the slow reader never held the connection");
    drop(reader);
}
