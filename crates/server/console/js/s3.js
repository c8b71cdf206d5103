// S3 operations the console uses, each one public S3 API call.

import { s3, s3Xml, text, all, xml, AwsError } from "./aws.js";

export async function listBuckets() {
  const doc = await s3Xml({});
  return all(doc, "Bucket").map((b) => ({ name: text(b, "Name"), created: text(b, "CreationDate") }));
}

/** CreateBucket, then the default encryption when one is asked for. */
export async function createBucket(name, { objectLock, sse, kmsKeyId, bucketKey }) {
  const headers = objectLock ? { "x-amz-bucket-object-lock-enabled": "true" } : {};
  await s3({ method: "PUT", bucket: name, headers });
  if (sse && sse !== "default") await putEncryption(name, { sse, kmsKeyId, bucketKey });
}

export const deleteBucket = (name) => s3({ method: "DELETE", bucket: name });

/** One page of ListObjectsV2 under `prefix`, folded at "/". */
export async function listObjects(bucket, prefix, token) {
  const query = [["list-type", "2"], ["delimiter", "/"], ["prefix", prefix]];
  if (token) query.push(["continuation-token", token]);
  const doc = await s3Xml({ bucket, query });
  return {
    folders: all(doc, "CommonPrefixes").map((p) => text(p, "Prefix")),
    objects: all(doc, "Contents").map((o) => ({
      key: text(o, "Key"), size: Number(text(o, "Size")), modified: text(o, "LastModified"),
      etag: text(o, "ETag"),
    })),
    next: text(doc, "IsTruncated") === "true" ? text(doc, "NextContinuationToken") : null,
  };
}

export const putObject = (bucket, key, body, headers, onProgress) =>
  s3({ method: "PUT", bucket, key, body, headers, onProgress });

export const getObject = (bucket, key, versionId) =>
  s3({ bucket, key, query: versionId ? [["versionId", versionId]] : [] });

export const headObject = (bucket, key) => s3({ method: "HEAD", bucket, key });

export const deleteObject = (bucket, key, versionId) =>
  s3({ method: "DELETE", bucket, key, query: versionId ? [["versionId", versionId]] : [] });

export async function createMultipart(bucket, key, headers) {
  const doc = await s3Xml({ method: "POST", bucket, key, query: [["uploads", ""]], headers });
  return text(doc, "UploadId");
}

export async function uploadPart(bucket, key, uploadId, n, blob, onProgress) {
  const r = await s3({ method: "PUT", bucket, key, body: blob, onProgress,
    query: [["partNumber", String(n)], ["uploadId", uploadId]] });
  return r.headers.get("etag");
}

export async function completeMultipart(bucket, key, uploadId, etags) {
  const doc = document.implementation.createDocument(null, "CompleteMultipartUpload");
  etags.forEach((etag, i) => {
    const p = doc.createElement("Part");
    const n = doc.createElement("PartNumber");
    n.textContent = String(i + 1);
    const e = doc.createElement("ETag");
    e.textContent = etag;
    p.append(n, e);
    doc.documentElement.append(p);
  });
  const body = new XMLSerializer().serializeToString(doc);
  const resp = await s3({ method: "POST", bucket, key, query: [["uploadId", uploadId]], body });
  // CompleteMultipartUpload can fail after its 200: the error is then in the body.
  const answer = xml(await resp.text());
  if (answer.documentElement.nodeName === "Error") {
    throw new AwsError(text(answer, "Code"), text(answer, "Message"), 200);
  }
}

export const abortMultipart = (bucket, key, uploadId) =>
  s3({ method: "DELETE", bucket, key, query: [["uploadId", uploadId]] });

/** A bucket sub-resource's XML (`?encryption`, `?versioning`, …), or null when S3 answers `missing`. */
export async function getSub(bucket, sub, missing) {
  try {
    return await s3Xml({ bucket, query: [[sub, ""]] });
  } catch (e) {
    if (missing && e.code === missing) return null;
    throw e;
  }
}

/**
 * PUT of a bucket setting. Some settings require an integrity check (Content-MD5 or a checksum);
 * WebCrypto has no MD5, so every setting is sent with `x-amz-checksum-sha256`, as SDKs do now.
 */
export async function putSub(bucket, sub, body, contentType = "application/xml") {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body));
  const headers = {
    "content-type": contentType,
    "x-amz-checksum-sha256": btoa(String.fromCharCode(...new Uint8Array(digest))),
  };
  return s3({ method: "PUT", bucket, query: [[sub, ""]], body, headers });
}

export const deleteSub = (bucket, sub) => s3({ method: "DELETE", bucket, query: [[sub, ""]] });

export function putEncryption(bucket, { sse, kmsKeyId, bucketKey }) {
  const key = sse !== "AES256" && kmsKeyId ? `<KMSMasterKeyID>${escapeXml(kmsKeyId)}</KMSMasterKeyID>` : "";
  const body = `<ServerSideEncryptionConfiguration><Rule>` +
    `<ApplyServerSideEncryptionByDefault><SSEAlgorithm>${escapeXml(sse)}</SSEAlgorithm>${key}` +
    `</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>${bucketKey ? "true" : "false"}</BucketKeyEnabled>` +
    `</Rule></ServerSideEncryptionConfiguration>`;
  return putSub(bucket, "encryption", body);
}

export function escapeXml(s) {
  return String(s).replace(/[<>&'"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;" })[c]);
}

