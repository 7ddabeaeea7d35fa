// MicroPython VM boards per process: start-up time and host memory per VM
// board, and whether N boards running example_sub_led.py in one process all
// act on a command.
//
//   npx tsx bench/vm-boards.ts [--boards 1,10,25,50] [--seed 3]
//
// Each run builds a scenario with N esp8266 boards on the ideal profile; the
// bench publishes "on" to "led" and waits for every board's LED. Start-up is
// createSession (every VM loaded and its firmware compiled); memory is the
// process's RSS after start-up minus before, per board. Each N runs in a
// fresh child process so the figures do not mix.

import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createSession } from "../src/emulator/runner/session.ts";
import { parseScenarioText } from "../src/emulator/scenario/parse.ts";
import { BENCH_DIR, describeMachine, fixed, int, table } from "./lib.ts";

function scenarioText(boards: number): string {
  const lines = ["name: bench_vm_boards", `description: ${boards} boards running example_sub_led.py`, "timeout: 120s", "boards:"];
  for (let i = 1; i <= boards; i++) lines.push(`  - { name: b${i}, board: esp8266, firmware: example_sub_led, net: ideal }`);
  lines.push("steps:");
  for (let i = 1; i <= boards; i++) lines.push(`  - wait-serial: { board: b${i}, text: "subscribed", timeout: 60s }`);
  lines.push('  - publish: { topic: led, payload: "on" }');
  for (let i = 1; i <= boards; i++) lines.push(`  - wait-pin: { board: b${i}, led: led, state: "on", timeout: 10s }`);
  return lines.join("\n") + "\n";
}

async function measure(boards: number, seed: number) {
  const scenario = parseScenarioText(scenarioText(boards), "bench/vm-boards", BENCH_DIR);
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  const session = await createSession(scenario, { seed, speed: "max" });
  const startMs = performance.now() - t0;
  const rssAfter = process.memoryUsage().rss;
  const verdict = await session.verdict;
  const totalMs = performance.now() - t0;
  await session.stop();
  return { boards, status: verdict.status, failure: verdict.failure, startMs, rssPerBoard: (rssAfter - rssBefore) / boards, runMs: totalMs - startMs, virtualMs: verdict.virtualMs };
}

const { values } = parseArgs({ options: { boards: { type: "string", default: "1,10,25,50" }, seed: { type: "string", default: "3" }, child: { type: "string" } } });
if (values.child) {
  console.log(JSON.stringify(await measure(Number(values.child), Number(values.seed))));
  process.exit(0);
}
const rows = [];
for (const n of values.boards!.split(",").map(Number)) {
  const child = spawnSync(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--child", String(n), "--seed", values.seed!], { encoding: "utf8", timeout: 600_000 });
  const line = child.stdout.trim().split("\n").pop() ?? "";
  try {
    rows.push(JSON.parse(line));
  } catch {
    rows.push({ boards: n, status: `error: ${child.stderr.trim().split("\n").pop()}`, startMs: NaN, rssPerBoard: NaN, runMs: NaN, virtualMs: NaN });
  }
}
console.log(`VM boards running example_sub_led.py in one process; ${describeMachine()}`);
console.log(
  table(
    ["boards", "result", "start-up s", "start-up ms/board", "RSS MiB/board", "run wall s", "virtual s"],
    rows.map((r) => [String(r.boards), r.status, fixed(r.startMs / 1000, 2), int(r.startMs / r.boards), fixed(r.rssPerBoard / 2 ** 20, 1), fixed(r.runMs / 1000, 2), fixed(r.virtualMs / 1000, 3)]),
  ),
);
for (const r of rows) if (r.failure) console.log(`${r.boards} boards: ${r.failure}`);
