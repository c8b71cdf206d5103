// A bucket's settings and objects beyond the seed's scenario: Object Lock from "Create bucket"
// with a default retention, lifecycle rules added and deleted, server access logging set (and
// S3's error for a missing target), then a multipart upload with its progress bar, a download,
// a presigned URL that works without credentials, and deleting an object and a bucket.

import fs from "node:fs";
import { withConsole } from "./browser.mjs";
import { createBucket, createKey, deliverNow, file, signIn, trailInto, upload } from "./steps.mjs";

/** Above the console's multipart threshold (16 MiB): three 8 MiB parts. */
const LARGE = 17 * 1024 * 1024;

async function settings(endpoint, shots) {
  const c = await withConsole(endpoint, shots, async (c) => {
    const page = c.page;
    await signIn(c);
    // Object Lock, chosen when the bucket is created, then a default retention.
    await c.type("Bucket name", "locked-bucket");
    await page.getByLabel("Object Lock (enables versioning; cannot be turned off)").check();
    await c.click("Create bucket");
    await c.see("Created locked-bucket.");
    await c.open("#/buckets/locked-bucket?tab=properties");
    const lock = c.panel("Object Lock");
    await c.see("Enabled (versioning stays on)", lock);
    await c.see("Enabled", c.panel("Bucket Versioning"));
    await c.choose("Default retention mode", "GOVERNANCE");
    await c.type("Retention days", "3");
    await c.click("Save default retention");
    await c.see("GOVERNANCE, 3 day(s)", lock);
    // Lifecycle: a rule added, S3's validation error for a bad one, the rule deleted.
    const rules = c.panel("Lifecycle");
    await c.type("Rule ID", "expire-tmp");
    await c.type("Prefix", "tmp/");
    await c.type("Expire after days", "30");
    await c.click("Add expiration rule");
    await c.see("expire current versions after 30 day(s)", rules);
    await c.see("prefix tmp/", rules);
    await c.type("Rule ID", "expire-tmp");
    await c.click("Add expiration rule");
    await c.see("InvalidArgument", rules);
    // Server access logging: S3's error for a target that does not exist, then a real one.
    await createBucket(c, "access-logs");
    await c.open("#/buckets/locked-bucket?tab=properties");
    const access = c.panel("Server access logging");
    await c.type("Target bucket", "no-such-bucket");
    await c.click("Save server access logging");
    await c.see("InvalidTargetBucketForLogging", access);
    await c.type("Target bucket", "access-logs");
    await c.type("Target prefix", "logs/");
    await c.click("Save server access logging");
    await c.see("Log objects stored as", access);
    await c.see("logs/", access);
    await c.shot("bucket-settings");
    await c.click("Delete rule expire-tmp");
    await c.see("No lifecycle rules.", rules);
    // A large file goes up in parts; download and a presigned URL give its bytes back.
    await c.open("#/buckets/access-logs");
    const big = file("big.bin", Buffer.alloc(LARGE, 7));
    await page.getByLabel("Files", { exact: true }).setInputFiles(big);
    await c.click("Upload");
    await c.see("Uploaded 1 file(s).");
    await c.see("17.0 MiB");
    await upload(c, "small.txt", "presign me\n");
    const [download] = await Promise.all([page.waitForEvent("download"), c.click("Download small.txt")]);
    const got = fs.readFileSync(await download.path(), "utf8");
    if (got !== "presign me\n") throw new Error(`the download gave ${JSON.stringify(got)}`);
    await c.click("Presign small.txt");
    const url = await c.field("Presigned URL").inputValue();
    const fetched = await (await fetch(url)).text();
    if (fetched !== "presign me\n") throw new Error(`the presigned URL gave ${JSON.stringify(fetched)}`);
    await c.shot("bucket-objects");
    // Deleting asks first.
    page.on("dialog", (d) => d.accept());
    await c.click("Delete small.txt");
    await c.gone("small.txt", c.panel("Objects"));
    await createBucket(c, "short-lived");
    await c.click("Delete bucket short-lived");
    await c.gone("short-lived", c.panel("Your buckets"));
  });
  c.assertAccessible();
  return { pages: c.pages, saw: "Object Lock retention, lifecycle rules, server access logging, multipart upload, download, presign, delete" };
}

/**
 * A trail stopped and started, advanced event selectors (and CloudTrail's error for bad ones)
 * with a bucket's data events added to them, a delivered log file's page, and a key's rotation,
 * deletion scheduled and cancelled.
 */
async function keysAndTrails(endpoint, shots) {
  const c = await withConsole(endpoint, shots, async (c) => {
    await signIn(c);
    await createBucket(c, "ops-data");
    await createBucket(c, "ops-logs");
    await trailInto(c, "ops-trail", "ops-logs");
    await c.click("ops-trail");
    const trail = c.panel("Trail");
    await c.click("Stop logging");
    await c.see("Stopped", trail);
    await c.click("Start logging");
    await c.see("Logging", trail);
    // Advanced selectors: CloudTrail's error for a bad one, then management events only, then
    // the bucket's data events added as one more advanced selector.
    const editor = c.field("Selectors JSON");
    await editor.fill(JSON.stringify({ AdvancedEventSelectors: [{ FieldSelectors: [{ Field: "eventCategory", Equals: ["Nope"] }] }] }));
    await c.click("Save selectors");
    await c.see("InvalidEventSelectorsException");
    await editor.fill(JSON.stringify({ AdvancedEventSelectors: [{ Name: "Management events",
      FieldSelectors: [{ Field: "eventCategory", Equals: ["Management"] }] }] }));
    await c.click("Save selectors");
    await c.see("Selectors saved.");
    await c.type("Bucket whose data events to log", "ops-data");
    await c.click("Log data events of bucket");
    await c.see("The trail now logs data events of ops-data.");
    const saved = JSON.parse(await editor.inputValue());
    if (saved.AdvancedEventSelectors?.length !== 2) throw new Error(`selectors after adding the bucket: ${JSON.stringify(saved)}`);
    await c.open("#/buckets/ops-data?tab=properties");
    await c.see("ops-trail", c.panel("Object-level logging"));
    // A data event delivered, and the log file's own page.
    await c.click("Objects");
    await upload(c, "logged.txt", "a data event\n");
    await deliverNow(c, "ops-trail");
    const files = c.panel("Delivered files");
    await c.see("log", files);
    await files.locator("tbody tr").filter({ has: c.page.locator("td:nth-child(2)", { hasText: /^log$/ }) })
      .getByRole("link").first().click();
    await c.see("CloudTrail file");
    await c.see("ops-trail", c.panel("CloudTrail file"));
    await c.see("Digest check", c.panel("CloudTrail file"));
    await c.shot("log-file");
    // A key: rotation on, deletion scheduled, then cancelled (which leaves it disabled).
    await c.open("#/keys");
    await createKey(c, "alias/ops-key");
    await c.click("alias/ops-key");
    await c.click("Enable rotation");
    await c.see("Disable rotation");
    await c.see("Enabled", c.panel("Rotation"));
    await c.click("Schedule deletion");
    await c.see("PendingDeletion", c.panel("Key"));
    await c.see("Deletion date", c.panel("Key"));
    await c.click("Cancel deletion");
    await c.see("Disabled", c.panel("Key"));
    await c.click("Enable");
    await c.see("Enabled", c.panel("Key"));
    await c.shot("key-rotation");
  });
  c.assertAccessible();
  return { pages: c.pages, saw: "stop/start logging, advanced selectors and their error, a log file's page, rotation, deletion scheduled and cancelled" };
}

export const SETTINGS_SCENARIOS = { settings, "keys-trails": keysAndTrails };
