// Throughput: virtual seconds simulated per wall second for example_sub_led
// driven by 1,000 on/off/toggle commands, on the ideal, wifi and flaky-wifi
// network profiles, all in one process run so the ratios compare.
//
//   node --expose-gc --import tsx bench/throughput.ts [--commands 1000] [--interval-ms 1000] [--seed 7] [--repeat 3]
//   (or: npx tsx bench/throughput.ts; --expose-gc only lets it collect between runs)
//
// Each command is a scenario step pair: `publish led <cmd>` (QoS 1) then
// `wait-pin led <expected>`, followed by `delay <interval>` (a user pressing
// a button once a second), so virtual time advances as it would on a desk.
// The scenario is built in code with parseScenarioText and run through
// createSession at speed "max", exactly as `umqtt-bench run` runs it, with
// the TypeScript firmware (the MicroPython firmware: bench/vm-throughput.ts).
//
// Firmware: flaky-wifi resets connections, partitions the link and drops
// Wi-Fi at random; the umqtt.simple example_sub_led crashes on the first
// reset (as on a device). Before measuring, each firmware runs a short
// warm-up (JIT, module loading); each configuration then runs --repeat
// times and the median wall time is reported, with a full GC between runs. So every profile runs bench/firmware/sub_led_robust.ts
// (umqtt.robust, persistent session, QoS 1 subscription); the stock
// example_sub_led (umqtt.simple) runs too on ideal and wifi, where nothing
// resets, for comparison.

import { performance } from "node:perf_hooks";
import { createSession } from "../src/emulator/runner/session.ts";
import { parseScenarioText } from "../src/emulator/scenario/parse.ts";
import { BENCH_DIR, describeMachine, emitResult, fixed, hasGc, heapUsed, int, machineInfo, table } from "./lib.ts";

export interface ThroughputRow {
  profile: string;
  firmware: string;
  status: string;
  failure?: string;
  commands: number;
  virtualMs: number;
  wallMs: number;
  ratio: number;
  commandsPerWallSecond: number;
  events: number;
  resets: number;
  partitions: number;
  faults: number;
  connections: number;
  /** Wall times of every repetition, ms (the row shows the median). */
  wallRuns: number[];
}

const COMMANDS = ["on", "off", "toggle", "toggle"] as const; // every command flips the LED

export function scenarioText(commands: number, intervalMs: number, firmware: string, net: string): string {
  const lines = [
    "name: bench_sub_led_throughput",
    `description: example_sub_led driven by ${commands} commands, one every ${intervalMs} ms`,
    // A generous deadline: flaky-wifi adds reconnect delays.
    `timeout: ${Math.ceil((commands * (intervalMs + 60_000)) / 1000) + 60}s`,
    "boards:",
    "  - name: board1",
    "    board: esp8266",
    `    firmware: ${firmware}`,
    `    net: ${net}`,
    "steps:",
    "  - wait-serial: { board: board1, text: \"subscribed to b'led' topic\", timeout: 2m }",
  ];
  let lit = false;
  for (let i = 0; i < commands; i++) {
    const cmd = COMMANDS[i % COMMANDS.length]!;
    lit = cmd === "on" ? true : cmd === "off" ? false : !lit;
    lines.push(`  - publish: { topic: led, payload: ${cmd}, qos: 1 }`);
    // Long enough to ride out a partition plus robust's reconnect delays.
    lines.push(`  - wait-pin: { board: board1, led: led, state: "${lit ? "on" : "off"}", timeout: 2m }`);
    if (intervalMs > 0) lines.push(`  - delay: ${intervalMs}ms`);
  }
  return lines.join("\n") + "\n";
}

export async function runThroughput(opts: { commands: number; intervalMs: number; seed: number; profile: string; firmware: string }): Promise<ThroughputRow> {
  const text = scenarioText(opts.commands, opts.intervalMs, opts.firmware, opts.profile);
  // baseDir: bench/, so "firmware/sub_led_robust.ts" resolves to the bench-only firmware.
  const scenario = parseScenarioText(text, "bench/throughput", BENCH_DIR);
  const started = performance.now();
  // keepTrace must stay on: wait-serial steps scan the recorded trace.
  const session = await createSession(scenario, { seed: opts.seed, speed: "max", firmwareLang: "ts" });
  const verdict = await session.verdict;
  const wallMs = performance.now() - started;
  const events = session.trace.events.length;
  await session.stop();
  const board = verdict.boards[0]!;
  return {
    profile: opts.profile,
    firmware: opts.firmware.replace(/^firmware\//, "bench/firmware/"),
    status: verdict.status,
    ...(verdict.failure ? { failure: verdict.failure } : {}),
    commands: opts.commands,
    virtualMs: verdict.virtualMs,
    wallMs,
    ratio: verdict.virtualMs / wallMs,
    commandsPerWallSecond: opts.commands / (wallMs / 1000),
    wallRuns: [wallMs],
    events,
    resets: board.network.resets,
    partitions: board.network.partitions,
    faults: board.network.faults,
    connections: board.network.connections,
  };
}

export function formatThroughput(rows: ThroughputRow[]): string {
  return table(
    ["profile", "firmware", "result", "virtual s", "wall s", "virtual/wall", "cmds/wall s", "events", "conns", "resets", "partitions"],
    rows.map((r) => [
      r.profile,
      r.firmware,
      r.status,
      fixed(r.virtualMs / 1000, 1),
      fixed(r.wallMs / 1000, 2),
      `${int(r.ratio)}x`,
      int(r.commandsPerWallSecond),
      int(r.events),
      String(r.connections),
      String(r.resets),
      String(r.partitions),
    ]),
  );
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name}: expected a non-negative number`);
  return v;
}

export const THROUGHPUT_RUNS: { profile: string; firmware: string }[] = [
  { profile: "ideal", firmware: "firmware/sub_led_robust.ts" },
  { profile: "wifi", firmware: "firmware/sub_led_robust.ts" },
  { profile: "flaky-wifi", firmware: "firmware/sub_led_robust.ts" },
  { profile: "ideal", firmware: "example_sub_led" },
  { profile: "wifi", firmware: "example_sub_led" },
];

async function main(): Promise<void> {
  const commands = Math.floor(arg("commands", 1000));
  const intervalMs = arg("interval-ms", 1000);
  const seed = Math.floor(arg("seed", 7));
  const repeat = Math.max(1, Math.min(9, Math.floor(arg("repeat", 3))));
  const json = process.argv.includes("--json");
  const log = (line: string) => (json ? process.stderr.write(`${line}\n`) : console.log(line));
  log(`throughput: example_sub_led, ${commands} commands, one every ${intervalMs} ms, seed ${seed}, median of ${repeat}`);
  log(describeMachine());
  if (!hasGc()) log("(no --expose-gc: runs are not separated by a full GC)");
  const settle = () => (hasGc() ? void heapUsed() : undefined);
  // Warm-up: JIT and module loading, not measured.
  for (const firmware of new Set(THROUGHPUT_RUNS.map((r) => r.firmware))) {
    await runThroughput({ commands: Math.min(commands, 200), intervalMs, seed, profile: "wifi", firmware });
  }
  const rows: ThroughputRow[] = [];
  for (const run of THROUGHPUT_RUNS) {
    const runs: ThroughputRow[] = [];
    for (let i = 0; i < repeat; i++) {
      settle();
      runs.push(await runThroughput({ commands, intervalMs, seed, ...run }));
    }
    const sorted = [...runs].sort((a, b) => a.wallMs - b.wallMs);
    const row = { ...sorted[Math.floor(sorted.length / 2)]!, wallRuns: runs.map((r) => r.wallMs) };
    // Same seed, same trace: every repetition must agree on the verdict.
    const failed = runs.find((r) => r.status !== "pass");
    if (failed) Object.assign(row, { status: failed.status, failure: failed.failure });
    rows.push(row);
    log(`  ${run.profile} / ${row.firmware}: ${row.status}${row.failure ? ` (${row.failure})` : ""}, wall ${runs.map((r) => fixed(r.wallMs / 1000, 2)).join(" / ")} s`);
  }
  if (json) emitResult({ machine: machineInfo(), commands, intervalMs, seed, repeat, rows });
  else console.log(`\n${formatThroughput(rows)}`);
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  await main();
}
