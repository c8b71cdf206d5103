"""Role sessions with boto3 and the aws CLI, as issue 21's acceptance states them: a role of one
account trusts a user of another; the user assumes it and the session writes into a bucket
whose SSE-KMS key admits only the role, where the user's own keys are refused; the delivered
CloudTrail log file names the AssumedRole with its sessionContext; `trailstack explain` run with
the session's credentials names the role behind it; and once the session's 15 minutes have
passed its credentials are refused with ExpiredToken.

Time passing is real: the server is restarted under libfaketime (Debian's `faketime` package;
.ci/run installs it) twenty minutes ahead, and the CLI that signs after it runs under the same
offset, so its signature is current while the session is not. Nothing sleeps."""

from __future__ import annotations

import copy
import email.utils
import gzip
import json
import subprocess
from pathlib import Path

import boto3
import botocore.config
import botocore.exceptions

from harness import (
    ACCOUNT,
    REGION,
    CheckFailed,
    Context,
    expect,
    expect_eq,
    run_aws,
    running_server,
    s3_client,
)
from checks_trail import bucket_policy, flush, keys

# Account B: the user who assumes the role lives here (its root is configured).
B = "222222222222"
B_ROOT = ("AKIAE2EROOTB00000001", "e2e-root-b-secret")
ROLE = "auditor"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{ROLE}"
SESSION = "audit-1"
SESSION_ARN = f"arn:aws:sts::{ACCOUNT}:assumed-role/{ROLE}/{SESSION}"
BUCKET = "evidence"
TRAIL = "sessions"
# Where Debian's libfaketime lives (package `libfaketime`, pulled in by `faketime`).
FAKETIME_LIBS = [Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"),
                 Path("/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1"),
                 Path("/usr/lib/faketime/libfaketime.so.1")]


def client(service: str, endpoint: str, key: str, secret: str, token: str | None = None):
    cfg = botocore.config.Config(region_name=REGION, retries={"max_attempts": 1, "mode": "standard"})
    return boto3.session.Session().client(
        service, endpoint_url=endpoint, aws_access_key_id=key, aws_secret_access_key=secret,
        aws_session_token=token, region_name=REGION, config=cfg)


def ahead(seconds: int) -> dict:
    """The environment that runs a program `seconds` ahead of the real clock (wall clock only:
    timers and timeouts, which read the monotonic clock, are left alone)."""
    lib = next((p for p in FAKETIME_LIBS if p.is_file()), None)
    if lib is None:
        raise CheckFailed("libfaketime not found (apt-get install faketime; .ci/run does)")
    return {"LD_PRELOAD": str(lib), "FAKETIME": f"+{seconds}", "FAKETIME_DONT_FAKE_MONOTONIC": "1",
            "FAKETIME_NO_CACHE": "1"}


def error_code(e: botocore.exceptions.ClientError) -> str:
    return e.response["Error"]["Code"]


def key_policy() -> str:
    """The key's account root administers it; only the role may use it for data."""
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*",
         "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": ROLE_ARN}, "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
         "Resource": "*"}]})


def boto3_session_writes_where_the_user_cannot(ctx: Context) -> None:
    """Issue 21's boto3 acceptance, end to end: cross-account AssumeRole of a role with an
    attached managed policy, the session's PutObject through an SSE-KMS key only the role may
    use, the user's own PutObject refused by that key, the delivered log file, expiry."""
    config = ctx.scratch / "accounts.toml"
    config.write_text(f'[[users]]\naccess_key = "{B_ROOT[0]}"\nsecret_key = "{B_ROOT[1]}"\naccount_id = "{B}"\n')
    with running_server(ctx, "server", ("--config", str(config))) as srv:
        ep = srv.endpoint
        s3_a = srv.s3()
        iam_a = client("iam", ep, "test", "test")
        iam_b = client("iam", ep, *B_ROOT)
        kms_a = client("kms", ep, "test", "test")
        cloudtrail_a = client("cloudtrail", ep, "test", "test")

        # The trail records the account's management events and the bucket's data events.
        s3_a.create_bucket(Bucket="trail-logs")
        s3_a.put_bucket_policy(Bucket="trail-logs", Policy=bucket_policy("trail-logs", TRAIL))
        cloudtrail_a.create_trail(Name=TRAIL, S3BucketName="trail-logs")
        cloudtrail_a.put_event_selectors(TrailName=TRAIL, EventSelectors=[{
            "ReadWriteType": "All", "IncludeManagementEvents": True,
            "DataResources": [{"Type": "AWS::S3::Object", "Values": [f"arn:aws:s3:::{BUCKET}/"]}]}])
        cloudtrail_a.start_logging(Name=TRAIL)

        # Account A: the key, the bucket encrypted with it by default, the role trusting bob.
        key_arn = kms_a.create_key(Policy=key_policy())["KeyMetadata"]["Arn"]
        s3_a.create_bucket(Bucket=BUCKET)
        s3_a.put_bucket_encryption(Bucket=BUCKET, ServerSideEncryptionConfiguration={"Rules": [
            {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn}}]})
        bob_arn = f"arn:aws:iam::{B}:user/bob"
        # The bucket admits bob too, so that what refuses his own keys is the key policy.
        s3_a.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": bob_arn}, "Action": "s3:PutObject",
             "Resource": f"arn:aws:s3:::{BUCKET}/*"}]}))
        trust = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": bob_arn}, "Action": "sts:AssumeRole"}]}
        role = iam_a.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust))["Role"]
        expect_eq(role["Arn"], ROLE_ARN, "the role's ARN")
        writer = iam_a.create_policy(PolicyName="evidence-writer", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"],
                 "Resource": f"arn:aws:s3:::{BUCKET}/*"}]}))["Policy"]
        iam_a.attach_role_policy(RoleName=ROLE, PolicyArn=writer["Arn"])

        # Account B: bob, allowed to assume the role, to write the bucket and to use the key.
        iam_b.create_user(UserName="bob")
        bob_key = iam_b.create_access_key(UserName="bob")["AccessKey"]
        bob = (bob_key["AccessKeyId"], bob_key["SecretAccessKey"])
        iam_b.put_user_policy(UserName="bob", PolicyName="work", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": ROLE_ARN},
                {"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{BUCKET}/*"},
                {"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": key_arn}]}))

        out = client("sts", ep, *bob).assume_role(RoleArn=ROLE_ARN, RoleSessionName=SESSION,
                                                  DurationSeconds=900)
        creds = out["Credentials"]
        expect(creds["AccessKeyId"].startswith("ASIA"), f"temporary key {creds['AccessKeyId']}")
        expect_eq(out["AssumedRoleUser"]["Arn"], SESSION_ARN, "AssumedRoleUser.Arn")
        expect_eq(out["AssumedRoleUser"]["AssumedRoleId"], f"{role['RoleId']}:{SESSION}", "AssumedRoleId")
        issued = email.utils.parsedate_to_datetime(out["ResponseMetadata"]["HTTPHeaders"]["date"])
        lasts = (creds["Expiration"] - issued).total_seconds()
        expect(899 <= lasts <= 901, f"DurationSeconds=900: expires {lasts:.0f} s after issue")
        session = (creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
        me = client("sts", ep, *session).get_caller_identity()
        expect_eq((me["Arn"], me["Account"]), (SESSION_ARN, ACCOUNT), "the session's identity")

        as_role = boto3.session.Session().client(
            "s3", endpoint_url=ep, aws_access_key_id=session[0], aws_secret_access_key=session[1],
            aws_session_token=session[2], region_name=REGION,
            config=botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"}))
        put = as_role.put_object(Bucket=BUCKET, Key="report.txt", Body=b"findings")
        expect_eq((put.get("ServerSideEncryption"), put.get("SSEKMSKeyId")), ("aws:kms", key_arn),
                  "the session's object is encrypted with the key")
        expect_eq(as_role.get_object(Bucket=BUCKET, Key="report.txt")["Body"].read(), b"findings",
                  "the session reads its object back")

        bob_s3 = s3_client(ep, access_key=bob[0], secret=bob[1])
        try:
            bob_s3.put_object(Bucket=BUCKET, Key="report.txt", Body=b"forged")
            raise CheckFailed("bob's own keys wrote through a key that admits only the role")
        except botocore.exceptions.ClientError as e:
            expect_eq((e.response["ResponseMetadata"]["HTTPStatusCode"], error_code(e)), (403, "AccessDenied"),
                      "bob's own PutObject")
            expect("kms:GenerateDataKey" in e.response["Error"]["Message"],
                   f"the refusal names the key's action: {e.response['Error']['Message']}")
        expect_eq(s3_a.get_object(Bucket=BUCKET, Key="report.txt")["Body"].read(), b"findings",
                  "the object after bob's refused write")

        # The delivered log file: the session's calls as AssumedRole with its sessionContext.
        flush(ctx, ep)
        records = []
        for k in keys(s3_a, "trail-logs", f"AWSLogs/{ACCOUNT}/CloudTrail/"):
            body = s3_a.get_object(Bucket="trail-logs", Key=k)["Body"].read()
            records += json.loads(gzip.decompress(body))["Records"]
        put_rec = next((r for r in records if r["eventName"] == "PutObject"
                        and r["requestID"] == put["ResponseMetadata"]["RequestId"]), None)
        expect(put_rec is not None, f"the session's PutObject is not in the log files: "
                                    f"{sorted({r['eventName'] for r in records})}")
        ident = put_rec["userIdentity"]
        expect_eq((ident["type"], ident["arn"], ident["accountId"], ident["accessKeyId"]),
                  ("AssumedRole", SESSION_ARN, ACCOUNT, session[0]), "the PutObject's userIdentity")
        expect_eq(ident["principalId"], f"{role['RoleId']}:{SESSION}", "its principalId")
        issuer = ident["sessionContext"]["sessionIssuer"]
        expect_eq(issuer, {"type": "Role", "principalId": role["RoleId"], "arn": ROLE_ARN,
                           "accountId": ACCOUNT, "userName": ROLE}, "sessionContext.sessionIssuer")
        attributes = ident["sessionContext"]["attributes"]
        expect_eq(attributes["mfaAuthenticated"], "false", "sessionContext.attributes.mfaAuthenticated")
        expect(attributes["creationDate"].endswith("Z") and len(attributes["creationDate"]) == 20,
               f"creationDate {attributes['creationDate']}")
        gdk = [r for r in records if r["eventName"] == "GenerateDataKey"
               and r["userIdentity"].get("accessKeyId") == session[0]]
        expect(len(gdk) == 1 and gdk[0]["userIdentity"]["invokedBy"] == "s3.amazonaws.com"
               and gdk[0]["userIdentity"]["type"] == "AssumedRole",
               f"S3's GenerateDataKey for the session: {gdk}")
        assumed = [r for r in records if r["eventName"] == "AssumeRole"]
        expect(len(assumed) == 1 and assumed[0]["userIdentity"]["arn"] == bob_arn
               and assumed[0]["recipientAccountId"] == ACCOUNT,
               f"AssumeRole recorded in the role's account, by bob: {assumed}")

        explain_names_the_role(ctx, ep, session, writer["Arn"])
        expired_session_is_refused(ctx, srv, session, bob)
    ctx.note("session PutObject through a role-only key: ok; user's own keys: AccessDenied; log file: "
             "AssumedRole with sessionContext; explain names the role; 20 min later (libfaketime): ExpiredToken")


def explain_names_the_role(ctx: Context, endpoint: str, session: tuple[str, str, str], policy_arn: str) -> None:
    """`trailstack explain` run with the session's credentials in the environment, as a user
    would: the report names the session, the role behind it and the role's attached policy,
    and finds the object readable by the session."""
    env = dict(ctx.env, AWS_ACCESS_KEY_ID=session[0], AWS_SECRET_ACCESS_KEY=session[1],
               AWS_SESSION_TOKEN=session[2], NO_COLOR="1")
    p = subprocess.run([str(ctx.binary), "explain", f"s3://{BUCKET}/report.txt", "--endpoint", endpoint, "--json"],
                       env=env, capture_output=True, text=True, timeout=60)
    expect(p.returncode == 0, f"trailstack explain as the session exited {p.returncode}: {p.stderr.strip()}")
    report = json.loads(p.stdout)
    expect_eq(report["asked_by"], SESSION_ARN, "explain's asked_by")
    s = report.get("session") or {}
    expect_eq((s.get("role"), s.get("session_name"), s.get("access_key")), (ROLE_ARN, SESSION, session[0]),
              f"explain's session {s}")
    expect_eq(s.get("identity_policies"), [{"kind": "managed", "name": policy_arn, "holder": f"role/{ROLE}"}],
              "the role's policies in explain")
    expect(report["readable"]["can_read"], f"explain: the session can read its object: {report['readable']}")


def expired_session_is_refused(ctx: Context, srv, session: tuple[str, str, str], bob: tuple[str, str]) -> None:
    """Twenty minutes later (server and CLI both run ahead) the 15-minute session is refused
    with S3's and STS's ExpiredToken, while bob's long-term keys still sign at that time."""
    later = ahead(20 * 60)
    faked = copy.copy(ctx)
    faked.env = dict(ctx.env, **later)
    srv.ctx = faked
    srv.restart()
    ep = srv.endpoint
    env = dict(later, AWS_ACCESS_KEY_ID=session[0], AWS_SECRET_ACCESS_KEY=session[1],
               AWS_SESSION_TOKEN=session[2])
    p = run_aws(ctx, ep, "s3api", "put-object", "--bucket", BUCKET, "--key", "late.txt", env=env, check=False)
    expect(p.returncode != 0 and "(ExpiredToken)" in p.stderr,
           f"S3 PutObject with the expired session: exit {p.returncode}, {p.stderr.strip()[-300:]}")
    p = run_aws(ctx, ep, "sts", "get-caller-identity", env=env, check=False)
    expect(p.returncode != 0 and "(ExpiredToken)" in p.stderr
           and "The security token included in the request is expired" in p.stderr,
           f"STS with the expired session: exit {p.returncode}, {p.stderr.strip()[-300:]}")
    env = dict(later, AWS_ACCESS_KEY_ID=bob[0], AWS_SECRET_ACCESS_KEY=bob[1])
    me = json.loads(run_aws(ctx, ep, "sts", "get-caller-identity", "--output", "json", env=env).stdout)
    expect_eq(me["Arn"], f"arn:aws:iam::{B}:user/bob", "bob's own keys at the same time")


CHECKS = [boto3_session_writes_where_the_user_cannot]
