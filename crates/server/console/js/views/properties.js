// A bucket's "Properties": default encryption (with Bucket Key), versioning, Block Public
// Access, Object Ownership and the bucket policy, each read and written with its own S3 call;
// the logging panels (views/logging.js); Object Lock and lifecycle (views/retention.js).

import { h, loading, fill, field, select, panel, action, errorBox, facts } from "../dom.js";
import { getSub, putSub, deleteSub, putEncryption, escapeXml } from "../s3.js";
import { s3, text } from "../aws.js";
import { loggingPanels } from "./logging.js";
import { objectLock, lifecycle } from "./retention.js";

export function propertiesView(bucket) {
  return h("div", {},
    h("div", { class: "grid" },
      section("Default encryption", () => encryption(bucket)),
      section("Bucket Versioning", () => versioning(bucket)),
      section("Block Public Access", () => publicAccess(bucket)),
      section("Object Ownership", () => ownership(bucket)),
      section("Object Lock", (reload) => objectLock(bucket, reload))),
    h("div", { class: "grid logging" }, loggingPanels(bucket)),
    section("Bucket policy", () => policy(bucket)),
    section("Lifecycle", (reload) => lifecycle(bucket, reload)));
}

/**
 * A panel whose body loads asynchronously and shows AWS's error when its read fails; `load`
 * gets a function that draws the body again (after a change it made).
 */
function section(title, load) {
  const body = loading("Loading…");
  const draw = async () => {
    try {
      fill(body, await load(draw));
    } catch (e) {
      fill(body, errorBox(e));
    }
  };
  draw();
  return panel(title, body);
}

async function encryption(bucket) {
  const doc = await getSub(bucket, "encryption", "ServerSideEncryptionConfigurationNotFoundError");
  const alg = doc ? text(doc, "SSEAlgorithm") : undefined;
  const key = doc ? text(doc, "KMSMasterKeyID") : undefined;
  const bk = doc ? text(doc, "BucketKeyEnabled") === "true" : false;
  const names = { AES256: "SSE-S3", "aws:kms": "SSE-KMS", "aws:kms:dsse": "DSSE-KMS" };
  const sse = select([["AES256", "SSE-S3"], ["aws:kms", "SSE-KMS"], ["aws:kms:dsse", "DSSE-KMS"]], alg || "AES256",
    { "aria-label": "Encryption type" });
  const keyIn = h("input", { value: key || "", spellcheck: "false", placeholder: "aws/s3 when empty" });
  const bucketKey = h("input", { type: "checkbox", checked: bk });
  const out = h("div", { "aria-live": "polite" });
  const save = action(h("button", { type: "button", class: "primary" }, "Save encryption"), out, async () => {
    await putEncryption(bucket, { sse: sse.value, kmsKeyId: keyIn.value.trim(), bucketKey: bucketKey.checked });
    fill(out, h("div", { class: "ok" }, "Default encryption saved."));
  });
  return h("div", {},
    facts([
      ["Encryption", alg ? names[alg] || alg : "None configured (objects are stored SSE-S3)"],
      ["KMS key", key ? h("a", { href: `#/keys/${encodeURIComponent(key)}` }, key) : alg && alg !== "AES256" ? "aws/s3" : "—"],
      ["Bucket Key", bk ? "Enabled" : "Disabled"],
    ]),
    h("h3", {}, "Edit"),
    field("Encryption type", sse), field("KMS key", keyIn, "Key id, ARN or alias/name"),
    h("label", { class: "check" }, bucketKey, "Bucket Key"), save, out);
}

async function versioning(bucket) {
  const doc = await getSub(bucket, "versioning");
  const status = text(doc, "Status") || "Disabled";
  const out = h("div", { "aria-live": "polite" });
  const set = (to) => action(h("button", { type: "button" }, to === "Enabled" ? "Enable" : "Suspend"), out, async () => {
    await putSub(bucket, "versioning", `<VersioningConfiguration><Status>${to}</Status></VersioningConfiguration>`);
    fill(out, h("div", { class: "ok" }, `Versioning ${to.toLowerCase()}. Reload to see it.`));
  });
  return h("div", {}, facts([["Status", status]]), h("div", { class: "actions" }, set("Enabled"), set("Suspended")), out);
}

const PAB = ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"];

async function publicAccess(bucket) {
  const doc = await getSub(bucket, "publicAccessBlock", "NoSuchPublicAccessBlockConfiguration");
  const boxes = PAB.map((n) => [n, h("input", { type: "checkbox", checked: doc ? text(doc, n) === "true" : false })]);
  const out = h("div", { "aria-live": "polite" });
  const save = action(h("button", { type: "button" }, "Save Block Public Access"), out, async () => {
    const inner = boxes.map(([n, b]) => `<${n}>${b.checked}</${n}>`).join("");
    await putSub(bucket, "publicAccessBlock", `<PublicAccessBlockConfiguration>${inner}</PublicAccessBlockConfiguration>`);
    fill(out, h("div", { class: "ok" }, "Block Public Access saved."));
  });
  return h("div", {}, doc ? null : h("p", { class: "muted" }, "No configuration on the bucket."),
    boxes.map(([n, b]) => h("label", { class: "check" }, b, n)), save, out);
}

async function ownership(bucket) {
  const doc = await getSub(bucket, "ownershipControls", "OwnershipControlsNotFoundError");
  const value = doc ? text(doc, "ObjectOwnership") : undefined;
  const choice = select([["BucketOwnerEnforced", "BucketOwnerEnforced (ACLs disabled)"],
    ["BucketOwnerPreferred", "BucketOwnerPreferred"], ["ObjectWriter", "ObjectWriter"]], value || "BucketOwnerEnforced",
  { "aria-label": "Object Ownership" });
  const out = h("div", { "aria-live": "polite" });
  const save = action(h("button", { type: "button" }, "Save Object Ownership"), out, async () => {
    await putSub(bucket, "ownershipControls", `<OwnershipControls><Rule><ObjectOwnership>${escapeXml(choice.value)}` +
      "</ObjectOwnership></Rule></OwnershipControls>");
    fill(out, h("div", { class: "ok" }, "Object Ownership saved."));
  });
  return h("div", {}, facts([["Object Ownership", value || "Not set"]]), choice, " ", save, out);
}

async function policy(bucket) {
  let current = "";
  try {
    current = await (await s3({ bucket, query: [["policy", ""]] })).text();
  } catch (e) {
    if (e.code !== "NoSuchBucketPolicy") throw e;
  }
  let pretty = current;
  try {
    pretty = current ? JSON.stringify(JSON.parse(current), null, 2) : "";
  } catch {
    // Shown as stored when it is not JSON the browser reads.
  }
  const editor = h("textarea", { spellcheck: "false", "aria-label": "Bucket policy JSON" }, pretty);
  const out = h("div", { "aria-live": "polite" });
  const save = action(h("button", { type: "button", class: "primary" }, "Save policy"), out, async () => {
    await putSub(bucket, "policy", editor.value, "application/json");
    fill(out, h("div", { class: "ok" }, "Policy saved."));
  });
  const remove = action(h("button", { type: "button", class: "danger" }, "Delete policy"), out, async () => {
    await deleteSub(bucket, "policy");
    editor.value = "";
    fill(out, h("div", { class: "ok" }, "Policy deleted."));
  });
  return h("div", {}, current ? null : h("p", { class: "muted" }, "The bucket has no policy."), editor,
    h("div", { class: "actions" }, save, remove), out);
}
