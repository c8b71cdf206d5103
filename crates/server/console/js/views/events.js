// "Event history": LookupEvents with AWS's lookup attributes and a time range, newest first,
// a page at a time, each event's CloudTrail record as JSON; with "Include data events", also
// the data events the trails delivered (views/dataevents.js), which LookupEvents never holds.

import { h, loading, fill, field, select, table, panel, action, errorBox, submitted } from "../dom.js";
import { lookupEvents } from "../cloudtrail.js";
import { deliveredDataEvents } from "./dataevents.js";

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
  const data = h("input", { type: "checkbox", role: "switch", checked: q.get("data") === "1" });
  const list = loading("Loading events…");
  const out = h("div", { "aria-live": "polite" });
  const notes = h("div");
  const more = h("div");
  let events = [];
  const show = () => {
    events.sort((a, b) => b.EventTime - a.EventTime);
    fill(list, table(["Time", "Event", "Category", "Source", "User", "Resources", ""], events.map(eventRow), "No events match."));
  };
  const search = async (token) => {
    const range = { StartTime: new Date(start.value).getTime() / 1000, EndTime: new Date(end.value).getTime() / 1000 };
    const input = { MaxResults: 50, ...range };
    const attribute = attr.value && value.value.trim() ? { key: attr.value, value: value.value.trim() } : null;
    if (attribute) input.LookupAttributes = [{ AttributeKey: attribute.key, AttributeValue: attribute.value }];
    if (token) input.NextToken = token;
    const [r, delivered] = await Promise.all([lookupEvents(input),
      !token && data.checked ? deliveredDataEvents(range.StartTime, range.EndTime, attribute) : null]);
    if (!token) {
      events = [];
      fill(notes, delivered ? dataNote(delivered) : null);
    }
    events.push(...r.Events.map((e) => ({ ...e, Category: "Management" })), ...(delivered ? delivered.events : []));
    show();
    fill(more, r.NextToken ? action(h("button", { type: "button" }, "Next page"), out, () => search(r.NextToken)) : null);
  };
  const go = h("button", { type: "submit", class: "primary" }, "Look up events");
  const form = h("form", {}, h("div", { class: "grid" }, field("Lookup attribute", attr), field("Value", value),
    field("From", start), field("To", end)),
  h("label", { class: "check" }, data, "Include data events"),
  h("p", { class: "muted" }, "LookupEvents holds management events only, as in AWS. Data events (GetObject, PutObject, " +
    "…) are recorded only by trails that take them: this reads them from the log files those trails delivered."), go);
  data.addEventListener("change", () => form.requestSubmit());
  submitted(form, go, out, () => search());
  search().catch((e) => fill(list, errorBox(e)));
  return h("div", {}, h("h1", {}, "Event history"),
    panel("Lookup", h("p", { class: "muted" }, "Management events of the last 90 days, newest first (LookupEvents)."), form),
    out, panel("Events", notes, list, more));
}

function eventRow(e) {
  const record = h("pre", { hidden: true }, JSON.stringify(JSON.parse(e.CloudTrailEvent), null, 2));
  const show = h("button", { type: "button", "aria-expanded": "false" }, "JSON");
  show.addEventListener("click", () => {
    record.hidden = !record.hidden;
    show.setAttribute("aria-expanded", String(!record.hidden));
  });
  return [new Date(e.EventTime * 1000).toISOString(), e.EventName, e.Category, e.EventSource, e.Username || "—",
    (e.Resources || []).map((r) => r.ResourceName).join(", ") || "—", h("div", {}, show, record)];
}

/** How many data events the delivered log files gave, and which files could not be read. */
function dataNote({ events, unreadable }) {
  return h("div", { class: unreadable.length ? "error" : "muted" },
    `${events.length} data event(s) from delivered log files.`,
    unreadable.length ? [" Could not read: ", unreadable.map((u, i) => [i ? "; " : "", `${u.where} (${u.code})`])] : null);
}
