"""boto3 over HTTPS with `verify=<the server's self-signed certificate>`: SSE-C PUT and GET.
A client trusting only the system's CAs must refuse the server; SSE-C over plain HTTP on the
same port is refused by the server.

stdin: {"endpoint": "https://localhost:<port>", "cert", "bucket", "key_b64"}.
stdout: {"body", "md5", "unverified", "plain_http"}.
"""

import base64
import json
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, SSLError


def client(endpoint, verify):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="us-east-1",
        verify=verify,
        config=Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"}),
    )


def main():
    args = json.load(sys.stdin)
    key = base64.b64decode(args["key_b64"])
    sse = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": key}
    s3 = client(args["endpoint"], args["cert"])
    bucket = args["bucket"]
    s3.create_bucket(Bucket=bucket)
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"sse-c over https", **sse)
    got = s3.get_object(Bucket=bucket, Key="k", **sse)
    out = {"body": got["Body"].read().decode(), "md5": put["SSECustomerKeyMD5"]}

    try:
        client(args["endpoint"], True).list_buckets()
        out["unverified"] = "accepted"
    except SSLError:
        out["unverified"] = "refused"

    plain = client(args["endpoint"].replace("https://", "http://"), None)
    try:
        plain.put_object(Bucket=bucket, Key="plain", Body=b"x", **sse)
        out["plain_http"] = "accepted"
    except ClientError as e:
        out["plain_http"] = e.response["Error"]["Code"]
    json.dump(out, sys.stdout)


main()
