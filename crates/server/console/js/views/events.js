// "Event history": LookupEvents with AWS's lookup attributes and a time range, newest first,
// a page at a time, each event's CloudTrail record as JSON.

import { h, fill, field, select, table, panel, action, errorBox } from "../dom.js";
import { lookupEvents } from "../cloudtrail.js";

const ATTRIBUTES = ["EventName", "EventSource", "Username", "ResourceName", "ResourceType", "ReadOnly", "AccessKeyId", "EventId"];

function localInput(d) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export async function eventsView(q) {
  const attr = select([["", "Any"], ...ATTRIBUTES.map((a) => [a, a])], q.get("attr") || "", {});
  const value = h("input", { spellcheck: "false", value: q.get("value") || "" });
  const now = new Date();
  const start = h("input", { type: "datetime-local", value: localInput(new Date(now - 24 * 3600 * 1000)) });
  const end = h("input", { type: "datetime-local", value: localInput(new Date(now.getTime() + 3600 * 1000)) });
  const list = h("div");
  const out = h("div", { "aria-live": "polite" });
  const more = h("div");
  let rows = [];
  const search = async (token) => {
    const input = { MaxResults: 50, StartTime: new Date(start.value).getTime() / 1000, EndTime: new Date(end.value).getTime() / 1000 };
    if (attr.value && value.value.trim()) input.LookupAttributes = [{ AttributeKey: attr.value, AttributeValue: value.value.trim() }];
    if (token) input.NextToken = token;
    const r = await lookupEvents(input);
    if (!token) rows = [];
    rows.push(...r.Events.map(eventRow));
    fill(list, table(["Time", "Event", "Source", "User", "Resources", ""], rows, "No events match."));
    fill(more, r.NextToken ? action(h("button", { type: "button" }, "Next page"), out, () => search(r.NextToken)) : null);
  };
  const go = h("button", { type: "submit", class: "primary" }, "Look up events");
  const form = h("form", { class: "grid" }, field("Lookup attribute", attr), field("Value", value),
    field("From", start), field("To", end), h("div", {}, go));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    go.disabled = true;
    fill(out);
    try {
      await search();
    } catch (e) {
      fill(out, errorBox(e));
    } finally {
      go.disabled = false;
    }
  });
  search().catch((e) => fill(out, errorBox(e)));
  return h("div", {}, h("h1", {}, "Event history"),
    panel("Lookup", h("p", { class: "muted" }, "Management events of the last 90 days, newest first (LookupEvents)."), form),
    out, panel("Events", list, more));
}

function eventRow(e) {
  const record = h("pre", { hidden: true }, JSON.stringify(JSON.parse(e.CloudTrailEvent), null, 2));
  const show = h("button", { type: "button", "aria-expanded": "false" }, "JSON");
  show.addEventListener("click", () => {
    record.hidden = !record.hidden;
    show.setAttribute("aria-expanded", String(!record.hidden));
  });
  return [new Date(e.EventTime * 1000).toISOString(), e.EventName, e.EventSource, e.Username || "—",
    (e.Resources || []).map((r) => r.ResourceName).join(", ") || "—", h("div", {}, show, record)];
}
