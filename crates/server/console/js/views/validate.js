// "Validate": checks a trail's digest chain and log files the way `aws cloudtrail
// validate-logs` does (docs/aws/cloudtrail-delivery.md §B.3–B.6): each digest's SHA256withRSA
// signature over `endTime\nbucket/key\nsha256(digest)\npreviousSignature` with the public key
// ListPublicKeys gives for its fingerprint, its place in the chain (the previous digest's hash
// and signature), and the SHA-256 of each log file it lists. All in the browser: WebCrypto
// verifies, DecompressionStream gunzips, every read is a signed GetObject.

import { h, table } from "../dom.js";
import { s3, AwsError } from "../aws.js";
import { credentials } from "../session.js";
import { sha256Hex } from "../sigv4.js";
import { listPublicKeys } from "../cloudtrail.js";
import { listAll } from "./delivered.js";

/** The stored bytes of an object, gunzipped when they are gzip (fetch may have done it). */
export async function storedDocument(bucket, key) {
  const resp = await s3({ bucket, key });
  let raw = new Uint8Array(await resp.arrayBuffer());
  if (raw[0] === 0x1f && raw[1] === 0x8b) {
    raw = new Uint8Array(await new Response(new Blob([raw]).stream().pipeThrough(new DecompressionStream("gzip"))).arrayBuffer());
  }
  return { raw, signature: resp.headers.get("x-amz-meta-signature") };
}

/** DER length bytes. */
function derLength(n) {
  if (n < 0x80) return [n];
  const out = [];
  for (; n > 0; n >>= 8) out.unshift(n & 0xff);
  return [0x80 | out.length, ...out];
}

const der = (tag, body) => [tag, ...derLength(body.length), ...body];

/** Wraps a PKCS#1 RSAPublicKey (what ListPublicKeys returns) as the SPKI WebCrypto imports. */
function spki(pkcs1) {
  const rsaEncryption = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00];
  return new Uint8Array(der(0x30, [...der(0x30, rsaEncryption), ...der(0x03, [0x00, ...pkcs1])]));
}

function unhex(s) {
  return new Uint8Array((s.match(/../g) || []).map((b) => parseInt(b, 16)));
}

async function importKey(base64) {
  const pkcs1 = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return crypto.subtle.importKey("spki", spki(pkcs1), { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["verify"]);
}

async function checkDigest(bucket, key, keys) {
  let doc;
  try {
    doc = await storedDocument(bucket, key);
  } catch (e) {
    if (e instanceof AwsError && e.code === "NoSuchKey") return { reason: "not found" };
    throw e;
  }
  let d;
  try {
    d = JSON.parse(new TextDecoder().decode(doc.raw));
  } catch {
    return { reason: "invalid format" };
  }
  if (d.digestS3Bucket !== bucket || d.digestS3Object !== key) return { reason: "has been moved from its original location", d };
  const pub = keys.find((k) => k.Fingerprint === d.digestPublicKeyFingerprint);
  if (!pub) return { reason: `public key not found for fingerprint ${d.digestPublicKeyFingerprint}`, d };
  const hash = await sha256Hex(doc.raw);
  const signed = `${d.digestEndTime}\n${bucket}/${key}\n${hash}\n${d.previousDigestSignature ?? "null"}`;
  const ok = doc.signature && await crypto.subtle.verify("RSASSA-PKCS1-v1_5", await importKey(pub.Value),
    unhex(doc.signature), new TextEncoder().encode(signed));
  return ok ? { d, hash, signature: doc.signature } : { reason: "signature verification failed", d };
}

async function checkLog(f) {
  try {
    const { raw } = await storedDocument(f.s3Bucket, f.s3Object);
    return (await sha256Hex(raw)) === f.hashValue ? null : "hash value doesn't match";
  } catch (e) {
    if (e instanceof AwsError && e.code === "NoSuchKey") return "not found";
    throw e;
  }
}

/** Validates every digest of the trail and the log files they list; returns the result table. */
export async function validate(t) {
  const [, , , home, account, ] = t.TrailARN.split(":");
  const region = credentials().region;
  const prefix = `${t.S3KeyPrefix ? `${t.S3KeyPrefix}/` : ""}AWSLogs/${account}/CloudTrail-Digest/${region}/`;
  const marker = `_CloudTrail-Digest_${region}_${t.Name}_${home}_`;
  const keys = (await listAll(t.S3BucketName, prefix)).map((f) => f.key).filter((k) => k.includes(marker)).sort();
  if (!keys.length) return h("p", {}, "No digests found.");
  const first = keys[0].match(/_(\d{8}T\d{6}Z)/)[1];
  const start = Date.UTC(+first.slice(0, 4), +first.slice(4, 6) - 1, +first.slice(6, 8)) / 1000 - 86400;
  const publicKeys = await listPublicKeys({ StartTime: start, EndTime: Date.now() / 1000 + 7200 });
  const rows = [];
  let digests = 0, digestsOk = 0, logs = 0, logsOk = 0;
  let newer = null;
  for (const key of keys.reverse()) {
    digests++;
    const r = await checkDigest(t.S3BucketName, key, publicKeys);
    let reason = r.reason;
    // The newer digest names this one as its previous: its hash and signature must match.
    if (!reason && newer && newer.previousDigestS3Object === key &&
      (newer.previousDigestHashValue !== r.hash || newer.previousDigestSignature !== r.signature)) {
      reason = "does not match the hash or signature the next digest records";
    }
    rows.push(["Digest file", `s3://${t.S3BucketName}/${key}`, verdict(reason)]);
    newer = r.d || null;
    if (reason) continue;
    digestsOk++;
    for (const f of r.d.logFiles || []) {
      logs++;
      const bad = await checkLog(f);
      if (!bad) logsOk++;
      rows.push(["Log file", `s3://${f.s3Bucket}/${f.s3Object}`, verdict(bad)]);
    }
  }
  const allOk = digestsOk === digests && logsOk === logs;
  return h("div", {},
    h("div", { class: allOk ? "ok" : "error", role: "status" },
      `${digestsOk}/${digests} digest files valid, ${logsOk}/${logs} log files valid`),
    table(["File", "Location", "Result"], rows));
}

const verdict = (reason) => h("span", { class: `badge ${reason ? "off" : "on"}` }, reason ? `INVALID: ${reason}` : "valid");
