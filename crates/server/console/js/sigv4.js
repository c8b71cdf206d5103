// AWS Signature Version 4, computed in the browser with WebCrypto (SHA-256 and HMAC-SHA256):
// the Authorization header for API calls, and query-string signatures for presigned URLs.

const enc = new TextEncoder();
export const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";

function hex(buf) {
  return [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Hex SHA-256 of a string, ArrayBuffer or typed array. */
export async function sha256Hex(data) {
  const bytes = typeof data === "string" ? enc.encode(data) : data;
  return hex(await crypto.subtle.digest("SHA-256", bytes));
}

async function hmac(key, data) {
  const k = await crypto.subtle.importKey("raw", typeof key === "string" ? enc.encode(key) : key,
    { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return crypto.subtle.sign("HMAC", k, enc.encode(data));
}

/** RFC 3986 encoding, as SigV4 requires (encodeURIComponent leaves !'()* alone). */
export function uriEncode(s) {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** A path with each segment encoded and the slashes kept. */
export function encodePath(path) {
  return path.split("/").map(uriEncode).join("/");
}

/** `20261207T120000Z` and `20261207` for a Date. */
export function amzDate(d = new Date()) {
  const iso = d.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  return { stamp: iso, day: iso.slice(0, 8) };
}

function canonicalQuery(query) {
  return query
    .map(([k, v]) => [uriEncode(k), uriEncode(v ?? "")])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
}

async function signingKey(secret, day, region, service) {
  const kDate = await hmac(`AWS4${secret}`, day);
  const kRegion = await hmac(kDate, region);
  const kService = await hmac(kRegion, service);
  return hmac(kService, "aws4_request");
}

async function signature(creds, service, date, canonical) {
  const scope = `${date.day}/${creds.region}/${service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", date.stamp, scope, await sha256Hex(canonical)].join("\n");
  const key = await signingKey(creds.secretAccessKey, date.day, creds.region, service);
  return { scope, signature: hex(await hmac(key, toSign)) };
}

/**
 * Signs a request with an Authorization header. `headers` (lower-case names) must hold every
 * header to sign, `host` included; returns the headers to send (without `host`, which the
 * browser sets itself to the same value).
 */
export async function signHeaders(creds, service, { method, path, query = [], headers, payloadHash }) {
  const date = amzDate();
  const all = { ...headers, "x-amz-date": date.stamp };
  if (service === "s3") all["x-amz-content-sha256"] = payloadHash;
  const names = Object.keys(all).map((n) => n.toLowerCase()).sort();
  const lower = Object.fromEntries(Object.entries(all).map(([k, v]) => [k.toLowerCase(), String(v).trim()]));
  const canonical = [method, encodePath(path), canonicalQuery(query),
    names.map((n) => `${n}:${lower[n]}\n`).join(""), names.join(";"), payloadHash].join("\n");
  const { scope, signature: sig } = await signature(creds, service, date, canonical);
  const out = { ...all };
  delete out.host;
  out.authorization = `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, ` +
    `SignedHeaders=${names.join(";")}, Signature=${sig}`;
  return out;
}

/** A presigned URL (query-string signature, only `host` signed) valid for `expires` seconds. */
export async function presign(creds, service, { method, host, path, query = [], expires }) {
  const date = amzDate();
  const scope = `${date.day}/${creds.region}/${service}/aws4_request`;
  const q = [...query,
    ["X-Amz-Algorithm", "AWS4-HMAC-SHA256"],
    ["X-Amz-Credential", `${creds.accessKeyId}/${scope}`],
    ["X-Amz-Date", date.stamp],
    ["X-Amz-Expires", String(expires)],
    ["X-Amz-SignedHeaders", "host"]];
  const canonical = [method, encodePath(path), canonicalQuery(q), `host:${host}\n`, "host", UNSIGNED_PAYLOAD].join("\n");
  const { signature: sig } = await signature(creds, service, date, canonical);
  return `${location.protocol}//${host}${encodePath(path)}?${canonicalQuery(q)}&X-Amz-Signature=${sig}`;
}
