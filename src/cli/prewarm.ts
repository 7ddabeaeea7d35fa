// Called by the bin script before the command runs: for `umqtt-bench run`
// on emulated boards, a VM worker starts now and loads while the command
// loads (micropython/host/vm-prewarm.ts), and is given the scenario's first
// board as soon as that is read (early-run.ts). Its imports are few and small
// (the rest loads on demand), so from the sources every other command pays
// nothing for it.

import { prewarmVmWorker } from "../micropython/host/vm-prewarm.ts";

/** Whether the command line is a `run` that will likely start a VM board (not a real board, not TypeScript firmware, not help). */
export function runsVmBoards(args: readonly string[]): boolean {
  if (args[0] !== "run") return false;
  for (let i = 1; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--help" || arg === "-h" || arg === "--target" || arg.startsWith("--target=")) return false;
    if (arg === "--firmware-lang=ts" || (arg === "--firmware-lang" && args[i + 1] === "ts")) return false;
  }
  return true;
}

/** Starts what `args` will need before the command loads: for a `run` on VM boards, its VM worker and first board. */
export async function prewarm(args: readonly string[]): Promise<void> {
  if (!runsVmBoards(args)) return;
  prewarmVmWorker();
  // The scenario's first VM board boots while the command loads (early-run.ts).
  (await import("./early-run.ts")).bootEarlyFromCommandLine(args);
}
