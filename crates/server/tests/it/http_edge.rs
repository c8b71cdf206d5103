//! The HTTP edge as clients meet it on kept-alive connections: `Expect: 100-continue` on a
//! request without a body (botocore sends it for every empty file it uploads), and on a
//! request refused before its body is read (botocore sends it on every PutObject).

use crate::common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Writes `req`, head and body, on `stream`.
async fn write_request(stream: &mut TcpStream, req: &Raw) {
    write_head(stream, req).await;
    stream.write_all(&req.body).await.unwrap();
}

/// Reads one response without a body (a PUT's) and returns its head, lower-cased.
async fn read_head_lower(stream: &mut TcpStream) -> String {
    read_head(stream).await.to_ascii_lowercase()
}

/// Reads one response as [`read_head_lower`] and asserts it is a 200; its head.
async fn read_200(stream: &mut TcpStream) -> String {
    let head = read_head_lower(stream).await;
    assert!(head.starts_with("http/1.1 200"), "{head}");
    head
}

fn put(s: &Server, key: &str, body: &[u8], expect: bool) -> Raw {
    let mut r = Raw::new(s, "PUT", &format!("/edge/{key}"))
        .header("content-length", &body.len().to_string())
        .body(body.to_vec());
    if expect {
        r = r.header("expect", "100-continue");
    }
    r.signed()
}

#[tokio::test]
async fn empty_body_with_expect_continue_closes_the_connection() {
    let s = Server::start().await;
    s.with_bucket("edge").await;
    let mut stream = TcpStream::connect(host_of(&s)).await.unwrap();

    // Without Expect, an empty PUT keeps the connection for the next request.
    write_request(&mut stream, &put(&s, "a", b"", false)).await;
    let head = read_200(&mut stream).await;
    assert!(!head.contains("connection: close"), "{head}");

    // With Expect and no body there is no `100 Continue`: the final answer comes with
    // `connection: close`, and the server closes, so no client reuses the connection.
    write_request(&mut stream, &put(&s, "b", b"", true)).await;
    let head = read_200(&mut stream).await;
    assert!(head.contains("connection: close"), "{head}");
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).await.unwrap();
    assert!(rest.is_empty(), "{rest:?}");

    // With Expect and a body, `100 Continue` comes first and the connection stays open.
    let mut stream = TcpStream::connect(host_of(&s)).await.unwrap();
    let req = put(&s, "c", b"data", true);
    write_head(&mut stream, &req).await;
    let interim = read_head_lower(&mut stream).await;
    assert!(interim.starts_with("http/1.1 100"), "{interim}");
    stream.write_all(&req.body).await.unwrap();
    let head = read_200(&mut stream).await;
    assert!(!head.contains("connection: close"), "{head}");
    write_request(&mut stream, &put(&s, "d", b"", false)).await;
    read_200(&mut stream).await;

    let c = s.s3();
    for key in ["a", "b", "c", "d"] {
        head_of(&c, "edge", key).await;
    }
}

#[tokio::test]
async fn refusal_before_the_body_with_expect_continue_closes_the_connection() {
    let s = Server::start().await;
    let mut stream = TcpStream::connect(host_of(&s)).await.unwrap();

    // Refused before the body is read (no such bucket): no `100 Continue` went out, so the
    // client keeps its body and may send its next request at once. The server closes rather
    // than read that request as the body.
    let req = put(&s, "k", b"0123456789", true);
    write_head(&mut stream, &req).await;
    let head = read_head_lower(&mut stream).await;
    assert!(head.starts_with("http/1.1 404"), "{head}");
    assert!(head.contains("connection: close"), "{head}");
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).await.unwrap();
    let rest = String::from_utf8_lossy(&rest);
    assert!(rest.contains("<Code>NoSuchBucket</Code>"), "{rest}");
    assert!(
        !rest.contains("HTTP/1.1"),
        "a second answer on the connection: {rest}"
    );
}
