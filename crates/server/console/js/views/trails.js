// "Trails": every trail with its logging status (DescribeTrails, GetTrailStatus), and "Create
// trail" (CreateTrail, then StartLogging), showing CreateTrail's own errors: the bucket policy,
// the key policy, the limit of trails per region.

import { h, loading, fill, field, table, panel, errorBox, submitted } from "../dom.js";
import { describeTrails, trailStatus, createTrail, startLogging } from "../cloudtrail.js";

export const trailHref = (name) => `#/trails/${encodeURIComponent(name)}`;
export const loggingBadge = (on) => h("span", { class: `badge ${on ? "on" : "off"}` }, on ? "Logging" : "Stopped");

export async function trailsView() {
  const list = loading("Loading trails…");
  const refresh = async () => {
    try {
      const trails = await describeTrails();
      const statuses = await Promise.all(trails.map((t) => trailStatus(t.TrailARN).catch((e) => e)));
      fill(list, table(["Name", "Status", "Bucket", "KMS key", "Log file validation", "Multi-region", "Last delivery error"],
        trails.map((t, i) => {
          const s = statuses[i];
          return [h("a", { href: trailHref(t.Name) }, t.Name), s instanceof Error ? s.code : loggingBadge(s.IsLogging),
            t.S3BucketName + (t.S3KeyPrefix ? `/${t.S3KeyPrefix}` : ""), t.KmsKeyId || "SSE-S3",
            t.LogFileValidationEnabled ? "On" : "Off", t.IsMultiRegionTrail ? "Yes" : "No",
            s instanceof Error ? "—" : s.LatestDeliveryError || "—"];
        }), "No trails yet."));
    } catch (e) {
      fill(list, errorBox(e));
    }
  };
  refresh();
  return h("div", {}, h("h1", {}, "Trails"), createForm(refresh), panel("Trails", list));
}

function createForm(refresh) {
  const name = h("input", { spellcheck: "false", required: true });
  const bucket = h("input", { spellcheck: "false", required: true });
  const prefix = h("input", { spellcheck: "false" });
  const key = h("input", { spellcheck: "false", placeholder: "none: log files are SSE-S3" });
  const validation = h("input", { type: "checkbox", checked: true });
  const multi = h("input", { type: "checkbox" });
  const out = h("div", { "aria-live": "polite" });
  const button = h("button", { type: "submit", class: "primary" }, "Create trail");
  const form = h("form", {}, field("Trail name", name), field("S3 bucket", bucket), field("S3 key prefix", prefix),
    field("KMS key for log files", key, "Key id, ARN or alias/name"),
    h("label", { class: "check" }, validation, "Log file validation"),
    h("label", { class: "check" }, multi, "Multi-region trail"), button, out);
  submitted(form, button, out, async () => {
    const input = { Name: name.value.trim(), S3BucketName: bucket.value.trim(),
      EnableLogFileValidation: validation.checked, IsMultiRegionTrail: multi.checked };
    if (prefix.value.trim()) input.S3KeyPrefix = prefix.value.trim();
    if (key.value.trim()) input.KmsKeyId = key.value.trim();
    const t = await createTrail(input);
    await startLogging(t.TrailARN);
    fill(out, h("div", { class: "ok" }, "Created ", h("a", { href: trailHref(t.Name) }, t.Name), " and started logging."));
    await refresh();
  });
  return panel("Create trail", form);
}
