// Which board an uncaught error belongs to: a throw in a host timer or a
// promise nobody awaited reaches the thread's last-resort handler with no
// owner. Its stack names the firmware file it came from; when several boards
// run that firmware (or a thrown non-Error has no stack), the board whose
// firmware ran last is the best guess.

import { raisedIn } from "./traceback.ts";

export interface FirmwareOwner {
  name: string;
  firmwarePath?: string;
}

/**
 * The board to blame, or undefined when the error is the bench's own: an
 * Error whose stack shows no firmware frame at all came from our code.
 */
export function boardForError(error: unknown, boards: readonly FirmwareOwner[], lastResumed: string | undefined): string | undefined {
  const raisers = boards.filter((b) => b.firmwarePath !== undefined && raisedIn(error, b.firmwarePath));
  if (raisers.length === 1) return raisers[0].name;
  if (raisers.some((b) => b.name === lastResumed)) return lastResumed;
  if (raisers.length > 0) return raisers[0].name;
  const hasStack = error instanceof Error && typeof error.stack === "string" && /\n\s+at /.test(error.stack);
  return hasStack ? undefined : (lastResumed ?? boards[0]?.name);
}
