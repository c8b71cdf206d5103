"""Checks of Signature Version 2 as tools still use it: `aws s3 presign` with the CLI's default
config (it presigns S3 with SigV2), boto3 with `signature_version="s3"` doing put, get, list and
a multipart upload, presigned URLs that expired, a wrong secret, and a bucket policy that
refuses SigV2 through `s3:signatureversion`."""

from __future__ import annotations

import json
import time
from unittest import mock

import botocore.auth

from harness import Context, client_error, expect, expect_eq, fetch, run_aws, running_server, xml_error

SIGV2 = {"signature_version": "s3"}


def cli_presign_sigv2(ctx: Context) -> None:
    """`aws s3 presign` with an empty config prints a SigV2 URL (AWSAccessKeyId, Signature,
    Expires) that urllib can GET; the same URL for another key is refused."""
    bucket, key = "e2e-sigv2-presign", "dir/shared report \u00e9.txt"
    body = b"shared through a SigV2 link\n" * 100
    with running_server(ctx, "server") as srv:
        s3 = srv.s3()
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key=key, Body=body)
        url = run_aws(ctx, srv.endpoint, "s3", "presign", f"s3://{bucket}/{key}",
                      "--expires-in", "300").stdout.strip()
        for part in ("AWSAccessKeyId=", "Signature=", "Expires="):
            expect(part in url, f"aws s3 presign made no SigV2 URL: {url}")
        status, _, data = fetch("GET", url)
        expect_eq((status, data), (200, body), "GET through the SigV2 URL of aws s3 presign")
        status, _, data = fetch("GET", url.replace("/dir/", "/other/"))
        expect_eq((status, xml_error(data).get("Code")), (403, "SignatureDoesNotMatch"),
                  "the URL used for another key")


def boto3_sigv2_presigned_and_expired(ctx: Context) -> None:
    """boto3 presigns GET and PUT with SigV2 (the PUT stores the bytes); URLs presigned an hour
    ago for one second get 403 AccessDenied "Request has expired" and store nothing."""
    bucket = "e2e-sigv2-expiry"
    with running_server(ctx, "server") as srv:
        s3 = srv.s3(**SIGV2)
        s3.create_bucket(Bucket=bucket)
        put_url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "up"}, ExpiresIn=300)
        expect("AWSAccessKeyId=" in put_url, f"boto3 presigned no SigV2 URL: {put_url}")
        # urllib would send a form Content-Type, which SigV2 signs: send it empty, as signed.
        status, _, data = fetch("PUT", put_url, data=b"put via url", headers={"Content-Type": ""})
        expect_eq(status, 200, f"SigV2 presigned PUT (body {data[:300]!r})")
        expect_eq(s3.get_object(Bucket=bucket, Key="up")["Body"].read(), b"put via url", "bytes of the PUT")

        an_hour_ago = time.time() - 3600
        with mock.patch.object(botocore.auth.time, "time", lambda: an_hour_ago):
            get_url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "up"}, ExpiresIn=1)
            late_put = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "late"}, ExpiresIn=1)
        for method, url, data in (("GET", get_url, None), ("PUT", late_put, b"nope")):
            status, _, body = fetch(method, url, data=data, headers={"Content-Type": ""})
            err = xml_error(body)
            expect_eq((status, err.get("Code"), err.get("Message")), (403, "AccessDenied", "Request has expired"),
                      f"expired SigV2 {method}")
        e = client_error(lambda: s3.head_object(Bucket=bucket, Key="late"))
        expect_eq(e.response["Error"]["Code"], "404", "HEAD of the key an expired PUT targeted")


def boto3_sigv2_client(ctx: Context) -> None:
    """A boto3 client with `signature_version="s3"` puts (with metadata), gets, lists, copies,
    tags, uploads in parts and deletes."""
    bucket = "e2e-sigv2-client"
    with running_server(ctx, "server") as srv:
        s3 = srv.s3(**SIGV2)
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="a b/\u00e9t\u00e9.txt", Body=b"summer", ContentType="text/plain",
                      Metadata={"origin": "boto3 sigv2"})
        got = s3.get_object(Bucket=bucket, Key="a b/\u00e9t\u00e9.txt", ResponseContentType="text/x-summer")
        expect_eq((got["Body"].read(), got["ContentType"], got["Metadata"]),
                  (b"summer", "text/x-summer", {"origin": "boto3 sigv2"}), "object read back")
        s3.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "a b/\u00e9t\u00e9.txt"})
        s3.put_object_tagging(Bucket=bucket, Key="copy", Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
        expect_eq(s3.get_object_tagging(Bucket=bucket, Key="copy")["TagSet"], [{"Key": "k", "Value": "v"}], "tags")

        part = b"p" * (5 * 1024 * 1024)
        up = s3.create_multipart_upload(Bucket=bucket, Key="big")["UploadId"]
        etags = [s3.upload_part(Bucket=bucket, Key="big", UploadId=up, PartNumber=n, Body=b)["ETag"]
                 for n, b in ((1, part), (2, b"tail"))]
        listed = s3.list_parts(Bucket=bucket, Key="big", UploadId=up)["Parts"]
        expect_eq([p["PartNumber"] for p in listed], [1, 2], "ListParts")
        s3.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=up, MultipartUpload={
            "Parts": [{"PartNumber": n, "ETag": e} for n, e in ((1, etags[0]), (2, etags[1]))]})
        expect_eq(s3.head_object(Bucket=bucket, Key="big")["ContentLength"], len(part) + 4, "multipart size")

        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
        expect_eq(keys, ["a b/\u00e9t\u00e9.txt", "big", "copy"], "ListObjectsV2")
        expect_eq([o["Key"] for o in s3.list_objects(Bucket=bucket, Prefix="a b/")["Contents"]],
                  ["a b/\u00e9t\u00e9.txt"], "ListObjects with a prefix")
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys]})
        expect_eq(s3.list_objects_v2(Bucket=bucket)["KeyCount"], 0, "objects left after DeleteObjects")
        s3.delete_bucket(Bucket=bucket)


def sigv2_wrong_secret_and_policy(ctx: Context) -> None:
    """SigV2 with the wrong secret gets 403 SignatureDoesNotMatch with the string to sign; a
    bucket policy denying `s3:signatureversion` `AWS` refuses SigV2 and lets SigV4 through."""
    bucket = "e2e-sigv2-denied"
    with running_server(ctx, "server") as srv:
        v4 = srv.s3()
        v4.create_bucket(Bucket=bucket)
        v4.put_object(Bucket=bucket, Key="k", Body=b"x")
        e = client_error(lambda: srv.s3(secret="wrong", **SIGV2).get_object(Bucket=bucket, Key="k"))
        err = e.response["Error"]
        expect_eq((e.response["ResponseMetadata"]["HTTPStatusCode"], err["Code"]), (403, "SignatureDoesNotMatch"),
                  "wrong secret")
        expect(err.get("StringToSign", "").endswith(f"/{bucket}/k"), f"StringToSign: {err.get('StringToSign')!r}")
        expect_eq(err.get("AWSAccessKeyId"), "test", "AWSAccessKeyId of the error")

        v2 = srv.s3(**SIGV2)
        expect_eq(v2.get_object(Bucket=bucket, Key="k")["Body"].read(), b"x", "SigV2 read before the policy")
        v4.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                "Condition": {"StringEquals": {"s3:signatureversion": "AWS"}},
            }],
        }))
        e = client_error(lambda: v2.get_object(Bucket=bucket, Key="k"))
        expect_eq(e.response["Error"]["Code"], "AccessDenied", "SigV2 read under the policy")
        expect_eq(v4.get_object(Bucket=bucket, Key="k")["Body"].read(), b"x", "SigV4 read under the policy")


CHECKS = [cli_presign_sigv2, boto3_sigv2_presigned_and_expired, boto3_sigv2_client, sigv2_wrong_secret_and_policy]
