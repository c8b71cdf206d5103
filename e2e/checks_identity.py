"""Checks of the identity services with the aws CLI and boto3: `aws sts get-caller-identity`
prints AWS's shape, STS's errors reach botocore as STS's codes, and a user and key made with
`aws iam` sign requests that its policies decide."""

from __future__ import annotations

import json

import boto3
import botocore.config
import botocore.exceptions

from harness import (
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


CHECKS = [get_caller_identity, iam_user_keys]
