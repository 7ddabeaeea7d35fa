// `umqtt-bench conformance --target T`: the conformance pack, each check run
// on the emulator for the board model (the prediction) and on the target
// (the device), side by side. Exit 0 when every result matches its
// prediction, 1 otherwise, 2 bad input, 130 interrupted.

import { closeSync, mkdirSync, openSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { DEFAULT_UMQTT_VERSION, UMQTT_VERSIONS, isUmqttVersion, type UmqttVersion } from "../../client/versions.ts";
import { loadBoard } from "../../emulator/board/board-file.ts";
import { checkIds, checksNamed, CHECKS, type Check } from "../../conformance/pack.ts";
import { humanReport, jsonReport, junitReport, type PackHeader } from "../../conformance/report.ts";
import { EmulatorRunner, type EmulatedBoard } from "../../conformance/emulator-runner.ts";
import { runPack } from "../../conformance/run-pack.ts";
import { readBoard, SerialRunner } from "../../conformance/serial-runner.ts";
import { boardInstrumentation } from "../../bridge/target/mirror.ts";
import { modelOf } from "../../conformance/board-model.ts";
import { parseWifi } from "./run-target.ts";
import type { ScenarioRunner } from "../../conformance/runner.ts";
import { EXIT } from "../exit-codes.ts";
import { UsageError } from "../errors.ts";
import { parseSeed } from "../session-options.ts";
import { claimSignals, signalsReceived } from "../signals.ts";

export interface ConformanceFlags {
  target?: string;
  board?: string;
  umqtt?: string;
  targetUmqtt?: string;
  wifi?: string;
  only?: string;
  seed?: string;
  json?: boolean;
  junit?: string;
}

export type Target = { kind: "emulator"; model?: string } | { kind: "serial"; port: string };

export function parseTarget(text: string | undefined): Target {
  if (text === undefined) throw new UsageError("--target is required: serial:PORT (a board on USB), serial:auto, or emulator[:MODEL]");
  if (text === "emulator") return { kind: "emulator" };
  if (text.startsWith("emulator:") && text.length > "emulator:".length) return { kind: "emulator", model: text.slice("emulator:".length) };
  if (text.startsWith("serial:") && text.length > "serial:".length) return { kind: "serial", port: text.slice("serial:".length) };
  throw new UsageError(`--target: expected serial:PORT, serial:auto or emulator[:MODEL], got "${text}"`);
}

function parseVersion(flag: string, text: string | undefined): UmqttVersion | undefined {
  if (text === undefined || isUmqttVersion(text)) return text;
  throw new UsageError(`${flag}: unknown umqtt.simple version "${text}" (expected one of: ${UMQTT_VERSIONS.join(", ")})`);
}

function parseOnly(text: string | undefined): Check[] {
  if (text === undefined) return [...CHECKS];
  const ids = text.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  const { checks, unknown } = checksNamed(ids);
  if (ids.length === 0 || unknown.length > 0) {
    throw new UsageError(`--only: ${unknown.length ? `unknown check "${unknown[0]}"` : "no check named"} (checks: ${checkIds().join(", ")})`);
  }
  return checks;
}

/** A model name as is; a board file as an absolute path (the session resolves it elsewhere). Loading it now makes a bad one exit 2 at once. */
function boardModel(flag: string, model: string): string {
  const isPath = /[\\/]/.test(model) || model.endsWith(".json");
  const resolved = isPath ? resolve(model) : model;
  try {
    loadBoard(resolved);
  } catch (error) {
    throw new UsageError(`${flag}: ${(error as Error).message}`);
  }
  return resolved;
}

function prepareOutput(path: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    closeSync(openSync(path, "a"));
  } catch (error) {
    throw new UsageError(`--junit ${path}: cannot write (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

function emulatedDevice(target: Extract<Target, { kind: "emulator" }>, flags: ConformanceFlags, prediction: EmulatedBoard, seed: number): ScenarioRunner {
  const umqtt = parseVersion("--target-umqtt", flags.targetUmqtt) ?? prediction.umqtt;
  const board = target.model === undefined ? prediction : { model: boardModel("--target", target.model), name: target.model };
  return new EmulatorRunner({ ...board, umqtt }, seed);
}

export async function conformanceCommand(flags: ConformanceFlags): Promise<void> {
  let interrupts = signalsReceived();
  let runners: ScenarioRunner[] = [];
  const release = claimSignals((count) => {
    interrupts = count;
    for (const r of runners) r.stop();
  });
  try {
    const target = parseTarget(flags.target);
    if (flags.targetUmqtt !== undefined && target.kind !== "emulator") throw new UsageError("--target-umqtt applies to --target emulator only (a board runs its own umqtt)");
    if (flags.wifi !== undefined && target.kind !== "serial") throw new UsageError("--wifi applies to --target serial only");
    const wifi = flags.wifi === undefined ? undefined : parseWifi(flags.wifi);
    const checks = parseOnly(flags.only);
    const seed = parseSeed(flags.seed);
    const umqtt = parseVersion("--umqtt", flags.umqtt) ?? DEFAULT_UMQTT_VERSION;
    if (flags.board !== undefined) boardModel("--board", flags.board);
    if (target.kind === "emulator" && target.model) boardModel("--target", target.model);
    if (flags.junit) prepareOutput(flags.junit);
    let device: ScenarioRunner;
    let predicted: EmulatedBoard;
    if (target.kind === "serial") {
      // The prediction is for the model the board says it is, unless --board names one.
      const board = await readBoard(`serial:${target.port}`);
      const modelName = flags.board ?? modelOf(board.info);
      if (modelName === undefined) {
        throw new UsageError(`${board.port}: cannot tell the board model from "${board.info.uname?.machine ?? board.info.machine ?? board.info.platform}"; pass --board MODEL (see umqtt-bench boards)`);
      }
      // The board runs each check under the bench's instrumentation, which holds heap there: so does the prediction.
      predicted = { model: boardModel("--board", modelName), name: modelName, umqtt, wrapper: { label: "with the board's instrumentation", code: boardInstrumentation } };
      device = new SerialRunner({ target: `serial:${board.port}`, seed, boardModel: predicted.model, wifi, onStage: (line) => process.stderr.write(`    device: ${line}\n`) }, board);
    } else {
      // The prediction is for the target's model unless --board names another.
      const modelName = flags.board ?? target.model ?? "esp8266";
      predicted = { model: boardModel("--board", modelName), name: modelName, umqtt };
      device = emulatedDevice(target, flags, predicted, seed);
    }
    const prediction = new EmulatorRunner(predicted, seed);
    runners = [prediction, device];
    if (interrupts > 0) for (const r of runners) r.stop();
    const header: PackHeader = { device: device.label, prediction: prediction.label, umqtt, seed };
    const outcome = await runPack(checks, {
      device,
      prediction,
      progress: (line) => process.stderr.write(`${line}\n`),
      interrupted: () => interrupts > 0,
    });
    if (flags.junit) {
      try {
        writeFileSync(flags.junit, junitReport(outcome, header));
      } catch (error) {
        throw new UsageError(`--junit ${flags.junit}: cannot write (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
      }
    }
    process.stdout.write(`${flags.json ? jsonReport(outcome, header) : humanReport(outcome, header)}\n`);
    // A side that could not run at all (board unplugged, a bad board file): reported above, then one line and its exit code.
    if (outcome.error && interrupts === 0) throw outcome.error;
    const allMatch = outcome.checks.every((c) => c.status === "match");
    process.exitCode = interrupts > 0 ? EXIT.interrupted : allMatch ? EXIT.pass : EXIT.fail;
  } finally {
    release();
  }
}
