"""The log-archive bucket people build for CloudTrail (AWS's Security Reference Architecture, CIS
3.x), driven with boto3 and the aws CLI against the real binary: Object Lock with a COMPLIANCE
default retention, server access logging into a second bucket, a trail with a KMS key and log
file validation delivering into the locked bucket, and a lifecycle rule that expires old logs.

The server runs with a short lifecycle day (`--lifecycle-day`), which also measures Object Lock's
default retention, so "one day" passes within the check."""

from __future__ import annotations

import json
import re
import time
from datetime import datetime, timedelta, timezone

import boto3
import botocore.config
import botocore.exceptions

from checks_trail import bucket_policy, flush, key_policy, keys
from harness import ACCESS_KEY, ACCOUNT, REGION, SECRET_KEY, Context, expect, expect_eq, run_aws, running_server

TRAIL = "e2e-trail"  # the name checks_trail's policies are written for
TRAIL_ARN = f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/{TRAIL}"
ARCHIVE, ACCESS_LOGS = "org-archive", "org-access-logs"
DAY_SECONDS = 4
# AWS's server access log line: 26 fields, some bracketed or quoted (the S3 user guide's
# "Amazon S3 server access log format").
FIELD = r'(\[[^\]]*\]|"[^"]*"|\S+)'
LOG_LINE = re.compile(r"^" + r" ".join([FIELD] * 26) + r"$")
ACCESS_KEY_NAME = re.compile(rf"^archive/\d{{4}}-\d{{2}}-\d{{2}}-\d{{2}}-\d{{2}}-\d{{2}}-[0-9A-F]{{16}}$")


def client(service: str, endpoint: str):
    cfg = botocore.config.Config(region_name=REGION, retries={"max_attempts": 1, "mode": "standard"})
    return boto3.session.Session().client(service, endpoint_url=endpoint, aws_access_key_id=ACCESS_KEY,
                                          aws_secret_access_key=SECRET_KEY, region_name=REGION, config=cfg)


def logging_policy(target: str, source: str) -> str:
    """The target bucket policy AWS documents for server access logs."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "S3ServerAccessLogsPolicy", "Effect": "Allow",
        "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject",
        "Resource": f"arn:aws:s3:::{target}/archive/*",
        "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:s3:::{source}"},
                      "StringEquals": {"aws:SourceAccount": ACCOUNT}}}]})


def error_code(e: botocore.exceptions.ClientError) -> str:
    return e.response.get("Error", {}).get("Code", "")


def access_log_lines(s3) -> list[list[str]]:
    """Every record delivered into the access-log bucket, split into its 26 fields."""
    out = []
    for k in keys(s3, ACCESS_LOGS, "archive/"):
        expect(ACCESS_KEY_NAME.match(k) is not None, f"access log key {k!r} has not AWS's simple layout")
        head = s3.head_object(Bucket=ACCESS_LOGS, Key=k)
        expect_eq(head.get("ServerSideEncryption"), "AES256", f"access log object {k} is SSE-S3")
        for line in s3.get_object(Bucket=ACCESS_LOGS, Key=k)["Body"].read().decode().splitlines():
            m = LOG_LINE.match(line)
            expect(m is not None, f"access log line has not AWS's 26 fields: {line!r}")
            out.append(list(m.groups()))
    return out


def boto3_log_archive_locked_logged_and_expired(ctx: Context) -> None:
    """Locked CloudTrail files cannot be deleted, even by the root, until their retention ends;
    validate-logs accepts them; lifecycle then removes them; the access logs record the reads,
    the refused deletes and lifecycle's actions."""
    with running_server(ctx, "server", ("--lifecycle-day", f"{DAY_SECONDS}s", "--digest-interval", "1h")) as srv:
        ep = srv.endpoint
        s3, kms, ct = srv.s3(), client("kms", ep), client("cloudtrail", ep)
        start = (datetime.now(timezone.utc) - timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%SZ")

        s3.create_bucket(Bucket=ARCHIVE, ObjectLockEnabledForBucket=True)
        expect_eq(s3.get_bucket_versioning(Bucket=ARCHIVE).get("Status"), "Enabled", "Object Lock turns versioning on")
        s3.put_object_lock_configuration(Bucket=ARCHIVE, ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 1}}})
        s3.put_bucket_policy(Bucket=ARCHIVE, Policy=bucket_policy(ARCHIVE, TRAIL))
        s3.create_bucket(Bucket=ACCESS_LOGS)
        s3.put_bucket_policy(Bucket=ACCESS_LOGS, Policy=logging_policy(ACCESS_LOGS, ARCHIVE))
        s3.put_bucket_logging(Bucket=ARCHIVE, BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": ACCESS_LOGS, "TargetPrefix": "archive/"}})
        key = kms.create_key(Policy=key_policy(TRAIL))["KeyMetadata"]["Arn"]
        ct.create_trail(Name=TRAIL, S3BucketName=ARCHIVE, KmsKeyId=key, EnableLogFileValidation=True)
        ct.start_logging(Name=TRAIL)
        kms.list_keys()
        time.sleep(1.1)  # digest names have whole seconds
        flush(ctx, ep)

        logs = keys(s3, ARCHIVE, f"AWSLogs/{ACCOUNT}/CloudTrail/")
        digests = keys(s3, ARCHIVE, f"AWSLogs/{ACCOUNT}/CloudTrail-Digest/")
        expect(bool(logs) and bool(digests), f"log files {logs} and digests {digests} delivered")
        now = datetime.now(timezone.utc)
        versions = {}
        for k in logs + digests:
            head = s3.head_object(Bucket=ARCHIVE, Key=k)
            expect_eq(head.get("ObjectLockMode"), "COMPLIANCE", f"lock mode of {k}")
            until = head.get("ObjectLockRetainUntilDate")
            expect(until is not None and now < until <= now + timedelta(seconds=2 * DAY_SECONDS + 5),
                   f"{k} is retained for the bucket's default day: {until}")
            versions[k] = head["VersionId"]
        expect_eq(s3.head_object(Bucket=ARCHIVE, Key=logs[0]).get("SSEKMSKeyId"), key, "log files under the trail's key")

        # Not even the root deletes a version under COMPLIANCE retention, bypass or not.
        for k in (logs[0], digests[0]):
            for bypass in (False, True):
                try:
                    s3.delete_object(Bucket=ARCHIVE, Key=k, VersionId=versions[k], BypassGovernanceRetention=bypass)
                    expect(False, f"deleting locked {k} (bypass {bypass}) succeeded")
                except botocore.exceptions.ClientError as e:
                    expect_eq(error_code(e), "AccessDenied", f"deleting locked {k}")

        p = run_aws(ctx, ep, "cloudtrail", "validate-logs", "--trail-arn", TRAIL_ARN, "--start-time", start,
                    check=False)
        expect(p.returncode == 0, f"validate-logs before expiry exited {p.returncode}: {p.stderr.strip()[-600:]}")
        expect(f"{len(logs)}/{len(logs)} log files valid" in p.stdout, f"validate-logs: {p.stdout[-300:]}")

        # Lifecycle: current versions expire after a day, noncurrent ones a day later, once their
        # retention has ended; the lone delete markers left are removed too.
        s3.put_bucket_lifecycle_configuration(Bucket=ARCHIVE, LifecycleConfiguration={"Rules": [
            {"ID": "expire-logs", "Status": "Enabled", "Filter": {"Prefix": "AWSLogs/"},
             "Expiration": {"Days": 1}, "NoncurrentVersionExpiration": {"NoncurrentDays": 1}},
            {"ID": "markers", "Status": "Enabled", "Filter": {"Prefix": "AWSLogs/"},
             "Expiration": {"ExpiredObjectDeleteMarker": True}}]})
        deadline = time.monotonic() + 12 * DAY_SECONDS
        remaining = set(versions.values())
        while remaining and time.monotonic() < deadline:
            listed = s3.list_object_versions(Bucket=ARCHIVE, Prefix="AWSLogs/")
            remaining = {v["VersionId"] for v in listed.get("Versions", [])} & set(versions.values())
            if remaining:
                time.sleep(0.5)  # the real binary's clock: polled, with a deadline
        expect(not remaining, f"lifecycle removed the delivered files within {12 * DAY_SECONDS}s: left {remaining}")

        flush(ctx, ep)
        records = access_log_lines(s3)
        ops = {(r[6], r[9]) for r in records}  # operation, HTTP status
        expect(("REST.HEAD.OBJECT", "200") in ops, f"the HEADs of the log files in the access log: {sorted(ops)}")
        expect(("REST.DELETE.OBJECT", "403") in ops, f"the refused deletes in the access log: {sorted(ops)}")
        expect(any(r[6].startswith("S3.EXPIRE.") or r[6] == "S3.CREATE.DELETEMARKER" for r in records),
               f"lifecycle's expirations in the access log: {sorted(ops)}")
        expect(all(r[1] == ARCHIVE for r in records), "every record names the source bucket")
    ctx.note(f"{len(logs)} log files and {len(digests)} digests locked, validated, expired; "
             f"{len(records)} access log records")


CHECKS = [boto3_log_archive_locked_logged_and_expired]
