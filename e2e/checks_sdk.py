"""Checks with `aws s3api` (JSON outputs compared with what AWS returns) and with boto3's
managed transfers (multipart upload, parallel ranged download)."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zlib

from boto3.s3.transfer import TransferConfig

from harness import (
    MIB,
    Context,
    PseudoRandomReader,
    aws_json,
    expect,
    expect_eq,
    random_file,
    run_aws,
    running_server,
    sha256_file,
)


def _etag(data: bytes) -> str:
    return '"' + hashlib.md5(data).hexdigest() + '"'


def _crc32_b64(data: bytes) -> str:
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


def s3api_objects(ctx: Context) -> None:
    """put/get/head-object, list-objects-v2 with delimiter and prefix, copy-object, delete-objects."""
    work = ctx.tempdir("files")
    bucket = "e2e-s3api"
    bodies = {
        "docs/a.txt": b"hello, world\n",
        "docs/b.txt": b"b" * 5000,
        "docs/sub/c.txt": b"c",
        "img/x.png": bytes(range(256)) * 100,
        "top.txt": b"top",
    }
    with running_server(ctx, "server") as srv:
        api = lambda *a: aws_json(ctx, srv.endpoint, "s3api", *a)  # noqa: E731
        out = api("create-bucket", "--bucket", bucket)
        expect_eq(out.get("Location"), f"/{bucket}", "create-bucket Location")

        for key, body in bodies.items():
            f = work / "body"
            f.write_bytes(body)
            args = ["put-object", "--bucket", bucket, "--key", key, "--body", str(f)]
            if key == "docs/a.txt":
                args += ["--content-type", "text/plain", "--metadata", "colour=blue,size=small",
                         "--cache-control", "max-age=60"]
            out = api(*args)
            expect_eq(out.get("ETag"), _etag(body), f"put-object {key} ETag")
            if "ChecksumCRC32" in out:
                expect_eq(out["ChecksumCRC32"], _crc32_b64(body), f"put-object {key} ChecksumCRC32")

        out = api("head-object", "--bucket", bucket, "--key", "docs/a.txt")
        expect_eq(out.get("ContentLength"), len(bodies["docs/a.txt"]), "head-object ContentLength")
        expect_eq(out.get("ETag"), _etag(bodies["docs/a.txt"]), "head-object ETag")
        expect_eq(out.get("ContentType"), "text/plain", "head-object ContentType")
        expect_eq(out.get("CacheControl"), "max-age=60", "head-object CacheControl")
        expect_eq(out.get("Metadata"), {"colour": "blue", "size": "small"}, "head-object Metadata")
        expect_eq(out.get("AcceptRanges"), "bytes", "head-object AcceptRanges")
        expect("LastModified" in out, f"head-object has no LastModified: {out}")

        dest = work / "got"
        out = api("get-object", "--bucket", bucket, "--key", "docs/a.txt", str(dest))
        expect_eq(dest.read_bytes(), bodies["docs/a.txt"], "get-object bytes")
        expect_eq(out.get("ContentLength"), len(bodies["docs/a.txt"]), "get-object ContentLength")
        expect_eq(out.get("ETag"), _etag(bodies["docs/a.txt"]), "get-object ETag")
        out = api("get-object", "--bucket", bucket, "--key", "img/x.png", "--range", "bytes=10-19", str(dest))
        expect_eq(dest.read_bytes(), bodies["img/x.png"][10:20], "ranged get-object bytes")
        expect_eq(out.get("ContentRange"), f"bytes 10-19/{len(bodies['img/x.png'])}", "ContentRange")
        expect_eq(out.get("ContentLength"), 10, "ranged ContentLength")

        out = api("list-objects-v2", "--bucket", bucket, "--delimiter", "/")
        expect_eq([c["Key"] for c in out.get("Contents", [])], ["top.txt"], "root Contents")
        expect_eq(out.get("CommonPrefixes"), [{"Prefix": "docs/"}, {"Prefix": "img/"}], "root CommonPrefixes")
        top = out["Contents"][0]
        expect_eq(top.get("Size"), 3, "top.txt Size")
        expect_eq(top.get("ETag"), _etag(b"top"), "top.txt ETag")
        expect_eq(top.get("StorageClass"), "STANDARD", "top.txt StorageClass")

        # --no-paginate: the CLI's paginator leaves out non-aggregated fields like Delimiter.
        out = api("list-objects-v2", "--bucket", bucket, "--prefix", "docs/", "--delimiter", "/", "--no-paginate")
        expect_eq([c["Key"] for c in out.get("Contents", [])], ["docs/a.txt", "docs/b.txt"], "docs/ Contents")
        expect_eq(out.get("CommonPrefixes"), [{"Prefix": "docs/sub/"}], "docs/ CommonPrefixes")
        expect_eq(out.get("Prefix"), "docs/", "Prefix echoed")
        expect_eq(out.get("Delimiter"), "/", "Delimiter echoed")
        expect_eq(out.get("KeyCount"), 3, "docs/ KeyCount")
        expect_eq(out.get("IsTruncated"), False, "docs/ IsTruncated")

        out = api("list-objects-v2", "--bucket", bucket, "--max-keys", "2", "--no-paginate")
        expect_eq([c["Key"] for c in out.get("Contents", [])], ["docs/a.txt", "docs/b.txt"], "first page")
        expect_eq(out.get("IsTruncated"), True, "first page IsTruncated")
        token = out.get("NextContinuationToken")
        expect(bool(token), f"no NextContinuationToken: {out}")
        out = api("list-objects-v2", "--bucket", bucket, "--max-keys", "2", "--no-paginate",
                  "--continuation-token", token)
        expect_eq([c["Key"] for c in out.get("Contents", [])], ["docs/sub/c.txt", "img/x.png"], "second page")

        out = api("copy-object", "--bucket", bucket, "--key", "copies/a.txt",
                  "--copy-source", f"{bucket}/docs/a.txt")
        expect_eq(out.get("CopyObjectResult", {}).get("ETag"), _etag(bodies["docs/a.txt"]), "copy ETag")
        expect("LastModified" in out.get("CopyObjectResult", {}), f"copy has no LastModified: {out}")
        out = api("head-object", "--bucket", bucket, "--key", "copies/a.txt")
        expect_eq(out.get("Metadata"), {"colour": "blue", "size": "small"}, "COPY keeps metadata")
        expect_eq(out.get("ContentType"), "text/plain", "COPY keeps ContentType")
        api("copy-object", "--bucket", bucket, "--key", "copies/a.json", "--copy-source",
            f"{bucket}/docs/a.txt", "--metadata-directive", "REPLACE", "--content-type", "application/json",
            "--metadata", "kind=json")
        out = api("head-object", "--bucket", bucket, "--key", "copies/a.json")
        expect_eq(out.get("Metadata"), {"kind": "json"}, "REPLACE metadata")
        expect_eq(out.get("ContentType"), "application/json", "REPLACE ContentType")
        api("get-object", "--bucket", bucket, "--key", "copies/a.json", str(dest))
        expect_eq(dest.read_bytes(), bodies["docs/a.txt"], "copied bytes")

        spec = {"Objects": [{"Key": "docs/a.txt"}, {"Key": "copies/a.txt"}, {"Key": "never/existed"}]}
        out = api("delete-objects", "--bucket", bucket, "--delete", json.dumps(spec))
        expect_eq(sorted(d["Key"] for d in out.get("Deleted", [])),
                  ["copies/a.txt", "docs/a.txt", "never/existed"], "delete-objects Deleted")
        expect("Errors" not in out, f"delete-objects Errors: {out.get('Errors')}")
        spec = {"Objects": [{"Key": "docs/b.txt"}], "Quiet": True}
        out = api("delete-objects", "--bucket", bucket, "--delete", json.dumps(spec))
        expect("Deleted" not in out, f"quiet delete-objects still lists Deleted: {out}")

        p = run_aws(ctx, srv.endpoint, "s3api", "head-object", "--bucket", bucket, "--key", "docs/a.txt",
                    check=False)
        expect(p.returncode != 0 and "(404)" in p.stderr, f"head of a deleted key: {p.stderr!r}")
        p = run_aws(ctx, srv.endpoint, "s3api", "get-object", "--bucket", bucket, "--key", "docs/b.txt",
                    str(dest), check=False)
        expect(p.returncode != 0 and "NoSuchKey" in p.stderr, f"get of a deleted key: {p.stderr!r}")
        out = api("list-objects-v2", "--bucket", bucket)
        expect_eq(sorted(c["Key"] for c in out.get("Contents", [])),
                  ["copies/a.json", "docs/sub/c.txt", "img/x.png", "top.txt"], "keys left")


def s3api_versioning(ctx: Context) -> None:
    """put-bucket-versioning, versions and delete markers in list-object-versions, GET by
    version, delete-objects of versions, suspended versioning's null version."""
    work = ctx.tempdir("files")
    bucket = "e2e-versions"
    with running_server(ctx, "server") as srv:
        api = lambda *a: aws_json(ctx, srv.endpoint, "s3api", *a)  # noqa: E731
        api("create-bucket", "--bucket", bucket)
        expect_eq(api("get-bucket-versioning", "--bucket", bucket), {}, "versioning of a new bucket")
        api("put-bucket-versioning", "--bucket", bucket, "--versioning-configuration", "Status=Enabled")
        expect_eq(api("get-bucket-versioning", "--bucket", bucket).get("Status"), "Enabled", "Status")

        f = work / "body"
        ids = []
        for body in (b"version one", b"version two!"):
            f.write_bytes(body)
            out = api("put-object", "--bucket", bucket, "--key", "v.txt", "--body", str(f))
            expect(bool(out.get("VersionId")) and out["VersionId"] != "null", f"put-object VersionId: {out}")
            expect_eq(out.get("ETag"), _etag(body), "versioned put ETag")
            ids.append(out["VersionId"])
        expect(ids[0] != ids[1], f"two puts got the same VersionId {ids[0]}")

        out = api("list-object-versions", "--bucket", bucket)
        vers = out.get("Versions", [])
        expect_eq([(v["Key"], v["VersionId"], v["IsLatest"], v["Size"]) for v in vers],
                  [("v.txt", ids[1], True, 12), ("v.txt", ids[0], False, 11)], "Versions (newest first)")
        expect_eq(vers[1]["ETag"], _etag(b"version one"), "old version ETag")
        expect("DeleteMarkers" not in out, f"unexpected DeleteMarkers: {out}")

        out = api("delete-object", "--bucket", bucket, "--key", "v.txt")
        expect_eq(out.get("DeleteMarker"), True, "delete-object DeleteMarker")
        marker = out.get("VersionId")
        expect(bool(marker), f"delete marker without VersionId: {out}")
        out = api("list-object-versions", "--bucket", bucket, "--prefix", "v")
        expect_eq([(m["Key"], m["VersionId"], m["IsLatest"]) for m in out.get("DeleteMarkers", [])],
                  [("v.txt", marker, True)], "DeleteMarkers")
        expect_eq([v["IsLatest"] for v in out.get("Versions", [])], [False, False], "versions behind marker")

        p = run_aws(ctx, srv.endpoint, "s3api", "get-object", "--bucket", bucket, "--key", "v.txt",
                    str(work / "x"), check=False)
        expect(p.returncode != 0 and "NoSuchKey" in p.stderr, f"get behind a delete marker: {p.stderr!r}")
        out = api("get-object", "--bucket", bucket, "--key", "v.txt", "--version-id", ids[0], str(work / "x"))
        expect_eq((work / "x").read_bytes(), b"version one", "get-object by VersionId")
        expect_eq(out.get("VersionId"), ids[0], "get-object VersionId")

        spec = {"Objects": [{"Key": "v.txt", "VersionId": v} for v in (marker, *ids)]}
        out = api("delete-objects", "--bucket", bucket, "--delete", json.dumps(spec))
        deleted = {d["VersionId"]: d for d in out.get("Deleted", [])}
        expect_eq(sorted(deleted), sorted([marker, *ids]), "delete-objects of versions")
        expect_eq(deleted[marker].get("DeleteMarker"), True, "deleting a marker reports DeleteMarker")
        expect_eq(deleted[marker].get("DeleteMarkerVersionId"), marker, "DeleteMarkerVersionId")
        out = api("list-object-versions", "--bucket", bucket)
        expect("Versions" not in out and "DeleteMarkers" not in out, f"versions left: {out}")

        api("put-bucket-versioning", "--bucket", bucket, "--versioning-configuration", "Status=Suspended")
        expect_eq(api("get-bucket-versioning", "--bucket", bucket).get("Status"), "Suspended", "Status")
        f.write_bytes(b"suspended")
        api("put-object", "--bucket", bucket, "--key", "s.txt", "--body", str(f))
        out = api("list-object-versions", "--bucket", bucket)
        expect_eq([(v["Key"], v["VersionId"], v["IsLatest"]) for v in out.get("Versions", [])],
                  [("s.txt", "null", True)], "null version under suspended versioning")


BOTO_BIG = 100 * MIB
STREAM = 40 * MIB


def _multipart_etag(path, part: int) -> str:
    digests = []
    with open(path, "rb") as f:
        while chunk := f.read(part):
            digests.append(hashlib.md5(chunk).digest())
    return f'"{hashlib.md5(b"".join(digests)).hexdigest()}-{len(digests)}"'


def boto3_transfer(ctx: Context) -> None:
    """upload_file of 100 MiB in 8 MiB parts on 8 threads, download_file with parallel ranged
    GETs, SHA-256 equal, the multipart ETag as AWS computes it, HEAD by part number;
    upload_fileobj from a non-seekable stream, download_fileobj into a hashing sink; no upload
    left behind; an empty PUT does not stall the next one on its connection."""
    work = ctx.tempdir("files")
    src, dst = work / "up.bin", work / "down.bin"
    want = random_file(src, BOTO_BIG, seed=3)
    bucket = "e2e-boto3"
    with running_server(ctx, "server") as srv:
        s3 = srv.s3(max_pool_connections=16)
        s3.create_bucket(Bucket=bucket)
        up = TransferConfig(multipart_threshold=8 * MIB, multipart_chunksize=8 * MIB, max_concurrency=8)
        s3.upload_file(str(src), bucket, "big.bin", Config=up)
        head = s3.head_object(Bucket=bucket, Key="big.bin")
        expect_eq(head["ContentLength"], BOTO_BIG, "ContentLength")
        expect_eq(head["ETag"], _multipart_etag(src, 8 * MIB), "multipart ETag")

        part = s3.head_object(Bucket=bucket, Key="big.bin", PartNumber=2)
        expect_eq(part["ContentLength"], 8 * MIB, "HEAD partNumber=2 ContentLength")
        expect_eq(part.get("PartsCount"), 13, "PartsCount")

        down = TransferConfig(multipart_threshold=1 * MIB, multipart_chunksize=4 * MIB, max_concurrency=8)
        ranges = []
        s3.meta.events.register(
            "before-send.s3.GetObject", lambda request, **_: ranges.append(request.headers.get("Range")))
        s3.download_file(bucket, "big.bin", str(dst), Config=down)
        expect_eq(sha256_file(dst), want, "SHA-256 of the download")
        expect(len(ranges) == 25 and all(ranges), f"download used {len(ranges)} GETs, ranges {ranges[:3]}...")

        # A non-seekable stream of unknown length up, and down into a write-only hashing sink.
        reader = PseudoRandomReader(STREAM, seed=4)
        s3.upload_fileobj(reader, bucket, "stream.bin", Config=up)
        expect_eq(reader.given, STREAM, "bytes read from the stream")
        sink = HashingSink()
        s3.download_fileobj(bucket, "stream.bin", sink, Config=down)
        expect_eq((sink.size, sink.sha256.hexdigest()), (STREAM, reader.sha256.hexdigest()),
                  "size and SHA-256 of the streamed object")

        uploads = s3.list_multipart_uploads(Bucket=bucket)
        expect_eq(uploads.get("Uploads", []), [], "multipart uploads left")

        # An empty file, then a non-empty one, over one kept-alive connection: botocore sends
        # `Expect: 100-continue` for both (boto/botocore#3755 is what goes wrong when the server
        # answers the empty one without closing).
        # The stalled request times out and is retried, so it shows as a retry.
        one = srv.s3(max_pool_connections=1, read_timeout=5)
        for key, body in (("empty", b""), ("after-empty", b"not empty")):
            out = one.put_object(Bucket=bucket, Key=key, Body=io.BytesIO(body))
            expect_eq(out.get("ETag"), _etag(body), f"ETag of {key!r}")
            expect_eq(out["ResponseMetadata"].get("RetryAttempts"), 0, f"retries of the PUT of {key!r}")
    ctx.note("100 MiB in 13 parts up, 25 ranged GETs down; 40 MiB from a stream up and down; "
             "no stall after an empty PUT")


class HashingSink:
    """A write-only, non-seekable file object that only hashes what it is given."""

    def __init__(self):
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data) -> int:
        self.sha256.update(data)
        self.size += len(data)
        return len(data)


CHECKS = [s3api_objects, s3api_versioning, boto3_transfer]
