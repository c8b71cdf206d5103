// "Buckets": the list (ListBuckets), "Create bucket" (CreateBucket with Object Lock, then
// PutBucketEncryption) and delete (DeleteBucket).

import { h, loading, fill, field, select, table, panel, action, errorBox, submitted } from "../dom.js";
import { listBuckets, createBucket, deleteBucket } from "../s3.js";

export async function bucketsView() {
  const list = loading("Loading buckets…");
  const out = h("div", { "aria-live": "polite" });
  const refresh = async () => {
    try {
      const buckets = await listBuckets();
      fill(list, table(["Name", "Created", ""], buckets.map((b) => [
        h("a", { href: `#/buckets/${encodeURIComponent(b.name)}` }, b.name),
        b.created,
        action(h("button", { type: "button", class: "danger", "aria-label": `Delete bucket ${b.name}` }, "Delete"), out,
          async () => {
            if (!confirm(`Delete bucket ${b.name}?`)) return;
            await deleteBucket(b.name);
            await refresh();
          }),
      ]), "No buckets yet."));
    } catch (e) {
      fill(list, errorBox(e));
    }
  };
  refresh();
  return h("div", {}, h("h1", {}, "Buckets"), out, createForm(refresh), panel("Your buckets", list));
}

function createForm(refresh) {
  const name = h("input", { name: "bucket", spellcheck: "false", required: true });
  const sse = select([["default", "Server default (SSE-S3)"], ["AES256", "SSE-S3"], ["aws:kms", "SSE-KMS"],
    ["aws:kms:dsse", "DSSE-KMS"]], "default");
  const key = h("input", { spellcheck: "false", placeholder: "aws/s3 when empty" });
  const bucketKey = h("input", { type: "checkbox" });
  const lock = h("input", { type: "checkbox" });
  const out = h("div", { "aria-live": "polite" });
  const button = h("button", { type: "submit", class: "primary" }, "Create bucket");
  const form = h("form", {},
    field("Bucket name", name),
    field("Default encryption", sse),
    field("KMS key (SSE-KMS, DSSE-KMS)", key, "Key id, key ARN or alias/name"),
    h("label", { class: "check" }, bucketKey, "Bucket Key"),
    h("label", { class: "check" }, lock, "Object Lock (enables versioning; cannot be turned off)"),
    button, out);
  submitted(form, button, out, async () => {
    await createBucket(name.value.trim(), {
      objectLock: lock.checked, sse: sse.value, kmsKeyId: key.value.trim(), bucketKey: bucketKey.checked,
    });
    fill(out, h("div", { class: "ok" }, `Created ${name.value.trim()}.`));
    name.value = "";
    await refresh();
  });
  return panel("Create bucket", form);
}
