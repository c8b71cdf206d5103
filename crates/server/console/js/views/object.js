// An object's page: what `trailstack explain s3://bucket/key` says (size, ETag, encryption and
// the rule that chose it, who wrote it, whether the signed-in user can read it, the trails that
// log its data events, and for a CloudTrail file its trail, period and hash check), then its
// versions (ListObjectVersions), metadata (HeadObject) and tags (GetObjectTagging).

import { h, loading, fill, panel, table, facts, errorBox, bytes } from "../dom.js";
import { explain } from "../cloudtrail.js";
import { s3Xml, text, all } from "../aws.js";
import { headObject } from "../s3.js";
import { bucketHref } from "./bucket.js";

const keyLink = (k) => h("a", { href: `#/keys/${encodeURIComponent(k.arn)}` }, k.aliases[0] || k.arn);

export async function objectView(bucket, key) {
  const slash = key.lastIndexOf("/");
  const folder = slash >= 0 ? key.slice(0, slash + 1) : "";
  const head = h("div", {},
    h("div", { class: "crumbs" }, h("a", { href: "#/buckets" }, "Buckets"), " / ",
      h("a", { href: bucketHref(bucket, folder) }, bucket), " / ", key),
    h("h1", {}, key));
  const report = loading("Loading…");
  const more = loading();
  explain(`s3://${bucket}/${key}`).then((r) => fill(report, overview(r))).catch((e) => fill(report, errorBox(e)));
  Promise.allSettled([versions(bucket, key), metadata(bucket, key), tags(bucket, key)]).then((parts) =>
    fill(more, h("div", { class: "grid" }, parts.map((p) => (p.status === "fulfilled" ? p.value : panel("Error", errorBox(p.reason)))))));
  return h("div", {}, head, report, more);
}

function overview(o) {
  const enc = o.encryption;
  const w = o.written_by;
  const sse = enc ? [enc.mode, enc.key ? [", key ", keyLink(enc.key), ` (${enc.key.state})`] : null,
    enc.key ? `, Bucket Key ${enc.bucket_key ? "on" : "off"}` : null] : "not recorded";
  const readable = h("span", { class: `badge ${o.readable.can_read ? "on" : "off"}` }, o.readable.summary);
  const trails = table(["Trail", "Logging", "Reads", "Writes", "Selectors"], o.data_events.map((c) => [
    h("a", { href: `#/trails/${encodeURIComponent(c.trail.name)}` }, c.trail.name), c.logging ? "Yes" : "No",
    c.read ? "Yes" : "No", c.write ? "Yes" : "No", c.selectors.map((s) => s.description).join("; ")]),
  "No trail logs this object's data events.");
  const f = o.cloudtrail_file;
  return h("div", {},
    panel("Overview", facts([
      ["Size", `${bytes(o.size)} (${o.size} bytes)`],
      ["ETag", o.etag],
      ["Version", o.version_id],
      ["Last modified", o.last_modified],
      ["Server-side encryption", h("span", {}, sse)],
      ["Chosen by", o.rule ? `${o.rule.text}: ${o.rule.because}` : "—"],
      ["Written by", w ? `${w.principal}${w.invoked_by && w.invoked_by !== w.principal ? ` via ${w.invoked_by}` : ""}` +
        `${w.on_behalf_of ? ` for ${w.on_behalf_of}` : ""} at ${w.time}, request ${w.request_id}` : "not recorded"],
      ["Readable by you", readable],
      o.object_lock ? ["Object Lock", o.object_lock.summary] : null,
    ])),
    panel("Data events", trails),
    f ? panel("CloudTrail file", facts([
      ["Type", f.file_type === "log" ? "Log file" : "Digest file"],
      ["Trail", h("a", { href: `#/trails/${encodeURIComponent(f.trail.name)}` }, f.trail.name)],
      ["Region", f.region],
      ["Period", `${f.period_start} to ${f.period_end}`],
      [f.file_type === "log" ? "Records" : "Log files listed", String(f.entries)],
      ["Listed by", f.listed_by || "not yet"],
      ["Digest check", h("span", { class: `badge ${f.hash.status === "matches" ? "on" : "off"}` }, f.hash.summary)],
    ])) : null);
}

async function versions(bucket, key) {
  const doc = await s3Xml({ bucket, query: [["versions", ""], ["prefix", key]] });
  const rows = [...all(doc, "Version"), ...all(doc, "DeleteMarker")]
    .filter((v) => text(v, "Key") === key)
    .map((v) => [text(v, "VersionId"), v.nodeName === "DeleteMarker" ? "Delete marker" : bytes(text(v, "Size")),
      text(v, "LastModified"), text(v, "IsLatest") === "true" ? "Latest" : ""]);
  return panel("Versions", table(["Version", "Size", "Last modified", ""], rows));
}

async function metadata(bucket, key) {
  const r = await headObject(bucket, key);
  const rows = [];
  r.headers.forEach((v, k) => {
    if (k === "content-type" || k === "cache-control" || k.startsWith("x-amz-meta-") || k.startsWith("x-amz-server-side")
      || k === "content-encoding" || k === "x-amz-storage-class") rows.push([k, v]);
  });
  return panel("Metadata", table(["Header", "Value"], rows.sort()));
}

async function tags(bucket, key) {
  const doc = await s3Xml({ bucket, key, query: [["tagging", ""]] });
  return panel("Tags", table(["Key", "Value"], all(doc, "Tag").map((t) => [text(t, "Key"), text(t, "Value")]), "No tags."));
}
