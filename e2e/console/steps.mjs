// Steps the console's scenarios share: the harness's credentials, files to upload, the bucket
// policy CloudTrail needs, signing in, and the few forms and buttons every scenario uses.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** The harness's credentials and account (e2e/harness.py). */
export const ACCESS_KEY = "test";
export const SECRET_KEY = "test";
export const ACCOUNT = "000000000000";
export const REGION = "us-east-1";
/** The restricted user of e2e/checks_console.py's configuration. */
export const READER = ["AKIAREADER", "reader-secret"];

/** A small file to upload, written to a scratch dir. */
export function file(name, text) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trailstack-upload-"));
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

/** The bucket policy CloudTrail needs to deliver for trails named `trails` (a pattern). */
export function bucketPolicy(bucket, trails) {
  const arn = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/${trails}`;
  return JSON.stringify({ Version: "2012-10-17", Statement: [
    { Sid: "AWSCloudTrailAclCheck", Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: "s3:GetBucketAcl", Resource: `arn:aws:s3:::${bucket}`, Condition: { StringLike: { "aws:SourceArn": arn } } },
    { Sid: "AWSCloudTrailWrite", Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: "s3:PutObject", Resource: `arn:aws:s3:::${bucket}/AWSLogs/${ACCOUNT}/*`,
      Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control" }, StringLike: { "aws:SourceArn": arn } } },
  ] }, null, 2);
}

/** Opens the console and signs in with the harness's credentials. */
export async function signIn(c) {
  await c.open();
  await c.signIn(ACCESS_KEY, SECRET_KEY);
  await c.see("Your buckets");
}

export async function createBucket(c, name) {
  await c.open("#/buckets");
  await c.type("Bucket name", name);
  await c.click("Create bucket");
  await c.see(`Created ${name}.`);
}

export async function upload(c, name, text) {
  await c.page.getByLabel("Files", { exact: true }).setInputFiles(file(name, text));
  await c.click("Upload");
  await c.see("Uploaded 1 file(s).");
}

export async function savePolicy(c, bucket, policy) {
  await c.open(`#/buckets/${bucket}?tab=properties`);
  await c.field("Bucket policy JSON").fill(policy);
  await c.click("Save policy");
}

/** Creates a key named `alias` on the keys page, which must be open. */
export async function createKey(c, alias) {
  await c.type("Alias", alias);
  await c.click("Create key");
  await c.see(alias);
}

/** Gives `bucket` the policy CloudTrail needs for `trail`, then creates the trail into it. */
export async function trailInto(c, trail, bucket) {
  await savePolicy(c, bucket, bucketPolicy(bucket, trail));
  await c.see("Policy saved.");
  await createTrail(c, trail, bucket);
  await c.see("and started logging");
}

/** "Deliver now" on trail `name`'s page. */
export async function deliverNow(c, name) {
  await c.open(`#/trails/${name}`);
  await c.click("Deliver now");
  await c.see("Delivered");
}

export async function createTrail(c, name, bucket, key) {
  await c.open("#/trails");
  await c.type("Trail name", name);
  await c.type("S3 bucket", bucket);
  await c.type("KMS key for log files", key || "");
  await c.click("Create trail");
}
