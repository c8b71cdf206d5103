// The browser side of the console checks: Debian's chromium driven headless by Playwright
// (playwright-core, no bundled browser), a fresh profile per run, and a `Console` page object
// that does what a person does — finds controls by their label or name, types, clicks, reads —
// saves a screenshot of each page it reaches and audits that page with axe-core.

import { createRequire } from "node:module";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** Where .ci/run installs package.json's packages (`npm ci` in target/console-node). */
const MODULES = process.env.TRAILSTACK_CONSOLE_NODE_MODULES ||
  path.resolve(HERE, "../../target/console-node/node_modules");
const require = createRequire(path.join(MODULES, "resolve.js"));
const { chromium } = require("playwright-core");
const AXE = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export const CHROMIUM = process.env.TRAILSTACK_CHROMIUM || "/usr/bin/chromium";
export const CONSOLE = "/_trailstack/console/";
/** How long to wait for something to show before calling it broken (CI machines are shared). */
const WAIT = 30000;
/**
 * Chromium's flags: issue 20's (headless, no sandbox as CI runs as root, nothing reaching the
 * network), and shared memory in /tmp, since a container's /dev/shm is often too small.
 */
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"];

/** axe-core's impacts that fail a check. */
const FAILING = new Set(["serious", "critical"]);

/**
 * Starts chromium with a fresh --user-data-dir (Playwright passes it from `userDataDir`) and
 * returns its one context. `viewport` and `deviceScaleFactor` emulate the screen.
 */
export async function launch({ viewport = { width: 1280, height: 900 }, deviceScaleFactor = 1 } = {}) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "trailstack-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: FLAGS, viewport, deviceScaleFactor, acceptDownloads: true,
  });
  // Cumulative layout shift, as the browser measures it, from the first paint on.
  await context.addInitScript(() => {
    window.__shifts = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shifts.push(e.value);
    }).observe({ type: "layout-shift", buffered: true });
  });
  const close = async () => {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  };
  return { context, close };
}

export class Console {
  constructor(page, endpoint, shots) {
    this.page = page;
    this.endpoint = endpoint;
    this.shots = shots;
    this.violations = [];
    this.pages = 0;
  }

  /** Opens the console at `hash` ("#/buckets", …). */
  async open(hash = "") {
    await this.page.goto(this.endpoint + CONSOLE + hash);
  }

  /** The form control labelled `label` (its <label> or aria-label). */
  field(label) {
    return this.page.getByLabel(label, { exact: true });
  }

  async type(label, text) {
    await this.field(label).fill(text);
  }

  async choose(label, option) {
    await this.field(label).selectOption({ label: option });
  }

  /** Clicks the visible button or link named `name`. */
  async click(name) {
    const target = this.page.getByRole("button", { name, exact: true })
      .or(this.page.getByRole("link", { name, exact: true })).locator("visible=true").first();
    await target.click({ timeout: WAIT });
  }

  /** Waits until the page shows `text` (within `scope`, a locator, when given): visible text only. */
  async see(text, scope) {
    const where = (scope || this.page.locator("body")).first();
    const deadline = Date.now() + WAIT;
    for (;;) {
      const shown = await where.innerText({ timeout: WAIT }).catch(() => "");
      if (shown.includes(text)) return;
      if (Date.now() > deadline) {
        throw new Error(`the page never showed ${JSON.stringify(text)}; it shows: ${shown.replace(/\s+/g, " ").slice(0, 800)}`);
      }
      await this.page.waitForTimeout(100);
    }
  }

  /** Waits until the page (or `scope`) no longer shows `text`. */
  async gone(text, scope) {
    const where = (scope || this.page.locator("body")).first();
    const deadline = Date.now() + WAIT;
    while ((await where.innerText({ timeout: WAIT }).catch(() => "")).includes(text)) {
      if (Date.now() > deadline) throw new Error(`the page still shows ${JSON.stringify(text)}`);
      await this.page.waitForTimeout(100);
    }
  }

  /** The panel (a section) headed `title`. */
  panel(title) {
    return this.page.locator("section.panel").filter({ has: this.page.getByRole("heading", { name: title, exact: true }) });
  }

  async signIn(accessKey, secret) {
    await this.type("Access key ID", accessKey);
    await this.type("Secret access key", secret);
    await this.click("Sign in");
  }

  /** Saves a full-page screenshot named `name` and audits the page with axe-core. */
  async shot(name) {
    // Nothing still loading: the screenshot and the audit see the page as it settles.
    await this.page.waitForFunction(() => !document.querySelector("[aria-busy=true]"), null, { timeout: WAIT })
      .catch(() => { throw new Error(`the ${name} page was still loading after ${WAIT / 1000} s`); });
    await this.page.screenshot({ path: path.join(this.shots, `${name}.png`), fullPage: true });
    await this.audit(name);
  }

  /** axe-core's WCAG rules on the current page; serious and critical violations are kept. */
  async audit(name) {
    this.pages++;
    const found = await this.page.evaluate(async (source) => {
      if (!window.axe) (0, eval)(source);
      const r = await window.axe.run(document, { resultTypes: ["violations"] });
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
    }, AXE);
    for (const v of found.filter((x) => FAILING.has(x.impact))) this.violations.push({ page: name, ...v });
  }

  /** Fails with axe's serious or critical findings, every page's at once. */
  assertAccessible() {
    if (this.violations.length) {
      const lines = this.violations.map((v) => `${v.page}: ${v.impact} ${v.id} (${v.help}) at ${v.nodes.join(", ")}`);
      throw new Error(`axe-core found ${this.violations.length} serious or critical violation(s):\n${lines.join("\n")}`);
    }
  }

  /** The cumulative layout shift since the last call (the browser's own measure). */
  async layoutShift() {
    return this.page.evaluate(() => {
      const total = window.__shifts.reduce((a, b) => a + b, 0);
      window.__shifts = [];
      return total;
    });
  }

  /** How far the page scrolls sideways beyond the viewport, in CSS pixels, and the elements
   * that stick out (innermost first), or null when it does not. */
  async overflowX() {
    return this.page.evaluate(() => {
      const root = document.documentElement;
      const over = root.scrollWidth - root.clientWidth;
      if (over <= 0) return null;
      const out = [...document.body.querySelectorAll("*")]
        .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 0.5)
        .filter((el, _, all) => !all.some((o) => o !== el && el.contains(o)))
        .slice(0, 4).map((el) => `${el.tagName.toLowerCase()}${el.className ? `.${el.className}` : ""} "${(el.textContent || "").slice(0, 40)}"`);
      return { px: over, culprits: out };
    });
  }
}

/** Runs `body(console)` in a fresh browser; closes it whatever happens. */
export async function withConsole(endpoint, shots, body, screen) {
  const { context, close } = await launch(screen);
  try {
    const page = context.pages()[0] || await context.newPage();
    page.setDefaultTimeout(WAIT);
    const c = new Console(page, endpoint, shots);
    await body(c);
    return c;
  } finally {
    await close();
  }
}
