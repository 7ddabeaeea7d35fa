// A check on a real board over USB serial (or serve-board's pseudo-terminal),
// through `run --target`'s runOnTarget: the firmware uploaded and run on the
// board, the bench's broker reached through its proxy, the same trace.

import type { BoardInfo } from "../bridge/board-ops.ts";
import { describeBoard, prepareBoard } from "../bridge/target/prepare.ts";
import { runOnTarget } from "../bridge/target/run-on-target.ts";
import type { Scenario } from "../emulator/scenario/types.ts";
import { Trace, type TraceEvent } from "../emulator/trace.ts";
import type { CheckRun, ScenarioRunner } from "./runner.ts";

export interface SerialOptions {
  /** "serial:/dev/ttyUSB0" or "serial:auto". */
  target: string;
  seed: number;
  /** The board model the scenario's steps are checked against (its buttons). */
  boardModel: string;
  wifi?: { ssid: string; password: string };
  /** Each stage of a run (opening, uploading...), for progress. */
  onStage?: (line: string) => void;
}

/** Opens the board only to ask what it is (sys.implementation, os.uname()), then lets it go. */
export async function readBoard(target: string): Promise<{ port: string; info: BoardInfo }> {
  const board = await prepareBoard(target);
  await board.link.close();
  return { port: board.path, info: board.info };
}

export class SerialRunner implements ScenarioRunner {
  private controller: AbortController | undefined;
  private stopped = false;

  constructor(
    private readonly options: SerialOptions,
    /** The board as read before the pack, for the label. */
    private readonly board: { port: string; info: BoardInfo },
  ) {}

  get label(): string {
    return `serial:${this.board.port}, ${describeBoard(this.board.info)}`;
  }

  async run(scenario: Scenario, onEvent: (event: TraceEvent) => void): Promise<CheckRun> {
    const controller = new AbortController();
    this.controller = controller;
    if (this.stopped) controller.abort();
    const trace = new Trace();
    const unsubscribe = trace.subscribe(onEvent);
    try {
      const run = await runOnTarget(scenario, {
        target: this.options.target,
        seed: this.options.seed,
        boardModel: this.options.boardModel,
        wifi: this.options.wifi,
        trace,
        signal: controller.signal,
        onStage: this.options.onStage,
      });
      return { result: run.result, events: run.trace.events };
    } finally {
      unsubscribe();
      this.controller = undefined;
    }
  }

  stop(): void {
    this.stopped = true;
    this.controller?.abort();
  }
}
