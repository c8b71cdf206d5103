"""kill -9 crash consistency: concurrent PUTs (new keys and overwrites), SIGKILL while they are
in flight, restart on the same data dir, and compare what is visible with what was sent.

AWS semantics: an acknowledged PUT is durable; a PUT that was in flight may or may not have
taken effect, but what is visible is always exactly one whole body that was sent for that key
(for an overwrite in flight: the old one or the new one), never partial bytes or another
request's. Listing and GETs agree.
"""

from __future__ import annotations

import hashlib
import http.client
import random
import subprocess
import threading
import time
import urllib.parse

from botocore.exceptions import ClientError

from harness import MIB, CheckFailed, Context, Server, expect, expect_eq, sign

ROUNDS = 5
PUTS = 64
OVERWRITES = 16  # of the PUTs of each round after the first, on keys that exist
ROUND_TIMEOUT = 60.0
POOL = 16 * MIB
INLINE_LIMIT = 16 * 1024  # trailstack keeps bodies up to this size in the metadata row

Window = tuple[int, int]  # a body: (offset, size) in the random pool


class Bodies:
    """The bodies sent, as windows into one random pool, so hundreds cost no memory."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.pool = memoryview(self.rng.randbytes(POOL))
        self._etags: dict[Window, str] = {}

    def new(self) -> Window:
        r = self.rng.random()
        if r < 0.25:
            size = self.rng.randrange(0, INLINE_LIMIT + 1)  # inline in the metadata row
        elif r < 0.35:
            size = INLINE_LIMIT + self.rng.randrange(1, 3)  # just past the inline limit
        else:
            size = self.rng.randrange(INLINE_LIMIT, 3 * MIB)
        return self.rng.randrange(0, POOL - size), size

    def bytes(self, w: Window) -> memoryview:
        return self.pool[w[0]:w[0] + w[1]]

    def etag(self, w: Window) -> str:
        if w not in self._etags:
            self._etags[w] = '"' + hashlib.md5(self.bytes(w)).hexdigest() + '"'
        return self._etags[w]


def _put(endpoint: str, bucket: str, key: str, body: memoryview, signed: bool, on_done) -> None:
    path = f"/{bucket}/{urllib.parse.quote(key)}"
    headers = sign("PUT", endpoint + path, {"Content-Length": str(len(body))}, bytes(body), payload_signed=signed)
    u = urllib.parse.urlsplit(endpoint)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=ROUND_TIMEOUT)
    try:
        conn.putrequest("PUT", path, skip_accept_encoding=True)
        for k, v in headers.items():
            conn.putheader(k, v)
        conn.endheaders()
        for i in range(0, len(body), 256 * 1024):
            conn.send(body[i:i + 256 * 1024])
        resp = conn.getresponse()
        resp.read()
        on_done(key, resp.status)
    except (OSError, http.client.HTTPException) as e:
        on_done(key, e)
    finally:
        conn.close()


def _list_all(s3, bucket: str) -> dict[str, dict]:
    out = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for c in page.get("Contents", []):
            out[c["Key"]] = c
    return out


def _put_all_and_kill(srv: Server, bucket: str, jobs: dict[str, memoryview], rnd: int) -> set[str]:
    """Starts every PUT at once, SIGKILLs the server once half are acknowledged (or all have
    answered), and returns the keys acknowledged with 200."""
    lock = threading.Condition()
    results: dict[str, object] = {}

    def done(key, outcome):
        with lock:
            results[key] = outcome
            lock.notify_all()

    threads = [threading.Thread(target=_put, args=(srv.endpoint, bucket, k, body, i % 2 == 0, done), daemon=True)
               for i, (k, body) in enumerate(jobs.items())]
    for t in threads:
        t.start()
    deadline = time.monotonic() + ROUND_TIMEOUT
    with lock:
        while sum(1 for v in results.values() if v == 200) < len(jobs) // 2 and len(results) < len(jobs):
            left = deadline - time.monotonic()
            if left <= 0:
                raise CheckFailed(f"round {rnd}: only {len(results)} of {len(jobs)} PUTs answered in {ROUND_TIMEOUT}s")
            lock.wait(left)
    srv.kill9()
    for t in threads:
        t.join(timeout=ROUND_TIMEOUT)
        expect(not t.is_alive(), f"round {rnd}: a PUT thread hung after the kill")
    bad = {k: v for k, v in results.items() if v != 200 and not isinstance(v, Exception)}
    expect(not bad, f"round {rnd}: PUTs answered with non-200 statuses before the kill: {bad}")
    return {k for k, v in results.items() if v == 200}


def crash_consistency(ctx: Context) -> None:
    """5 rounds of 64 concurrent PUTs (new keys and overwrites; inline and blob sizes; signed
    and unsigned payloads), SIGKILL after about half were acknowledged, restart, verify."""
    root = ctx.tempdir("server")
    srv = Server(ctx, root / "data").start()
    bucket = "e2e-crash"
    bodies = Bodies(seed=6)
    # What each key may hold now: after a verified restart exactly one body, or none (absent);
    # during a round, also the body of a PUT in flight.
    state: dict[str, list[Window]] = {}
    figures = []
    acked_total = 0
    try:
        srv.s3().create_bucket(Bucket=bucket)
        for rnd in range(ROUNDS):
            present = sorted(k for k, v in state.items() if v)
            targets = bodies.rng.sample(present, min(OVERWRITES, len(present))) if rnd else []
            keys = targets + [f"round{rnd}/key {i:02d}" for i in range(PUTS - len(targets))]
            sent = {k: bodies.new() for k in keys}
            for k, w in sent.items():
                state[k] = state.get(k, []) + [w]
            acked = _put_all_and_kill(srv, bucket, {k: bodies.bytes(w) for k, w in sent.items()}, rnd)
            acked_total += len(acked)
            for k in acked:
                state[k] = [sent[k]]

            srv.start()
            s3 = srv.s3()
            listed = _list_all(s3, bucket)
            seen: dict[str, Window] = {}
            for key, entry in listed.items():
                expect(bool(state.get(key)), f"round {rnd}: {key!r} is listed but no PUT of it can have committed")
                match = [w for w in state[key] if w[1] == entry["Size"] and bodies.etag(w) == entry["ETag"]]
                expect(bool(match), f"round {rnd}: {key!r} is listed with size {entry['Size']} and ETag "
                                    f"{entry['ETag']}, matching no body sent for it")
                seen[key] = match[0]
            # Only a new key whose PUT was not acknowledged may be absent; an overwrite in flight
            # leaves the old or the new body, never nothing.
            may_be_absent = {k for k in sent if k not in acked} - set(present)
            missing = sorted(k for k, v in state.items() if v and k not in listed and k not in may_be_absent)
            expect(not missing, f"round {rnd}: keys lost after kill -9: {missing[:5]}")
            stale = sorted(k for k in acked if seen.get(k) != sent[k])
            expect(not stale, f"round {rnd}: acknowledged overwrites not visible after kill -9: {stale[:5]}")

            # Read back this round's keys in full (every key in the last round); the others were
            # read in earlier rounds and are checked each round by listed size and MD5 ETag.
            to_read = set(state) if rnd == ROUNDS - 1 else set(sent)
            for key in sorted(to_read):
                if key in listed:
                    got = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
                    if got != bodies.bytes(seen[key]):
                        raise CheckFailed(f"round {rnd}: {key!r} reads back {len(got)} bytes that are not the "
                                          f"{seen[key][1]} bytes its listing describes")
                else:
                    try:
                        s3.head_object(Bucket=bucket, Key=key)
                        raise CheckFailed(f"round {rnd}: {key!r} is not listed but HEAD finds it")
                    except ClientError as e:
                        expect_eq(e.response["Error"]["Code"], "404", f"round {rnd}: HEAD of unlisted {key!r}")
            for key in sent:
                state[key] = [seen[key]] if key in listed else []
            in_flight = [k for k in keys if k not in acked]
            took_effect = sum(1 for k in in_flight if seen.get(k) == sent[k])
            figures.append(f"{len(acked)}/{len(in_flight)}/{took_effect}")
            expect(in_flight, f"round {rnd}: every PUT finished before the kill; nothing was in flight")

        # The data dir's layout (tmp/, blobs/) is the store's business; these are figures only
        # where it is the layout they know.
        tmp = srv.data_dir / "tmp"
        tmp_left = list(tmp.iterdir()) if tmp.is_dir() else []
        expect(not tmp_left, f"temporary blob files left after restart: {[p.name for p in tmp_left][:5]}")
        if srv.database:  # blobs are rows there (ARCHITECTURE.md §3): one id per blob
            blob_files = int(subprocess.run(
                ["psql", "-Atq", srv.database, "-c", "SELECT COUNT(DISTINCT blob_id) FROM store_blob_segments"],
                check=True, capture_output=True, text=True).stdout)
        else:
            blob_files = sum(1 for p in (srv.data_dir / "blobs").rglob("*") if p.is_file())
        blob_objects = sum(1 for e in listed.values() if e["Size"] > INLINE_LIMIT)
    finally:
        srv.kill9()
    ctx.note(f"{ROUNDS} kills of {PUTS} PUTs ({OVERWRITES} overwrites from round 2); per round "
             f"acked/in-flight/in-flight-that-took-effect: {' '.join(figures)}; {acked_total} acknowledged PUTs "
             f"all durable; {blob_files - blob_objects} unreferenced blobs left by the kills")


CHECKS = [crash_consistency]
