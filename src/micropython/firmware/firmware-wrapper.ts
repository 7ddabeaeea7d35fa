// Code that runs a board's .py firmware inside its own, as the bench's board
// instrumentation does on a real board under `run --target`. A prediction for
// such a board runs the firmware wrapped the same way (src/bridge/target/
// mirror.ts), so the VM's heap carries what the board's carries.

import type { BoardDefinition } from "../../emulator/board/board-file.ts";

export interface WrappedLine {
  /** What the firmware printed on the line, without the wrapper's own reports (undefined: nothing). */
  text?: string;
  /** The wrapper reported that the firmware raised this (it then ends normally itself). */
  crash?: string;
}

export interface FirmwareWrapper {
  /** The board's files: the firmware's (path -> text) placed among the wrapper's, with its main.py, for this model. */
  files(firmware: Record<string, string>, model: BoardDefinition): Record<string, string>;
  /** One line the VM printed. */
  line(text: string): WrappedLine;
}
