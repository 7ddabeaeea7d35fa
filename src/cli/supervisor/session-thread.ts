// The session thread of `umqtt-bench run`: runs the scenario and streams
// every trace event to the supervisor as it happens. Firmware runs on this
// thread's event loop, so nothing here can stop firmware that never yields;
// the supervisor's watchdog does, from the main thread. What firmware can do
// to this thread is contained (containment.ts).

import { parentPort, workerData } from "node:worker_threads";
import { createSession, type Session } from "../../emulator/runner/session.ts";
import { Trace } from "../../emulator/trace.ts";
import { boardInfos, type FromSessionThread, type SessionThreadData, type ToSessionThread } from "./protocol.ts";
import { HeartbeatWriter } from "./watchdog.ts";
import { containFirmware } from "./containment.ts";

const port = parentPort!;
const { data } = workerData as { data: SessionThreadData };
const send = (message: FromSessionThread): void => port.postMessage(message);
const heartbeat = new HeartbeatWriter(data.heartbeat);
const boardIndex = new Map(data.scenario.boards.map((b, i) => [b.name, i]));
let session: Session | undefined;

const containment = containFirmware(
  () => session,
  (error) => {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const stack = error instanceof Error ? error.stack : undefined;
    send(session ? { type: "internal-error", message, stack } : { type: "load-error", name: "InternalError", message, stack });
  },
  (board) => heartbeat.resumed(boardIndex.get(board) ?? -1),
);

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
    firmwareWatch: containment.firmwareWatch,
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
    boards: boardInfos(session),
  });
  void session.verdict.then(() => finish());
}
