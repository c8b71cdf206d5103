"""2 GiB objects streamed up (one PUT with Content-Length, and boto3's multipart upload_fileobj,
the bytes produced on the fly) and down (GetObject into a hash), with the server's peak RSS
read from /proc."""

from __future__ import annotations

import hashlib
import http.client
import time
import urllib.parse

from boto3.s3.transfer import TransferConfig

from harness import (
    MIB,
    CheckFailed,
    Context,
    PseudoRandom,
    PseudoRandomReader,
    expect,
    expect_eq,
    require_free_disk,
    running_server,
    sign,
)

SIZE = 2 * 1024 * MIB
RSS_LIMIT_MIB = 200


def _get_sha256(s3, bucket: str, key: str) -> tuple[str, float]:
    """Streams an object into a hash; returns the hex digest and the seconds it took."""
    t0 = time.monotonic()
    obj = s3.get_object(Bucket=bucket, Key=key)
    expect_eq(obj["ContentLength"], SIZE, f"GET {key} ContentLength")
    h = hashlib.sha256()
    n = 0
    for chunk in obj["Body"].iter_chunks(MIB):
        h.update(chunk)
        n += len(chunk)
    expect_eq(n, SIZE, f"bytes of {key} received")
    return h.hexdigest(), time.monotonic() - t0


def _rate(seconds: float) -> str:
    return f"{SIZE / MIB / seconds:.0f} MiB/s"


def _early_answer(conn: http.client.HTTPConnection) -> str:
    """The status and body a server sent before closing a request whose body it stopped
    reading, if it sent one."""
    try:
        resp = conn.getresponse()
        return f"{resp.status} {resp.read()[:300]!r}"
    except (OSError, http.client.HTTPException) as e:
        return f"nothing readable ({type(e).__name__})"


def stream_2gib(ctx: Context) -> None:
    """2 GiB as one streamed PUT, then 2 GiB through boto3 upload_fileobj (256 parts of 8 MiB
    on 8 threads) from a generator-backed reader; each streamed back down into a hash and
    compared; the server's peak RSS (VmHWM) stays under 200 MiB. One object is stored at a
    time (2.3 GiB of disk at the peak, measured), so it is skipped below 3 GiB free."""
    require_free_disk(ctx.scratch, 3 * 1024 * MIB, "2 GiB objects streamed up and down")
    bucket = "e2e-stream"
    figures = []
    with running_server(ctx, "server") as srv:
        s3 = srv.s3(read_timeout=300)
        s3.create_bucket(Bucket=bucket)

        path = f"/{bucket}/put.bin"
        headers = sign("PUT", srv.endpoint + path, {"Content-Length": str(SIZE)}, b"", payload_signed=False)
        u = urllib.parse.urlsplit(srv.endpoint)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=300)
        sent = hashlib.sha256()
        t0 = time.monotonic()
        try:
            conn.putrequest("PUT", path, skip_accept_encoding=True)
            for k, v in headers.items():
                conn.putheader(k, v)
            conn.endheaders()
            try:
                for chunk in PseudoRandom(SIZE, seed=7).chunks():
                    sent.update(chunk)
                    conn.send(chunk)
            except (BrokenPipeError, ConnectionResetError) as e:
                raise CheckFailed(f"the server closed the 2 GiB PUT mid-body ({e}); it answered {_early_answer(conn)}")
            resp = conn.getresponse()
            body = resp.read()
        finally:
            conn.close()
        up_s = time.monotonic() - t0
        expect_eq(resp.status, 200, f"2 GiB PUT status (body {body[:300]!r})")
        got, down_s = _get_sha256(s3, bucket, "put.bin")
        expect_eq(got, sent.hexdigest(), "SHA-256 of the single-PUT object")
        figures.append(f"single PUT {_rate(up_s)}, GET {_rate(down_s)}")
        s3.delete_object(Bucket=bucket, Key="put.bin")  # keep disk use at one copy

        reader = PseudoRandomReader(SIZE, seed=8)
        config = TransferConfig(multipart_threshold=8 * MIB, multipart_chunksize=8 * MIB, max_concurrency=8)
        t0 = time.monotonic()
        s3.upload_fileobj(reader, bucket, "multipart.bin", Config=config)
        up_s = time.monotonic() - t0
        expect_eq(reader.given, SIZE, "bytes read from the generator")
        expect(s3.head_object(Bucket=bucket, Key="multipart.bin")["ETag"].endswith('-256"'),
               "upload_fileobj of 2 GiB in 8 MiB parts makes a 256-part object")
        got, down_s = _get_sha256(s3, bucket, "multipart.bin")
        expect_eq(got, reader.sha256.hexdigest(), "SHA-256 of the multipart object")
        figures.append(f"upload_fileobj {_rate(up_s)}, GET {_rate(down_s)}")
        expect_eq(s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []), [], "multipart uploads left")

        peak = srv.peak_rss_kib() / 1024
        ctx.note(f"server peak RSS {peak:.1f} MiB over 2 x 2 GiB up and down; " + "; ".join(figures))
        expect(peak < RSS_LIMIT_MIB, f"server peak RSS {peak:.1f} MiB is over {RSS_LIMIT_MIB} MiB")


CHECKS = [stream_2gib]
