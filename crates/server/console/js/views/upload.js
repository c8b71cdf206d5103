// "Upload": one PutObject for small files, a multipart upload (8 MiB parts, aborted on failure)
// for large ones, with a progress bar over the bytes sent.

import { h, fill, bytes } from "../dom.js";
import { putObject, createMultipart, uploadPart, completeMultipart, abortMultipart } from "../s3.js";

/** Files at least this large go up in parts. */
export const MULTIPART_THRESHOLD = 16 * 1024 * 1024;
const PART_SIZE = 8 * 1024 * 1024;

/** Uploads `file` as `key`, reporting progress into `status` (an element). */
export async function upload(bucket, key, file, status) {
  const bar = h("progress", { max: file.size || 1, value: 0, "aria-label": `Uploading ${key}` });
  const label = h("span", { class: "muted" }, `${key}: 0 of ${bytes(file.size)}`);
  fill(status, label, bar);
  const show = (sent) => {
    bar.value = sent;
    label.textContent = `${key}: ${bytes(sent)} of ${bytes(file.size)}`;
  };
  const headers = { "content-type": file.type || "application/octet-stream" };
  if (file.size < MULTIPART_THRESHOLD) {
    await putObject(bucket, key, file, headers, (loaded) => show(loaded));
    show(file.size);
    return;
  }
  const uploadId = await createMultipart(bucket, key, headers);
  try {
    const etags = [];
    for (let start = 0, n = 1; start < file.size; start += PART_SIZE, n++) {
      const part = file.slice(start, Math.min(start + PART_SIZE, file.size));
      etags.push(await uploadPart(bucket, key, uploadId, n, part, (loaded) => show(start + loaded)));
    }
    await completeMultipart(bucket, key, uploadId, etags);
    show(file.size);
  } catch (e) {
    await abortMultipart(bucket, key, uploadId).catch(() => {});
    throw e;
  }
}
