"""Checks with the high-level `aws s3` commands: large multipart copies, sync of a tree with
awkward names, recursive removal, and persistence across a server restart."""

from __future__ import annotations

import os
import re
from pathlib import Path

from harness import (
    MIB,
    CheckFailed,
    Context,
    expect,
    expect_eq,
    random_file,
    run_aws,
    running_server,
    sha256_file,
    sha256_object,
)

BIG = 100 * MIB


def cli_cp_large(ctx: Context) -> None:
    """mb, cp of 100 MiB up (multipart) and back, ls, restart on the same data dir, rm, rb."""
    work = ctx.tempdir("files")
    src = work / "big.bin"
    want = random_file(src, BIG, seed=1)
    bucket = "e2e-cli-large"
    with running_server(ctx, "server") as srv:
        aws = lambda *a, **k: run_aws(ctx, srv.endpoint, *a, **k)  # noqa: E731
        out = aws("s3", "mb", f"s3://{bucket}").stdout
        expect(f"make_bucket: {bucket}" in out, f"mb printed {out!r}")
        out = aws("s3", "cp", str(src), f"s3://{bucket}/dir/big.bin").stdout
        expect("upload: " in out and f"s3://{bucket}/dir/big.bin" in out, f"cp up printed {out!r}")

        head = srv.s3().head_object(Bucket=bucket, Key="dir/big.bin")
        expect_eq(head["ContentLength"], BIG, "size after cp")
        expect(head["ETag"].strip('"').endswith("-13"),
               f"the CLI uploads 100 MiB in 13 parts of 8 MiB; ETag is {head['ETag']}")

        out = aws("s3", "ls").stdout
        expect(any(line.split()[-1:] == [bucket] for line in out.splitlines()), f"ls lists buckets: {out!r}")
        out = aws("s3", "ls", f"s3://{bucket}/").stdout
        expect_eq(out.strip(), "PRE dir/", "ls of bucket root")
        out = aws("s3", "ls", f"s3://{bucket}/dir/").stdout.split()
        expect(out[-2:] == [str(BIG), "big.bin"], f"ls of dir/: {out!r}")

        down = work / "down.bin"
        aws("s3", "cp", f"s3://{bucket}/dir/big.bin", str(down))
        expect_eq(sha256_file(down), want, "SHA-256 of the downloaded copy")
        down.unlink()

        srv.restart()  # on the same data dir (and a new port, which `aws` reads at each call)
        out = aws("s3", "ls", "--recursive", f"s3://{bucket}").stdout.split()
        expect(out[-2:] == [str(BIG), "dir/big.bin"], f"ls after restart: {out!r}")
        aws("s3", "cp", f"s3://{bucket}/dir/big.bin", str(down))
        expect_eq(sha256_file(down), want, "SHA-256 after restart")

        # A server-side copy this large is a multipart copy (UploadPartCopy of 8 MiB ranges).
        out = aws("s3", "cp", f"s3://{bucket}/dir/big.bin", f"s3://{bucket}/copy.bin").stdout
        expect(f"copy: s3://{bucket}/dir/big.bin to s3://{bucket}/copy.bin" in out, f"cp copy printed {out!r}")
        out = aws("s3", "mv", f"s3://{bucket}/copy.bin", f"s3://{bucket}/moved.bin").stdout
        expect(f"move: s3://{bucket}/copy.bin to s3://{bucket}/moved.bin" in out, f"mv printed {out!r}")
        s3 = srv.s3()
        expect_eq(sha256_object(s3, bucket, "moved.bin"), want, "SHA-256 of the copied and moved object")
        etag = s3.head_object(Bucket=bucket, Key="moved.bin")["ETag"]
        expect(etag.endswith('-13"'), f"the CLI copies 100 MiB in 13 part copies; ETag is {etag}")
        expect_eq(s3.list_objects_v2(Bucket=bucket).get("KeyCount"), 2, "objects after cp and mv")

        for key in ("dir/big.bin", "moved.bin"):
            out = aws("s3", "rm", f"s3://{bucket}/{key}").stdout
            expect(f"delete: s3://{bucket}/{key}" in out, f"rm printed {out!r}")
        out = aws("s3", "rb", f"s3://{bucket}").stdout
        expect(f"remove_bucket: {bucket}" in out, f"rb printed {out!r}")
        out = aws("s3", "ls").stdout
        expect(bucket not in out, f"bucket still listed after rb: {out!r}")
    ctx.note("100 MiB up, down, copied and moved, identical before and after restart")


TREE = {
    "a.txt": b"alpha\n",
    "empty.txt": b"",
    "sub/b.bin": 300 * 1024,
    "sub/deeper/c.txt": b"gamma " * 1000,
    "sub/nine-mib.bin": 9 * MIB,
    "with space/\u00fcn\u00efc\u00f8d\u00e9 \u6587\u4ef6.txt": "h\u00e9llo w\u00f6rld \u2603\n".encode(),
    "plus+and=equals&amp.txt": b"symbols\n",
}


def _write_tree(root: Path) -> dict[str, bytes]:
    files = {}
    for i, (rel, content) in enumerate(TREE.items()):
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, int):
            random_file(p, content, seed=100 + i)
            files[rel] = p.read_bytes()
        else:
            p.write_bytes(content)
            files[rel] = content
    return files


def _read_tree(root: Path) -> dict[str, bytes]:
    out = {}
    for dirpath, _, names in os.walk(root):
        for n in names:
            p = Path(dirpath) / n
            out[p.relative_to(root).as_posix()] = p.read_bytes()
    return out


def cli_sync(ctx: Context) -> None:
    """sync of a tree (spaces, unicode, symbols, empty file, a multipart file) up and down,
    a no-op second sync, sync --delete, cp from stdin and to stdout, ls --recursive,
    rm --recursive, rb."""
    work = ctx.tempdir("tree")
    up, down = work / "up", work / "down"
    files = _write_tree(up)
    bucket = "e2e-cli-sync"
    with running_server(ctx, "server") as srv:
        aws = lambda *a, **k: run_aws(ctx, srv.endpoint, *a, **k)  # noqa: E731
        aws("s3", "mb", f"s3://{bucket}")
        out = aws("s3", "sync", "--no-progress", str(up), f"s3://{bucket}/tree").stdout
        uploads = [line for line in out.splitlines() if line.startswith("upload:")]
        expect_eq(len(uploads), len(files), f"sync up upload lines ({out!r})")

        listing = {}
        for line in aws("s3", "ls", "--recursive", f"s3://{bucket}/").stdout.splitlines():
            date, tm, size, key = line.split(None, 3)
            listing[key] = int(size)
        want = {f"tree/{k}": len(v) for k, v in files.items()}
        expect_eq(listing, want, "ls --recursive after sync")

        out = aws("s3", "sync", "--no-progress", str(up), f"s3://{bucket}/tree").stdout
        expect_eq(out.strip(), "", "a second sync of an unchanged tree uploads nothing")

        out = aws("s3", "sync", "--no-progress", f"s3://{bucket}/tree", str(down)).stdout
        got = _read_tree(down)
        if got != files:
            missing = sorted(set(files) - set(got))
            extra = sorted(set(got) - set(files))
            differ = sorted(k for k in set(files) & set(got) if files[k] != got[k])
            raise CheckFailed(f"sync down differs: missing {missing}, extra {extra}, differ {differ}")

        (up / "a.txt").unlink()
        out = aws("s3", "sync", "--no-progress", "--delete", str(up), f"s3://{bucket}/tree").stdout
        expect_eq(out.strip(), f"delete: s3://{bucket}/tree/a.txt", "sync --delete of a removed file")

        text = "streamed through stdin\n" * 50000
        aws("s3", "cp", "-", f"s3://{bucket}/stdin.txt", input=text)
        out = aws("s3", "cp", f"s3://{bucket}/stdin.txt", "-").stdout
        expect(out == text, f"cp of stdin read back through stdout: {len(out)} chars, want {len(text)}")

        out = aws("s3", "rm", "--recursive", f"s3://{bucket}/").stdout  # rm has no --no-progress
        deletes = [line for line in re.split(r"[\r\n]+", out) if line.startswith("delete:")]
        # the tree less a.txt, plus stdin.txt
        expect_eq(len(deletes), len(files), f"rm --recursive delete lines ({out!r})")
        out = aws("s3", "ls", "--recursive", f"s3://{bucket}/", check=False).stdout
        expect_eq(out.strip(), "", "listing after rm --recursive")
        aws("s3", "rb", f"s3://{bucket}")
        p = aws("s3", "ls", f"s3://{bucket}", check=False)
        expect(p.returncode != 0 and "NoSuchBucket" in p.stderr, f"ls of a removed bucket: {p.stderr!r}")
    ctx.note(f"{len(files)} files synced up and down")


CHECKS = [cli_cp_large, cli_sync]
