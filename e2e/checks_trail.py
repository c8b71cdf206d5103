"""CloudTrail delivery with the aws CLI: a trail with a KMS key and log file validation delivers
log files and signed digests into a bucket whose default encryption is another key, and
`aws cloudtrail validate-logs` (S3 reached through AWS_ENDPOINT_URL) accepts them and points at
exactly the files that were tampered with (docs/aws/cloudtrail-delivery.md §A–§C)."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import time
from datetime import datetime, timedelta, timezone

from harness import ACCOUNT, REGION, Context, aws_json, expect, expect_eq, run_aws, running_server

TRAIL = "e2e-trail"
TRAIL_ARN = f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/{TRAIL}"
LOG_RE = re.compile(
    rf"^AWSLogs/{ACCOUNT}/CloudTrail/{REGION}/(\d{{4}})/(\d{{2}})/(\d{{2}})/"
    rf"{ACCOUNT}_CloudTrail_{REGION}_(\d{{8}})T\d{{4}}Z_[A-Za-z0-9]{{16}}\.json\.gz$"
)
DIGEST_RE = re.compile(
    rf"^AWSLogs/{ACCOUNT}/CloudTrail-Digest/{REGION}/(\d{{4}})/(\d{{2}})/(\d{{2}})/"
    rf"{ACCOUNT}_CloudTrail-Digest_{REGION}_{TRAIL}_{REGION}_(\d{{8}})T\d{{6}}Z\.json\.gz$"
)


def _delivered_head(s3, key: str, layout, what: str, sse: str) -> dict:
    """HeadObject of the delivered `what` at `key`, once its name is checked against AWS's
    `layout` (whose date path must match the date in the name) and its encryption is `sse`."""
    m = layout.match(key)
    expect(m is not None, f"{what} key {key!r} has not AWS's layout")
    expect_eq("".join(m.group(1, 2, 3)), m.group(4), f"date path and name of {key}")
    head = s3.head_object(Bucket="logs", Key=key)
    expect_eq(head.get("ServerSideEncryption"), sse, f"SSE of {what} {key}")
    return head


def bucket_policy(bucket: str, trail: str) -> str:
    """The bucket policy CloudTrail requires (§C.2)."""
    arn = f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/{trail}"
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "AWSCloudTrailAclCheck20150319", "Effect": "Allow",
         "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:GetBucketAcl",
         "Resource": f"arn:aws:s3:::{bucket}", "Condition": {"StringEquals": {"aws:SourceArn": arn}}},
        {"Sid": "AWSCloudTrailWrite20150319", "Effect": "Allow",
         "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
         "Resource": f"arn:aws:s3:::{bucket}/AWSLogs/{ACCOUNT}/*",
         "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": arn}}},
    ]})


def key_policy(trail: str) -> str:
    """The account's root statement and the statements CloudTrail requires (§C.3)."""
    arn = f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/{trail}"
    root = f"arn:aws:iam::{ACCOUNT}:root"
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": root},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "Allow CloudTrail to encrypt logs", "Effect": "Allow",
         "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "kms:GenerateDataKey*", "Resource": "*",
         "Condition": {"StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": [f"arn:aws:cloudtrail:*:{ACCOUNT}:trail/*"]},
                       "StringEquals": {"aws:SourceArn": arn}}},
        {"Sid": "Allow CloudTrail access", "Effect": "Allow",
         "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "kms:DescribeKey", "Resource": "*",
         "Condition": {"StringEquals": {"aws:SourceArn": arn}}},
        {"Sid": "Enable CloudTrail log decrypt permissions", "Effect": "Allow", "Principal": {"AWS": root},
         "Action": "kms:Decrypt", "Resource": "*",
         "Condition": {"Null": {"kms:EncryptionContext:aws:cloudtrail:arn": "false"}}},
    ]})


def flush(ctx: Context, endpoint: str) -> dict:
    """`trailstack flush`: delivers what is pending and closes the digest periods."""
    p = subprocess.run([str(ctx.binary), "flush", "--endpoint", endpoint], env=ctx.env,
                       capture_output=True, text=True, timeout=60)
    expect(p.returncode == 0, f"trailstack flush exited {p.returncode}: {p.stderr.strip()}")
    out = json.loads(p.stdout)
    expect_eq(out.get("Failures"), 0, f"failed deliveries in flush {out}")
    return out


def keys(s3, bucket: str, prefix: str) -> list[str]:
    out = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        out += [o["Key"] for o in page.get("Contents", [])]
    return out


def new_key(ctx: Context, endpoint: str, policy: str | None = None) -> str:
    args = ["kms", "create-key"] + (["--policy", policy] if policy else [])
    return aws_json(ctx, endpoint, *args)["KeyMetadata"]["Arn"]


def sse_kms_default(ctx: Context, endpoint: str, bucket: str, key_arn: str) -> None:
    run_aws(ctx, endpoint, "s3api", "put-bucket-encryption", "--bucket", bucket,
            "--server-side-encryption-configuration", json.dumps({"Rules": [{"ApplyServerSideEncryptionByDefault": {
                "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn}}]}))


def validate(ctx: Context, endpoint: str, start: str) -> subprocess.CompletedProcess:
    return run_aws(ctx, endpoint, "cloudtrail", "validate-logs", "--trail-arn", TRAIL_ARN,
                   "--start-time", start, "--verbose", check=False)


def lines(text: str, kind: str, verdict: str) -> set[str]:
    """The keys of `Digest file`/`Log file` lines of validate-logs output with `verdict`."""
    out = set()
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[0] == kind and parts[2] == verdict:
            expect(parts[1].startswith("s3://logs/"), f"unexpected location in {line!r}")
            out.add(parts[1][len("s3://logs/"):])
    return out


def cli_trail_delivery_and_validate_logs(ctx: Context) -> None:
    """Trail with KmsKeyId CMK2 (by alias) and validation into a bucket with default CMK1, data
    events of another bucket, `trailstack flush`; keys, encryption, contents; validate-logs
    accepts every file, then finds a rewritten and a deleted log file and an edited digest."""
    with running_server(ctx, "server", ("--digest-interval", "1h")) as srv:
        ep = srv.endpoint
        aws = lambda *a, **k: run_aws(ctx, ep, *a, **k)  # noqa: E731
        s3 = srv.s3()
        start = (datetime.now(timezone.utc) - timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%SZ")

        cmk1 = new_key(ctx, ep)
        cmk2 = new_key(ctx, ep, key_policy(TRAIL))
        aws("kms", "create-alias", "--alias-name", "alias/e2e-trail", "--target-key-id", cmk2)
        aws("s3api", "create-bucket", "--bucket", "logs")
        sse_kms_default(ctx, ep, "logs", cmk1)
        aws("s3api", "put-bucket-policy", "--bucket", "logs", "--policy", bucket_policy("logs", TRAIL))
        aws("s3api", "create-bucket", "--bucket", "data")

        trail = aws_json(ctx, ep, "cloudtrail", "create-trail", "--name", TRAIL, "--s3-bucket-name", "logs",
                         "--kms-key-id", "alias/e2e-trail", "--enable-log-file-validation")
        expect_eq(trail.get("KmsKeyId"), cmk2, "the trail's key is stored as its ARN")
        expect_eq(trail.get("LogFileValidationEnabled"), True, "LogFileValidationEnabled")
        aws("cloudtrail", "put-event-selectors", "--trail-name", TRAIL, "--event-selectors", json.dumps([{
            "ReadWriteType": "All", "IncludeManagementEvents": True,
            "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::data/"]}]}]))
        aws("cloudtrail", "start-logging", "--name", TRAIL)

        # Three rounds of data events, each flushed: three log files, three chained digests.
        calls: dict[str, str] = {}  # request id -> event name
        for round_ in range(3):
            for i in range(3):
                key = f"r{round_}/obj{i}.txt"
                put = s3.put_object(Bucket="data", Key=key, Body=f"round {round_} object {i}".encode())
                calls[put["ResponseMetadata"]["RequestId"]] = "PutObject"
                got = s3.get_object(Bucket="data", Key=key)
                got["Body"].read()
                calls[got["ResponseMetadata"]["RequestId"]] = "GetObject"
            time.sleep(1.1)  # digest periods and names have whole seconds
            flush(ctx, ep)

        logs = keys(s3, "logs", f"AWSLogs/{ACCOUNT}/CloudTrail/")
        digests = keys(s3, "logs", f"AWSLogs/{ACCOUNT}/CloudTrail-Digest/")
        expect(len(logs) >= 3, f"at least one log file per flush: {logs}")
        expect_eq(len(digests), 3, f"one digest per flush: {digests}")
        records = []
        for k in logs:
            head = _delivered_head(s3, k, LOG_RE, "log file", "aws:kms")
            expect_eq(head.get("SSEKMSKeyId"), cmk2, f"key of log file {k}")
            doc = json.loads(gzip.decompress(s3.get_object(Bucket="logs", Key=k)["Body"].read()))
            expect(list(doc) == ["Records"] and isinstance(doc["Records"], list), f"{k} is not {{\"Records\":[...]}}")
            records += doc["Records"]
        for k in digests:
            head = _delivered_head(s3, k, DIGEST_RE, "digest", "AES256")
            meta = head.get("Metadata", {})
            expect(re.fullmatch(r"[0-9a-f]{512}", meta.get("signature", "")) is not None,
                   f"x-amz-meta-signature of {k}: {meta}")
            expect_eq(meta.get("signature-algorithm"), "SHA256withRSA", f"x-amz-meta-signature-algorithm of {k}")
        data_events = {r["requestID"]: r["eventName"] for r in records
                       if r.get("eventSource") == "s3.amazonaws.com"
                       and (r.get("requestParameters") or {}).get("bucketName") == "data"}
        missing = {rid: n for rid, n in calls.items() if data_events.get(rid) != n}
        expect(not missing, f"data events of bucket data not delivered: {missing}")
        ids = [r["eventID"] for r in records]
        expect_eq(len(ids), len(set(ids)), "distinct eventIDs across log files")

        # A user's plain PUT into the log bucket gets the bucket default, CMK1.
        aws("s3api", "put-object", "--bucket", "logs", "--key", "notes/user.txt")
        head = s3.head_object(Bucket="logs", Key="notes/user.txt")
        expect_eq((head.get("ServerSideEncryption"), head.get("SSEKMSKeyId")), ("aws:kms", cmk1),
                  "a user's plain PUT into the log bucket")

        # validate-logs: everything valid.
        p = validate(ctx, ep, start)
        expect(p.returncode == 0, f"validate-logs exited {p.returncode}: {p.stderr.strip()[-800:]}")
        expect_eq(lines(p.stdout, "Digest file", "valid"), set(digests), "digests reported valid")
        expect_eq(lines(p.stdout, "Log file", "valid"), set(logs), "log files reported valid")
        expect(f"{len(digests)}/{len(digests)} digest files valid" in p.stdout
               and f"{len(logs)}/{len(logs)} log files valid" in p.stdout, f"summary: {p.stdout[-400:]}")

        # Tampering with log files: one rewritten, one deleted.
        listed = {}
        for k in digests:
            doc = json.loads(gzip.decompress(s3.get_object(Bucket="logs", Key=k)["Body"].read()))
            for f in doc["logFiles"]:
                listed[f["s3Object"]] = k
        rewritten, deleted = sorted(logs)[1], sorted(logs)[-1]
        body = json.loads(gzip.decompress(s3.get_object(Bucket="logs", Key=rewritten)["Body"].read()))
        body["Records"] = body["Records"][:-1]
        s3.put_object(Bucket="logs", Key=rewritten, Body=gzip.compress(json.dumps(body).encode()))
        s3.delete_object(Bucket="logs", Key=deleted)
        p = validate(ctx, ep, start)
        expect_eq(p.returncode, 1, "validate-logs exit code after tampering")
        expect_eq(lines(p.stderr, "Log file", "INVALID: hash value doesn't match"), {rewritten}, "rewritten log file")
        expect_eq(lines(p.stderr, "Log file", "INVALID: not found"), {deleted}, "deleted log file")
        expect_eq(lines(p.stdout, "Log file", "valid"), set(logs) - {rewritten, deleted}, "the untouched log files")
        expect_eq(len([ln for ln in p.stderr.splitlines() if "INVALID" in ln]), 2, f"INVALID lines: {p.stderr}")
        expect_eq(lines(p.stdout, "Digest file", "valid"), set(digests), "digests still valid")

        # Editing a digest (same metadata, other JSON) breaks its signature.
        edited = sorted(digests)[1]
        got = s3.get_object(Bucket="logs", Key=edited)
        doc = json.loads(gzip.decompress(got["Body"].read()))
        doc["logFiles"] = []
        s3.put_object(Bucket="logs", Key=edited, Body=gzip.compress(json.dumps(doc).encode()),
                      Metadata=got["Metadata"])
        p = validate(ctx, ep, start)
        expect_eq(p.returncode, 1, "validate-logs exit code after editing a digest")
        expect_eq(lines(p.stderr, "Digest file", "INVALID: signature verification failed"), {edited}, "edited digest")
        expect_eq(lines(p.stdout, "Digest file", "valid"), set(digests) - {edited}, "the other digests")
    ctx.note(f"{len(logs)} log files, {len(digests)} digests; validate-logs: all valid, then exactly the "
             "rewritten, deleted and edited files INVALID")


def cli_trail_without_key_writes_sse_s3(ctx: Context) -> None:
    """A trail without KmsKeyId into a bucket whose default is SSE-KMS delivers SSE-S3 log files."""
    with running_server(ctx, "server", ("--digest-interval", "1h")) as srv:
        ep = srv.endpoint
        aws = lambda *a, **k: run_aws(ctx, ep, *a, **k)  # noqa: E731
        cmk1 = new_key(ctx, ep)
        aws("s3api", "create-bucket", "--bucket", "plain-logs")
        sse_kms_default(ctx, ep, "plain-logs", cmk1)
        aws("s3api", "put-bucket-policy", "--bucket", "plain-logs", "--policy", bucket_policy("plain-logs", "plain"))
        trail = aws_json(ctx, ep, "cloudtrail", "create-trail", "--name", "plain", "--s3-bucket-name", "plain-logs")
        expect("KmsKeyId" not in trail, f"no key: {trail}")
        aws("cloudtrail", "start-logging", "--name", "plain")
        aws("kms", "list-keys")
        out = flush(ctx, ep)
        expect(out["LogFiles"] >= 1, f"flush delivered no log file: {out}")
        s3 = srv.s3()
        logs = keys(s3, "plain-logs", f"AWSLogs/{ACCOUNT}/CloudTrail/")
        expect(bool(logs), "no log file delivered")
        for k in logs:
            head = s3.head_object(Bucket="plain-logs", Key=k)
            expect_eq(head.get("ServerSideEncryption"), "AES256", f"SSE of {k}")
            expect("SSEKMSKeyId" not in head, f"{k} has a KMS key")
        events = [r["eventName"] for k in logs
                  for r in json.loads(gzip.decompress(s3.get_object(Bucket="plain-logs", Key=k)["Body"].read()))["Records"]]
        expect("ListKeys" in events, f"the ListKeys call is delivered: {events}")
    ctx.note("log files SSE-S3 despite the bucket's SSE-KMS default")


CHECKS = [cli_trail_delivery_and_validate_logs, cli_trail_without_key_writes_sse_s3]
