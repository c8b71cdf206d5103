"""Shared helpers of the cross-check scripts: JSON with base64 blobs on stdin and stdout."""

import base64
import json
import sys


def read():
    """The request: a JSON object on stdin."""
    return json.load(sys.stdin)


def blob(request, name):
    """A base64 field of the request, as bytes."""
    return base64.b64decode(request[name])


def reply(**fields):
    """Writes the answer; bytes values are sent as base64."""
    out = {
        k: base64.b64encode(v).decode() if isinstance(v, (bytes, bytearray)) else v
        for k, v in fields.items()
    }
    json.dump(out, sys.stdout)
