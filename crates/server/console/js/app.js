// The console's shell: sign in and out, the navigation, and the router that maps the address's
// hash (#/buckets, #/buckets/NAME, …) to a view. Each view renders into <main> and shows AWS's
// error code and message when a call fails.

import { h, fill, field, errorBox } from "./dom.js";
import { credentials, signIn, signOut } from "./session.js";
import { s3 } from "./aws.js";
import { bucketsView } from "./views/buckets.js";
import { bucketView } from "./views/bucket.js";
import { objectView } from "./views/object.js";
import { keysView } from "./views/keys.js";
import { keyView } from "./views/key.js";
import { trailsView } from "./views/trails.js";
import { trailView } from "./views/trail.js";
import { eventsView } from "./views/events.js";
import { mapView } from "./views/map.js";

const routes = [
  [/^\/buckets$/, () => bucketsView()],
  [/^\/buckets\/([^/]+)$/, (m, q) => bucketView(m[1], q.get("prefix") || "", q.get("tab") || "objects")],
  [/^\/buckets\/([^/]+)\/object$/, (m, q) => objectView(m[1], q.get("key") || "")],
  [/^\/keys$/, () => keysView()],
  [/^\/keys\/([^/]+)$/, (m) => keyView(m[1])],
  [/^\/trails$/, () => trailsView()],
  [/^\/trails\/([^/]+)$/, (m) => trailView(m[1])],
  [/^\/events$/, (m, q) => eventsView(q)],
  [/^\/map$/, () => mapView()],
];

const main = () => document.getElementById("main");

/** Counts navigations: a view that finishes loading after a newer one started is dropped. */
let navigation = 0;

async function route() {
  const mine = ++navigation;
  const c = credentials();
  document.getElementById("nav").hidden = !c;
  if (!c) return showSignIn();
  showWho(c);
  const [path, qs] = (location.hash.slice(1) || "/buckets").split("?");
  const q = new URLSearchParams(qs || "");
  for (const a of document.querySelectorAll("#nav a")) {
    const here = path === a.getAttribute("href").slice(1) || path.startsWith(`${a.getAttribute("href").slice(1)}/`);
    if (here) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  const found = routes.map(([re, view]) => [path.match(re), view]).find(([m]) => m);
  const el = main();
  if (!found) return fill(el, h("h1", {}, "Not found"), h("p", {}, h("a", { href: "#/buckets" }, "Buckets")));
  const [m, view] = found;
  const decoded = m.map((s, i) => (i ? decodeURIComponent(s) : s));
  // Busy until the view is drawn: assistive technology waits rather than reading the old page.
  el.setAttribute("aria-busy", "true");
  try {
    const node = await view(decoded, q);
    if (node && mine === navigation) fill(el, node);
  } catch (e) {
    if (mine === navigation) fill(el, h("h1", {}, "Something failed"), errorBox(e));
  } finally {
    if (mine === navigation) el.removeAttribute("aria-busy");
  }
}

function showWho(c) {
  const out = h("button", { type: "button", onclick: () => { signOut(); location.hash = ""; route(); } }, "Sign out");
  fill(document.getElementById("who"), h("span", {}, c.accessKeyId, " · ", c.region), out);
}

function showSignIn() {
  fill(document.getElementById("who"));
  const key = h("input", { autocomplete: "username", required: true, spellcheck: "false" });
  const secret = h("input", { type: "password", autocomplete: "current-password", required: true });
  const region = h("input", { value: "us-east-1", required: true, spellcheck: "false" });
  const out = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "panel signin" },
    h("h1", {}, "Sign in"),
    h("p", { class: "muted" }, "Every action is an S3, KMS or CloudTrail API call signed in this browser with these credentials, " +
      "authorized and recorded like any SDK's. They are kept for this browser tab only."),
    field("Access key ID", key), field("Secret access key", secret), field("Region", region),
    h("button", { type: "submit", class: "primary" }, "Sign in"), out);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    signIn(key.value.trim(), secret.value, region.value.trim());
    try {
      // Checks the credentials with ListBuckets: a wrong secret fails its signature check
      // (SignatureDoesNotMatch); a principal that may not list buckets is still signed in.
      await s3({});
    } catch (e) {
      if (e.code !== "AccessDenied") {
        signOut();
        fill(out, errorBox(e));
        return;
      }
    }
    // A new hash draws the page through hashchange; drawing it here as well would draw it twice,
    // the second time over whatever was already typed into the first.
    if (!location.hash || location.hash === "#/") location.hash = "#/buckets";
    else route();
  });
  fill(main(), form);
  key.focus();
}

// The skip link moves focus to the content itself: following its #main would be a route.
document.querySelector(".skip").addEventListener("click", (ev) => {
  ev.preventDefault();
  main().focus();
});
window.addEventListener("hashchange", route);
route();
