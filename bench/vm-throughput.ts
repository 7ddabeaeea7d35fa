// MicroPython VM throughput: virtual seconds per wall second for
// example_sub_led.py on one board driven by N on/off/toggle commands (one a
// second, QoS 1), next to the TypeScript port of the same firmware.
//
//   npx tsx bench/vm-throughput.ts [--commands 1000] [--seed 7]

import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { createSession } from "../src/emulator/runner/session.ts";
import { parseScenarioText } from "../src/emulator/scenario/parse.ts";
import { scenarioText } from "./throughput.ts";
import { BENCH_DIR, describeMachine, fixed, int, table } from "./lib.ts";

async function run(commands: number, seed: number, lang: "py" | "ts") {
  const scenario = parseScenarioText(scenarioText(commands, 1000, "example_sub_led", "wifi"), "bench/vm-throughput", BENCH_DIR);
  const started = performance.now();
  const session = await createSession(scenario, { seed, speed: "max", firmwareLang: lang });
  const verdict = await session.verdict;
  const wallMs = performance.now() - started;
  await session.stop();
  return { lang, status: verdict.status, virtualMs: verdict.virtualMs, wallMs, failure: verdict.failure };
}

const { values } = parseArgs({ options: { commands: { type: "string", default: "1000" }, seed: { type: "string", default: "7" } } });
const commands = Number(values.commands);
const seed = Number(values.seed);
const rows = [];
for (const lang of ["py", "ts"] as const) rows.push(await run(commands, seed, lang));
console.log(`example_sub_led, ${commands} commands, wifi profile, seed ${seed}; ${describeMachine()}`);
console.log(
  table(
    ["firmware", "result", "virtual s", "wall s", "virtual/wall", "wall ms/command"],
    rows.map((r) => [r.lang === "py" ? "example_sub_led.py (VM)" : "example_sub_led.ts", r.status, fixed(r.virtualMs / 1000, 1), fixed(r.wallMs / 1000, 2), `${int(r.virtualMs / r.wallMs)}x`, fixed(r.wallMs / commands, 2)]),
  ),
);
for (const r of rows) if (r.failure) console.log(`${r.lang}: ${r.failure}`);
process.exit(0);
