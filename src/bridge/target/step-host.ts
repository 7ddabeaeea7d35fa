// The steps of a scenario, done to a real board: button presses go to the
// shim as commands on the serial line, pin levels are the ones the board
// reported, connection drops and stalls are made at the bench's proxy. What
// a real board cannot be made to do on request is skipped with the reason.

import { pinNumber, type BoardDefinition } from "../../emulator/board/board-file.ts";
import type { Clock } from "../../emulator/clock/clock.ts";
import { StepFailure, type StepHost } from "../../emulator/runner/steps.ts";
import type { Step } from "../../emulator/scenario/types.ts";
import type { Trace } from "../../emulator/trace.ts";
import type { BoardOutput } from "./board-output.ts";
import type { BrokerProxy } from "./broker-proxy.ts";

/** Network events only the emulated network produces. */
const EMULATED_EVENTS: Record<string, string> = {
  "wifi-down": "the bench cannot take a real board's Wi-Fi down",
  "wifi-up": "the bench cannot take a real board's Wi-Fi down",
  "dns-fail": "the bench cannot make a real board's name lookups fail",
  stall: "loss stalls are the emulated network's; a real network's are not seen by the bench",
  timeout: "socket timeouts are seen by the emulated network only",
};

/** Why the bench cannot do `step` on a real board, or undefined when it can. */
export function skipOnTarget(step: Step): string | undefined {
  if (step.type === "fault") {
    if (step.fault === "wifi-down" || step.fault === "wifi-up") return `a ${step.fault} fault is not made on a real board: ${EMULATED_EVENTS["wifi-down"]}`;
    if (step.fault === "dns-fail" || step.fault === "dns-ok") return `a ${step.fault} fault is not made on a real board: ${EMULATED_EVENTS["dns-fail"]}`;
    return undefined;
  }
  if (step.type === "wait-net" && step.event in EMULATED_EVENTS) return `no "${step.event}" event on a real board: ${EMULATED_EVENTS[step.event]}`;
  return undefined;
}

export interface TargetStepHostOptions {
  clock: Clock;
  trace: Trace;
  board: string;
  model: BoardDefinition;
  output: BoardOutput;
  proxy: BrokerProxy;
  /** Sends one command line to the shim on the board. */
  command(line: string): void;
  publish(topic: string, payload: string, qos: 0 | 1, retain: boolean): Promise<void>;
}

export function targetStepHost(o: TargetStepHostOptions): StepHost {
  const checkBoard = (board: string): void => {
    if (board !== o.board) throw new StepFailure(`no board named "${board}" (the target runs ${o.board})`);
  };
  const level = (pin: number): 0 | 1 => o.output.level(pin);
  return {
    clock: o.clock,
    trace: o.trace,
    setControl(board, control, pressed) {
      checkBoard(board);
      const button = o.model.buttons.find((b) => b.name === control);
      if (!button) throw new StepFailure(`${board} has no button "${control}"`);
      if (o.output.inputUnavailable) throw new StepFailure(`the board cannot take the bench's button presses: ${o.output.inputUnavailable}`);
      const value: 0 | 1 = pressed === (button.active === "low") ? 0 : 1;
      // Only to a running firmware: at the REPL prompt a command line would be typed in as Python.
      if (o.output.running) o.command(JSON.stringify({ pin: button.pin, level: value }));
      const pin = pinNumber(o.model, button.pin);
      if (pin !== undefined) o.output.setLevel(pin, value);
    },
    pinLevel(target) {
      checkBoard(target.board);
      if ("pin" in target) return level(target.pin);
      const led = o.model.leds.find((l) => l.name === target.led);
      if (!led) throw new StepFailure(`${target.board} has no LED "${target.led}"`);
      const pin = pinNumber(o.model, led.pin);
      const lit = pin !== undefined && level(pin) === (led.active === "low" ? 0 : 1);
      return lit ? 1 : 0;
    },
    injectFault(board, fault, durationMs) {
      checkBoard(board);
      if (fault === "reset") o.proxy.drop();
      else if (fault === "partition") o.proxy.stall(durationMs);
      else if (fault === "partition-end") o.proxy.unstall();
      // The others are skipped before they run (skipOnTarget).
    },
    heap(board) {
      checkBoard(board);
      return o.output.heap ?? { used: 0, free: 0, peakUsed: 0 };
    },
    publish: o.publish,
    crashed: (board) => (board === o.board ? o.output.crashed : undefined),
    boardNames: () => [o.board],
    skipReason: skipOnTarget,
  };
}
