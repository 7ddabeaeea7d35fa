// A check on the emulator: the scenario's board as the given model with the
// given umqtt.simple release, on a MicroPython VM, under the same supervisor
// as `umqtt-bench run` (so no firmware can hang the pack).

import type { UmqttVersion } from "../client/versions.ts";
import type { Scenario } from "../emulator/scenario/types.ts";
import type { TraceEvent } from "../emulator/trace.ts";
import { Supervisor } from "../cli/supervisor/supervisor.ts";
import type { CheckRun, ScenarioRunner } from "./runner.ts";

export interface EmulatedBoard {
  /** A model from boards/ or a path to a board JSON file. */
  model: string;
  /** How reports name the model (the path as the user gave it). */
  name?: string;
  umqtt: UmqttVersion;
}

export class EmulatorRunner implements ScenarioRunner {
  readonly label: string;
  private current: Supervisor | undefined;
  private stopped = false;

  constructor(
    private readonly board: EmulatedBoard,
    private readonly seed: number,
  ) {
    this.label = `emulator ${board.name ?? board.model}, umqtt.simple ${board.umqtt}`;
  }

  async run(scenario: Scenario, onEvent: (event: TraceEvent) => void): Promise<CheckRun> {
    const supervisor = new Supervisor(scenario, { seed: this.seed, speed: "max", boardModel: this.board.model, umqtt: this.board.umqtt });
    this.current = supervisor;
    if (this.stopped) supervisor.stop(true);
    const unsubscribe = supervisor.trace.subscribe(onEvent);
    try {
      const outcome = await supervisor.outcome; // a LoadError (bad board file...) is bad input
      return { result: outcome.result, events: supervisor.trace.events };
    } finally {
      unsubscribe();
      this.current = undefined;
    }
  }

  stop(): void {
    this.stopped = true;
    this.current?.stop(true);
  }
}
