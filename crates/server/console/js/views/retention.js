// A bucket's rules for how long objects stay: "Object Lock" (GetObjectLockConfiguration and
// PutObjectLockConfiguration: whether it is on, the default retention mode and period) and
// "Lifecycle" (GetBucketLifecycleConfiguration, PutBucketLifecycleConfiguration and
// DeleteBucketLifecycle: the rules, adding an expiration rule, deleting a rule). S3 validates
// each and its errors are shown as given.

import { h, fill, field, select, table, facts, action } from "../dom.js";
import { getSub, putSub, deleteSub, escapeXml } from "../s3.js";
import { text, all } from "../aws.js";

const tag = (name, value) => `<${name}>${escapeXml(value)}</${name}>`;

/** The Object Lock panel's body; `reload` draws it again after a change. */
export async function objectLock(bucket, reload) {
  const doc = await getSub(bucket, "object-lock", "ObjectLockConfigurationNotFoundError");
  const enabled = doc ? text(doc, "ObjectLockEnabled") === "Enabled" : false;
  const mode = doc ? text(doc, "Mode") : undefined;
  const days = doc ? text(doc, "Days") : undefined;
  const years = doc ? text(doc, "Years") : undefined;
  const modeIn = select([["", "No default retention"], ["GOVERNANCE", "GOVERNANCE"], ["COMPLIANCE", "COMPLIANCE"]], mode || "");
  const daysIn = h("input", { type: "number", min: 1, value: days || "1" });
  const out = h("div", { "aria-live": "polite" });
  const save = action(h("button", { type: "button" }, enabled ? "Save default retention" : "Enable Object Lock"), out, async () => {
    const rule = modeIn.value
      ? `<Rule><DefaultRetention>${tag("Mode", modeIn.value)}${tag("Days", daysIn.value)}</DefaultRetention></Rule>` : "";
    await putSub(bucket, "object-lock",
      `<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled>${rule}</ObjectLockConfiguration>`);
    reload();
  });
  const period = days ? `${days} day(s)` : years ? `${years} year(s)` : null;
  return h("div", {},
    facts([
      ["Object Lock", enabled ? "Enabled (versioning stays on)" : "Off: objects can be overwritten and deleted"],
      ["Default retention", mode ? `${mode}, ${period}` : "None"],
    ]),
    enabled ? null : h("p", { class: "muted" }, "Object Lock can be enabled on a versioned bucket, and then never turned off."),
    field("Default retention mode", modeIn), field("Retention days", daysIn), save, out);
}

/** What a lifecycle rule does, in a few words. */
function actions(rule) {
  const out = [];
  const exp = rule.getElementsByTagName("Expiration")[0];
  if (exp) {
    if (text(exp, "Days")) out.push(`expire current versions after ${text(exp, "Days")} day(s)`);
    if (text(exp, "Date")) out.push(`expire current versions on ${text(exp, "Date")}`);
    if (text(exp, "ExpiredObjectDeleteMarker") === "true") out.push("remove expired delete markers");
  }
  const nc = rule.getElementsByTagName("NoncurrentVersionExpiration")[0];
  if (nc) out.push(`expire noncurrent versions after ${text(nc, "NoncurrentDays")} day(s)`);
  const abort = rule.getElementsByTagName("AbortIncompleteMultipartUpload")[0];
  if (abort) out.push(`abort incomplete uploads after ${text(abort, "DaysAfterInitiation")} day(s)`);
  for (const t of all(rule, "Transition")) out.push(`move to ${text(t, "StorageClass")} after ${text(t, "Days") || text(t, "Date")}`);
  return out.join("; ") || "—";
}

/** A rule's filter: its prefix, or what else it filters on. */
function scope(rule) {
  const f = rule.getElementsByTagName("Filter")[0];
  const prefix = f ? text(f, "Prefix") : text(rule, "Prefix");
  const other = f && (f.getElementsByTagName("Tag").length || text(f, "ObjectSizeGreaterThan") || text(f, "ObjectSizeLessThan"));
  return [prefix ? `prefix ${prefix}` : "whole bucket", other ? " and tags or sizes" : ""].join("");
}

const serialize = (rules) => `<LifecycleConfiguration>${rules.map((r) => new XMLSerializer().serializeToString(r)).join("")}</LifecycleConfiguration>`;

/** The Lifecycle panel's body; `reload` draws it again after a change. */
export async function lifecycle(bucket, reload) {
  const doc = await getSub(bucket, "lifecycle", "NoSuchLifecycleConfiguration");
  const rules = doc ? all(doc, "Rule") : [];
  const out = h("div", { "aria-live": "polite" });
  const rows = rules.map((r) => [text(r, "ID") || "—", text(r, "Status"), scope(r), actions(r),
    action(h("button", { type: "button", class: "danger", "aria-label": `Delete rule ${text(r, "ID") || ""}`.trim() }, "Delete"),
      out, async () => {
        const rest = rules.filter((x) => x !== r);
        await (rest.length ? putSub(bucket, "lifecycle", serialize(rest)) : deleteSub(bucket, "lifecycle"));
        reload();
      })]);
  const id = h("input", { spellcheck: "false" });
  const prefix = h("input", { spellcheck: "false", placeholder: "whole bucket when empty" });
  const days = h("input", { type: "number", min: 1, value: 30 });
  const add = action(h("button", { type: "button" }, "Add expiration rule"), out, async () => {
    const rule = new DOMParser().parseFromString(`<Rule>${tag("ID", id.value.trim())}<Filter>${tag("Prefix", prefix.value.trim())}` +
      `</Filter><Status>Enabled</Status><Expiration>${tag("Days", days.value)}</Expiration></Rule>`, "application/xml").documentElement;
    await putSub(bucket, "lifecycle", serialize([...rules, rule]));
    reload();
  });
  return h("div", {},
    table(["Rule", "Status", "Applies to", "Actions", ""], rows, "No lifecycle rules."),
    h("h3", {}, "Expire objects"),
    field("Rule ID", id), field("Prefix", prefix), field("Expire after days", days), add, out);
}
