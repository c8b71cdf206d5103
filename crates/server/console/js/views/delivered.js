// The log and digest files a trail delivered, newest first, each with how it is encrypted, the
// rule that chose it and its hash check, from `trailstack explain s3://bucket/key`; and
// "Validate" (views/validate.js), which checks them the way `aws cloudtrail validate-logs` does.

import { h, loading, fill, panel, table, action, errorBox } from "../dom.js";
import { s3Xml, text, all } from "../aws.js";
import { explain } from "../cloudtrail.js";
import { objectHref } from "./bucket.js";
import { validate } from "./validate.js";

const SHOWN = 12;

/** Every key under `prefix` in `bucket` (ListObjectsV2, all pages). */
export async function listAll(bucket, prefix) {
  const keys = [];
  let token;
  do {
    const query = [["list-type", "2"], ["prefix", prefix]];
    if (token) query.push(["continuation-token", token]);
    const doc = await s3Xml({ bucket, query });
    keys.push(...all(doc, "Contents").map((c) => ({ key: text(c, "Key"), modified: text(c, "LastModified") })));
    token = text(doc, "IsTruncated") === "true" ? text(doc, "NextContinuationToken") : null;
  } while (token);
  return keys;
}

export function deliveredPanel(t) {
  const body = loading("Loading…");
  const out = h("div", { "aria-live": "polite" });
  const base = `${t.S3KeyPrefix ? `${t.S3KeyPrefix}/` : ""}AWSLogs/`;
  (async () => {
    try {
      const files = (await listAll(t.S3BucketName, base))
        .filter((f) => /\/CloudTrail(-Digest)?\//.test(f.key))
        .sort((a, b) => (a.modified < b.modified ? 1 : -1))
        .slice(0, SHOWN * 3);
      const reports = await Promise.all(files.map((f) => explain(`s3://${t.S3BucketName}/${f.key}`).catch(() => null)));
      const mine = reports.filter((r) => r && r.cloudtrail_file && r.cloudtrail_file.trail.arn === t.TrailARN).slice(0, SHOWN);
      fill(body, table(["File", "Type", "Encryption", "Rule", "Hash check"], mine.map((r) => [
        h("a", { href: objectHref(r.bucket, r.key) }, r.key.split("/").pop()),
        r.cloudtrail_file.file_type,
        r.encryption ? r.encryption.mode + (r.encryption.key ? `, ${r.encryption.key.aliases[0] || r.encryption.key.arn}` : "") : "—",
        r.rule ? r.rule.text : "—",
        r.cloudtrail_file.hash.summary,
      ]), "Nothing delivered yet."));
    } catch (e) {
      fill(body, errorBox(e));
    }
  })();
  const results = h("div", { "aria-live": "polite" });
  const run = action(h("button", { type: "button", class: "primary" }, "Validate"), out, async () => {
    fill(results, loading("Validating…"));
    fill(results, await validate(t));
  });
  return panel("Delivered files", body, h("div", { class: "actions" }, run), out, results);
}
