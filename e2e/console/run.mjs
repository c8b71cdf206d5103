// Runs one of the console's browser scenarios against a running trailstack:
//
//     node e2e/console/run.mjs SCENARIO ENDPOINT SHOTS_DIR
//
// e2e/checks_console.py starts the server and calls this. Prints one JSON line of notes on
// success; on failure prints the reason to stderr and exits 1. Every scenario also fails on
// axe-core's serious or critical findings on any page it saved.

import fs from "node:fs";
import { FLOWS } from "./flows.mjs";
import { ACCESS_SCENARIOS } from "./access.mjs";
import { SETTINGS_SCENARIOS } from "./settings.mjs";

const SCENARIOS = { ...FLOWS, ...ACCESS_SCENARIOS, ...SETTINGS_SCENARIOS };

const [name, endpoint, shots] = process.argv.slice(2);
if (!SCENARIOS[name] || !endpoint || !shots) {
  console.error(`usage: run.mjs {${Object.keys(SCENARIOS).join("|")}} ENDPOINT SHOTS_DIR`);
  process.exit(2);
}
fs.mkdirSync(shots, { recursive: true });
try {
  const notes = await SCENARIOS[name](endpoint, shots);
  console.log(JSON.stringify(notes));
} catch (e) {
  console.error(e && e.stack ? e.stack : String(e));
  process.exit(1);
}
