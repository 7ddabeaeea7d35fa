// What `run <scenario> --target serial:PATH` takes and gives back. The
// result is the emulated run's RunResult (same steps, boards, notes and
// trace events), plus what only a real board has: what it said it is, and
// which of the user's files the bench moved and put back.

import type { RunResult } from "../../emulator/runner/result.ts";
import type { Trace } from "../../emulator/trace.ts";
import type { BoardInfo } from "../board-ops.ts";
import type { PortLister } from "../ports.ts";

export interface TargetOptions {
  /** "serial:/dev/ttyUSB0" or "serial:auto". */
  target: string;
  /** Seed of the bench's own choices (client ids); a board's schedule is the world's, not ours. */
  seed?: number;
  /** Overrides the scenario's deadline (real time). */
  timeoutMs?: number;
  /** An external broker instead of the embedded aedes. */
  brokerUrl?: string;
  /** Wi-Fi credentials handed to the firmware's network.WLAN (and joined before the firmware starts). */
  wifi?: { ssid: string; password: string };
  /** Board model for the scenario's board (`--board`), as the emulated run takes it. */
  boardModel?: string;
  boardModels?: Record<string, string>;
  /** The address the board reaches the bench's broker on; default: 127.0.0.1 for a pseudo-terminal, else the host's LAN address. */
  listenHost?: string;
  /** Where events go; a fresh Trace if not given (it is on the returned run). */
  trace?: Trace;
  /** Aborting stops the firmware, restores the user's files and returns what was recorded (Ctrl-C). */
  signal?: AbortSignal;
  /** Lists serial ports (serial:auto, and finding a board again by serial number); default: the platform's. */
  ports?: PortLister;
  /** One line per stage (opening, uploading, running...), for the CLI's progress. */
  onStage?: (line: string) => void;
}

/** A file of the user's that the bench moved out of the way and put back (or could not). */
export interface MovedFile {
  path: string;
  /** Where the bench kept it during the run. */
  keptAt: string;
  restored: boolean;
}

export interface TargetRun {
  /** The same shape an emulated run returns; clock "real", times in wall milliseconds. */
  result: RunResult;
  trace: Trace;
  /** The serial port used (serial:auto resolved; where the board came back, if it re-enumerated). */
  port: string;
  /** What the board said it is (sys.implementation, os.uname(), gc.mem_free()). */
  board: BoardInfo;
  /** The user's files moved for the run, and whether each is back. */
  moved: MovedFile[];
  /** Files an earlier run left moved (it never got to put them back), dealt with before this one. */
  recovered: MovedFile[];
  /** Steps the hardware could not do, reported as skipped (index and reason). */
  skipped: { index: number; reason: string }[];
  /** The run was stopped by its signal (Ctrl-C). */
  interrupted: boolean;
  /** The board model's LEDs, for reports that show LEDs lit or dark. */
  leds: { board: string; name: string; activeLow: boolean }[];
}
