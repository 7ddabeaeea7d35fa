// `umqtt-bench watch <scenario>`: the interactive view; same exit codes as run.

import { createSession, type Session } from "../../emulator/runner/session.ts";
import { containFirmware, type Containment } from "../supervisor/containment.ts";
import { resolveScenario } from "../../emulator/scenario/resolve.ts";
import { describeFailure, UsageError } from "../errors.ts";
import { EXIT } from "../exit-codes.ts";
import { claimSignals, signalsReceived } from "../signals.ts";
import { sessionOptionsFrom, type RunFlags } from "../session-options.ts";
import { TraceFile } from "../trace-file.ts";
import { checkInteractiveTerminal, runWatch } from "../tui/index.ts";
import { exitCodeFor } from "./run.ts";

export async function watchCommand(scenarioArg: string, flags: RunFlags & { trace?: string }): Promise<void> {
  // The view takes Ctrl-C as a key; a signal (SIGTERM, or SIGINT from outside) ends the process as before.
  const exit = process.exit.bind(process); // firmware cannot call it; a signal can
  claimSignals(() => exit(EXIT.interrupted));
  if (signalsReceived() > 0) process.exit(EXIT.interrupted);
  const problem = checkInteractiveTerminal(process.stdin, process.stdout);
  if (problem) throw new UsageError(problem);
  const scenario = resolveScenario(scenarioArg);
  // In process (see docs/architecture.md): firmware can still not exit or crash the command.
  let session: Session | undefined;
  const containment: Containment = containFirmware(
    () => session,
    (error) => {
      // The bench's own error, outside any firmware: one line, exit 3.
      process.stderr.write(`${describeFailure(error).line}\n`);
      containment.exit(EXIT.internal);
    },
  );
  try {
    session = await createSession(scenario, { ...sessionOptionsFrom(flags, { speed: 1 }), firmwareWatch: containment.firmwareWatch });
  } catch (error) {
    containment.release();
    throw error;
  }
  const traceFile = flags.trace ? new TraceFile(flags.trace, session.trace) : undefined;
  try {
    const result = await runWatch(session);
    // The view is gone with the alternate screen: leave the verdict on the normal one.
    process.stdout.write(`${result.status.toUpperCase()} ${result.scenario} seed ${result.seed}${result.failure ? `: ${result.failure}` : ""}\n`);
    process.exitCode = exitCodeFor(result);
  } finally {
    await session.stop();
    traceFile?.close();
    containment.release();
  }
}
