"""Checks of the identity services with the aws CLI and boto3: `aws sts get-caller-identity`
prints AWS's shape for an account root, an IAM user and an assumed role (credentials from
`aws sts assume-role` in the environment, or a `role_arn`/`source_profile` profile the CLI
assumes itself), STS's errors reach botocore as STS's codes, and a user and key made with
`aws iam` sign requests that its policies decide."""

from __future__ import annotations

import json
import re

import boto3
import botocore.config
import botocore.exceptions

from harness import (
    ACCOUNT,
    REGION,
    CheckFailed,
    Context,
    aws_json,
    expect,
    expect_eq,
    run_aws,
    running_server,
    s3_client,
)


def sts_client(endpoint: str, access_key: str, secret: str):
    cfg = botocore.config.Config(region_name=REGION, retries={"max_attempts": 1, "mode": "standard"})
    return boto3.session.Session().client(
        "sts", endpoint_url=endpoint, aws_access_key_id=access_key, aws_secret_access_key=secret,
        region_name=REGION, config=cfg,
    )


def get_caller_identity(ctx: Context) -> None:
    """The CLI's get-caller-identity for the default root: UserId, Account, Arn; boto3 with an
    unknown key gets STS's 403 InvalidClientTokenId."""
    with running_server(ctx, "server") as srv:
        out = aws_json(ctx, srv.endpoint, "sts", "get-caller-identity")
        expect_eq(out, {"UserId": "000000000000", "Account": "000000000000",
                        "Arn": "arn:aws:iam::000000000000:root"}, "get-caller-identity")
        stranger = sts_client(srv.endpoint, "AKIANOSUCHKEY", "x")
        try:
            stranger.get_caller_identity()
            raise CheckFailed("an unknown key was accepted")
        except botocore.exceptions.ClientError as e:
            expect_eq((e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Code"]),
                      (403, "InvalidClientTokenId"), "unknown key")
            expect(e.response["Error"].get("Type") == "Sender", f"error type: {e.response['Error']}")


def iam_user_keys(ctx: Context) -> None:
    """The CLI creates a user and its access key; get-caller-identity with that key names the
    user; boto3 sees its inline policy decide an S3 call, and the deleted key refused."""
    with running_server(ctx, "server") as srv:
        aws_json(ctx, srv.endpoint, "iam", "create-user", "--user-name", "e2e-writer")
        key = aws_json(ctx, srv.endpoint, "iam", "create-access-key", "--user-name", "e2e-writer")["AccessKey"]
        env = {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}
        out = json.loads(run_aws(ctx, srv.endpoint, "sts", "get-caller-identity", "--output", "json",
                                 env=env).stdout)
        expect_eq(out["Arn"], "arn:aws:iam::000000000000:user/e2e-writer", "the new key's identity")
        expect(out["UserId"].startswith("AIDA"), f"UserId {out['UserId']}")
        srv.s3().create_bucket(Bucket="e2e-iam")
        writer = s3_client(srv.endpoint, access_key=key["AccessKeyId"], secret=key["SecretAccessKey"])
        try:
            writer.put_object(Bucket="e2e-iam", Key="k", Body=b"x")
            raise CheckFailed("a user without a policy wrote")
        except botocore.exceptions.ClientError as e:
            expect_eq(e.response["Error"]["Code"], "AccessDenied", "before the policy")
        doc = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::e2e-iam/*"}]}
        aws_json(ctx, srv.endpoint, "iam", "put-user-policy", "--user-name", "e2e-writer",
                 "--policy-name", "put", "--policy-document", json.dumps(doc))
        got = aws_json(ctx, srv.endpoint, "iam", "get-user-policy", "--user-name", "e2e-writer",
                       "--policy-name", "put")
        expect_eq(got["PolicyDocument"], doc, "the CLI decodes the URL-encoded document")
        writer.put_object(Bucket="e2e-iam", Key="k", Body=b"x")
        aws_json(ctx, srv.endpoint, "iam", "delete-access-key", "--user-name", "e2e-writer",
                 "--access-key-id", key["AccessKeyId"])
        try:
            writer.put_object(Bucket="e2e-iam", Key="k", Body=b"x")
            raise CheckFailed("a deleted key wrote")
        except botocore.exceptions.ClientError as e:
            expect_eq(e.response["Error"]["Code"], "InvalidAccessKeyId", "after the key is deleted")


def caller_identity_of_user_and_role(ctx: Context) -> None:
    """`aws sts get-caller-identity` as an IAM user, then as a role session twice: with the
    credentials `aws sts assume-role` printed put into the environment, and through a profile
    with `role_arn` and `source_profile`, for which the CLI calls AssumeRole itself. Each prints
    AWS's shape: UserId `AIDA…` or `AROA…:<session>`, Account, Arn."""
    with running_server(ctx, "server") as srv:
        ep = srv.endpoint
        aws_json(ctx, ep, "iam", "create-user", "--user-name", "carol")
        key = aws_json(ctx, ep, "iam", "create-access-key", "--user-name", "carol")["AccessKey"]
        carol = {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}
        user_arn = f"arn:aws:iam::{ACCOUNT}:user/carol"
        me = json.loads(run_aws(ctx, ep, "sts", "get-caller-identity", "--output", "json", env=carol).stdout)
        expect(re.fullmatch(r"AIDA[A-Z2-7]{17}", me["UserId"]) is not None, f"a user's UserId: {me}")
        expect_eq((me["Account"], me["Arn"]), (ACCOUNT, user_arn), "the user's identity")

        trust = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": user_arn}, "Action": "sts:AssumeRole"}]}
        role = aws_json(ctx, ep, "iam", "create-role", "--role-name", "reader",
                        "--assume-role-policy-document", json.dumps(trust))["Role"]
        expect(re.fullmatch(r"AROA[A-Z2-7]{17}", role["RoleId"]) is not None, f"RoleId {role['RoleId']}")
        allow = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role["Arn"]}]}
        aws_json(ctx, ep, "iam", "put-user-policy", "--user-name", "carol", "--policy-name", "assume",
                 "--policy-document", json.dumps(allow))

        out = json.loads(run_aws(ctx, ep, "sts", "assume-role", "--role-arn", role["Arn"],
                                 "--role-session-name", "from-env", "--output", "json", env=carol).stdout)
        creds = out["Credentials"]
        expect(creds["AccessKeyId"].startswith("ASIA"), f"temporary key {creds['AccessKeyId']}")
        session = {"AWS_ACCESS_KEY_ID": creds["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
                   "AWS_SESSION_TOKEN": creds["SessionToken"]}
        me = json.loads(run_aws(ctx, ep, "sts", "get-caller-identity", "--output", "json", env=session).stdout)
        expect_eq(me, {"UserId": f"{role['RoleId']}:from-env", "Account": ACCOUNT,
                       "Arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/reader/from-env"}, "the session from the env")
        expect_eq(out["AssumedRoleUser"], {"AssumedRoleId": me["UserId"], "Arn": me["Arn"]}, "AssumedRoleUser")

        profiles = ctx.scratch / "profiles"
        profiles.write_text(
            "[profile carol]\n"
            f"aws_access_key_id = {key['AccessKeyId']}\n"
            f"aws_secret_access_key = {key['SecretAccessKey']}\n"
            "[profile reader]\n"
            f"role_arn = {role['Arn']}\n"
            "source_profile = carol\n"
            "role_session_name = from-profile\n")
        # No key in the environment: the profile alone says who signs. HOME is the scratch dir,
        # since the CLI caches assumed-role credentials under ~/.aws/cli/cache.
        by_profile = {"AWS_CONFIG_FILE": str(profiles), "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "",
                      "HOME": str(ctx.tempdir("home"))}
        me = json.loads(run_aws(ctx, ep, "sts", "get-caller-identity", "--profile", "reader", "--output", "json",
                                env=by_profile).stdout)
        expect_eq(me, {"UserId": f"{role['RoleId']}:from-profile", "Account": ACCOUNT,
                       "Arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/reader/from-profile"},
                  "the session the CLI assumed from the profile")
    ctx.note("get-caller-identity as root, user, role session (env and role_arn profile) in AWS's shape")


CHECKS = [get_caller_identity, iam_user_keys, caller_identity_of_user_and_role]
