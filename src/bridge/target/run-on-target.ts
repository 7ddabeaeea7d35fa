// `run <scenario> --target serial:PATH`: the scenario's .py firmware on a real
// board, driven and observed by the bench, recorded in the trace format of an
// emulated run. In order: prepare the board, start the broker and the proxy
// the board will reach, upload the firmware with the instrumentation, start
// it as the board does after a reset (boot.py, main.py), run the steps on the
// wall clock, then stop the firmware and put the user's files back, whatever
// ended the run (verdict, deadline, Ctrl-C, the board unplugged).

import { resolve } from "node:path";
import { loadBoard, type BoardDefinition } from "../../emulator/board/board-file.ts";
import { EmbeddedBroker } from "../../emulator/broker/embedded.ts";
import { ExternalBroker } from "../../emulator/broker/external.ts";
import type { BrokerLink } from "../../emulator/broker/link.ts";
import { FirmwareError } from "../../emulator/firmware/load.ts";
import { BenchClient } from "../../emulator/runner/bench-client.ts";
import { createBenchTransport } from "../../emulator/runner/board-host.ts";
import { explainQuirks } from "../../emulator/runner/notes.ts";
import type { BoardResult, RunResult, RunStatus, StepResult } from "../../emulator/runner/result.ts";
import { runSteps, StepFailure } from "../../emulator/runner/steps.ts";
import { ScenarioError } from "../../emulator/scenario/parse.ts";
import { resolveScenario } from "../../emulator/scenario/resolve.ts";
import { describeStep, type Scenario, type ScenarioBoard } from "../../emulator/scenario/types.ts";
import { Trace } from "../../emulator/trace.ts";
import { pythonFirmware } from "../../micropython/firmware/firmware-files.ts";
import { BoardOutput } from "./board-output.ts";
import { BrokerProxy } from "./broker-proxy.ts";
import { install, restore, uninstall } from "./install.ts";
import { shimButtons, type ShimConfig } from "./instrumentation.ts";
import { describeBoard, isPseudoTerminal, lanAddress, prepareBoard, type PreparedBoard } from "./prepare.ts";
import { COME_BACK_MS, findAgain, reopen } from "./reattach.ts";
import { targetStepHost } from "./step-host.ts";
import { TargetClock } from "./target-clock.ts";
import type { MovedFile, TargetOptions, TargetRun } from "./types.ts";

export type { TargetOptions, TargetRun, MovedFile } from "./types.ts";

const utf8 = new TextEncoder();

class UploadStopped extends Error {}

/** What can be checked before touching the board: one board, .py firmware, a known model. */
function plan(scenario: Scenario, options: TargetOptions): { spec: ScenarioBoard; model: BoardDefinition; firmware: { label: string; files: Record<string, string> } } {
  if (scenario.boards.length !== 1) {
    throw new ScenarioError(`${scenario.source}: --target runs one board, and this scenario has ${scenario.boards.length} (${scenario.boards.map((b) => b.name).join(", ")})`);
  }
  const spec = scenario.boards[0];
  const override = options.boardModels?.[spec.name] ?? options.boardModel;
  const model = loadBoard(override ?? (/[\\/]/.test(spec.board) ? resolve(scenario.baseDir, spec.board) : spec.board));
  const firmware = pythonFirmware(spec.firmware, scenario.baseDir, "py");
  if (!firmware) throw new FirmwareError(`firmware ${spec.firmware}: a board runs MicroPython (.py) firmware, not TypeScript`);
  return { spec, model, firmware };
}

export async function runOnTarget(scenarioOrName: Scenario | string, options: TargetOptions): Promise<TargetRun> {
  const scenario = typeof scenarioOrName === "string" ? resolveScenario(scenarioOrName) : scenarioOrName;
  const { spec, model, firmware } = plan(scenario, options);
  const stage = options.onStage ?? (() => {});
  const trace = options.trace ?? new Trace();
  const seed = options.seed ?? 1;

  const board = await prepareBoard(options.target, options.ports);
  stage(`${board.path}: ${describeBoard(board.info)}`);
  const clock = new TargetClock();
  let broker: BrokerLink | undefined;
  let proxy: BrokerProxy | undefined;
  try {
    broker = options.brokerUrl ? await ExternalBroker.connect(options.brokerUrl) : await EmbeddedBroker.start({ clock, trace });
    const brokerLink = broker;
    proxy = await BrokerProxy.start({
      host: options.listenHost ?? (isPseudoTerminal(board.path) ? "127.0.0.1" : lanAddress()),
      clock,
      trace,
      board: spec.name,
      dial: () => brokerLink.dial({ host: brokerLink.host, port: brokerLink.port }, spec.name),
    });
    const recovered = await restore(board.ops);
    const config: ShimConfig = {
      host: proxy.host,
      port: proxy.port,
      buttons: shimButtons(model),
      wifi: options.wifi ? [options.wifi.ssid, options.wifi.password] : null,
    };
    const moved: MovedFile[] = [];
    try {
      // Ctrl-C during the upload stops it between files (before the user's main.py is moved); the run then ends at once.
      const uploading = (path: string): void => {
        if (options.signal?.aborted) throw new UploadStopped();
        stage(`uploading ${path}`);
      };
      await install(board.ops, firmware.files, config, uploading).then(
        (kept) => moved.push(...kept),
        (error: unknown) => {
          if (!(error instanceof UploadStopped)) throw error;
        },
      );
      return await runFirmware({ scenario, spec, model, options, trace, clock, board, broker, proxy, moved, recovered, seed, stage });
    } finally {
      await tidyUp(board, moved, stage).catch((error: Error) => stage(`could not tidy up the board: ${error.message}`));
    }
  } finally {
    await proxy?.close();
    await broker?.close();
    await board.link.close();
  }
}

interface RunContext {
  scenario: Scenario;
  spec: ScenarioBoard;
  model: BoardDefinition;
  options: TargetOptions;
  trace: Trace;
  clock: TargetClock;
  board: PreparedBoard;
  broker: BrokerLink;
  proxy: BrokerProxy;
  moved: MovedFile[];
  recovered: MovedFile[];
  seed: number;
  stage: (line: string) => void;
}

/** Starts the firmware and runs the steps until a verdict; stops the firmware before returning. */
async function runFirmware(c: RunContext): Promise<TargetRun> {
  const { scenario, spec, trace, clock, board, proxy } = c;
  const output = new BoardOutput(clock, trace, spec.name, c.model, spec.firmware, describeBoard(board.info));

  let finished = false;
  let status: RunStatus = "fail";
  let failure: string | undefined;
  let endedMs = 0;
  let interrupted = false;
  let settle!: () => void;
  const verdict = new Promise<void>((resolve) => (settle = resolve));
  const finish = (s: RunStatus, why?: string): void => {
    if (finished) return;
    finished = true;
    status = s;
    failure = why;
    endedMs = clock.now();
    settle();
  };

  let live = false;
  /** Wall time of the last bytes from the board, to let its line go quiet before the run is summed up. */
  let lastDataAt = Date.now();
  // Follows the board's line; when the port goes away during the run, looks for the board again by serial number.
  const follow = (link: typeof board.link): void => {
    link.onData(() => {
      lastDataAt = Date.now();
      if (live && link === board.link) output.push(board.repl.inbox.takeAll());
    });
    link.onClose(() => {
      if (link === board.link) void cameBack();
    });
  };
  const cameBack = async (): Promise<void> => {
    if (finished) return;
    const gone = `${board.path} closed during the run`;
    if (!board.serialNumber) return finish("fail", `${gone}: was the board unplugged?`);
    c.stage(`${gone}: looking for the board (serial number ${board.serialNumber}) again`);
    const path = await findAgain(board.serialNumber, c.options.ports, () => finished);
    if (finished) return;
    if (!path) return finish("fail", `${gone} and no port with serial number ${board.serialNumber} came back within ${COME_BACK_MS / 1000} s: was the board unplugged?`);
    try {
      await reopen(board, path);
    } catch (error) {
      return finish("fail", `${gone} and came back on ${path}, which could not be opened: ${(error as Error).message}`);
    }
    c.stage(`the board is back on ${path}`);
    follow(board.link);
  };
  follow(board.link);

  const stepResults: StepResult[] = scenario.steps.map((step, index) => ({ index, description: describeStep(step), status: "skipped" }));
  let running: number | undefined;
  trace.subscribe((e) => {
    if (e.kind !== "step" || finished) return;
    if (e.status === "start") {
      running = e.index;
      stepResults[e.index] = { ...stepResults[e.index], startMs: e.t };
    } else {
      running = undefined;
      stepResults[e.index] = { ...stepResults[e.index], status: e.status, atMs: e.t, detail: e.detail };
    }
  });

  await board.repl.exitRaw();
  clock.startRun();
  const timeoutMs = c.options.timeoutMs ?? scenario.timeoutMs;
  const deadline = clock.setTimer(timeoutMs, () => {
    if (running !== undefined) stepResults[running] = { ...stepResults[running], status: "timeout", atMs: clock.now(), detail: "the run's deadline passed" };
    finish("timeout", `deadline of ${timeoutMs / 1000}s (real time) passed`);
  });
  const onAbort = (): void => {
    interrupted = true;
    finish("fail", "stopped before the scenario finished");
  };
  if (c.options.signal?.aborted) onAbort();
  c.options.signal?.addEventListener("abort", onAbort);

  let bench: BenchClient | undefined;
  void (async () => {
    try {
      bench = await BenchClient.start(clock, trace, createBenchTransport(clock, trace, c.broker, c.seed), c.broker.host, c.broker.port, c.seed);
    } catch (error) {
      finish("fail", `the bench could not connect to ${c.broker.label}: ${(error as Error).message}`);
      return;
    }
    if (finished) return;
    c.stage(`running ${scenario.name} on ${board.path}`);
    live = true;
    // Ctrl-D at the friendly prompt: a soft reset, after which the board runs boot.py and the bench's main.py.
    await board.link.write(utf8.encode("\x04"));
    const host = targetStepHost({
      clock,
      trace,
      board: spec.name,
      model: c.model,
      output,
      proxy,
      command: (line) => void board.link.write(utf8.encode(`${line}\n`)).catch(() => {}),
      publish: async (topic, payload, qos, retain) => {
        if (!bench) throw new StepFailure("the bench's MQTT client is not connected");
        await bench.publish(topic, payload, qos, retain);
      },
    });
    const failed = await runSteps(host, scenario.steps, () => finished);
    if (!finished) finish(failed ? "fail" : "pass", failed ? `step ${failed.index + 1} failed: ${failed.description}: ${failed.detail}` : undefined);
  })().catch((error: Error) => finish("fail", `${error.name}: ${error.message}`));

  await verdict;
  deadline.cancel();
  c.options.signal?.removeEventListener("abort", onAbort);
  // The last step can pass on a print that the firmware's own end report follows a moment later
  // (a traceback, then the shim's crash frame): read on until the line is quiet, a second at most.
  if (!interrupted) await lineQuiet(() => lastDataAt);
  live = false;
  output.push(board.repl.inbox.takeAll());
  output.flush();
  const skipped = stepResults.filter((s) => s.status === "skipped" && s.detail !== undefined).map((s) => ({ index: s.index, reason: s.detail! }));
  const boardResult: BoardResult = {
    name: spec.name,
    model: c.model.id,
    firmware: spec.firmware,
    net: "real",
    heap: {
      budget: output.freeAtBoot ?? board.info.memFree ?? 0,
      peakUsed: output.heap?.peakUsed ?? 0,
      freeAtEnd: output.heap?.free ?? 0,
      largestFreeAtEnd: output.heap?.free ?? 0,
    },
    network: { ...proxy.counters },
    ...(output.crashed ? { crashed: output.crashed } : {}),
  };
  const notes = explainQuirks(trace.events);
  if (skipped.length) notes.push(`${skipped.length} step(s) skipped: the bench cannot do them to a real board (see each step)`);
  const result: RunResult = {
    scenario: scenario.name,
    source: scenario.source,
    status,
    seed: c.seed,
    broker: c.broker.label,
    clock: "real",
    virtualMs: endedMs,
    wallMs: endedMs,
    steps: stepResults,
    boards: [boardResult],
    failure,
    notes,
  };
  trace.close();
  bench?.stop();
  const leds = c.model.leds.map((l) => ({ board: spec.name, name: l.name, activeLow: l.active === "low" }));
  return { result, trace, port: board.path, board: board.info, moved: c.moved, recovered: c.recovered, skipped, interrupted, leds };
}

/** Stops the firmware, takes the bench's launcher off and puts the user's files back. */
async function tidyUp(board: PreparedBoard, moved: MovedFile[], stage: (line: string) => void): Promise<void> {
  if (!board.link.isOpen) return;
  stage("stopping the firmware and putting your files back");
  await board.repl.interrupt();
  await board.repl.enterRaw();
  await uninstall(board.ops, moved);
  await board.repl.exitRaw();
}

/** Quiet for this long, the board has said what it had to say. */
const QUIET_MS = 150;
const QUIET_WAIT_MAX_MS = 1000;

/** Resolves once no byte came from the board for QUIET_MS, or after QUIET_WAIT_MAX_MS. */
async function lineQuiet(lastDataAt: () => number): Promise<void> {
  const until = Date.now() + QUIET_WAIT_MAX_MS;
  while (Date.now() < until && Date.now() - lastDataAt() < QUIET_MS) await new Promise((r) => setTimeout(r, 25));
}
