// A bucket's page: its objects by prefix with folders (ListObjectsV2), "Upload", download,
// delete and presign; the "Properties" tab is views/properties.js.

import { h, loading, fill, table, panel, action, errorBox, bytes } from "../dom.js";
import { listObjects, getObject, deleteObject } from "../s3.js";
import { presignGet } from "../aws.js";
import { upload } from "./upload.js";
import { propertiesView } from "./properties.js";

const enc = encodeURIComponent;

export function bucketHref(bucket, prefix = "", tab) {
  const q = new URLSearchParams();
  if (prefix) q.set("prefix", prefix);
  if (tab) q.set("tab", tab);
  const s = q.toString();
  return `#/buckets/${enc(bucket)}${s ? `?${s}` : ""}`;
}

export const objectHref = (bucket, key) => `#/buckets/${enc(bucket)}/object?key=${enc(key)}`;

export async function bucketView(bucket, prefix, tab) {
  const tabs = h("nav", { class: "actions", "aria-label": "Bucket" },
    h("a", { href: bucketHref(bucket, prefix), "aria-current": tab === "objects" ? "page" : null }, "Objects"),
    h("a", { href: bucketHref(bucket, "", "properties"), "aria-current": tab === "properties" ? "page" : null }, "Properties"));
  const body = tab === "properties" ? propertiesView(bucket) : objectsPanel(bucket, prefix);
  return h("div", {},
    h("div", { class: "crumbs" }, h("a", { href: "#/buckets" }, "Buckets"), " / ", bucket),
    h("h1", {}, bucket), tabs, body);
}

function crumbs(bucket, prefix) {
  const parts = prefix.split("/").filter(Boolean);
  const out = [h("a", { href: bucketHref(bucket) }, bucket)];
  parts.forEach((p, i) => out.push(" / ", h("a", { href: bucketHref(bucket, `${parts.slice(0, i + 1).join("/")}/`) }, p)));
  return h("p", { class: "crumbs" }, out);
}

function objectsPanel(bucket, prefix) {
  const list = loading("Loading objects…");
  const out = h("div", { "aria-live": "polite" });
  const more = h("div");
  const rows = [];
  const render = (page) => {
    for (const f of page.folders) {
      rows.push([h("a", { href: bucketHref(bucket, f) }, `${f.slice(prefix.length)}`), "Folder", "", ""]);
    }
    for (const o of page.objects) rows.push(objectRow(bucket, prefix, o, out, refresh));
    fill(list, table(["Name", "Size", "Last modified", "Actions"], rows, "No objects here."));
    fill(more, page.next ? action(h("button", { type: "button" }, "Load more"), out, async () => {
      render(await listObjects(bucket, prefix, page.next));
    }) : null);
  };
  const refresh = async () => {
    rows.length = 0;
    try {
      render(await listObjects(bucket, prefix));
    } catch (e) {
      fill(list, errorBox(e));
    }
  };
  refresh();
  return h("div", {}, uploadPanel(bucket, prefix, refresh), out,
    panel("Objects", crumbs(bucket, prefix), list, more));
}

function objectRow(bucket, prefix, o, out, refresh) {
  const name = o.key.slice(prefix.length);
  const download = action(h("button", { type: "button", "aria-label": `Download ${name}` }, "Download"), out, async () => {
    const blob = await (await getObject(bucket, o.key)).blob();
    const url = URL.createObjectURL(blob);
    const a = h("a", { href: url, download: name.split("/").pop() || "object" });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  });
  const presign = action(h("button", { type: "button", "aria-label": `Presign ${name}` }, "Presign"), out, async () => {
    const url = await presignGet(bucket, o.key, 3600);
    const box = h("input", { value: url, readonly: true, "aria-label": "Presigned URL", size: 60 });
    fill(out, h("div", { class: "ok" }, `GET URL for ${o.key}, valid 1 hour: `, box));
    box.select();
  });
  const del = action(h("button", { type: "button", class: "danger", "aria-label": `Delete ${name}` }, "Delete"), out, async () => {
    if (!confirm(`Delete ${o.key}?`)) return;
    await deleteObject(bucket, o.key);
    await refresh();
  });
  return [h("a", { href: objectHref(bucket, o.key) }, name), bytes(o.size), o.modified,
    h("span", { class: "actions" }, download, presign, del)];
}

function uploadPanel(bucket, prefix, refresh) {
  const input = h("input", { type: "file", multiple: true, id: "upload-files" });
  const status = h("div", { "aria-live": "polite" });
  const button = action(h("button", { type: "button", class: "primary" }, "Upload"), status, async () => {
    for (const file of input.files) await upload(bucket, prefix + file.name, file, status);
    fill(status, h("div", { class: "ok" }, `Uploaded ${input.files.length} file(s).`));
    input.value = "";
    await refresh();
  });
  return panel("Upload", h("div", { class: "actions" },
    h("label", { for: "upload-files" }, "Files"), input, button), status);
}
