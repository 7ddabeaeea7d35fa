// What firmware can do to the thread it runs on, contained: process.exit()
// raises SystemExit in the firmware that called it (like MicroPython's
// sys.exit()), and errors nothing caught (a throw in a timer, a promise
// nobody awaited) crash the board whose firmware raised them. Used by the
// session thread of `run` and by `watch`, which runs its session in process.

import { boardForError } from "../../emulator/runner/crash-attribution.ts";
import type { FirmwareWatch } from "../../emulator/runner/firmware-watch.ts";
import type { Session } from "../../emulator/runner/session.ts";

/** What firmware gets for calling process.exit(). */
export class SystemExit extends Error {
  override name = "SystemExit";
}

export interface Containment {
  /** Pass to createSession: tracks which board's firmware ran last. */
  firmwareWatch: FirmwareWatch;
  /** The real process.exit, for the bench's own use. */
  exit: (code?: number) => never;
  /** Puts process.exit and the error handlers back. */
  release(): void;
}

/**
 * `session()` is the running session once there is one; `internal` gets
 * errors that are the bench's own (no firmware frame in their stack), and
 * `resumed` hears about every firmware resume (the watchdog's marks).
 */
export function containFirmware(
  session: () => Session | undefined,
  internal: (error: unknown) => void,
  resumed: (board: string) => void = () => {},
): Containment {
  const realExit = process.exit.bind(process);
  let lastResumed: string | undefined;
  process.exit = ((code?: number | string | null) => {
    throw new SystemExit(`process.exit(${code ?? ""}) called by firmware: a board cannot end the bench`);
  }) as typeof process.exit;
  const uncaught = (error: unknown): void => {
    const running = session();
    const board = running ? boardForError(error, running.boardHosts, lastResumed) : undefined;
    if (running && board) running.crashBoard(board, error);
    else internal(error);
  };
  process.on("uncaughtException", uncaught);
  process.on("unhandledRejection", uncaught);
  return {
    firmwareWatch: {
      resumed: (board) => {
        lastResumed = board;
        resumed(board);
      },
    },
    exit: realExit as (code?: number) => never,
    release: () => {
      process.exit = realExit;
      process.removeListener("uncaughtException", uncaught);
      process.removeListener("unhandledRejection", uncaught);
    },
  };
}
