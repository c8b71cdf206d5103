"""The web console in a real browser: Debian's `chromium`, headless, driven by Playwright
(`playwright-core` from npm, no bundled browser) against the real binary. Each check starts a
server and runs one scenario of e2e/console/flows.mjs with Node.js (which saves a screenshot of
every page and audits it with axe-core); then, since the console is just another SigV4 client,
asserts here what the server stored and recorded.

.ci/run installs e2e/console/package.json's packages into target/console-node
(`npm ci`); $TRAILSTACK_CONSOLE_NODE_MODULES points elsewhere."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import boto3

from harness import ACCESS_KEY, REGION, SECRET_KEY, CheckFailed, Context, expect, expect_eq, running_server

USER_AGENT = "trailstack-console/1.0"
FLOWS = Path(__file__).resolve().parent / "console" / "run.mjs"
# A scenario drives a browser through a dozen pages; minutes mean something hangs.
TIMEOUT = 300


def screenshots_dir(ctx: Context) -> Path:
    """Where screenshots go: $TRAILSTACK_CONSOLE_SHOTS (CI keeps them), else the scratch dir."""
    d = Path(os.environ.get("TRAILSTACK_CONSOLE_SHOTS") or ctx.tempdir("shots"))
    d.mkdir(parents=True, exist_ok=True)
    return d


def browse(ctx: Context, endpoint: str, scenario: str) -> None:
    """Runs one browser scenario against `endpoint`; its notes join the check's."""
    node = shutil.which("node")
    expect(node is not None, "no node on PATH (.ci/run installs Node.js and the console's npm packages)")
    # Chromium's profile and sockets go to the system's temp dir: a scratch path is too long
    # for a Unix socket's name.
    env = {k: v for k, v in ctx.env.items() if k != "TMPDIR"}
    try:
        r = subprocess.run([node, str(FLOWS), scenario, endpoint, str(screenshots_dir(ctx))], env=env,
                           capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise CheckFailed(f"the {scenario} scenario did not finish in {TIMEOUT} s")
    if r.returncode != 0:
        raise CheckFailed(f"{scenario}: {r.stderr.strip()[-2000:]}")
    notes = json.loads(r.stdout.strip().splitlines()[-1])
    ctx.note(f"{scenario}: {notes['pages']} pages audited by axe-core, saw {notes['saw']}")


def cloudtrail(endpoint: str):
    return boto3.session.Session().client("cloudtrail", endpoint_url=endpoint, region_name=REGION,
                                          aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)


def console_signs_in_creates_uploads_and_shows_errors(ctx: Context) -> None:
    with running_server(ctx, "server") as srv:
        browse(ctx, srv.endpoint, "basics")
        s3 = srv.s3()
        expect_eq(s3.get_object(Bucket="console-bucket", Key="hello.txt")["Body"].read(),
                  b"hello from the console\n", "the uploaded object")
        events = cloudtrail(srv.endpoint).lookup_events(
            LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "CreateBucket"}])
        agents = {json.loads(e["CloudTrailEvent"]).get("userAgent") for e in events["Events"]}
        # S3 records a user agent in brackets (docs/aws/cloudtrail-api.md §4).
        expect(f"[{USER_AGENT}]" in agents, f"CreateBucket recorded with userAgent {agents}, want [{USER_AGENT}]")


def console_shows_the_seed_scenario(ctx: Context) -> None:
    """A bucket encrypted by default with a KMS key, a trail taking its data events, delivery,
    digest validation, the event history, and a disabled key making an object unreadable."""
    with running_server(ctx, "server") as srv:
        browse(ctx, srv.endpoint, "seed")
        s3 = srv.s3()
        head = s3.head_object(Bucket="data-bucket", Key="plain.txt")
        expect_eq(head["ServerSideEncryption"], "AES256", "the object stored before the KMS default")
        trail = cloudtrail(srv.endpoint).get_event_selectors(TrailName="console-trail")
        values = [v for s in trail.get("EventSelectors", []) for r in s.get("DataResources", []) for v in r["Values"]]
        expect_eq(values, ["arn:aws:s3:::data-bucket/"], "the data resources the console selected")
        kms = boto3.session.Session().client("kms", endpoint_url=srv.endpoint, region_name=REGION,
                                             aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)
        key = kms.describe_key(KeyId="alias/console-cmk")["KeyMetadata"]
        expect_eq(key["KeyState"], "Disabled", "the key")
        # ListGrants takes a key id or ARN, not an alias.
        expect_eq(kms.list_grants(KeyId=key["KeyId"])["Grants"], [], "grants after Retire and Revoke")


def console_shows_access_denied_to_a_restricted_user(ctx: Context) -> None:
    """A user whose policy allows only listing buckets sees AWS's AccessDenied, not a blank page."""
    config = ctx.tempdir("config") / "trailstack.toml"
    config.write_text("""
[[users]]
access_key = "AKIAREADER"
secret_key = "reader-secret"
account_id = "000000000000"
user_name = "reader"
policies = ['{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}]}']
""")
    with running_server(ctx, "server", ("--config", str(config))) as srv:
        browse(ctx, srv.endpoint, "denied")
        buckets = [b["Name"] for b in srv.s3().list_buckets()["Buckets"]]
        expect_eq(buckets, [], "buckets after the denied CreateBucket")


def console_shows_create_trail_errors(ctx: Context) -> None:
    """CreateTrail's own errors in the console: no bucket policy, a key policy that does not let
    CloudTrail encrypt, the sixth trail of a region."""
    with running_server(ctx, "server") as srv:
        browse(ctx, srv.endpoint, "trail-errors")
        names = sorted(t["Name"] for t in cloudtrail(srv.endpoint).describe_trails()["trailList"])
        expect_eq(names, [f"trail-{i}" for i in range(1, 6)], "the trails created")


CHECKS = [console_signs_in_creates_uploads_and_shows_errors, console_shows_the_seed_scenario,
          console_shows_access_denied_to_a_restricted_user, console_shows_create_trail_errors]


def console_works_by_keyboard(ctx: Context) -> None:
    """Signing in, creating a bucket and a key, and every page of the navigation, by Tab and
    Enter alone."""
    with running_server(ctx, "server") as srv:
        browse(ctx, srv.endpoint, "keyboard")


def console_reads_at_200_percent_without_layout_shift(ctx: Context) -> None:
    """Every page at 200% zoom scrolls only vertically and does not jump while its lists load."""
    with running_server(ctx, "server") as srv:
        browse(ctx, srv.endpoint, "zoom")


CHECKS += [console_works_by_keyboard, console_reads_at_200_percent_without_layout_shift]


def console_sets_bucket_settings_and_moves_objects(ctx: Context) -> None:
    """Object Lock and its default retention, lifecycle rules, server access logging, a multipart
    upload, download, a presigned URL, deleting an object and a bucket — all from the console."""
    with running_server(ctx, "server") as srv:
        browse(ctx, srv.endpoint, "settings")
        s3 = srv.s3()
        rule = s3.get_object_lock_configuration(Bucket="locked-bucket")["ObjectLockConfiguration"]["Rule"]
        expect_eq(rule["DefaultRetention"], {"Mode": "GOVERNANCE", "Days": 3}, "the default retention")
        logging = s3.get_bucket_logging(Bucket="locked-bucket")["LoggingEnabled"]
        expect_eq((logging["TargetBucket"], logging["TargetPrefix"]), ("access-logs", "logs/"), "server access logging")
        etag = s3.head_object(Bucket="access-logs", Key="big.bin")["ETag"]
        expect(etag.endswith('-3"'), f"big.bin's ETag {etag}: want a multipart upload of 3 parts")
        names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
        expect("short-lived" not in names, f"the deleted bucket is still listed: {names}")


CHECKS += [console_sets_bucket_settings_and_moves_objects]


def console_runs_trails_and_keys(ctx: Context) -> None:
    """A trail stopped and started, advanced selectors (and their error) with a bucket's data
    events added, a delivered log file's page, and a key's rotation and deletion cancelled."""
    with running_server(ctx, "server") as srv:
        browse(ctx, srv.endpoint, "keys-trails")
        ct = cloudtrail(srv.endpoint)
        selectors = ct.get_event_selectors(TrailName="ops-trail")["AdvancedEventSelectors"]
        expect_eq([s.get("Name") for s in selectors], ["Management events", "Data events of ops-data"],
                  "the trail's advanced selectors")
        expect_eq(ct.get_trail_status(Name="ops-trail")["IsLogging"], True, "the trail logs")


CHECKS += [console_runs_trails_and_keys]
