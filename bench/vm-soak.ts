// A long virtual soak of MicroPython VM boards: a .py firmware receiving one
// command a second for 24 virtual hours, with the board's heap and the host
// process's memory sampled at intervals, so a leak shows as a slope.
//
//   node --expose-gc --import tsx bench/vm-soak.ts [--hours 24] [--sample-min 60] [--seed 11] [--runs sub_led,robust]
//
// Two runs, each in a fresh child process:
// - sub_led: example_sub_led.py on the wifi profile;
// - robust:  bench/firmware/sub_led_robust.py (umqtt.robust, QoS 1, a
//   persistent session) on flaky-wifi: resets, partitions, reconnects.
// Commands are "on"/"off" at QoS 1 from a second board running a TypeScript
// commander (bench/firmware/led_commander.ts), so the scenario has two steps
// however long it runs. The trace is not kept (only streamed), so the run's
// own bookkeeping does not grow; host figures are read after a full GC.

import { performance } from "node:perf_hooks";
import { createSession } from "../src/emulator/runner/session.ts";
import { parseScenarioText } from "../src/emulator/scenario/parse.ts";
import { BENCH_DIR, describeMachine, emitResult, fixed, int, numberArg, runChild, table } from "./lib.ts";

interface Sample {
  virtualH: number;
  wallS: number;
  boardUsed: number;
  boardFree: number;
  boardLargestFree: number;
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

interface SoakResult {
  run: string;
  status: string;
  failure?: string;
  /** QoS 1 publishes the commander sent, and LED writes on the soaked board (one per command). */
  commands: number;
  ledChanges: number;
  virtualMs: number;
  wallMs: number;
  samples: Sample[];
  network: { connections: number; resets: number; partitions: number; faults: number };
  peakUsed: number;
}

const RUNS: Record<string, { firmware: string; net: string }> = {
  sub_led: { firmware: "example_sub_led", net: "wifi" },
  robust: { firmware: "firmware/sub_led_robust.py", net: "flaky-wifi" },
};

const MiB = 2 ** 20;

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function soak(run: string, hours: number, sampleMin: number, seed: number): Promise<SoakResult> {
  const { firmware, net } = RUNS[run]!;
  const runMs = hours * 3_600_000;
  // The commands come from a second board (bench/firmware/led_commander.ts, TypeScript, ideal link) so the
  // scenario is two steps whatever its length: step results would otherwise grow with the run.
  const scenario = parseScenarioText(
    [
      `name: bench_vm_soak_${run}`,
      `description: ${firmware} on ${net}, one command a virtual second for ${hours} h`,
      `timeout: ${Math.ceil(runMs / 1000) + 600}s`,
      "boards:",
      `  - { name: board1, board: esp8266, firmware: ${firmware}, net: ${net} }`,
      "  - { name: commander, board: esp32, firmware: firmware/led_commander.ts, net: ideal }",
      "steps:",
      '  - wait-pin: { board: board1, led: led, state: "on", timeout: 2m }',
      `  - delay: ${Math.ceil(runMs / 1000)}s`,
    ].join("\n") + "\n",
    `bench/vm-soak-${run}`,
    BENCH_DIR,
  );

  const samples: Sample[] = [];
  const session = await createSession(scenario, { seed, speed: "max", keepTrace: false });
  const started = performance.now();
  const board = session.boards.find((b) => b.name === "board1")!;
  const take = (virtualMs: number) => {
    gc();
    const m = process.memoryUsage();
    const h = board.heap();
    samples.push({
      virtualH: virtualMs / 3_600_000,
      wallS: (performance.now() - started) / 1000,
      boardUsed: h.used,
      boardFree: h.free,
      boardLargestFree: h.largestFree,
      rss: m.rss,
      heapUsed: m.heapUsed,
      external: m.external,
      arrayBuffers: m.arrayBuffers,
    });
  };
  take(0);
  const every = sampleMin * 60_000;
  let next = every;
  let commands = 0;
  let ledChanges = 0;
  const unsubscribe = session.trace.subscribe((e) => {
    if (e.kind === "mqtt" && e.board === "commander" && e.dir === "out" && e.type === "publish") commands++;
    if (e.kind === "pin" && e.board === "board1" && e.role === "led") ledChanges++;
    const now = session.now();
    if (now < next) return;
    next += every * Math.max(1, Math.ceil((now - next + 1) / every));
    take(now);
  });
  const verdict = await session.verdict;
  unsubscribe();
  take(verdict.virtualMs);
  const wallMs = performance.now() - started;
  await session.stop();
  const b = verdict.boards.find((x) => x.name === "board1")!;
  return {
    run,
    status: verdict.status,
    ...(verdict.failure ? { failure: verdict.failure } : {}),
    commands,
    ledChanges,
    virtualMs: verdict.virtualMs,
    wallMs,
    samples,
    network: b.network,
    peakUsed: b.heap.peakUsed,
  };
}

/** Growth per virtual hour between the first sample at or after `fromH` and the last (least squares). */
function slopePerHour(samples: readonly Sample[], pick: (s: Sample) => number, fromH: number): number {
  const xs = samples.filter((s) => s.virtualH >= fromH);
  if (xs.length < 2) return NaN;
  const mx = xs.reduce((a, s) => a + s.virtualH, 0) / xs.length;
  const my = xs.reduce((a, s) => a + pick(s), 0) / xs.length;
  let num = 0;
  let den = 0;
  for (const s of xs) {
    num += (s.virtualH - mx) * (pick(s) - my);
    den += (s.virtualH - mx) ** 2;
  }
  return den ? num / den : NaN;
}

function report(r: SoakResult): string {
  const lines: string[] = [];
  const ratio = r.virtualMs / r.wallMs;
  lines.push(
    `${r.run}: ${RUNS[r.run]!.firmware} on ${RUNS[r.run]!.net}: ${r.status}${r.failure ? ` (${r.failure})` : ""}; ` +
      `${int(r.commands)} commands, ${int(r.ledChanges)} LED writes, ${fixed(r.virtualMs / 3_600_000, 2)} virtual h in ${fixed(r.wallMs / 1000, 1)} wall s (${int(ratio)}x real time); ` +
      `${r.network.connections} connections, ${r.network.resets} resets, ${r.network.partitions} partitions; board heap peak ${int(r.peakUsed)} B`,
  );
  lines.push(
    table(
      ["virtual h", "wall s", "board used B", "board free B", "largest free B", "RSS MiB", "heap MiB", "external MiB", "arrayBuffers MiB"],
      r.samples.map((s) => [
        fixed(s.virtualH, 1),
        fixed(s.wallS, 1),
        int(s.boardUsed),
        int(s.boardFree),
        int(s.boardLargestFree),
        fixed(s.rss / MiB, 1),
        fixed(s.heapUsed / MiB, 2),
        fixed(s.external / MiB, 2),
        fixed(s.arrayBuffers / MiB, 2),
      ]),
    ),
  );
  // The first hour is warm-up (JIT, pools); the slope is from there on.
  const from = Math.min(1, (r.samples.at(-1)?.virtualH ?? 0) / 4);
  const kib = (bytes: number) => `${fixed(bytes / 1024, 1)} KiB/h`;
  lines.push(
    `growth per virtual hour after ${fixed(from, 2)} h (least squares): RSS ${kib(slopePerHour(r.samples, (s) => s.rss, from))}, ` +
      `heap ${kib(slopePerHour(r.samples, (s) => s.heapUsed, from))}, external ${kib(slopePerHour(r.samples, (s) => s.external, from))}, ` +
      `arrayBuffers ${kib(slopePerHour(r.samples, (s) => s.arrayBuffers, from))}, board used ${fixed(slopePerHour(r.samples, (s) => s.boardUsed, from), 1)} B/h`,
  );
  return lines.join("\n");
}

const hours = numberArg("hours", 24);
const sampleMin = numberArg("sample-min", 60);
const seed = numberArg("seed", 11);
const child = process.argv.indexOf("--child");
if (child >= 0) {
  emitResult(await soak(process.argv[child + 1]!, hours, sampleMin, seed));
  process.exit(0);
}
const runsArg = process.argv.indexOf("--runs");
const runs = runsArg >= 0 ? process.argv[runsArg + 1]!.split(",") : Object.keys(RUNS);
console.log(`VM soak: ${hours} virtual h per run, samples every ${sampleMin} virtual min, seed ${seed}; ${describeMachine()}`);
for (const run of runs) {
  if (!RUNS[run]) throw new Error(`--runs: unknown run ${run} (expected ${Object.keys(RUNS).join(", ")})`);
  const load = (await import("node:os")).loadavg()[0]!;
  const result = await runChild<SoakResult>("vm-soak.ts", ["--child", run, "--hours", String(hours), "--sample-min", String(sampleMin), "--seed", String(seed)], {
    timeoutMs: 3 * 3600_000,
  });
  console.log(`\n(load average ${fixed(load, 1)} at start, ${fixed((await import("node:os")).loadavg()[0]!, 1)} at end)`);
  console.log(report(result));
}
