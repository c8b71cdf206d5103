"""PostgreSQL stopped and started again under load (issue 23): two servers share one database;
while it is down, requests fail with S3's 503 ServiceUnavailable and nothing else; once it is
back, the same server processes answer again without a restart; every PUT acknowledged before,
during or after the outage reads back whole, through the other server.

Only with the server on PostgreSQL under .ci/with-postgres, which says how to stop and start the
cluster (TRAILSTACK_CI_PG_STOP, TRAILSTACK_CI_PG_START); the check is not listed otherwise.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time

from botocore.exceptions import ClientError

from harness import Context, Server, expect, expect_eq, s3_client

WRITERS = 8
BEFORE, DOWN, AFTER = 2.0, 3.0, 3.0  # seconds of load before the stop, while down, after the start


def _load(endpoint: str, stop: threading.Event, out: list, n: int) -> None:
    s3 = s3_client(endpoint)
    i = 0
    while not stop.is_set():
        key = f"w{n}/{i}"
        body = f"{key} {time.monotonic_ns()}".encode()
        try:
            s3.put_object(Bucket="outage", Key=key, Body=body)
            out.append((key, body, "ok", time.monotonic()))
        except ClientError as e:
            status, code = e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Code"]
            outcome = f"{status} {code}"
            if outcome != "503 ServiceUnavailable":
                outcome += f" ({e.response['Error'].get('Message', '')!r}, {e.response.get('ResponseMetadata', {}).get('HTTPHeaders', {})})"
            out.append((key, body, outcome, time.monotonic()))
        i += 1


def postgres_restart_under_load(ctx: Context) -> None:
    """PUTs from 8 writers spread over two servers while PostgreSQL is stopped for 3 s and
    started again: 503 ServiceUnavailable while it is down, PUTs acknowledged again after, every
    one readable from the server that did not take it."""
    key_file = ctx.scratch / "outage-root.key"
    key_file.write_text(os.urandom(32).hex())
    nodes = [Server(ctx, ctx.scratch / f"outage-{n}", ("--root-key-file", str(key_file))) for n in range(2)]
    nodes[1].database = nodes[0].database
    try:
        for node in nodes:
            node.start()
        s3_client(nodes[0].endpoint).create_bucket(Bucket="outage")
        stop = threading.Event()
        results: list[list] = [[] for _ in range(WRITERS)]
        threads = [threading.Thread(target=_load, args=(nodes[n % 2].endpoint, stop, results[n], n))
                   for n in range(WRITERS)]
        for t in threads:
            t.start()
        time.sleep(BEFORE)
        subprocess.run(os.environ["TRAILSTACK_CI_PG_STOP"], shell=True, check=True,
                       stdout=subprocess.DEVNULL)
        time.sleep(DOWN)
        subprocess.run(os.environ["TRAILSTACK_CI_PG_START"], shell=True, check=True,
                       stdout=subprocess.DEVNULL)
        started = time.monotonic()
        time.sleep(AFTER)
        stop.set()
        for t in threads:
            t.join(60)
        outcomes = [r for rs in results for r in rs]
        other = sorted({o for _, _, o, _ in outcomes if o not in ("ok", "503 ServiceUnavailable")})
        expect(not other, f"answers other than 200 and 503 ServiceUnavailable: {other}")
        unavailable = sum(1 for *_, o, _ in outcomes if o != "ok")
        expect(unavailable > 0, "no request was refused while PostgreSQL was down")
        recovered = sum(1 for *_, o, at in outcomes if o == "ok" and at > started)
        expect(recovered > 0, "no PUT succeeded after PostgreSQL came back")
        readers = [s3_client(node.endpoint) for node in nodes]
        acked = [(n, k, b) for n, rs in enumerate(results) for k, b, o, _ in rs if o == "ok"]
        for n, key, body in acked:
            got = readers[(n + 1) % 2].get_object(Bucket="outage", Key=key)["Body"].read()
            expect_eq(got, body, f"acknowledged {key}, read through the other server")
        expect(all(node.proc.poll() is None for node in nodes), "a server exited")
        ctx.note(f"{len(acked)} PUTs acknowledged and read back through the other server, "
                 f"{unavailable} answered 503 ServiceUnavailable while down, {recovered} "
                 "acknowledged after the restart, same two server processes")
    finally:
        for node in nodes:
            node.stop()


CHECKS = [postgres_restart_under_load] if os.environ.get("TRAILSTACK_CI_PG_STOP") else []
