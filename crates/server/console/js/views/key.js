// A KMS key's page: its state with enable / disable / schedule deletion / cancel deletion,
// aliases, rotation, grants (views/grants.js), the key policy editor, and from `trailstack
// explain kms://key` where it is used (bucket defaults, trails) and its recent events.

import { h, loading, fill, field, panel, table, facts, action, errorBox } from "../dom.js";
import * as kms from "../kms.js";
import { explain } from "../cloudtrail.js";
import { stateBadge } from "./keys.js";
import { grantsPanel } from "./grants.js";

export async function keyView(id) {
  const k = await kms.describeKey(id);
  const out = h("div", { "aria-live": "polite" });
  const reload = () => window.dispatchEvent(new HashChangeEvent("hashchange"));
  const act = (label, fn, cls) => action(h("button", { type: "button", class: cls }, label), out, async () => {
    await fn();
    reload();
  });
  const days = h("input", { type: "number", min: 7, max: 30, value: 7, "aria-label": "Waiting period in days" });
  const customer = k.KeyManager === "CUSTOMER";
  const buttons = customer ? [
    k.KeyState === "Disabled" ? act("Enable", () => kms.enableKey(k.KeyId)) : null,
    k.KeyState === "Enabled" ? act("Disable", () => kms.disableKey(k.KeyId)) : null,
    k.KeyState === "PendingDeletion" ? act("Cancel deletion", () => kms.cancelDeletion(k.KeyId))
      : [act("Schedule deletion", () => kms.scheduleDeletion(k.KeyId, Number(days.value)), "danger"), days, " days"],
  ] : h("span", { class: "muted" }, "AWS managed keys are managed by the service.");
  const [aliases, rotation, grants] = await Promise.all([kms.listAliases(k.KeyId), rotationPanel(k), grantsPanel(k)]);
  return h("div", {},
    h("div", { class: "crumbs" }, h("a", { href: "#/keys" }, "Keys"), " / ", k.KeyId),
    h("h1", {}, aliases[0]?.AliasName || k.KeyId),
    panel("Key", facts([
      ["State", stateBadge(k.KeyState)], ["ARN", k.Arn], ["Spec", k.KeySpec], ["Usage", k.KeyUsage],
      ["Managed by", k.KeyManager], ["Description", k.Description || "—"],
      ["Created", new Date(k.CreationDate * 1000).toISOString()],
      k.DeletionDate ? ["Deletion date", new Date(k.DeletionDate * 1000).toISOString()] : null,
    ]), h("div", { class: "actions" }, buttons), out),
    // The panels above "Where it is used" are drawn loaded, and the policy editor keeps its
    // size, so nothing moves when the last, growing one arrives.
    aliasesPanel(k, aliases, reload), rotation, grants, policyPanel(k.KeyId), usagePanel(k.Arn));
}

/** The key's aliases with "Delete" (DeleteAlias) on each, and "Add alias" (CreateAlias). */
function aliasesPanel(k, aliases, reload) {
  const out = h("div", { "aria-live": "polite" });
  const name = h("input", { spellcheck: "false", placeholder: "alias/my-key" });
  const customer = k.KeyManager === "CUSTOMER";
  const rows = aliases.map((a) => [a.AliasName, customer
    ? action(h("button", { type: "button", class: "danger", "aria-label": `Delete alias ${a.AliasName}` }, "Delete"), out,
      async () => {
        await kms.deleteAlias(a.AliasName);
        reload();
      })
    : ""]);
  const add = action(h("button", { type: "button" }, "Add alias"), out, async () => {
    await kms.createAlias(k.KeyId, name.value.trim());
    reload();
  });
  return panel("Aliases", table(["Alias", ""], rows, "No aliases."),
    customer ? h("div", { class: "actions" }, field("New alias", name), add) : null, out);
}

/** The rotation panel, once GetKeyRotationStatus has answered. */
function rotationPanel(k) {
  const body = loading("Loading…");
  const out = h("div", { "aria-live": "polite" });
  let pending = Promise.resolve();
  if (k.KeySpec !== "SYMMETRIC_DEFAULT" || k.KeyManager !== "CUSTOMER") {
    fill(body, h("p", { class: "muted" }, "Automatic rotation applies to customer managed symmetric keys."));
  } else {
    pending = kms.rotationStatus(k.KeyId).then((r) => fill(body, facts([
      ["Automatic rotation", r.KeyRotationEnabled ? "Enabled" : "Disabled"],
      r.RotationPeriodInDays ? ["Period", `${r.RotationPeriodInDays} days`] : null,
      r.NextRotationDate ? ["Next rotation", new Date(r.NextRotationDate * 1000).toISOString()] : null,
    ]), action(h("button", { type: "button" }, r.KeyRotationEnabled ? "Disable rotation" : "Enable rotation"), out, async () => {
      await (r.KeyRotationEnabled ? kms.disableRotation(k.KeyId) : kms.enableRotation(k.KeyId));
      window.dispatchEvent(new HashChangeEvent("hashchange"));
    }), out)).catch((e) => fill(body, errorBox(e)));
  }
  return pending.then(() => panel("Rotation", body));
}

function usagePanel(arn) {
  const body = loading("Loading…");
  explain(`kms://${arn}`).then((r) => fill(body,
    h("h3", {}, "Bucket default encryption"),
    table(["Bucket", "Configured as", "Bucket Key"], r.bucket_defaults.map((b) => [
      h("a", { href: `#/buckets/${encodeURIComponent(b.bucket)}?tab=properties` }, b.bucket), b.configured_key || "aws/s3 (default)",
      b.bucket_key ? "On" : "Off"]), "No bucket uses it as its default."),
    h("h3", {}, "Trails encrypting log files with it"),
    table(["Trail", "Logging", "Delivers to"], r.trails.map((t) => [
      h("a", { href: `#/trails/${encodeURIComponent(t.trail.name)}` }, t.trail.name), t.logging ? "Yes" : "No",
      t.delivery.log_location]), "No trail uses it."),
    h("h3", {}, "Recent events"),
    table(["Time", "Event", "Principal", "Context", "Error"], r.recent_events.map((e) => [e.time, e.event_name,
      e.invoked_by ? `${e.principal} via ${e.invoked_by}` : e.principal, e.context || "—", e.error_code || "—"]),
    "No events."))).catch((e) => fill(body, errorBox(e)));
  return panel("Where it is used", body);
}

function policyPanel(keyId) {
  const editor = h("textarea", { spellcheck: "false" });
  const out = h("div", { "aria-live": "polite" });
  kms.getKeyPolicy(keyId).then((p) => {
    try {
      editor.value = JSON.stringify(JSON.parse(p), null, 2);
    } catch {
      editor.value = p;
    }
  }).catch((e) => fill(out, errorBox(e)));
  const save = action(h("button", { type: "button", class: "primary" }, "Save key policy"), out, async () => {
    await kms.putKeyPolicy(keyId, editor.value);
    fill(out, h("div", { class: "ok" }, "Key policy saved."));
  });
  return panel("Key policy", field("Key policy JSON", editor), save, out);
}
