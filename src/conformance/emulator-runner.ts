// A check on the emulator: the scenario's board as the given model with the
// given umqtt.simple release, on a MicroPython VM. The session runs in this
// process, not under `run`'s supervisor thread (which costs a thread and a
// fresh module load per check, a few seconds each): the pack's firmware is
// .py only, so it runs on the VM's own worker thread, whose runaway watchdog
// ends a board that never yields, and the scenario's deadline bounds every
// check. Nothing a check's firmware does can hold this thread.

import type { UmqttVersion } from "../client/versions.ts";
import type { FirmwareWrapper } from "../micropython/firmware/firmware-wrapper.ts";
import { createSession } from "../emulator/runner/session.ts";
import type { Scenario } from "../emulator/scenario/types.ts";
import { Trace, type TraceEvent } from "../emulator/trace.ts";
import type { CheckRun, ScenarioRunner } from "./runner.ts";

export interface EmulatedBoard {
  /** A model from boards/ or a path to a board JSON file. */
  model: string;
  /** How reports name the model (the path as the user gave it). */
  name?: string;
  umqtt: UmqttVersion;
  /** Run each check inside this code: the bench's board instrumentation, when the device runs under it. */
  wrapper?: { label: string; code: FirmwareWrapper };
}

export class EmulatorRunner implements ScenarioRunner {
  readonly label: string;
  private stopped = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly board: EmulatedBoard,
    private readonly seed: number,
  ) {
    this.label = `emulator ${board.name ?? board.model}, umqtt.simple ${board.umqtt}${board.wrapper ? `, ${board.wrapper.label}` : ""}`;
  }

  async run(scenario: Scenario, onEvent: (event: TraceEvent) => void): Promise<CheckRun> {
    const trace = new Trace();
    const unsubscribe = trace.subscribe(onEvent);
    try {
      // A bad board file or firmware is bad input, thrown from here (exit 2).
      const session = await createSession(scenario, { seed: this.seed, speed: "max", boardModel: this.board.model, umqtt: this.board.umqtt, trace, ...(this.board.wrapper ? { wrapFirmware: this.board.wrapper.code } : {}) });
      const stopRequested = new Promise<void>((resolve) => (this.wake = resolve));
      if (this.stopped) this.wake?.();
      await Promise.race([session.verdict, stopRequested]);
      // After a verdict this is the result; after Ctrl-C, what was recorded until then.
      const result = await session.stop();
      return { result, events: trace.events };
    } finally {
      unsubscribe();
      this.wake = undefined;
    }
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }
}
