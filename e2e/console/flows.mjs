// The console's flows as a person goes through them (issue 20, "Tests"), each scenario in a
// fresh browser against its own server: what each step asserts is what the page shows.

import { withConsole } from "./browser.mjs";
import {
  ACCESS_KEY, SECRET_KEY, ACCOUNT, READER, bucketPolicy, createBucket, createKey, createTrail, deliverNow, savePolicy,
  signIn, trailInto, upload,
} from "./steps.mjs";

async function createGrant(c, name, operations, retiring) {
  await c.type("Grantee principal", `arn:aws:iam::${ACCOUNT}:user/reader`);
  for (const op of ["Decrypt", "Encrypt"]) await c.page.getByLabel(op, { exact: true }).setChecked(operations.includes(op));
  await c.type("Retiring principal", retiring || "");
  await c.type("Grant name", name);
  await c.click("Create grant");
  await c.see("Created grant ");
}

/** A wrong secret, signing in, creating a bucket (and S3's error for a bad name), uploading. */
async function basics(endpoint, shots) {
  const c = await withConsole(endpoint, shots, async (c) => {
    await c.open();
    await c.signIn(ACCESS_KEY, "not-the-secret");
    await c.see("SignatureDoesNotMatch");
    await c.shot("sign-in-error");
    await c.signIn(ACCESS_KEY, SECRET_KEY);
    await c.see("Your buckets");
    await c.type("Bucket name", "Not_A_Bucket");
    await c.click("Create bucket");
    await c.see("InvalidBucketName");
    await c.type("Bucket name", "console-bucket");
    await c.click("Create bucket");
    await c.see("Created console-bucket.");
    await c.shot("buckets");
    await c.click("console-bucket");
    await upload(c, "hello.txt", "hello from the console\n");
    await c.see("hello.txt");
    await c.shot("bucket");
    await c.click("hello.txt");
    await c.see("SSE-S3");
    await c.see("Readable by you");
    await c.shot("object");
  });
  c.assertAccessible();
  return { pages: c.pages, saw: "SignatureDoesNotMatch, InvalidBucketName, SSE-S3" };
}

/**
 * The seed's scenario: SSE-S3 first, then a bucket default of a KMS key; a trail taking the
 * bucket's data events, shown under "Object-level logging"; delivery, the log file's encryption
 * and "Validate"; the event history; the map; a disabled key making an object unreadable.
 */
async function seed(endpoint, shots) {
  const c = await withConsole(endpoint, shots, async (c) => {
    await signIn(c);
    await c.click("Keys");
    await createKey(c, "alias/console-cmk");
    await c.shot("keys");
    await createBucket(c, "data-bucket");
    await createBucket(c, "trail-logs");
    // Before any default: S3 stores the object SSE-S3.
    await c.open("#/buckets/data-bucket");
    await upload(c, "plain.txt", "stored before the bucket had a KMS default\n");
    await c.click("plain.txt");
    await c.see("SSE-S3");
    // The bucket's default becomes the KMS key, through Properties.
    await c.open("#/buckets/data-bucket?tab=properties");
    await c.choose("Encryption type", "SSE-KMS");
    await c.type("KMS key", "alias/console-cmk");
    await c.click("Save encryption");
    await c.see("Default encryption saved.");
    // The log bucket's policy, through the editor: first a broken one, then CloudTrail's.
    await c.open("#/buckets/trail-logs?tab=properties");
    await c.see("The bucket has no policy.");
    await savePolicy(c, "trail-logs", "{not json");
    await c.see("MalformedPolicy");
    // A trail taking data-bucket's data events, seen where users look: the bucket's properties.
    await trailInto(c, "console-trail", "trail-logs");
    await c.shot("trails");
    await c.click("console-trail");
    await c.type("Bucket whose data events to log", "data-bucket");
    await c.click("Log data events of bucket");
    await c.see("The trail now logs data events of data-bucket.");
    await c.open("#/buckets/data-bucket?tab=properties");
    await c.see("console-trail", c.panel("Object-level logging"));
    await c.see("SSE-KMS", c.panel("Default encryption"));
    await c.shot("bucket-properties");
    // The seed's point in one picture (the README's: docs/console-logging.png).
    await c.page.locator(".grid.logging").screenshot({ path: `${shots}/logging-panels.png` });
    // Uploaded again: now SSE-KMS under the key, the key linked.
    await c.click("Objects");
    await upload(c, "secret.txt", "encrypted under the bucket's key\n");
    await c.click("secret.txt");
    await c.see("SSE-KMS, key alias/console-cmk");
    const link = c.page.getByRole("link", { name: "alias/console-cmk", exact: true }).first();
    if (!(await link.getAttribute("href")).startsWith("#/keys/")) throw new Error("the object's key is not linked to its page");
    await c.see("console-trail", c.panel("Data events"));
    await c.shot("object-kms");
    // Deliver; the log file and how it is encrypted; "Validate" per file.
    await deliverNow(c, "console-trail");
    await c.see("log", c.panel("Delivered files"));
    await c.see("SSE-S3", c.panel("Delivered files"));
    await c.click("Validate");
    await c.see("digest files valid");
    const result = await c.page.getByRole("status").first().innerText();
    if (!result.startsWith("1/1 digest files valid, ") || (await c.page.locator("text=INVALID").count())) {
      throw new Error(`validation: ${result}`);
    }
    // A result per file: the digest and each log file it lists.
    const verdicts = await c.panel("Delivered files").locator("tbody tr").filter({ hasText: "valid" }).allInnerTexts();
    if (!verdicts.some((t) => t.startsWith("Digest file")) || !verdicts.some((t) => t.startsWith("Log file"))) {
      throw new Error(`per-file results: ${verdicts.join(" | ")}`);
    }
    await c.shot("trail");
    // The map ties them together.
    await c.click("Map");
    await c.see("trail logs data events of");
    await c.see("default key");
    await c.shot("map");
    // The event history has the console's calls.
    await c.click("Event history");
    // Newest first, 50 to a page; the next page adds the older ones.
    const rows = c.panel("Events").locator("tbody tr");
    await c.see("Next page", c.panel("Events"));
    if ((await rows.count()) !== 50) throw new Error(`the first page has ${await rows.count()} events, want 50`);
    const times = await rows.locator("td:first-child").allInnerTexts();
    if (times.join() !== [...times].sort().reverse().join()) throw new Error("the events are not newest first");
    await c.click("Next page");
    await c.page.waitForFunction(() => document.querySelectorAll("section.panel tbody tr").length > 50);
    await c.choose("Lookup attribute", "EventName");
    await c.type("Value", "CreateTrail");
    await c.click("Look up events");
    await c.see("CreateTrail", c.panel("Events"));
    await c.shot("events");
    // Data events, which LookupEvents never holds, read from the log files the trail delivered.
    await c.type("Value", "PutObject");
    await c.page.getByLabel("Include data events", { exact: true }).check();
    await c.see("data event(s) from delivered log files.");
    await c.see("arn:aws:s3:::data-bucket/secret.txt", c.panel("Events"));
    const categories = await c.panel("Events").locator("tbody tr td:nth-child(3)").allInnerTexts();
    if (!categories.length || categories.some((t) => t !== "Data")) throw new Error(`PutObject events by category: ${categories}`);
    await c.shot("events-data");
    // A disabled key makes the object unreadable.
    await c.click("Keys");
    await c.click("alias/console-cmk");
    await c.type("New alias", "alias/console-second");
    await c.click("Add alias");
    await c.see("alias/console-second", c.panel("Aliases"));
    await c.click("Delete alias alias/console-second");
    await c.gone("alias/console-second", c.panel("Aliases"));
    await c.see("alias/console-cmk", c.panel("Aliases"));
    // Grants: created with a grantee and operations, listed, then retired and revoked.
    await createGrant(c, "console-grant", ["Decrypt", "Encrypt"]);
    await c.see("Decrypt, Encrypt", c.panel("Grants"));
    await createGrant(c, "retirable", ["Decrypt"], `arn:aws:iam::${ACCOUNT}:root`);
    await c.see("retirable", c.panel("Grants"));
    await c.shot("key-grants");
    await c.click("Retire grant retirable");
    await c.see("Grant retired.");
    await c.gone("retirable", c.panel("Grants"));
    await c.click("Revoke grant console-grant");
    await c.see("Grant revoked.");
    await c.see("No grants.", c.panel("Grants"));
    await c.click("Disable");
    await c.see("Disabled");
    await c.shot("key");
    await c.open("#/buckets/data-bucket/object?key=secret.txt");
    await c.see("cannot be read");
    await c.shot("object-unreadable");
  });
  c.assertAccessible();
  return { pages: c.pages, saw: "SSE-S3 then SSE-KMS, Object-level logging, 1/1 digests valid, CreateTrail, data events, grants, unreadable" };
}

/** A user whose policy allows only listing buckets sees AWS's AccessDenied, not a blank page. */
async function denied(endpoint, shots) {
  const c = await withConsole(endpoint, shots, async (c) => {
    await c.open();
    await c.signIn(...READER);
    await c.see("Your buckets");
    await c.type("Bucket name", "not-allowed");
    await c.click("Create bucket");
    await c.see("AccessDenied");
    await c.click("Keys");
    await c.see("AccessDeniedException");
    await c.shot("access-denied");
  });
  c.assertAccessible();
  return { pages: c.pages, saw: "AccessDenied, AccessDeniedException" };
}

/** CreateTrail's own errors, as the console shows them (bucket policy, key policy, 5 trails), and a
 * trail's last delivery error. */
async function trailErrors(endpoint, shots) {
  const c = await withConsole(endpoint, shots, async (c) => {
    await signIn(c);
    await createBucket(c, "bare-logs");
    await createTrail(c, "no-policy", "bare-logs");
    await c.see("InsufficientS3BucketPolicyException");
    await c.shot("trail-error-bucket-policy");
    await savePolicy(c, "bare-logs", bucketPolicy("bare-logs", "*"));
    await c.see("Policy saved.");
    await c.open("#/keys");
    await createKey(c, "alias/default-policy");
    await createTrail(c, "bad-key", "bare-logs", "alias/default-policy");
    await c.see("InsufficientEncryptionPolicyException");
    await c.shot("trail-error-key-policy");
    for (let i = 1; i <= 5; i++) {
      await createTrail(c, `trail-${i}`, "bare-logs");
      await c.see(`Created trail-${i} and started logging.`);
    }
    await createTrail(c, "trail-6", "bare-logs");
    await c.see("MaximumNumberOfTrailsExceededException");
    await c.shot("trail-error-limit");
    // A delivery that fails is reported on the trail's page: the bucket policy is gone.
    await c.open("#/buckets/bare-logs?tab=properties");
    await c.click("Delete policy");
    await c.see("Policy deleted.");
    await deliverNow(c, "trail-1");
    await c.see("AccessDenied", c.panel("Trail"));
    await c.shot("trail-delivery-error");
  });
  c.assertAccessible();
  return { pages: c.pages, saw: "InsufficientS3BucketPolicy, InsufficientEncryptionPolicy, MaximumNumberOfTrailsExceeded, a delivery error" };
}

export const FLOWS = { basics, seed, denied, "trail-errors": trailErrors };
