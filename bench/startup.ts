// Start-up of the command, end to end as a user runs it: a new process for
// `umqtt-bench run example_sub_led --seed 1 --json`, its wall time from spawn
// to exit, before and after the compiled build, alternated in one run so
// machine load falls on both alike. "before" is the command loading its
// TypeScript sources through tsx (UMQTT_BENCH_SOURCES=1: what it did before
// dist/ existed); "after" runs dist/. The scenario's own wall time (the
// report's wallMs) is printed beside it: the rest is start-up and shut-down.
// `--version` shows the cost of loading the command alone. With --npx, the
// same through `npx --no-install umqtt-bench` (npm's own start-up on top).
// The compiled run also prints its phase times (UMQTT_BENCH_TIMING=1): when
// each thread reached each step of start-up, medians over the rounds.
//
// `node -e 0` runs beside them: Node's own start and exit, the floor.
// With --baseline DIR (another checkout, built), its compiled run too: a
// before/after of a change measured in one run. --json emits the rows for
// bench/run-all.ts.
//
//   node --import tsx bench/startup.ts [--rounds 5] [--npx] [--baseline DIR] [--json]

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describeMachine, emitResult, fixed, median, numberArg, REPO_DIR, table } from "./lib.ts";

const rounds = numberArg("rounds", 5);
const withNpx = process.argv.includes("--npx");
const BIN = join(REPO_DIR, "bin/umqtt-bench.js");

if (!existsSync(join(REPO_DIR, "dist/.build.json"))) execFileSync(process.execPath, [join(REPO_DIR, "scripts/build.mjs")], { stdio: "inherit" });

interface Variant {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

const RUN = ["run", "example_sub_led", "--seed", "1", "--json"];
const variants: Variant[] = [
  { name: "run, before (tsx, sources)", command: process.execPath, args: [BIN, ...RUN], env: { UMQTT_BENCH_SOURCES: "1" } },
  { name: "run, after (dist/)", command: process.execPath, args: [BIN, ...RUN], env: { UMQTT_BENCH_TIMING: "1" } },
  { name: "--version, before (tsx)", command: process.execPath, args: [BIN, "--version"], env: { UMQTT_BENCH_SOURCES: "1" } },
  { name: "--version, after (dist/)", command: process.execPath, args: [BIN, "--version"], env: {} },
  { name: "node -e 0 (Node alone)", command: process.execPath, args: ["-e", "0"], env: {} },
];
const baselineAt = process.argv.indexOf("--baseline");
if (baselineAt > 0) {
  const dir = process.argv[baselineAt + 1];
  if (!dir || !existsSync(join(dir, "bin/umqtt-bench.js"))) throw new Error("--baseline: give a checkout folder with bin/umqtt-bench.js (built: npm run build there)");
  variants.push({ name: "run, baseline checkout (dist/)", command: process.execPath, args: [join(dir, "bin/umqtt-bench.js"), ...RUN], env: {} });
}
if (withNpx) {
  variants.push(
    { name: "npx run, before (tsx)", command: "npx", args: ["--no-install", "umqtt-bench", ...RUN], env: { UMQTT_BENCH_SOURCES: "1" } },
    { name: "npx run, after (dist/)", command: "npx", args: ["--no-install", "umqtt-bench", ...RUN], env: {} },
  );
}

const wall = new Map<string, number[]>();
const scenario = new Map<string, number[]>();
/** "thread phase" -> ms since the process started, one per round (in the order first seen). */
const phases = new Map<string, number[]>();
function once(v: Variant): void {
  const started = performance.now();
  const child = spawnSync(v.command, v.args, { cwd: REPO_DIR, encoding: "utf8", env: { ...process.env, ...v.env }, timeout: 120_000 });
  const ms = performance.now() - started;
  if (child.status !== 0) throw new Error(`${v.name}: exit ${child.status}: ${child.stderr}`);
  wall.set(v.name, [...(wall.get(v.name) ?? []), ms]);
  for (const m of child.stderr.matchAll(/^umqtt-bench timing: +([\d.]+) ms (\S+) (.*)$/gm)) {
    const key = `${m[2]} ${m[3]}`;
    phases.set(key, [...(phases.get(key) ?? []), Number(m[1])]);
  }
  if (v.args.includes("run")) scenario.set(v.name, [...(scenario.get(v.name) ?? []), (JSON.parse(child.stdout) as { wallMs: number }).wallMs]);
}

console.log(`start-up: ${rounds} round(s), variants alternated`);
console.log(describeMachine());
// One warm-up of each (disk cache, tsx's transform cache), not counted.
for (const v of variants) {
  once(v);
  wall.delete(v.name);
  scenario.delete(v.name);
}
phases.clear();
for (let round = 0; round < rounds; round++) for (const v of variants) once(v);

export interface StartupRow {
  name: string;
  wallMs: number;
  fastestMs: number;
  /** The scenario's own wall time (its report's wallMs), for the `run` variants. */
  scenarioMs?: number;
}
const results: StartupRow[] = variants.map((v) => {
  const s = scenario.get(v.name);
  return { name: v.name, wallMs: median(wall.get(v.name)!), fastestMs: Math.min(...wall.get(v.name)!), ...(s ? { scenarioMs: median(s) } : {}) };
});
const rows = results.map((r) => [r.name, `${fixed(r.wallMs / 1000, 3)} s`, r.scenarioMs === undefined ? "-" : `${fixed(r.scenarioMs / 1000, 3)} s`, `${fixed(r.fastestMs / 1000, 3)} s`]);
console.log("");
console.log(table(["command", "wall (median)", "scenario itself", "fastest"], rows));
const ratio = (a: string, b: string): string => fixed(median(wall.get(a)!) / median(wall.get(b)!), 2);
console.log(`\nrun: before / after = ${ratio(variants[0]!.name, variants[1]!.name)}x; --version: ${ratio(variants[2]!.name, variants[3]!.name)}x`);

if (phases.size > 0) {
  console.log(`\nphases of "${variants[1]!.name}" (ms since the process started, median):`);
  const ordered = [...phases].sort((a, b) => median(a[1]) - median(b[1]));
  console.log(table(["thread", "reached", "at"], ordered.map(([key, ms]) => [key.split(" ")[0]!, key.slice(key.indexOf(" ") + 1), `${fixed(median(ms), 0)} ms`])));
}
if (process.argv.includes("--json")) emitResult(results);
