"""Checks of authentication as tools meet it: presigned URLs used by a plain HTTP client,
expired presigned URLs, a wrong secret, an unknown key, a request signed too long ago."""

from __future__ import annotations

import datetime
from unittest import mock

import botocore.auth
from botocore.exceptions import ClientError

from harness import (
    Context,
    CheckFailed,
    client_error,
    expect,
    expect_eq,
    fetch,
    raw,
    run_aws,
    running_server,
    s3_client,
    xml_error,
)


# boto3 still presigns S3 URLs with SigV2 unless told otherwise; these checks are about SigV4
# presigning, so their clients ask for s3v4 (SigV2's are in checks_sigv2).
PRESIGN = {"signature_version": "s3v4"}


def presigned_urls(ctx: Context) -> None:
    """generate_presigned_url (SigV4) for put_object and get_object and `aws s3 presign`,
    used with urllib; a URL altered to name another key is refused."""
    bucket = "e2e-presign"
    body = "presigned bytes \u2713\n".encode() * 1000
    with running_server(ctx, "server") as srv:
        s3 = srv.s3(**PRESIGN)
        s3.create_bucket(Bucket=bucket)
        key = "dir/pre signed \u00e9.bin"
        put_url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=300)
        status, headers, data = fetch("PUT", put_url, data=body)
        expect_eq(status, 200, f"presigned PUT status (body {data[:300]!r})")
        expect(headers.get("ETag", "").strip('"') != "", f"presigned PUT has no ETag: {headers}")
        got = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        expect_eq(got, body, "bytes stored by the presigned PUT")

        get_url = s3.generate_presigned_url(
            "get_object",
            Params={"Bucket": bucket, "Key": key, "ResponseContentDisposition": 'attachment; filename="x.bin"'},
            ExpiresIn=300)
        status, headers, data = fetch("GET", get_url)
        expect_eq(status, 200, f"presigned GET status (body {data[:300]!r})")
        expect_eq(data, body, "presigned GET bytes")
        expect_eq(headers.get("Content-Disposition"), 'attachment; filename="x.bin"',
                  "response-content-disposition override")

        # The CLI, too, presigns with SigV2 unless its config asks for s3v4.
        config = ctx.tempdir("aws-config") / "config"
        config.write_text("[default]\ns3 =\n    signature_version = s3v4\n")
        url = run_aws(ctx, srv.endpoint, "s3", "presign", f"s3://{bucket}/{key}", "--expires-in", "300",
                      env={"AWS_CONFIG_FILE": str(config)}).stdout.strip()
        expect("X-Amz-Signature=" in url, f"aws s3 presign made a URL that is not SigV4: {url}")
        status, _, data = fetch("GET", url)
        expect_eq((status, data), (200, body), "GET through the URL of aws s3 presign")

        status, _, data = fetch("GET", get_url.replace(bucket + "/dir", bucket + "/other"))
        expect_eq(status, 403, "presigned URL used for another key")
        expect_eq(xml_error(data).get("Code"), "SignatureDoesNotMatch", "another key's error code")


def presigned_expired(ctx: Context) -> None:
    """Presigned URLs signed an hour ago with ExpiresIn=1 (GET and PUT) are refused with 403
    AccessDenied "Request has expired", and the PUT stores nothing."""
    bucket = "e2e-expired"
    past = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - datetime.timedelta(hours=1)
    with running_server(ctx, "server") as srv:
        s3 = srv.s3(**PRESIGN)
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="k", Body=b"data")
        with mock.patch.object(botocore.auth, "get_current_datetime", lambda *a, **k: past):
            get_url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=1)
            put_url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "new"}, ExpiresIn=1)
        expect(f"X-Amz-Date={past:%Y%m%dT%H%M%SZ}" in get_url, f"URL not signed in the past: {get_url}")
        for method, url, data in (("GET", get_url, None), ("PUT", put_url, b"nope")):
            status, _, body = fetch(method, url, data=data)
            expect_eq(status, 403, f"expired presigned {method} status")
            err = xml_error(body)
            expect_eq(err.get("Code"), "AccessDenied", f"expired presigned {method} code")
            expect_eq(err.get("Message"), "Request has expired", f"expired presigned {method} message")
        try:
            s3.head_object(Bucket=bucket, Key="new")
            raise CheckFailed("an expired presigned PUT stored an object")
        except ClientError as e:
            expect_eq(e.response["Error"]["Code"], "404", "HEAD of the key an expired PUT targeted")


def wrong_secret(ctx: Context) -> None:
    """A client with the wrong secret gets 403 SignatureDoesNotMatch and changes nothing."""
    bucket = "e2e-wrong-secret"
    with running_server(ctx, "server") as srv:
        good = srv.s3()
        good.create_bucket(Bucket=bucket)
        bad = srv.s3(secret="wrong")
        calls = {
            "ListBuckets": lambda: bad.list_buckets(),
            "PutObject": lambda: bad.put_object(Bucket=bucket, Key="k", Body=b"x" * 70000),
            "GetObject": lambda: bad.get_object(Bucket=bucket, Key="k"),
            "DeleteBucket": lambda: bad.delete_bucket(Bucket=bucket),
        }
        for name, call in calls.items():
            e = client_error(call)
            expect_eq(e.response["ResponseMetadata"]["HTTPStatusCode"], 403, f"{name} status")
            expect_eq(e.response["Error"]["Code"], "SignatureDoesNotMatch", f"{name} code")
            expect_eq(e.response["Error"]["Message"],
                      "The request signature we calculated does not match the signature you provided. "
                      "Check your key and signing method.", f"{name} message")
            expect_eq(e.response["Error"].get("AWSAccessKeyId"), "test", f"{name} AWSAccessKeyId")
        expect_eq(good.list_objects_v2(Bucket=bucket).get("KeyCount"), 0, "objects after refused PUT")
        good.head_bucket(Bucket=bucket)


def unknown_key_and_skew(ctx: Context) -> None:
    """An unknown access key gets 403 InvalidAccessKeyId; a header signature 20 minutes old
    gets 403 RequestTimeTooSkewed; an unsigned request gets 403 AccessDenied."""
    with running_server(ctx, "server") as srv:
        stranger = s3_client(srv.endpoint, access_key="AKIANOSUCHKEY", secret="x")
        e = client_error(lambda: stranger.list_buckets())
        expect_eq((e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Code"]),
                  (403, "InvalidAccessKeyId"), "unknown access key")
        expect_eq(e.response["Error"].get("AWSAccessKeyId"), "AKIANOSUCHKEY", "InvalidAccessKeyId names the key")

        old = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - datetime.timedelta(minutes=20)
        with mock.patch.object(botocore.auth, "get_current_datetime", lambda *a, **k: old):
            status, _, body = raw(srv.endpoint, "GET", "/")
        expect_eq(status, 403, "skewed request status")
        expect_eq(xml_error(body).get("Code"), "RequestTimeTooSkewed", "skewed request code")

        status, _, body = raw(srv.endpoint, "GET", "/", signed=False)
        expect_eq((status, xml_error(body).get("Code")), (403, "AccessDenied"), "anonymous ListBuckets")


CHECKS = [presigned_urls, presigned_expired, wrong_secret, unknown_key_and_skew]
