// The session thread of `umqtt-bench run`: runs the scenario and streams
// every trace event to the supervisor as it happens. Firmware runs on this
// thread's event loop, so nothing here can stop firmware that never yields;
// the supervisor's watchdog does, from the main thread. What firmware can do
// to this thread is contained: process.exit() raises in the firmware, and
// uncaught errors crash the board they came from.

import { parentPort, workerData } from "node:worker_threads";
import { createSession, type Session } from "../../emulator/runner/session.ts";
import { boardForError } from "../../emulator/runner/crash-attribution.ts";
import { Trace } from "../../emulator/trace.ts";
import type { FromSessionThread, SessionThreadData, ToSessionThread } from "./protocol.ts";
import { HeartbeatWriter } from "./watchdog.ts";

/** What firmware gets for calling process.exit(): like MicroPython's sys.exit(), an exception. */
class SystemExit extends Error {
  override name = "SystemExit";
}

const port = parentPort!;
const { data } = workerData as { data: SessionThreadData };
const send = (message: FromSessionThread): void => port.postMessage(message);
const heartbeat = new HeartbeatWriter(data.heartbeat);
const boardIndex = new Map(data.scenario.boards.map((b, i) => [b.name, i]));
let lastResumed: string | undefined;
let session: Session | undefined;

process.exit = ((code?: number | string | null) => {
  throw new SystemExit(`process.exit(${code ?? ""}) called by firmware: a board cannot end the bench`);
}) as typeof process.exit;

/** An error nothing caught: the crash of the board it came from (or, before boards run, an internal error). */
function uncaught(error: unknown): void {
  const board = session ? boardForError(error, session.boardHosts, lastResumed) : undefined;
  if (session && board) {
    session.crashBoard(board, error);
    return;
  }
  send({ type: "load-error", name: "InternalError", message: error instanceof Error ? `${error.name}: ${error.message}` : String(error), stack: (error as Error)?.stack });
}
process.on("uncaughtException", uncaught);
process.on("unhandledRejection", uncaught);

const trace = new Trace();
trace.subscribe((event) => send({ type: "event", event }));

let finishing: Promise<void> | undefined;
function finish(): Promise<void> {
  finishing ??= (async () => {
    const result = await session!.stop();
    heartbeat.stop();
    send({ type: "result", result });
  })();
  return finishing;
}

port.on("message", (message: ToSessionThread) => {
  if (message.type === "stop" && session) void finish();
});

try {
  session = await createSession(data.scenario, {
    ...data.options,
    trace,
    firmwareWatch: {
      resumed: (board) => {
        lastResumed = board;
        heartbeat.resumed(boardIndex.get(board) ?? -1);
      },
    },
  });
} catch (error) {
  const err = error instanceof Error ? error : new Error(String(error));
  send({ type: "load-error", name: err.name, message: err.message, stack: err.stack });
}
if (session) {
  send({
    type: "ready",
    broker: session.broker,
    clock: session.clockKind,
    boards: session.boardHosts.map((h) => ({
      name: h.name,
      model: h.model,
      firmware: h.firmware,
      net: h.network().profile,
      heapBudget: h.heap().budget,
      leds: h.leds.map((l) => ({ name: l.name, activeLow: l.activeLow })),
    })),
  });
  void session.verdict.then(() => finish());
}
