// "Map": the account as a picture drawn from live state — keys, buckets and trails as nodes;
// edges "default key", "trail delivers to", "trail encrypts log files with", "trail logs data
// events of" and "digest files: SSE-S3" — from ListKeys/ListAliases, DescribeTrails and
// trailstack's explanation of each bucket. The same edges follow as a table, for keyboards and
// screen readers.

import { h, loading, fill, panel, table, errorBox } from "../dom.js";
import { listBuckets } from "../s3.js";
import { listKeys } from "../kms.js";
import { describeTrails, explain } from "../cloudtrail.js";

const SVG = "http://www.w3.org/2000/svg"; // SVG's namespace name: an identifier, never fetched
const COL = { key: 10, bucket: 395, trail: 780 };
const ROW = 64;
const W = 210;

function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

/** The account's nodes and edges. */
async function account() {
  const [buckets, keys, trails] = await Promise.all([listBuckets(), listKeys(), describeTrails()]);
  const reports = await Promise.all(buckets.map((b) => explain(`s3://${b.name}`).catch(() => null)));
  const keyOf = (arnOrId) => keys.find((k) => k.Arn === arnOrId || k.KeyId === arnOrId ||
    k.Aliases.includes(arnOrId) || k.Aliases.some((a) => arnOrId.endsWith(`:${a}`)));
  const edges = [];
  reports.forEach((r, i) => {
    if (!r) return;
    const d = r.default_encryption;
    if (d.key) edges.push({ from: `bucket:${buckets[i].name}`, to: `key:${(keyOf(d.key.arn) || {}).KeyId}`, label: "default key" });
    for (const c of r.object_level_logging) {
      edges.push({ from: `trail:${c.trail.name}`, to: `bucket:${buckets[i].name}`, label: "trail logs data events of" });
    }
  });
  for (const t of trails) {
    edges.push({ from: `trail:${t.Name}`, to: `bucket:${t.S3BucketName}`,
      label: t.LogFileValidationEnabled ? "trail delivers to (digest files: SSE-S3)" : "trail delivers to" });
    const k = t.KmsKeyId && keyOf(t.KmsKeyId);
    if (k) edges.push({ from: `trail:${t.Name}`, to: `key:${k.KeyId}`, label: "trail encrypts log files with" });
  }
  const used = keys.filter((k) => k.KeyManager === "CUSTOMER" || edges.some((e) => e.to === `key:${k.KeyId}`));
  const nodes = [
    ...used.map((k, i) => ({ id: `key:${k.KeyId}`, kind: "key", label: k.Aliases[0] || k.KeyId, sub: k.KeyState, i })),
    ...buckets.map((b, i) => ({ id: `bucket:${b.name}`, kind: "bucket", label: b.name, sub: "bucket", i })),
    ...trails.map((t, i) => ({ id: `trail:${t.Name}`, kind: "trail", label: t.Name, sub: "trail", i })),
  ];
  return { nodes, edges: edges.filter((e) => nodes.some((n) => n.id === e.to) && nodes.some((n) => n.id === e.from)) };
}

const href = (n) => `#/${n.kind}s/${encodeURIComponent(n.id.slice(n.kind.length + 1))}`;

function draw({ nodes, edges }) {
  const rows = Math.max(1, ...["key", "bucket", "trail"].map((k) => nodes.filter((n) => n.kind === k).length));
  const height = 60 + rows * ROW;
  const pos = (n) => ({ x: COL[n.kind], y: 50 + n.i * ROW });
  const byId = Object.fromEntries(nodes.map((n) => [n.id, n]));
  const pic = svg("svg", { viewBox: `0 0 1000 ${height}`, class: "map", role: "group",
    "aria-label": "Map of keys, buckets and trails" });
  for (const [kind, title] of [["key", "KMS keys"], ["bucket", "Buckets"], ["trail", "Trails"]]) {
    pic.append(svg("text", { x: COL[kind], y: 24, class: "map-head" }, title));
  }
  edges.forEach((e, i) => {
    const a = pos(byId[e.from]);
    const b = pos(byId[e.to]);
    const [x1, x2] = a.x < b.x ? [a.x + W, b.x] : [a.x, b.x + W];
    const y1 = a.y + 18 + (i % 3) * 4;
    const y2 = b.y + 18;
    const mx = (x1 + x2) / 2;
    pic.append(svg("path", { d: `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`, class: `map-edge ${byId[e.from].kind}` }));
    pic.append(svg("text", { x: mx, y: (y1 + y2) / 2 - 4, class: "map-label", "text-anchor": "middle" }, e.label));
  });
  for (const n of nodes) {
    const { x, y } = pos(n);
    const link = svg("a", { href: href(n) },
      svg("rect", { x, y, width: W, height: 38, rx: 6, class: `map-node ${n.kind}` }),
      svg("text", { x: x + 10, y: y + 16, class: "map-name" }, n.label.length > 30 ? `${n.label.slice(0, 29)}…` : n.label),
      svg("text", { x: x + 10, y: y + 31, class: "map-sub" }, n.sub));
    pic.append(link);
  }
  return pic;
}

export async function mapView() {
  const body = loading("Drawing the account…");
  account().then((a) => fill(body, panel("Account", a.nodes.length ? draw(a) : h("p", { class: "muted" }, "Nothing yet.")),
    panel("Connections", table(["From", "Connection", "To"], a.edges.map((e) => [e.from, e.label, e.to]), "No connections."))))
    .catch((e) => fill(body, errorBox(e)));
  return h("div", {}, h("h1", {}, "Map"), body);
}
