"""CloudTrail through boto3: every response body is checked against botocore's own model of the
operation's output (each member a modeled one, of the modeled type), then parsed by botocore.

stdin: {"endpoint", "bucket", "trail", "data_bucket", "policy"} (policy: the bucket policy that
lets CloudTrail write the trail's logs). stdout: what the Rust test checks further.
"""

import json
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

PROBLEMS = []


def check(shape, value, path):
    """Records every way `value` (raw JSON) departs from botocore's `shape`."""
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            PROBLEMS.append(f"{path}: {value!r} is not an object")
            return
        wire = {m.serialization.get("name", n): m for n, m in shape.members.items()}
        for k, v in value.items():
            if k not in wire:
                PROBLEMS.append(f"{path}.{k}: not a member of {shape.name}")
            else:
                check(wire[k], v, f"{path}.{k}")
    elif kind == "list":
        if not isinstance(value, list):
            PROBLEMS.append(f"{path}: {value!r} is not a list")
            return
        for i, v in enumerate(value):
            check(shape.member, v, f"{path}[{i}]")
    elif kind == "map":
        if not isinstance(value, dict):
            PROBLEMS.append(f"{path}: {value!r} is not a map")
    elif kind == "string":
        if not isinstance(value, str):
            PROBLEMS.append(f"{path}: {value!r} is not a string")
        elif shape.enum and value not in shape.enum:
            PROBLEMS.append(f"{path}: {value!r} is not one of {shape.enum}")
    elif kind == "boolean":
        if not isinstance(value, bool):
            PROBLEMS.append(f"{path}: {value!r} is not a boolean")
    elif kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            PROBLEMS.append(f"{path}: {value!r} is not an integer")
    elif kind == "timestamp":
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            PROBLEMS.append(f"{path}: {value!r} is not epoch seconds")


def on_response(operation_model, response_dict, **_):
    """Checks a raw response body before botocore parses it."""
    name = operation_model.name
    body = response_dict["body"]
    try:
        doc = json.loads(body) if body else {}
    except ValueError:
        PROBLEMS.append(f"{name}: body is not JSON: {body[:200]!r}")
        return
    if response_dict["status_code"] >= 300:
        if "__type" not in doc:
            PROBLEMS.append(f"{name}: error without __type: {doc}")
        return
    if operation_model.output_shape is None:
        if doc:
            PROBLEMS.append(f"{name}: unmodeled output {doc}")
        return
    check(operation_model.output_shape, doc, name)


def main():
    req = json.load(sys.stdin)
    session = boto3.session.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    )
    # No retries and bounded waits: a failure shows at once instead of hanging the test.
    config = Config(retries={"total_max_attempts": 1}, connect_timeout=10, read_timeout=30)
    s3 = session.client("s3", endpoint_url=req["endpoint"], config=config)
    ct = session.client("cloudtrail", endpoint_url=req["endpoint"], config=config)
    ct.meta.events.register("before-parse.cloudtrail.*", on_response)
    bucket, trail, data_bucket = req["bucket"], req["trail"], req["data_bucket"]

    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=req["policy"])
    s3.create_bucket(Bucket=data_bucket)

    created = ct.create_trail(Name=trail, S3BucketName=bucket, S3KeyPrefix="p")
    assert created["TrailARN"].endswith(":trail/" + trail), created
    assert created["S3KeyPrefix"] == "p", created
    status = ct.get_trail_status(Name=trail)
    assert status["IsLogging"] is False, status
    assert "StartLoggingTime" not in status, status
    ct.start_logging(Name=trail)
    status = ct.get_trail_status(Name=trail)
    assert status["IsLogging"] is True, status
    started = status["StartLoggingTime"]  # a datetime, parsed by botocore

    described = ct.describe_trails()["trailList"]
    assert [t["Name"] for t in described] == [trail], described
    assert described[0]["HomeRegion"] == "us-east-1", described
    assert described[0]["HasCustomEventSelectors"] is False, described
    listed = ct.list_trails()["Trails"]
    assert [t["Name"] for t in listed] == [trail], listed

    default = ct.get_event_selectors(TrailName=trail)
    assert default["EventSelectors"] == [
        {
            "ReadWriteType": "All",
            "IncludeManagementEvents": True,
            "DataResources": [],
            "ExcludeManagementEventSources": [],
        }
    ], default
    ct.put_event_selectors(
        TrailName=trail,
        EventSelectors=[
            {
                "ReadWriteType": "All",
                "IncludeManagementEvents": False,
                "DataResources": [
                    {"Type": "AWS::S3::Object", "Values": [f"arn:aws:s3:::{data_bucket}/"]}
                ],
            }
        ],
    )
    selectors = ct.get_event_selectors(TrailName=trail)
    data = selectors["EventSelectors"][0]["DataResources"]
    assert data == [{"Type": "AWS::S3::Object", "Values": [f"arn:aws:s3:::{data_bucket}/"]}]
    advanced = ct.put_event_selectors(
        TrailName=trail,
        AdvancedEventSelectors=[
            {
                "Name": "puts",
                "FieldSelectors": [
                    {"Field": "eventCategory", "Equals": ["Data"]},
                    {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
                    {"Field": "eventName", "Equals": ["PutObject"]},
                ],
            }
        ],
    )
    assert "EventSelectors" not in advanced, advanced
    assert advanced["AdvancedEventSelectors"][0]["Name"] == "puts", advanced

    s3.put_object(Bucket=data_bucket, Key="k", Body=b"hello")
    events = ct.lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "CreateTrail"}]
    )["Events"]
    assert len(events) == 1, events
    record = json.loads(events[0]["CloudTrailEvent"])
    assert events[0]["EventTime"].tzinfo is not None, events[0]
    assert events[0]["ReadOnly"] == "false", events[0]
    pages = ct.get_paginator("lookup_events").paginate(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "CreateBucket"}],
        PaginationConfig={"PageSize": 1},
    )
    buckets = [
        r["ResourceName"]
        for page in pages
        for e in page["Events"]
        for r in e["Resources"]
        if r["ResourceType"] == "AWS::S3::Bucket"
    ]
    puts = ct.lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "PutObject"}]
    )["Events"]
    ct.list_public_keys()
    ct.list_tags(ResourceIdList=[created["TrailARN"]])
    try:
        ct.get_trail(Name="no-such-trail")
        missing = None
    except ClientError as e:
        missing = e.response["Error"]["Code"]
    ct.stop_logging(Name=trail)
    stopped = ct.get_trail_status(Name=trail)
    assert stopped["IsLogging"] is False and stopped["StopLoggingTime"] >= started, stopped
    ct.delete_trail(Name=trail)

    json.dump(
        {
            "problems": PROBLEMS,
            "create_trail_record": record,
            "bucket_pages": buckets,
            "data_events_in_history": len(puts),
            "missing": missing,
        },
        sys.stdout,
    )


main()
