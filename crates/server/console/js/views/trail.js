// A trail's page: start/stop logging, last delivery and its error (GetTrailStatus), "Deliver
// now" (Trailstack.Flush), the event selectors editor (basic or advanced, PutEventSelectors),
// and the log and digest files delivered (views/delivered.js).

import { h, fill, field, panel, facts, action, errorBox } from "../dom.js";
import * as ct from "../cloudtrail.js";
import { loggingBadge } from "./trails.js";
import { deliveredPanel } from "./delivered.js";

const time = (t) => (t ? new Date(t * 1000).toISOString() : "—");

export async function trailView(name) {
  const [t, s] = await Promise.all([ct.getTrail(name), ct.trailStatus(name)]);
  const out = h("div", { "aria-live": "polite" });
  const reload = () => window.dispatchEvent(new HashChangeEvent("hashchange"));
  const toggle = action(h("button", { type: "button" }, s.IsLogging ? "Stop logging" : "Start logging"), out, async () => {
    await (s.IsLogging ? ct.stopLogging(t.TrailARN) : ct.startLogging(t.TrailARN));
    reload();
  });
  const flush = action(h("button", { type: "button" }, "Deliver now"), out, async () => {
    const r = await ct.flush();
    fill(out, h("div", { class: "ok" }, `Delivered ${r.LogFiles} log file(s) with ${r.Records} record(s) and ${r.Digests} digest file(s).`));
    setTimeout(reload, 800);
  });
  return h("div", {},
    h("div", { class: "crumbs" }, h("a", { href: "#/trails" }, "Trails"), " / ", t.Name),
    h("h1", {}, t.Name),
    panel("Trail", facts([
      ["Status", loggingBadge(s.IsLogging)], ["ARN", t.TrailARN],
      ["Delivers to", `s3://${t.S3BucketName}/${t.S3KeyPrefix ? `${t.S3KeyPrefix}/` : ""}`],
      ["Log files encrypted with", t.KmsKeyId ? h("a", { href: `#/keys/${encodeURIComponent(t.KmsKeyId)}` }, t.KmsKeyId) : "SSE-S3"],
      ["Log file validation", t.LogFileValidationEnabled ? "On (digest files: SSE-S3)" : "Off"],
      ["Multi-region", t.IsMultiRegionTrail ? "Yes" : "No"],
      ["Last delivery", time(s.LatestDeliveryTime)],
      ["Last delivery error", s.LatestDeliveryError || "—"],
      ["Last digest delivery", time(s.LatestDigestDeliveryTime)],
      ["Last digest error", s.LatestDigestDeliveryError || "—"],
    ]), h("div", { class: "actions" }, toggle, flush), out),
    selectorsPanel(t),
    deliveredPanel(t));
}

function selectorsPanel(t) {
  const editor = h("textarea", { spellcheck: "false" });
  const out = h("div", { "aria-live": "polite" });
  ct.getSelectors(t.TrailARN).then((r) => {
    const shown = r.AdvancedEventSelectors ? { AdvancedEventSelectors: r.AdvancedEventSelectors } : { EventSelectors: r.EventSelectors || [] };
    editor.value = JSON.stringify(shown, null, 2);
  }).catch((e) => fill(out, errorBox(e)));
  const save = action(h("button", { type: "button", class: "primary" }, "Save selectors"), out, async () => {
    let parsed;
    try {
      parsed = JSON.parse(editor.value);
    } catch (e) {
      throw new Error(`Not JSON: ${e.message}`);
    }
    await ct.putSelectors(t.TrailARN, parsed);
    fill(out, h("div", { class: "ok" }, "Selectors saved."));
  });
  const bucket = h("input", { spellcheck: "false", "aria-label": "Bucket whose data events to log", placeholder: "bucket name" });
  // Adds the bucket to the trail's selectors in the form they already have: a data resource of
  // the first basic selector, or one more advanced selector.
  const add = action(h("button", { type: "button" }, "Log data events of bucket"), out, async () => {
    const current = JSON.parse(editor.value || "{}");
    const b = bucket.value.trim();
    let next;
    if (current.AdvancedEventSelectors) {
      next = { AdvancedEventSelectors: [...current.AdvancedEventSelectors, { Name: `Data events of ${b}`, FieldSelectors: [
        { Field: "eventCategory", Equals: ["Data"] }, { Field: "resources.type", Equals: ["AWS::S3::Object"] },
        { Field: "resources.ARN", StartsWith: [`arn:aws:s3:::${b}/`] }] }] };
    } else {
      const basic = current.EventSelectors?.length ? current.EventSelectors
        : [{ ReadWriteType: "All", IncludeManagementEvents: true, DataResources: [] }];
      basic[0].DataResources = [...(basic[0].DataResources || []), { Type: "AWS::S3::Object", Values: [`arn:aws:s3:::${b}/`] }];
      next = { EventSelectors: basic };
    }
    await ct.putSelectors(t.TrailARN, next);
    editor.value = JSON.stringify(next, null, 2);
    fill(out, h("div", { class: "ok" }, `The trail now logs data events of ${b}.`));
  });
  return panel("Event selectors",
    h("p", { class: "muted" }, "Either EventSelectors (basic) or AdvancedEventSelectors, as PutEventSelectors takes them."),
    field("Selectors JSON", editor), h("div", { class: "actions" }, save), h("div", { class: "actions" }, bucket, add), out);
}
