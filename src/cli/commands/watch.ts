// `umqtt-bench watch <scenario>`: the interactive view; same exit codes as run.

import { createSession } from "../../emulator/runner/session.ts";
import { resolveScenario } from "../../emulator/scenario/resolve.ts";
import { UsageError } from "../errors.ts";
import { EXIT } from "../exit-codes.ts";
import { claimSignals, signalsReceived } from "../signals.ts";
import { sessionOptionsFrom, type RunFlags } from "../session-options.ts";
import { TraceFile } from "../trace-file.ts";
import { checkInteractiveTerminal, runWatch } from "../tui/index.ts";
import { exitCodeFor } from "./run.ts";

export async function watchCommand(scenarioArg: string, flags: RunFlags & { trace?: string }): Promise<void> {
  // The view takes Ctrl-C as a key; a signal (SIGTERM, or SIGINT from outside) ends the process as before.
  claimSignals(() => process.exit(EXIT.interrupted));
  if (signalsReceived() > 0) process.exit(EXIT.interrupted);
  const problem = checkInteractiveTerminal(process.stdin, process.stdout);
  if (problem) throw new UsageError(problem);
  const scenario = resolveScenario(scenarioArg);
  const session = await createSession(scenario, sessionOptionsFrom(flags, { speed: 1 }));
  const traceFile = flags.trace ? new TraceFile(flags.trace, session.trace) : undefined;
  try {
    const result = await runWatch(session);
    // The view is gone with the alternate screen: leave the verdict on the normal one.
    process.stdout.write(`${result.status.toUpperCase()} ${result.scenario} seed ${result.seed}${result.failure ? `: ${result.failure}` : ""}\n`);
    process.exitCode = exitCodeFor(result);
  } finally {
    await session.stop();
    traceFile?.close();
  }
}
