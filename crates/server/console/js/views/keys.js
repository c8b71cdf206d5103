// "Keys": every KMS key with its aliases and state (ListKeys, ListAliases, DescribeKey), and
// "Create key" (CreateKey with its spec and usage, then CreateAlias).

import { h, loading, fill, field, select, table, panel, errorBox, submitted } from "../dom.js";
import { listKeys, createKey, createAlias } from "../kms.js";

export const keyHref = (id) => `#/keys/${encodeURIComponent(id)}`;
export const stateBadge = (s) => h("span", { class: `badge ${s === "Enabled" ? "on" : "off"}` }, s);

export async function keysView() {
  const list = loading("Loading keys…");
  const refresh = async () => {
    try {
      const keys = await listKeys();
      keys.sort((a, b) => (a.KeyManager === b.KeyManager ? a.CreationDate - b.CreationDate : a.KeyManager < b.KeyManager ? 1 : -1));
      fill(list, table(["Key", "Aliases", "State", "Spec", "Usage", "Managed by"], keys.map((k) => [
        h("a", { href: keyHref(k.KeyId) }, k.KeyId),
        k.Aliases.length ? k.Aliases.map((a, i) => [i ? ", " : "", h("a", { href: keyHref(k.KeyId) }, a)]) : "—",
        stateBadge(k.KeyState),
        k.KeySpec, k.KeyUsage, k.KeyManager === "AWS" ? "AWS" : "Customer"]), "No keys yet."));
    } catch (e) {
      fill(list, errorBox(e));
    }
  };
  refresh();
  return h("div", {}, h("h1", {}, "Keys"), createForm(refresh), panel("KMS keys", list));
}

const USAGES = {
  SYMMETRIC_DEFAULT: ["ENCRYPT_DECRYPT"],
  RSA_2048: ["ENCRYPT_DECRYPT", "SIGN_VERIFY"], RSA_3072: ["ENCRYPT_DECRYPT", "SIGN_VERIFY"],
  RSA_4096: ["ENCRYPT_DECRYPT", "SIGN_VERIFY"],
  ECC_NIST_P256: ["SIGN_VERIFY", "KEY_AGREEMENT"], ECC_NIST_P384: ["SIGN_VERIFY", "KEY_AGREEMENT"],
  ECC_NIST_P521: ["SIGN_VERIFY", "KEY_AGREEMENT"], ECC_SECG_P256K1: ["SIGN_VERIFY"],
  HMAC_224: ["GENERATE_VERIFY_MAC"], HMAC_256: ["GENERATE_VERIFY_MAC"], HMAC_384: ["GENERATE_VERIFY_MAC"],
  HMAC_512: ["GENERATE_VERIFY_MAC"],
};

function createForm(refresh) {
  const spec = select(Object.keys(USAGES).map((s) => [s, s]), "SYMMETRIC_DEFAULT");
  const usage = select(USAGES.SYMMETRIC_DEFAULT.map((u) => [u, u]), "ENCRYPT_DECRYPT");
  spec.addEventListener("change", () => fill(usage, USAGES[spec.value].map((u) => h("option", { value: u }, u))));
  const alias = h("input", { spellcheck: "false", placeholder: "alias/my-key" });
  const description = h("input", {});
  const out = h("div", { "aria-live": "polite" });
  const button = h("button", { type: "submit", class: "primary" }, "Create key");
  const form = h("form", {}, field("Key spec", spec), field("Key usage", usage), field("Alias", alias, "Optional"),
    field("Description", description), button, out);
  submitted(form, button, out, async () => {
    const k = await createKey({ KeySpec: spec.value, KeyUsage: usage.value, Description: description.value });
    if (alias.value.trim()) await createAlias(k.KeyId, alias.value.trim());
    fill(out, h("div", { class: "ok" }, "Created ", h("a", { href: keyHref(k.KeyId) }, k.KeyId), "."));
    await refresh();
  });
  return panel("Create key", form);
}
