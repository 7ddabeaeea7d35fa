// Turns any error into one line for the user and a documented exit code.
// Known input problems (bad scenario, board file, profile, flag, unreachable
// broker) exit 2; anything else is an internal error (exit 3) and prints its
// stack only when UMQTT_BENCH_DEBUG is set.

import { EXIT } from "./exit-codes.ts";

/** Bad usage or input that the user can fix: printed as is, exit 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Error classes (by name, so this module needs no emulator imports) that mean "fix your input". */
const INPUT_ERRORS = new Set(["UsageError", "ScenarioError", "BoardFileError", "ProfileError", "BrokerError", "FirmwareError", "BridgeError"]);

export function describeFailure(error: unknown): { line: string; code: number } {
  const err = error instanceof Error ? error : new Error(String(error));
  if (INPUT_ERRORS.has(err.name)) return { line: `umqtt-bench: ${err.message}`, code: EXIT.usage };
  // An error from the session thread carries that thread's stack.
  const stack = (err as { threadStack?: string }).threadStack ?? err.stack;
  const hint = process.env.UMQTT_BENCH_DEBUG ? `\n${stack}` : " (set UMQTT_BENCH_DEBUG=1 for details)";
  return { line: `umqtt-bench: internal error: ${err.name}: ${err.message}${hint}`, code: EXIT.internal };
}
