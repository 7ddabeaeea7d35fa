// A sweep runs its seeds one after another on kept session threads. A seed
// run on a reused thread must give exactly what it gives on a fresh thread
// and in `umqtt-bench run --seed N`: the same result and the same trace.
// Real runs throughout: embedded aedes, the virtual clock, real threads, the
// real MicroPython VM, and the real command for `run`.

import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { resolveScenario } from "../../src/emulator/scenario/resolve.ts";
import type { TraceEvent } from "../../src/emulator/trace.ts";
import { sessionOptionsFrom, type RunFlags } from "../../src/cli/session-options.ts";
import { SweepPool, type SweepUnit } from "../../src/sweep/pool.ts";
import { backgroundWithEnv, cli, FIXTURES } from "../cli/cli-process.ts";
import { removeBundles } from "../../src/emulator/firmware/bundle-folder.ts";

const FLAKY = join(import.meta.dirname, "fixtures/flaky_dns.yaml");
const REUSE = join(import.meta.dirname, "fixtures/reuse");
const tmp = mkdtempSync(join(tmpdir(), "umqtt-bench-sweep-reuse-"));

interface SeedRun {
  scenario: string;
  seed: number;
  status: string;
  failure?: string;
  virtualMs: number;
  /** sha256 of the trace's events, one JSON line each (as `run --trace` writes them). */
  trace: string;
}

const hashEvents = (lines: string[]): string => createHash("sha256").update(lines.join("\n")).digest("hex");

async function sweep(paths: string[], seeds: number[], flags: RunFlags, jobs: number, freshThreads = false, stallMs?: number) {
  const scenarios = paths.map((p) => resolveScenario(p));
  const { seed: _seed, ...options } = sessionOptionsFrom({ ...flags, seed: "0" }, { speed: "max" });
  const units: SweepUnit[] = [];
  scenarios.forEach((_, scenarioIndex) => seeds.forEach((seed) => units.push({ position: units.length, scenarioIndex, seed })));
  const runs: SeedRun[] = [];
  const pool = new SweepPool(units, {
    jobs,
    scenarios,
    options,
    freshThreads,
    supervisor: stallMs ? { stallMs } : undefined,
    onDone: ({ unit, result }, events: readonly TraceEvent[]) =>
      runs.push({
        scenario: scenarios[unit.scenarioIndex]!.name,
        seed: unit.seed,
        status: result.status,
        failure: result.failure,
        virtualMs: result.virtualMs,
        trace: hashEvents(events.map((e) => JSON.stringify(e))),
      }),
  });
  await pool.run();
  runs.sort((a, b) => a.scenario.localeCompare(b.scenario) || a.seed - b.seed);
  return { runs, threads: pool.threadsStarted };
}

/** `umqtt-bench run --seed N --trace FILE`, as a user runs it. */
async function plainRun(path: string, seed: number, args: string[]): Promise<Omit<SeedRun, "scenario">> {
  const traceFile = join(tmp, `trace-${seed}-${Math.random().toString(36).slice(2)}.jsonl`);
  const run = await cli("run", path, "--seed", String(seed), ...args, "--trace", traceFile, "--json");
  const report = JSON.parse(run.stdout) as { status: string; failure?: string; virtualMs: number };
  const lines = readFileSync(traceFile, "utf8").split("\n").filter(Boolean);
  return { seed, status: report.status, failure: report.failure, virtualMs: report.virtualMs, trace: hashEvents(lines) };
}

const strip = ({ scenario: _s, ...rest }: SeedRun) => rest;

// The test runner may end this process without its exit handlers.
afterAll(removeBundles);

describe("sweep on reused session threads", () => {
  it("TypeScript firmware: each seed's result and trace are the same with 1 job, 2 jobs, fresh threads and `run`", async () => {
    const flags: RunFlags = { firmwareLang: "ts", netSet: ["dnsFailRate=0.3"] };
    const seeds = [2, 3, 4, 5];
    const [one, two, fresh] = [await sweep([FLAKY], seeds, flags, 1), await sweep([FLAKY], seeds, flags, 2), await sweep([FLAKY], seeds, flags, 1, true)];
    // One thread ran every seed with 1 job, or this test proves nothing about reuse.
    expect(one.threads).toBe(1);
    expect(two.threads).toBe(2);
    expect(fresh.threads).toBe(0);
    const failing = one.runs.filter((r) => r.status !== "pass").map((r) => r.seed);
    expect(failing.length).toBeGreaterThan(0);
    expect(failing.length).toBeLessThan(seeds.length);
    expect(two.runs).toEqual(one.runs);
    expect(fresh.runs).toEqual(one.runs);
    const plain = await Promise.all(seeds.map((seed) => plainRun(FLAKY, seed, ["--firmware-lang", "ts", "--net-set", "dnsFailRate=0.3"])));
    expect(plain).toEqual(one.runs.map(strip));
  }, 120_000);

  it("MicroPython firmware: the same with 1 job, 2 jobs, fresh threads and `run` (in process)", async () => {
    const flags: RunFlags = { netSet: ["dnsFailRate=0.3"] };
    const seeds = [2, 3, 4];
    const [one, two, fresh] = [await sweep([FLAKY], seeds, flags, 1), await sweep([FLAKY], seeds, flags, 2), await sweep([FLAKY], seeds, flags, 1, true)];
    expect(one.threads).toBe(1);
    const failing = one.runs.filter((r) => r.status !== "pass").map((r) => r.seed);
    expect(failing.length).toBeGreaterThan(0);
    expect(failing.length).toBeLessThan(seeds.length);
    expect(two.runs).toEqual(one.runs);
    expect(fresh.runs).toEqual(one.runs);
    const plain = await Promise.all(seeds.map((seed) => plainRun(FLAKY, seed, ["--net-set", "dnsFailRate=0.3"])));
    expect(plain).toEqual(one.runs.map(strip));
    // The seeds after the first booted their VM in the worker of the seed before (vm-recycle.ts), or this proves nothing about it.
    const timed = backgroundWithEnv({ UMQTT_BENCH_TIMING: "1" }, "sweep", FLAKY, "--seeds", "2..4", "--jobs", "1", "--net-set", "dnsFailRate=0.3");
    await timed.exited;
    expect(timed.err().match(/VM worker starting/g)).toHaveLength(1);
    expect(timed.err().match(/VM worker reused/g)).toHaveLength(2);
  }, 120_000);

  it("every seed gets a fresh firmware module instance; a seed that leaves a timer or a global behind ends its thread", async () => {
    const paths = ["none", "timer", "unref-timer", "global", "replaced", "none"].map((leave) => join(REUSE, `module-state-${leave}.yaml`));
    // Sweep order: none 1, 2 run on one thread; timer 1 runs on it too and
    // ends it; timer 2 and each seed of the unref-timer, global and replaced
    // scenarios get a thread each (ended after their seed), and the last
    // none 1, 2 share one more.
    const { runs, threads } = await sweep(paths, [1, 2], {}, 1);
    expect(runs.map((r) => r.status)).toEqual(Array(12).fill("pass"));
    expect(threads).toBe(1 + 1 + 2 + 2 + 2 + 1);
  }, 60_000);

  it("a TypeScript firmware's crash prints the same traceback line on a reused thread as in `run`", async () => {
    const path = join(REUSE, "crash.yaml");
    const { runs } = await sweep([path], [1, 2], {}, 1);
    expect(runs.map((r) => r.failure)).toEqual([expect.stringContaining("crashed: TypeError"), expect.stringContaining("crashed: TypeError")]);
    const plain = await Promise.all([1, 2].map((seed) => plainRun(path, seed, [])));
    expect(plain).toEqual(runs.map(strip));
    const traceFile = join(tmp, "crash-trace.jsonl");
    await cli("run", path, "--seed", "1", "--trace", traceFile);
    const printed = readFileSync(traceFile, "utf8");
    expect(printed).toContain('File \\"crash.ts\\", line 9, column 21');
  }, 60_000);

  it("a runaway seed's thread is replaced, and the seeds after it run as they would alone", async () => {
    const paths = [join(FIXTURES, "runaway/spin.yaml"), FLAKY];
    const flags: RunFlags = { firmwareLang: "ts", netSet: ["dnsFailRate=0.3"] };
    // A stall of 3 s: short enough for the two runaway seeds, long enough that a loaded machine does not starve a sound seed's thread that long.
    const after = await sweep(paths, [2, 3], flags, 1, false, 3_000);
    const alone = await sweep([FLAKY], [2, 3], flags, 1, true);
    expect(after.runs.filter((r) => r.scenario === "runaway_spin").map((r) => [r.status, r.failure])).toEqual([
      ["fail", expect.stringMatching(/board1 has not yielded/)],
      ["fail", expect.stringMatching(/board1 has not yielded/)],
    ]);
    // Two threads abandoned to the runaway firmware, then one for the two seeds of flaky_dns.
    expect(after.threads).toBe(3);
    expect(after.runs.filter((r) => r.scenario === "flaky_dns")).toEqual(alone.runs);
  }, 60_000);
});
