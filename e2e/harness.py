"""Shared machinery for the end-to-end checks: a trailstack server process over a temp data dir,
an isolated environment for the aws CLI and boto3, signed raw HTTP requests, and deterministic
pseudo-random streams for large transfers.

Nothing here reads ~/.aws: the CLI and boto3 get empty config files and explicit credentials.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from pathlib import Path

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.config
import botocore.credentials
from botocore.exceptions import ClientError

ACCESS_KEY = "test"
SECRET_KEY = "test"
REGION = "us-east-1"
ACCOUNT = "000000000000"
START_TIMEOUT = 10.0
MIB = 1024 * 1024


class CheckFailed(Exception):
    """A check's expectation was not met; the message is the reason printed."""


class CheckSkipped(Exception):
    """The machine cannot run a check (not enough free disk for it, say); the message says
    what is missing. Printed as SKIP and counted apart from passes and failures."""


def require_free_disk(path: Path, need: int, what: str) -> None:
    """Skips the check when the filesystem holding `path` has less than `need` bytes free:
    the disk of a shared machine can run low, and a server refusing writes for want of space
    (500 InternalError, the connection closed mid-body) is the machine's limit, not the
    product's."""
    free = shutil.disk_usage(path).free
    if free < need:
        raise CheckSkipped(f"{free / MIB:.0f} MiB free on the scratch filesystem; {what} needs {need / MIB:.0f} MiB")


def expect(cond: bool, reason: str) -> None:
    if not cond:
        raise CheckFailed(reason)


def expect_eq(got, want, what: str) -> None:
    if got != want:
        raise CheckFailed(f"{what}: got {got!r}, want {want!r}")


def client_error(fn) -> ClientError:
    """The ClientError the SDK call `fn` must raise."""
    try:
        fn()
    except ClientError as e:
        return e
    raise CheckFailed("the call succeeded")


class Context:
    """What every check receives: the binary, a scratch root and the isolated tool environment."""

    def __init__(self, binary: Path, scratch: Path):
        self.binary = binary
        self.scratch = scratch
        scratch.mkdir(parents=True, exist_ok=True)
        empty = scratch / "aws-empty-config"
        empty.write_text("")
        self.env = tool_env(empty)
        self.notes: list[str] = []

    def tempdir(self, name: str) -> Path:
        return Path(tempfile.mkdtemp(prefix=f"{name}-", dir=self.scratch))

    def note(self, text: str) -> None:
        """A figure worth reporting next to the check's verdict."""
        self.notes.append(text)


def tool_env(empty_config: Path) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("AWS_") and k.lower() not in ("http_proxy", "https_proxy", "all_proxy")
    }
    env.update(
        AWS_CONFIG_FILE=str(empty_config),
        AWS_SHARED_CREDENTIALS_FILE=str(empty_config),
        AWS_ACCESS_KEY_ID=ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY=SECRET_KEY,
        AWS_DEFAULT_REGION=REGION,
        AWS_EC2_METADATA_DISABLED="true",
        AWS_PAGER="",
        AWS_MAX_ATTEMPTS="1",  # a server error fails the check instead of being retried away
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
        PYTHONIOENCODING="utf-8",
    )
    return env


def isolate_this_process(env: dict) -> None:
    """Makes boto3 in this process see the same isolated environment as the CLI."""
    for k in list(os.environ):
        if k.startswith("AWS_") or k.lower() in ("http_proxy", "https_proxy", "all_proxy"):
            del os.environ[k]
    for k in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_EC2_METADATA_DISABLED",
              "NO_PROXY", "no_proxy"):
        os.environ[k] = env[k]


def database_for(data_dir: Path) -> str | None:
    """With TRAILSTACK_TEST_DATABASE naming a PostgreSQL database (.ci/with-postgres), the one a
    server over `data_dir` keeps its state in: a fresh schema of its own, made with psql, the
    same again when the server restarts. None: the data dir's SQLite store."""
    url = os.environ.get("TRAILSTACK_TEST_DATABASE")
    if not url:
        return None
    schema = "e2e_" + hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:24]
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", f"CREATE SCHEMA IF NOT EXISTS {schema}"],
                   check=True, stdout=subprocess.DEVNULL)
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


class Server:
    """One trailstack process. Listens on a kernel-chosen loopback port (read back from its
    banner), so no port is raced for; its output goes to a log file kept for failure reports."""

    def __init__(self, ctx: Context, data_dir: Path, extra_args: tuple[str, ...] = ()):
        self.ctx = ctx
        self.data_dir = data_dir
        self.extra_args = tuple(extra_args)
        self.proc: subprocess.Popen | None = None
        self.endpoint = ""
        self.log_path = data_dir.parent / f"{data_dir.name}.log"
        self.starts = 0
        self.database = database_for(data_dir)

    def start(self) -> "Server":
        self.starts += 1
        log = open(self.log_path, "a", encoding="utf-8")
        log.write(f"--- start {self.starts}\n")
        log.flush()
        env = dict(self.ctx.env, TRAILSTACK_LOG=os.environ.get("TRAILSTACK_LOG", "warn"), NO_COLOR="1")
        self.proc = subprocess.Popen(
            [str(self.ctx.binary), "serve", "--listen", "127.0.0.1:0", "--data-dir", str(self.data_dir),
             *(("--database", self.database) if self.database else ()), *self.extra_args],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
        )
        log.close()
        try:
            self.endpoint = self._wait_ready()
        except BaseException:
            self.kill9()
            raise
        return self

    def _wait_ready(self) -> str:
        deadline = time.monotonic() + START_TIMEOUT
        marker = f"--- start {self.starts}\n"
        pattern = re.compile(r"trailstack listening on (http://127\.0\.0\.1:\d+)")
        endpoint = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise CheckFailed(f"server exited with {self.proc.returncode} at start: {self.log_tail()}")
            if endpoint is None:
                text = self.log_path.read_text(encoding="utf-8", errors="replace")
                m = pattern.search(text.rsplit(marker, 1)[-1])
                if m:
                    endpoint = m.group(1)
            if endpoint is not None:
                try:
                    raw(endpoint, "GET", "/", signed=False, timeout=2)  # any HTTP answer will do
                    return endpoint
                except (OSError, http.client.HTTPException):
                    pass
            time.sleep(0.02)
        raise CheckFailed(f"server did not answer within {START_TIMEOUT}s: {self.log_tail()}")

    @property
    def pid(self) -> int:
        return self.proc.pid

    def peak_rss_kib(self) -> int:
        with open(f"/proc/{self.pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        raise CheckFailed("no VmHWM in /proc status")

    def kill9(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill9()

    def restart(self) -> "Server":
        self.stop()
        return self.start()

    def log_tail(self, n: int = 1500) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-n:].strip()
        except OSError:
            return "(no log)"

    def s3(self, secret: str = SECRET_KEY, **config) -> "boto3.client":
        return s3_client(self.endpoint, secret=secret, **config)


@contextmanager
def running_server(ctx: Context, name: str, extra_args: tuple[str, ...] = ()):
    """A fresh server over a fresh data dir, stopped after (the runner removes the dir);
    `extra_args` are added to `trailstack serve`."""
    root = ctx.tempdir(name)
    server = Server(ctx, root / "data", extra_args).start()
    try:
        yield server
    finally:
        server.stop()


def s3_client(endpoint: str, secret: str = SECRET_KEY, access_key: str = ACCESS_KEY, **config):
    cfg = botocore.config.Config(
        region_name=REGION,
        retries={"max_attempts": config.pop("max_attempts", 1), "mode": "standard"},  # errors show, not retried
        connect_timeout=config.pop("connect_timeout", 10),
        read_timeout=config.pop("read_timeout", 120),
        max_pool_connections=config.pop("max_pool_connections", 16),
        **config,
    )
    return boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret,
        region_name=REGION,
        config=cfg,
    )


def sign(method: str, url: str, headers: dict | None = None, body=b"", payload_signed: bool = True) -> dict:
    """SigV4 (S3 flavour) headers for a request, signed now, with botocore's own signer."""
    req = botocore.awsrequest.AWSRequest(method=method, url=url, headers=dict(headers or {}), data=body)
    if not payload_signed:
        req.context["payload_signing_enabled"] = False

        class _Cfg:
            s3 = {"payload_signing_enabled": False}

        req.context["client_config"] = _Cfg()
    creds = botocore.credentials.Credentials(ACCESS_KEY, SECRET_KEY)
    botocore.auth.S3SigV4Auth(creds, "s3", REGION).add_auth(req)
    return dict(req.headers.items())


def raw(endpoint: str, method: str, path: str, body: bytes = b"", headers: dict | None = None,
        signed: bool = True, timeout: float = 30.0) -> tuple[int, dict, bytes]:
    """One HTTP request over a fresh connection; returns (status, headers, body)."""
    url = endpoint + path
    hdrs = dict(headers or {})
    if signed:
        hdrs = sign(method, url, hdrs, body)
    u = urllib.parse.urlsplit(endpoint)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=hdrs)
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
    finally:
        conn.close()


def fetch(method: str, url: str, data: bytes | None = None, headers: dict | None = None):
    """A request to a full URL (a presigned one, say) as a browser sends it, unsigned and past
    any proxy; returns (status, headers, body), error statuses included."""
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with no_proxy_opener().open(req, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def xml_error(body: bytes) -> dict:
    """The fields of an S3 XML error body, by tag."""
    return {child.tag: child.text for child in ET.fromstring(body)}


def no_proxy_opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.ProxyHandler({}))


def aws_command() -> str:
    """The aws CLI; the script beside this Python when there is one (skips a pyenv shim)."""
    beside = Path(sys.executable).parent / "aws"
    return str(beside) if beside.is_file() else "aws"


def run_aws(ctx: Context, endpoint: str, *args: str, timeout: float = 180.0, check: bool = True,
            input: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """Runs the aws CLI against `endpoint`, isolated from ~/.aws."""
    env = dict(ctx.env, AWS_ENDPOINT_URL=endpoint, **(env or {}))
    t0 = time.monotonic()
    p = subprocess.run([aws_command(), *args], env=env, capture_output=True, text=True, encoding="utf-8",
                       timeout=timeout, input=input)
    if os.environ.get("E2E_TRACE"):
        print(f"  {time.monotonic() - t0:5.1f}s aws {' '.join(args)[:100]}", file=sys.stderr, flush=True)
    if check and p.returncode != 0:
        raise CheckFailed(f"aws {' '.join(args)} exited {p.returncode}: {(p.stderr or p.stdout).strip()[-800:]}")
    return p


def aws_json(ctx: Context, endpoint: str, *args: str) -> dict:
    out = run_aws(ctx, endpoint, *args, "--output", "json").stdout
    return json.loads(out) if out.strip() else {}


def sha256_object(s3, bucket: str, key: str) -> str:
    """SHA-256 of an object's bytes, streamed."""
    h = hashlib.sha256()
    for chunk in s3.get_object(Bucket=bucket, Key=key)["Body"].iter_chunks(MIB):
        h.update(chunk)
    return h.hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(4 * MIB):
            h.update(chunk)
    return h.hexdigest()


def random_file(path: Path, size: int, seed: int) -> str:
    """Writes `size` deterministic pseudo-random bytes; returns their SHA-256."""
    h = hashlib.sha256()
    with open(path, "wb") as f:
        for chunk in PseudoRandom(size, seed).chunks():
            h.update(chunk)
            f.write(chunk)
    return h.hexdigest()


class PseudoRandom:
    """A deterministic stream of `size` bytes that never lives in memory as a whole: each 1 MiB
    chunk is a window into a 2 MiB random pool at an offset derived from the chunk number, so
    chunks differ from one another (a reordered, repeated or dropped chunk changes the hash) and
    producing them costs a slice, not a random generator run."""

    CHUNK = MIB

    def __init__(self, size: int, seed: int):
        self.size = size
        rng = random.Random(seed)
        pool = rng.randbytes(2 * MIB)
        self._pool = memoryview(pool + pool)
        self._offsets = random.Random(seed ^ 0x5EED)

    def chunks(self):
        left = self.size
        while left > 0:
            n = min(self.CHUNK, left)
            off = self._offsets.randrange(2 * MIB)
            yield self._pool[off:off + n]
            left -= n


class PseudoRandomReader:
    """A read()-able file-like object over a PseudoRandom stream, hashing what it hands out."""

    def __init__(self, size: int, seed: int):
        self._chunks = PseudoRandom(size, seed).chunks()
        self._buf = memoryview(b"")
        self.sha256 = hashlib.sha256()
        self.given = 0

    def read(self, n: int = -1) -> bytes:
        out = bytearray()
        while n < 0 or len(out) < n:
            if not self._buf:
                nxt = next(self._chunks, None)
                if nxt is None:
                    break
                self._buf = nxt
            take = len(self._buf) if n < 0 else min(n - len(out), len(self._buf))
            out += self._buf[:take]
            self._buf = self._buf[take:]
        data = bytes(out)
        self.sha256.update(data)
        self.given += len(data)
        return data
