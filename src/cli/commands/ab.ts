// `umqtt-bench ab <scenario> --b emulator|serial:PORT`: run one scenario on
// two sides (the emulator, a board, or the emulator with other settings),
// write both traces, and compare them as `umqtt-bench diff` does.
// Exit 0 equivalent, 1 different, 2 bad input, 130 interrupted.

import { closeSync, mkdirSync, mkdtempSync, openSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { compareTraces, type Comparison } from "../../compare/compare.ts";
import { humanDiffReport } from "../../compare/report.ts";
import { resolveScenario } from "../../emulator/scenario/resolve.ts";
import { EXIT } from "../exit-codes.ts";
import { UsageError } from "../errors.ts";
import type { SessionOptions } from "../../emulator/runner/session.ts";
import type { Scenario } from "../../emulator/scenario/types.ts";
import { parseSeed, sessionOptionsFrom, type RunFlags } from "../session-options.ts";
import { claimSignals, signalsReceived } from "../signals.ts";
import { describeSide, parseSideTarget, startEmulatorSide, startSerialSide, type RunningSide, type SideOutcome, type SideTarget } from "./ab-side.ts";
import { parseWifi } from "./run-target.ts";
import { readTraceForCommand, tolerancesFrom, type DiffFlags } from "./diff.ts";

/** Settings one side may change: `--a-umqtt 1.7.1`, `--b-seed 9`... */
const PER_SIDE = ["seed", "umqtt", "net", "netSet", "firmwareLang", "board"] as const;
type PerSide = (typeof PER_SIDE)[number];
type Prefixed<P extends string> = { [K in PerSide as `${P}${Capitalize<K>}`]?: K extends "board" | "netSet" ? string[] : string };

export interface AbFlags extends RunFlags, DiffFlags, Prefixed<"a">, Prefixed<"b"> {
  a?: string;
  b?: string;
  aFirmware?: string[];
  bFirmware?: string[];
  out?: string;
  wifi?: string;
}

interface Side {
  label: "A" | "B";
  target: SideTarget;
  scenario: Scenario;
  /** Firmware given with --a-firmware/--b-firmware, as absolute paths. */
  firmware: string[];
  flags: RunFlags;
  options: SessionOptions;
  trace: string;
}

export async function abCommand(scenarioArg: string, flags: AbFlags): Promise<void> {
  let interrupts = signalsReceived();
  let running: RunningSide | undefined;
  const release = claimSignals((count) => {
    interrupts = count;
    running?.stop(count > 1);
  });
  try {
    if (flags.b === undefined) throw new UsageError("ab: --b is required: emulator or serial:PORT (the side compared with --a, the emulator by default)");
    const targets = { A: parseSideTarget("--a", flags.a ?? "emulator"), B: parseSideTarget("--b", flags.b) };
    const tolerances = tolerancesFrom(flags);
    const scenario = resolveScenario(scenarioArg);
    // One seed for both sides unless a side has its own: the same faults, the same bench client ids.
    const seed = String(parseSeed(flags.seed));
    const dir = outputFolder(flags.out);
    // Every flag of both sides is checked before either runs.
    const wifi = flags.wifi === undefined ? undefined : parseWifi(flags.wifi);
    const sides: Side[] = (["A", "B"] as const).map((label) => {
      const own = sideFlags(flags, label === "A" ? "a" : "b", seed);
      const firmware = label === "A" ? flags.aFirmware : flags.bFirmware;
      const side = { label, target: targets[label], ...withFirmware(scenario, firmware, `--${label.toLowerCase()}-firmware`), flags: own, options: sessionOptionsFrom(own, { speed: "max" }), trace: join(dir, `${label}.jsonl`) };
      checkSide(side, flags);
      return side;
    });
    if (wifi && sides.every((s) => s.target.kind === "emulator")) throw new UsageError("--wifi is for a board on serial:PORT, and both sides are the emulator");
    // Both files emptied now: a path that cannot be written fails at once, and no trace of an earlier ab is left to be mistaken for this one's.
    for (const side of sides) emptyFile(side.trace);

    const outcomes: SideOutcome[] = [];
    for (const side of sides) {
      if (interrupts > 0) break;
      const onStart = () => process.stderr.write(`${side.label}: running ${scenario.name} on ${describe(side)} ...\n`);
      running = startSide(scenarioArg, side, wifi, onStart);
      if (interrupts > 0) running.stop(interrupts > 1);
      outcomes.push(await running.outcome);
      running = undefined;
    }
    const header = sides.map((side, i) => sideLine(side, outcomes[i]));
    if (interrupts > 0 || outcomes.length < 2) {
      if (flags.json) {
        const report = { scenario: scenario.name, interrupted: true, sides: sides.map((s, i) => ({ side: s.label, target: describe(s), ...(outcomes[i] ? { trace: s.trace, ...outcomes[i] } : { status: "not run" }) })) };
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      } else process.stdout.write(`${header.join("\n")}\nINTERRUPTED  ab ${scenario.name}: nothing compared\n`);
      process.exitCode = EXIT.interrupted;
      return;
    }
    const comparison = compareTraces(readTraceForCommand(sides[0].trace), readTraceForCommand(sides[1].trace), tolerances);
    if (flags.json) {
      const report = { scenario: scenario.name, sides: sides.map((s, i) => ({ side: s.label, target: describe(s), trace: s.trace, ...outcomes[i] })), ...comparison };
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      process.stdout.write(`${header.join("\n")}\n\n${humanDiffReport(comparison, { a: sides[0].trace, b: sides[1].trace })}\n${verdictNote(comparison, outcomes)}`);
    }
    process.exitCode = comparison.equivalent ? EXIT.pass : EXIT.fail;
  } finally {
    release();
  }
}

function sideFlags(flags: AbFlags, prefix: "a" | "b", seed: string): RunFlags {
  const own: RunFlags = { ...flags, seed };
  for (const key of PER_SIDE) {
    const value = flags[`${prefix}${key[0].toUpperCase()}${key.slice(1)}` as keyof AbFlags];
    if (value !== undefined) (own as Record<string, unknown>)[key] = value;
  }
  return own;
}

/** Settings of an emulated board that a real one does not take: it has its own network and its own umqtt. */
const EMULATOR_ONLY = [
  ["net", "net"],
  ["netSet", "net-set"],
  ["umqtt", "umqtt"],
  ["firmwareLang", "firmware-lang"],
] as const;

function checkSide(side: Side, flags: AbFlags): void {
  if (side.target.kind !== "serial") return;
  const prefix = side.label.toLowerCase();
  for (const [key, name] of EMULATOR_ONLY) {
    const own = (flags as Record<string, unknown>)[`${prefix}${key[0].toUpperCase()}${key.slice(1)}`];
    const shared = flags[key];
    if (own !== undefined) throw new UsageError(`--${prefix}-${name} does not apply to side ${side.label}, a board on ${side.target.target}: it has its own network and umqtt`);
    if (shared !== undefined && !(Array.isArray(shared) && shared.length === 0)) {
      throw new UsageError(`--${name} would apply to side ${side.label}, a board on ${side.target.target}, which has its own network and umqtt: give it to the emulated side only (--${prefix === "a" ? "b" : "a"}-${name})`);
    }
  }
}

/** `--b-firmware new.py` runs that firmware on every board of side B; `--b-firmware board2=new.py` on one. */
function withFirmware(scenario: Scenario, values: string[] | undefined, flag: string): { scenario: Scenario; firmware: string[] } {
  if (!values?.length) return { scenario, firmware: [] };
  const byBoard = new Map<string | undefined, string>();
  for (const value of values) {
    const eq = value.indexOf("=");
    const board = eq > 0 ? value.slice(0, eq) : undefined;
    const path = eq > 0 ? value.slice(eq + 1) : value;
    if (path === "") throw new UsageError(`${flag}: expected PATH or NAME=PATH, got "${value}"`);
    if (board !== undefined && !scenario.boards.some((b) => b.name === board)) {
      throw new UsageError(`${flag}: ${scenario.name} has no board "${board}" (boards: ${scenario.boards.map((b) => b.name).join(", ")})`);
    }
    byBoard.set(board, resolve(path));
  }
  const boards = scenario.boards.map((b) => {
    const firmware = byBoard.get(b.name) ?? byBoard.get(undefined);
    return firmware === undefined ? b : { ...b, firmware };
  });
  return { scenario: { ...scenario, boards }, firmware: [...new Set(byBoard.values())] };
}

function describe(side: Side): string {
  return `${describeSide(side.target, side.flags)}${side.firmware.length ? `, firmware ${side.firmware.join(", ")}` : ""}`;
}

function startSide(scenarioArg: string, side: Side, wifi: { ssid: string; password: string } | undefined, onStart: () => void): RunningSide {
  const scenario = side.scenario;
  if (side.target.kind === "emulator") return startEmulatorSide({ scenarioArg, scenario, flags: side.flags, options: side.options, tracePath: side.trace, onStart });
  const { seed, timeoutMs, brokerUrl, boardModel, boardModels } = side.options;
  const options = { target: side.target.target, seed, timeoutMs, brokerUrl, boardModel, boardModels, wifi };
  return startSerialSide({ scenario, options, tracePath: side.trace, onStart });
}

function outputFolder(out: string | undefined): string {
  if (out === undefined) return mkdtempSync(join(tmpdir(), "umqtt-bench-ab-"));
  try {
    mkdirSync(out, { recursive: true });
  } catch (error) {
    throw new UsageError(`--out ${out}: cannot create (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  return out;
}

function emptyFile(path: string): void {
  try {
    closeSync(openSync(path, "w"));
  } catch (error) {
    throw new UsageError(`--out: cannot write ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

function sideLine(side: Side, outcome: SideOutcome | undefined): string {
  const verdict = outcome ? `${outcome.status.toUpperCase()}${outcome.failure ? `: ${outcome.failure}` : ""}` : "not run";
  const lines = [`${side.label}  ${describe(side)}  ${verdict}`];
  if (outcome) lines.push(`   trace ${side.trace}`);
  // `run` takes no firmware in place of the scenario's, so a side with its own has no one-line reproduction.
  if (outcome?.reproduce && side.firmware.length === 0) lines.push(`   reproduce: ${outcome.reproduce}`);
  return lines.join("\n");
}

/** Equivalence is about A and B agreeing; say so when they agree on a failure. */
function verdictNote(comparison: Comparison, outcomes: readonly SideOutcome[]): string {
  if (!comparison.equivalent || outcomes.every((o) => o.status === "pass")) return "";
  return `note: A and B behave the same, and the scenario did not pass on either (${outcomes.map((o) => o.status).join(", ")})\n`;
}
