"""The AWS SDK for JavaScript v3's credential providers that assume a role, against the real
binary: `fromIni` reading a shared config file whose profile has `role_arn` and
`source_profile` (as `~/.aws/config` is written for AWS), and `fromTemporaryCredentials` from
code. Node.js runs e2e/js-sdk/run.mjs with the packages of e2e/js-sdk/package-lock.json, which
.ci/run installs into target/js-sdk-node (`npm ci`); $TRAILSTACK_JS_SDK_NODE_MODULES points
elsewhere. This check makes the user and the role, and asserts what the server stored and
recorded."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import boto3
import botocore.config

from harness import ACCOUNT, REGION, CheckFailed, Context, expect, expect_eq, running_server

SCRIPT = Path(__file__).resolve().parent / "js-sdk" / "run.mjs"
BUCKET = "js-sdk"
ROLE = "js-writer"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{ROLE}"
# A Node.js process with the SDK loads in a second or two; a minute means something hangs.
TIMEOUT = 120


def root(service: str, endpoint: str):
    cfg = botocore.config.Config(region_name=REGION, retries={"max_attempts": 1, "mode": "standard"})
    return boto3.session.Session().client(service, endpoint_url=endpoint, aws_access_key_id="test",
                                          aws_secret_access_key="test", region_name=REGION, config=cfg)


def js_sdk_assumes_roles_through_profiles_and_code(ctx: Context) -> None:
    with running_server(ctx, "server") as srv:
        ep = srv.endpoint
        iam = root("iam", ep)
        srv.s3().create_bucket(Bucket=BUCKET)
        iam.create_user(UserName="dev")
        key = iam.create_access_key(UserName="dev")["AccessKey"]
        dev_arn = f"arn:aws:iam::{ACCOUNT}:user/dev"
        trust = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": dev_arn}, "Action": "sts:AssumeRole"}]}
        role = iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust))["Role"]
        iam.put_role_policy(RoleName=ROLE, PolicyName="write", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{BUCKET}/*"}]}))
        # A role dev may not assume: its trust policy names another user (naming the account
        # would let any of its principals whose own policies allow it in, dev included).
        iam.create_user(UserName="ops")
        iam.create_role(RoleName="closed", AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
                "AWS": f"arn:aws:iam::{ACCOUNT}:user/ops"}, "Action": "sts:AssumeRole"}]}))
        iam.put_user_policy(UserName="dev", PolicyName="assume", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}))

        files = ctx.tempdir("aws-files")
        (files / "config").write_text(
            f"[profile writer]\nrole_arn = {ROLE_ARN}\nsource_profile = dev\n"
            f"role_session_name = from-ini\nregion = {REGION}\n"
            f"[profile stranger]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/closed\nsource_profile = dev\n"
            f"region = {REGION}\n")
        (files / "credentials").write_text(
            f"[dev]\naws_access_key_id = {key['AccessKeyId']}\naws_secret_access_key = {key['SecretAccessKey']}\n")
        out = run_node(ctx, ep, files, key)

        ini, code = out["fromIni"], out["fromTemporaryCredentials"]
        for name, got in (("from-ini", ini), ("from-code", code)):
            expect_eq((got["arn"], got["account"]), (f"arn:aws:sts::{ACCOUNT}:assumed-role/{ROLE}/{name}", ACCOUNT),
                      f"GetCallerIdentity with the {name} credentials")
            expect_eq(got["userId"], f"{role['RoleId']}:{name}", f"UserId of {name}")
            expect(got["accessKeyId"].startswith("ASIA") and got["hasSessionToken"],
                   f"{name}: temporary credentials with a session token: {got}")
            expect(got["expiration"] is not None, f"{name}: the provider learnt the expiration")
            body = srv.s3().get_object(Bucket=BUCKET, Key=f"{name}.txt")["Body"].read()
            expect_eq(body, f"written as {name}.txt".encode(), f"the object written with {name}")
        stranger = out["stranger"]
        expect(stranger["refused"] and re.search(r"not authorized to perform: sts:AssumeRole", stranger["message"]),
               f"the profile of a role that does not trust dev: {stranger}")

        events = root("cloudtrail", ep).lookup_events(
            LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "AssumeRole"}])["Events"]
        # Each client resolves its provider once, so each session name shows up several times.
        sessions = {json.loads(e["CloudTrailEvent"])["requestParameters"]["roleSessionName"]
                    for e in events if json.loads(e["CloudTrailEvent"]).get("errorCode") is None}
        expect_eq(sessions, {"from-code", "from-ini"}, "the sessions of the AssumeRole calls recorded")
    ctx.note("fromIni (role_arn + source_profile) and fromTemporaryCredentials: PutObject and "
             "GetCallerIdentity as the role; an untrusting role refused")


def run_node(ctx: Context, endpoint: str, files: Path, key: dict) -> dict:
    node = shutil.which("node")
    expect(node is not None, "no node on PATH (.ci/run installs Node.js and e2e/js-sdk's packages)")
    env = {k: v for k, v in ctx.env.items() if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    env.update(AWS_CONFIG_FILE=str(files / "config"), AWS_SHARED_CREDENTIALS_FILE=str(files / "credentials"),
               AWS_ENDPOINT_URL=endpoint, AWS_REGION=REGION)
    try:
        r = subprocess.run([node, str(SCRIPT), endpoint, ROLE_ARN, BUCKET, key["AccessKeyId"],
                            key["SecretAccessKey"]], env=env, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise CheckFailed(f"the JavaScript SDK run did not finish in {TIMEOUT} s")
    if r.returncode != 0:
        raise CheckFailed(f"run.mjs: {r.stderr.strip()[-2000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


CHECKS = [js_sdk_assumes_roles_through_profiles_and_code]
