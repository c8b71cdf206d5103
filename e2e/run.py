#!/usr/bin/env python3
"""End-to-end checks: trailstack driven by the tools users run (the aws CLI, boto3, plain
urllib with presigned URLs), each check against its own server process over a fresh data dir.

    python3 e2e/run.py --binary target/release/trailstack [--only NAME] [--list] [--keep]

Prints one line per check (PASS/FAIL, the reason or the figures measured; SKIP where the
machine cannot run it, with what is missing), the tail of its servers' logs under a FAIL, and
ends with `e2e: N passed, M failed`; exits non-zero when any check fails.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
import checks_archive  # noqa: E402
import checks_auth  # noqa: E402
import checks_cli  # noqa: E402
import checks_console  # noqa: E402
import checks_crash  # noqa: E402
import checks_identity  # noqa: E402
import checks_postgres  # noqa: E402
import checks_js_sdk  # noqa: E402
import checks_sdk  # noqa: E402
import checks_sessions  # noqa: E402
import checks_sigv2  # noqa: E402
import checks_stream  # noqa: E402
import checks_trail  # noqa: E402

CHECKS = [
    *checks_cli.CHECKS,
    *checks_sdk.CHECKS,
    *checks_auth.CHECKS,
    *checks_sigv2.CHECKS,
    *checks_crash.CHECKS,
    *checks_stream.CHECKS,
    *checks_trail.CHECKS,
    *checks_archive.CHECKS,
    *checks_console.CHECKS,
    *checks_identity.CHECKS,
    *checks_sessions.CHECKS,
    *checks_js_sdk.CHECKS,
    *checks_postgres.CHECKS,
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default="target/release/trailstack", help="the trailstack binary")
    ap.add_argument("--only", action="append", metavar="NAME", help="run only this check (repeatable)")
    ap.add_argument("--list", action="store_true", help="list the checks and exit")
    ap.add_argument("--keep", action="store_true", help="keep the scratch dir (data dirs, server logs)")
    args = ap.parse_args()

    names = [f.__name__ for f in CHECKS]
    if args.list:
        print("\n".join(names))
        return 0
    selected = CHECKS
    if args.only:
        unknown = [n for n in args.only if n not in names]
        if unknown:
            print(f"e2e: unknown check(s) {', '.join(unknown)}; known: {', '.join(names)}", file=sys.stderr)
            return 2
        selected = [f for f in CHECKS if f.__name__ in args.only]

    binary = Path(args.binary).resolve()
    if not binary.is_file():
        print(f"e2e: no binary at {binary} (build it with cargo build --release --bin trailstack)", file=sys.stderr)
        return 2

    scratch = Path(tempfile.mkdtemp(prefix="trailstack-e2e-"))
    counts = {"PASS": 0, "FAIL": 0, "SKIP": 0}
    started = time.monotonic()
    try:
        for check in selected:
            ctx = harness.Context(binary, scratch / check.__name__)
            harness.isolate_this_process(ctx.env)
            t0 = time.monotonic()
            try:
                check(ctx)
                verdict, reason = "PASS", "; ".join(ctx.notes) or "ok"
            except harness.CheckFailed as e:
                verdict, reason = "FAIL", str(e)
            except harness.CheckSkipped as e:
                verdict, reason = "SKIP", str(e)
            except Exception as e:  # a crash in the check itself is a failure too, with its cause
                tb = traceback.extract_tb(e.__traceback__)[-1]
                verdict, reason = "FAIL", f"{type(e).__name__}: {e} (at {Path(tb.filename).name}:{tb.lineno})"
            took = time.monotonic() - t0
            counts[verdict] += 1
            reason = " ".join(reason.split())
            print(f"{verdict} {check.__name__} ({took:.1f}s): {reason}", flush=True)
            if verdict == "FAIL":
                print_server_logs(scratch / check.__name__)
            if not args.keep:
                shutil.rmtree(scratch / check.__name__, ignore_errors=True)
    finally:
        if args.keep:
            print(f"e2e: scratch kept in {scratch}", flush=True)
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    print(f"e2e: total time {time.monotonic() - started:.1f}s", flush=True)
    skipped = f", {counts['SKIP']} skipped" if counts["SKIP"] else ""
    print(f"e2e: {counts['PASS']} passed, {counts['FAIL']} failed{skipped}", flush=True)
    return 1 if counts["FAIL"] else 0


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def print_server_logs(check_dir: Path, lines: int = 12) -> None:
    """The last lines of each server log a failed check left, indented under its verdict: in CI
    they are all there is to read after the scratch dir is gone."""
    for log in sorted(check_dir.glob("**/*.log")):
        tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
        print(f"  {log.relative_to(check_dir)}:", flush=True)
        for line in tail:
            print(f"  | {ANSI.sub('', line)}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
