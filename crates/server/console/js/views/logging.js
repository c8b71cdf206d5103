// A bucket's two kinds of logging side by side: "Object-level logging" (the CloudTrail trails
// whose selectors take the bucket's data events — not a bucket setting at all) and "Server
// access logging" (an S3 bucket setting). Both come from trailstack's explanation of the
// bucket, so they say what `trailstack explain s3://bucket` says.

import { h, loading, fill, panel, table, errorBox, facts } from "../dom.js";
import { explain } from "../cloudtrail.js";

const trailLink = (t) => h("a", { href: `#/trails/${encodeURIComponent(t.name)}` }, t.name);
const onOff = (on, yes = "Logging", no = "Stopped") => h("span", { class: `badge ${on ? "on" : "off"}` }, on ? yes : no);

export function loggingPanels(bucket) {
  const objectLevel = loading("Loading…");
  const access = loading("Loading…");
  explain(`s3://${bucket}`).then((r) => {
    fill(objectLevel,
      h("p", { class: "muted" }, "Data events (GetObject, PutObject, …) of this bucket are logged by CloudTrail trails " +
        "whose event selectors take them; no switch on the bucket does it."),
      table(["Trail", "Status", "Reads", "Writes", "Selectors", "Delivers to"], r.object_level_logging.map((c) => [
        trailLink(c.trail), onOff(c.logging), c.read ? "Yes" : "No", c.write ? "Yes" : "No",
        h("ul", {}, c.selectors.map((s) => h("li", {}, s.description))),
        c.delivery.log_location,
      ]), "No trail logs this bucket's data events."));
    const a = r.server_access_logging;
    fill(access, a ? facts([
      ["Target bucket", h("a", { href: `#/buckets/${encodeURIComponent(a.target_bucket)}` }, a.target_bucket)],
      ["Target prefix", a.target_prefix || "—"],
      ["Key format", a.key_format],
      ["Log objects stored as", `${a.stored_as} (${a.rule.text})`],
      ["Deliverable", a.deliverable ? "Yes" : `No: ${a.problem || ""}`],
      ["Waiting records", String(a.pending_records)],
      ["Last error", a.last_error || "—"],
    ]) : h("p", { class: "muted" }, "Off: S3 writes no access log of this bucket's requests."));
  }).catch((e) => {
    fill(objectLevel, errorBox(e));
    fill(access, errorBox(e));
  });
  return [panel("Object-level logging", objectLevel), panel("Server access logging", access)];
}
