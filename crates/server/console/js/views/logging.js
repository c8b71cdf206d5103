// A bucket's two kinds of logging side by side: "Object-level logging" (the CloudTrail trails
// whose selectors take the bucket's data events — not a bucket setting at all) and "Server
// access logging" (an S3 bucket setting, changed here with PutBucketLogging). Both come from
// trailstack's explanation of the bucket, so they say what `trailstack explain s3://bucket` says.

import { h, loading, fill, field, panel, table, action, errorBox, facts } from "../dom.js";
import { explain } from "../cloudtrail.js";
import { putSub, escapeXml } from "../s3.js";

const trailLink = (t) => h("a", { href: `#/trails/${encodeURIComponent(t.name)}` }, t.name);
const onOff = (on, yes = "Logging", no = "Stopped") => h("span", { class: `badge ${on ? "on" : "off"}` }, on ? yes : no);

export function loggingPanels(bucket) {
  const objectLevel = loading("Loading…");
  const access = loading("Loading…");
  const load = () => explain(`s3://${bucket}`).then((r) => {
    fill(objectLevel,
      h("p", { class: "muted" }, "Data events (GetObject, PutObject, …) of this bucket are logged by CloudTrail trails " +
        "whose event selectors take them; no switch on the bucket does it."),
      table(["Trail", "Status", "Reads", "Writes", "Selectors", "Delivers to"], r.object_level_logging.map((c) => [
        trailLink(c.trail), onOff(c.logging), c.read ? "Yes" : "No", c.write ? "Yes" : "No",
        h("ul", {}, c.selectors.map((s) => h("li", {}, s.description))),
        c.delivery.log_location,
      ]), "No trail logs this bucket's data events."));
    fill(access, accessLogging(bucket, r.server_access_logging, load));
  }).catch((e) => {
    fill(objectLevel, errorBox(e));
    fill(access, errorBox(e));
  });
  load();
  return [panel("Object-level logging", objectLevel), panel("Server access logging", access)];
}

/** Server access logging as explain reports it, and its setting (PutBucketLogging). */
function accessLogging(bucket, a, reload) {
  const target = h("input", { spellcheck: "false", value: a ? a.target_bucket : "" });
  const prefix = h("input", { spellcheck: "false", value: a ? a.target_prefix : "" });
  const out = h("div", { "aria-live": "polite" });
  const put = (inner) => putSub(bucket, "logging", `<BucketLoggingStatus>${inner}</BucketLoggingStatus>`);
  const save = action(h("button", { type: "button" }, "Save server access logging"), out, async () => {
    await put(`<LoggingEnabled><TargetBucket>${escapeXml(target.value.trim())}</TargetBucket>` +
      `<TargetPrefix>${escapeXml(prefix.value.trim())}</TargetPrefix></LoggingEnabled>`);
    reload();
  });
  const off = a ? action(h("button", { type: "button", class: "danger" }, "Turn off"), out, async () => {
    await put("");
    reload();
  }) : null;
  return h("div", {},
    a ? facts([
      ["Target bucket", h("a", { href: `#/buckets/${encodeURIComponent(a.target_bucket)}` }, a.target_bucket)],
      ["Target prefix", a.target_prefix || "—"],
      ["Key format", a.key_format],
      ["Log objects stored as", `${a.stored_as} (${a.rule.text})`],
      ["Deliverable", a.deliverable ? "Yes" : `No: ${a.problem || ""}`],
      ["Waiting records", String(a.pending_records)],
      ["Last error", a.last_error || "—"],
    ]) : h("p", { class: "muted" }, "Off: S3 writes no access log of this bucket's requests."),
    field("Target bucket", target), field("Target prefix", prefix, "Optional"),
    h("div", { class: "actions" }, save, off), out);
}
