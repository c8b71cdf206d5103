// The console by keyboard alone and at 200% zoom: signing in and moving between pages with Tab
// and Enter only, then every page at a laptop's 1280×900 CSS pixels zoomed to 200% (a 640×450
// viewport at device scale 2) with no sideways scrolling and no layout shift while lists load.

import { withConsole } from "./browser.mjs";
import { ACCESS_KEY, SECRET_KEY, createBucket, createKey, signIn, trailInto, upload } from "./steps.mjs";

/** No layout shift: at most sub-pixel rounding (Chromium calls 0.1 over a whole visit "good"). */
const MAX_SHIFT = 0.01;

/** The focused element's accessible name, as far as the page says it. */
const focused = (c) => c.page.evaluate(() => {
  const el = document.activeElement;
  return el ? (el.getAttribute("aria-label") || el.labels?.[0]?.textContent || el.textContent || "").trim() : "";
});

/** Presses Tab until the focus is on `name`; fails when it never gets there. */
async function tabTo(c, name, most = 80) {
  for (let i = 0; i < most; i++) {
    await c.page.keyboard.press("Tab");
    if ((await focused(c)) === name) return i + 1;
  }
  throw new Error(`Tab never reached ${JSON.stringify(name)}`);
}

/** Tabs to `name` and presses Enter on it. */
async function activate(c, name) {
  await tabTo(c, name);
  await c.page.keyboard.press("Enter");
}

/** Whether the focused element shows its focus (an outline or a box shadow). */
const focusShows = (c) => c.page.evaluate(() => {
  const s = getComputedStyle(document.activeElement);
  return (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== "none";
});

async function keyboard(endpoint, shots) {
  const c = await withConsole(endpoint, shots, async (c) => {
    const k = c.page.keyboard;
    await c.open();
    await c.see("Sign in");
    if ((await focused(c)) !== "Access key ID") throw new Error("the sign-in page does not start in its first field");
    await k.type(ACCESS_KEY);
    await k.press("Tab");
    await k.type(SECRET_KEY);
    await tabTo(c, "Sign in");
    if (!(await focusShows(c))) throw new Error("the focused Sign in button shows no focus");
    await k.press("Enter");
    await c.see("Your buckets");
    // The skip link is the first stop and lands in the page's content.
    await c.page.reload();
    await c.see("Your buckets");
    await tabTo(c, "Skip to content", 1);
    await k.press("Enter");
    if (!(await c.page.evaluate(() => document.activeElement?.id === "main"))) throw new Error("the skip link did not move focus to the content");
    // A bucket created from the keyboard, then the navigation by Tab and Enter.
    await tabTo(c, "Bucket name");
    await k.type("keyboard-bucket");
    await k.press("Enter");
    await c.see("Created keyboard-bucket.");
    await activate(c, "Keys");
    await c.see("KMS keys");
    await tabTo(c, "Alias");
    await k.type("alias/keyboard");
    await activate(c, "Create key");
    await c.see("alias/keyboard");
    await activate(c, "Trails");
    await c.see("Create trail");
    await activate(c, "Event history");
    await c.see("Look up events");
    await activate(c, "Buckets");
    await activate(c, "keyboard-bucket");
    await c.see("Upload");
    await c.shot("keyboard");
  });
  c.assertAccessible();
  return { pages: c.pages, saw: "sign-in, a bucket, a key and every page reached by Tab and Enter" };
}

/** Every page at 200% zoom: no sideways scrolling, no layout shift while its lists load. */
async function zoom(endpoint, shots) {
  const measured = [];
  const c = await withConsole(endpoint, shots, async (c) => {
    await signIn(c);
    await createBucket(c, "zoom-bucket");
    await createBucket(c, "zoom-logs");
    await c.open("#/buckets/zoom-bucket?prefix=notes%2F");
    await upload(c, "readme.txt", "zoomed\n");
    await c.open("#/keys");
    await createKey(c, "alias/zoom");
    const key = (await c.page.getByRole("link", { name: "alias/zoom", exact: true }).first().getAttribute("href")) || "#/keys";
    await trailInto(c, "zoom-trail", "zoom-logs");
    const pages = [["buckets", "#/buckets"], ["bucket", "#/buckets/zoom-bucket"],
      ["properties", "#/buckets/zoom-bucket?tab=properties"], ["object", "#/buckets/zoom-bucket/object?key=notes%2Freadme.txt"],
      ["keys", "#/keys"], ["key", key], ["trails", "#/trails"], ["trail", "#/trails/zoom-trail"],
      ["events", "#/events"], ["map", "#/map"]];
    for (const [name, hash] of pages) {
      await c.open(hash);
      await c.shot(`zoom-${name}`);
      const over = await c.overflowX();
      if (over) throw new Error(`at 200% zoom the ${name} page scrolls sideways by ${over.px} px: ${over.culprits.join("; ")}`);
    }
    // Layout shift counts only what moves on screen: measured in a window tall enough to show
    // every page whole, with each answer 150 ms late, as over a slow link, so lists arrive one
    // at a time after the page's first paint — when a page without reserved room jumps.
    await c.page.setViewportSize({ width: 1280, height: 3000 });
    const cdp = await c.page.context().newCDPSession(c.page);
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 150, downloadThroughput: -1, uploadThroughput: -1 });
    for (const [name, hash] of pages) {
      await c.open("#/");
      await c.page.waitForFunction(() => !document.querySelector("[aria-busy=true]"));
      await c.layoutShift();
      await c.open(hash);
      await c.page.waitForFunction(() => !document.querySelector("[aria-busy=true]"));
      const shift = await c.layoutShift();
      measured.push(`${name} ${shift.toFixed(3)}`);
      if (shift > MAX_SHIFT) throw new Error(`the ${name} page shifts by ${shift.toFixed(3)} while it loads (at most ${MAX_SHIFT})`);
    }
  }, { viewport: { width: 640, height: 450 }, deviceScaleFactor: 2 });
  c.assertAccessible();
  return { pages: c.pages, saw: `no sideways scrolling at 200%; layout shift ${measured.join(", ")}` };
}

export const ACCESS_SCENARIOS = { keyboard, zoom };
