// Calls to trailstack's public APIs, signed like any SDK's: S3's REST/XML and the JSON protocol
// of KMS, CloudTrail and trailstack's own `Trailstack.*` operations. Failures become AwsError
// with the service's own code and message.

import { credentials } from "./session.js";
import { sha256Hex, signHeaders, encodePath, uriEncode, presign, UNSIGNED_PAYLOAD } from "./sigv4.js";

/** How the console names itself in CloudTrail's userAgent (browsers refuse a User-Agent). */
export const USER_AGENT = "trailstack-console/1.0";

/** An error as the service answered it. */
export class AwsError extends Error {
  constructor(code, message, status, requestId) {
    super(message);
    this.code = code;
    this.status = status;
    this.requestId = requestId;
  }
}

function creds() {
  const c = credentials();
  if (!c) throw new AwsError("NotSignedIn", "Sign in first.", 0);
  return c;
}

function queryString(query) {
  return query.map(([k, v]) => (v === "" || v === undefined ? uriEncode(k) + "=" : `${uriEncode(k)}=${uriEncode(v)}`)).join("&");
}

/** Parses XML text into a document. */
export function xml(text) {
  return new DOMParser().parseFromString(text, "application/xml");
}

/** The text of the first element named `name` under `node`, or undefined. */
export function text(node, name) {
  const el = node.getElementsByTagName(name)[0];
  return el ? el.textContent : undefined;
}

/** The elements named `name` under `node`, as an array. */
export function all(node, name) {
  return [...node.getElementsByTagName(name)];
}

async function s3Error(resp) {
  const body = await resp.text();
  const rid = resp.headers.get("x-amz-request-id");
  if (body) {
    const doc = xml(body);
    const code = text(doc, "Code");
    if (code) return new AwsError(code, text(doc, "Message") || "", resp.status, rid);
  }
  // HEAD answers carry no body: S3's code is implied by the status.
  const implied = { 403: "Forbidden", 404: "NotFound", 301: "PermanentRedirect", 400: "BadRequest" };
  return new AwsError(implied[resp.status] || `HTTP${resp.status}`, resp.statusText || "", resp.status, rid);
}

/**
 * One S3 request, path-style. `body` is a string, ArrayBuffer or Blob; its SHA-256 is signed
 * (Blobs over 64 MiB are sent with UNSIGNED-PAYLOAD rather than read twice). `onProgress`
 * (loaded, total) switches to XMLHttpRequest, the only browser API that reports upload progress.
 */
export async function s3({ method = "GET", bucket, key, query = [], headers = {}, body, onProgress }) {
  const c = creds();
  let path = "/";
  if (bucket) path += bucket;
  if (key !== undefined) path += `/${key}`;
  let payloadHash;
  let sendBody = body;
  if (body === undefined || body === null) payloadHash = await sha256Hex("");
  else if (body instanceof Blob && body.size > 64 * 1024 * 1024) payloadHash = UNSIGNED_PAYLOAD;
  else {
    sendBody = body instanceof Blob ? await body.arrayBuffer() : body;
    payloadHash = await sha256Hex(sendBody);
  }
  const signed = await signHeaders(c, "s3", {
    method, path, query, payloadHash,
    headers: { host: location.host, ...headers },
  });
  signed["x-amz-user-agent"] = USER_AGENT;
  const url = encodePath(path) + (query.length ? `?${queryString(query)}` : "");
  const resp = onProgress
    ? await xhr(method, url, signed, sendBody, onProgress)
    : await fetch(url, { method, headers: signed, body: sendBody, cache: "no-store" });
  if (!resp.ok) throw await s3Error(resp);
  return resp;
}

/** A fetch-like Response for an upload sent with XMLHttpRequest, reporting its progress. */
function xhr(method, url, headers, body, onProgress) {
  return new Promise((resolve, reject) => {
    const r = new XMLHttpRequest();
    r.open(method, url);
    for (const [k, v] of Object.entries(headers)) r.setRequestHeader(k, v);
    r.upload.onprogress = (e) => onProgress(e.loaded, e.total);
    r.onload = () => {
      const h = new Headers();
      for (const line of r.getAllResponseHeaders().trim().split(/\r?\n/)) {
        const i = line.indexOf(":");
        if (i > 0) h.append(line.slice(0, i).trim(), line.slice(i + 1).trim());
      }
      resolve(new Response(r.status === 204 ? null : r.response, { status: r.status, statusText: r.statusText, headers: h }));
    };
    r.onerror = () => reject(new AwsError("NetworkError", "The request did not reach the server.", 0));
    r.responseType = "blob";
    r.send(body ?? null);
  });
}

/** An S3 request's XML answer as a document. */
export async function s3Xml(req) {
  return xml(await (await s3(req)).text());
}

/** A presigned S3 URL for GET of an object. */
export async function presignGet(bucket, key, expires) {
  return presign(creds(), "s3", { method: "GET", host: location.host, path: `/${bucket}/${key}`, expires });
}

const TARGET_PREFIX = {
  kms: "TrentService.",
  cloudtrail: "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.",
  trailstack: "Trailstack.",
};

/** One JSON-protocol call: `service` is kms, cloudtrail or trailstack; returns the parsed answer. */
export async function json(service, operation, input = {}) {
  const c = creds();
  const body = JSON.stringify(input);
  const signed = await signHeaders(c, service === "kms" ? "kms" : "cloudtrail", {
    method: "POST", path: "/", payloadHash: await sha256Hex(body),
    headers: {
      host: location.host,
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": TARGET_PREFIX[service] + operation,
    },
  });
  signed["x-amz-user-agent"] = USER_AGENT;
  const resp = await fetch("/", { method: "POST", headers: signed, body, cache: "no-store" });
  const textBody = await resp.text();
  let parsed = {};
  try {
    parsed = textBody ? JSON.parse(textBody) : {};
  } catch {
    parsed = { message: textBody };
  }
  if (!resp.ok) {
    const code = String(parsed.__type || `HTTP${resp.status}`).split("#").pop();
    throw new AwsError(code, parsed.message || parsed.Message || "", resp.status, resp.headers.get("x-amzn-requestid"));
  }
  return parsed;
}
