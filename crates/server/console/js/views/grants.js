// A key's "Grants": the grants on it (ListGrants) with "Retire" (RetireGrant) and "Revoke"
// (RevokeGrant) on each, and "Create grant" (CreateGrant: grantee, operations, an optional
// retiring principal and name). KMS decides who may do each, and its errors are shown as given.

import { h, loading, fill, field, panel, table, action, errorBox, submitted } from "../dom.js";
import * as kms from "../kms.js";

/** GrantOperation's values, in the API's order. */
const OPERATIONS = ["Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom",
  "ReEncryptTo", "Sign", "Verify", "GetPublicKey", "CreateGrant", "RetireGrant", "DescribeKey", "GenerateDataKeyPair",
  "GenerateDataKeyPairWithoutPlaintext", "GenerateMac", "VerifyMac", "DeriveSharedSecret"];

/** The grants panel, once the first ListGrants has answered. */
export async function grantsPanel(k) {
  const list = loading("Loading grants…");
  const out = h("div", { "aria-live": "polite" });
  const refresh = async () => {
    try {
      const grants = await kms.listGrants(k.KeyId);
      fill(list, table(["Grant", "Grantee", "Operations", "Retiring principal", "Actions"], grants.map((g) => [
        h("span", {}, g.Name ? [h("strong", {}, g.Name), h("br"), g.GrantId] : g.GrantId),
        g.GranteePrincipal, (g.Operations || []).join(", "), g.RetiringPrincipal || "—",
        h("span", { class: "actions" },
          act("Retire", `Retire grant ${g.Name || g.GrantId}`, () => kms.retireGrant(k.KeyId, g.GrantId), "retired"),
          act("Revoke", `Revoke grant ${g.Name || g.GrantId}`, () => kms.revokeGrant(k.KeyId, g.GrantId), "revoked")),
      ]), "No grants."));
    } catch (e) {
      fill(list, errorBox(e));
    }
  };
  const act = (label, name, fn, done) => action(h("button", { type: "button", class: "danger", "aria-label": name }, label), out,
    async () => {
      await fn();
      fill(out, h("div", { class: "ok" }, `Grant ${done}.`));
      await refresh();
    });
  await refresh();
  return panel("Grants", list, out, createForm(k, out, refresh));
}

function createForm(k, out, refresh) {
  const grantee = h("input", { spellcheck: "false", required: true, placeholder: "arn:aws:iam::111122223333:user/name" });
  const retiring = h("input", { spellcheck: "false" });
  const name = h("input", { spellcheck: "false" });
  const boxes = OPERATIONS.map((op) => [op, h("input", { type: "checkbox", name: "operation", value: op })]);
  const button = h("button", { type: "submit", class: "primary" }, "Create grant");
  const form = h("form", {},
    h("h3", {}, "Create grant"),
    field("Grantee principal", grantee, "An account, user or role ARN, or a service principal"),
    h("fieldset", { class: "checks" }, h("legend", {}, "Operations"),
      boxes.map(([op, box]) => h("label", { class: "check" }, box, op))),
    field("Retiring principal", retiring, "Optional"),
    field("Grant name", name, "Optional; a repeated name returns the same grant"),
    button);
  submitted(form, button, out, async () => {
    const input = { KeyId: k.KeyId, GranteePrincipal: grantee.value.trim(),
      Operations: boxes.filter(([, b]) => b.checked).map(([op]) => op) };
    if (retiring.value.trim()) input.RetiringPrincipal = retiring.value.trim();
    if (name.value.trim()) input.Name = name.value.trim();
    const r = await kms.createGrant(input);
    fill(out, h("div", { class: "ok" }, `Created grant ${r.GrantId}.`));
    await refresh();
  });
  return form;
}
