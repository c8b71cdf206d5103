"""A browser form upload as boto3 prepares it: `generate_presigned_post` with the given
credentials (temporary ones add `x-amz-security-token` to the fields and to the policy's
conditions), posted as multipart/form-data. `token_field` replaces the token field's value
(`null`: the field is left out) to show what the server makes of another or no token.

stdin: {"endpoint", "bucket", "key", "access_key", "secret", "token", "body", ["token_field"]}.
stdout: {"status", "body", "fields"} (fields: the names boto3 put in the form).
"""

import json
import sys
import urllib.error
import urllib.request

import boto3
from botocore.config import Config


def multipart(fields, body):
    boundary = "----trailstack-post-form-boundary"
    out = b""
    for k, v in fields.items():
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
    out += (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="f.txt"\r\n'
            "Content-Type: text/plain\r\n\r\n").encode() + body + f"\r\n--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", out


def main():
    args = json.load(sys.stdin)
    s3 = boto3.client(
        "s3", endpoint_url=args["endpoint"], region_name="us-east-1",
        aws_access_key_id=args["access_key"], aws_secret_access_key=args["secret"],
        aws_session_token=args.get("token"),
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
    # Long enough that only the credentials, never the policy, can expire in the test.
    post = s3.generate_presigned_post(args["bucket"], args["key"], ExpiresIn=7 * 24 * 3600)
    fields = dict(post["fields"])
    if "token_field" in args:
        if args["token_field"] is None:
            fields.pop("x-amz-security-token", None)
        else:
            fields["x-amz-security-token"] = args["token_field"]
    content_type, body = multipart(fields, args["body"].encode())
    req = urllib.request.Request(post["url"], data=body, method="POST",
                                 headers={"Content-Type": content_type})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(req, timeout=30) as r:
            status, text = r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read().decode()
    print(json.dumps({"status": status, "body": text, "fields": sorted(post["fields"])}))


main()
