// "Include data events" in the event history. LookupEvents holds management events only, as in
// AWS; the data events trailstack recorded are those its trails took, and they are in the log
// files the trails delivered. So this reads them as any client could: DescribeTrails, then
// each trail's log files (ListObjectsV2, GetObject, gunzip), keeping the records whose
// eventCategory is Data that fall in the time range and match the lookup attribute, each once
// however many trails delivered it. Records a trail has not delivered yet show after it does
// ("Deliver now" on the trail's page).

import { describeTrails } from "../cloudtrail.js";
import { listAll } from "./delivered.js";
import { storedDocument } from "./validate.js";

/** At most this many log files are read per trail, newest first. */
const FILES_PER_TRAIL = 100;

/** The name LookupEvents gives the caller (its `Username`). */
function username(r) {
  const u = r.userIdentity || {};
  if (u.userName) return u.userName;
  if (u.type === "Root") return "root";
  if (u.invokedBy) return u.invokedBy;
  return u.sessionContext?.sessionIssuer?.userName || u.principalId || "";
}

/** Whether a record matches one lookup attribute as LookupEvents matches it. */
function matches(r, attr, value) {
  const resources = r.resources || [];
  switch (attr) {
    case "EventName": return r.eventName === value;
    case "EventSource": return r.eventSource === value;
    case "Username": return username(r) === value;
    case "ResourceName": return resources.some((x) => x.ARN === value || (x.ARN || "").endsWith(`:::${value}`));
    case "ResourceType": return resources.some((x) => x.type === value);
    case "ReadOnly": return String(r.readOnly) === value;
    case "AccessKeyId": return r.userIdentity?.accessKeyId === value;
    case "EventId": return r.eventID === value;
    default: return true;
  }
}

/** A record shaped as LookupEvents returns an event. */
function asEvent(r) {
  return {
    EventId: r.eventID, EventName: r.eventName, EventSource: r.eventSource, ReadOnly: String(r.readOnly),
    EventTime: Date.parse(r.eventTime) / 1000, Username: username(r), Category: "Data",
    Resources: (r.resources || []).map((x) => ({ ResourceType: x.type, ResourceName: x.ARN })),
    CloudTrailEvent: JSON.stringify(r),
  };
}

/**
 * The data events the trails delivered between `start` and `end` (seconds) that match
 * `attribute` ({key, value} or null), newest first, and the log files that could not be read
 * (each with AWS's error code: a disabled key, a denied GetObject, …).
 */
export async function deliveredDataEvents(start, end, attribute) {
  const trails = await describeTrails();
  const seen = new Map();
  const unreadable = [];
  for (const t of trails) {
    const [, , , , account] = t.TrailARN.split(":");
    const prefix = `${t.S3KeyPrefix ? `${t.S3KeyPrefix}/` : ""}AWSLogs/${account}/CloudTrail/`;
    let files;
    try {
      files = await listAll(t.S3BucketName, prefix);
    } catch (e) {
      unreadable.push({ where: `s3://${t.S3BucketName}/${prefix}`, code: e.code || String(e) });
      continue;
    }
    // A file holds records from before it was written: none of it is older than the range's
    // start if it was written before that.
    const recent = files.filter((f) => Date.parse(f.modified) / 1000 >= start)
      .sort((a, b) => (a.modified < b.modified ? 1 : -1)).slice(0, FILES_PER_TRAIL);
    for (const f of recent) {
      let records;
      try {
        records = JSON.parse(new TextDecoder().decode((await storedDocument(t.S3BucketName, f.key)).raw)).Records || [];
      } catch (e) {
        unreadable.push({ where: `s3://${t.S3BucketName}/${f.key}`, code: e.code || e.message });
        continue;
      }
      for (const r of records) {
        const at = Date.parse(r.eventTime) / 1000;
        if (r.eventCategory !== "Data" || at < start || at > end || seen.has(r.eventID)) continue;
        if (attribute && !matches(r, attribute.key, attribute.value)) continue;
        seen.set(r.eventID, asEvent(r));
      }
    }
  }
  const events = [...seen.values()].sort((a, b) => b.EventTime - a.EventTime);
  return { events, unreadable };
}
