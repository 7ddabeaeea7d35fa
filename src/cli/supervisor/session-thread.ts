// The session thread of `umqtt-bench run`: runs the scenario and streams
// every trace event to the supervisor as it happens. Firmware runs on this
// thread's event loop, so nothing here can stop firmware that never yields;
// the supervisor's watchdog does, from the main thread. What firmware can do
// to this thread is contained (containment.ts).
//
// A sweep keeps its threads and runs seeds on them one after another (a
// reusable thread, see protocol.ts): each run creates its session, trace and
// heartbeat anew, and the firmware module is imported afresh for each session
// (load.ts: a new tsx namespace per import), so a run sees nothing of the one
// before. A run that leaves something behind (see leftovers()) says so with
// its result, and the supervisor ends the thread instead of reusing it.

import { parentPort, workerData } from "node:worker_threads";
import { createSession, type Session } from "../../emulator/runner/session.ts";
import { Trace } from "../../emulator/trace.ts";
import { boardInfos, type FromSessionThread, type SessionRun, type SessionThreadData, type ToSessionThread } from "./protocol.ts";
import { HeartbeatWriter } from "./watchdog.ts";
import { containFirmware } from "./containment.ts";

const port = parentPort!;
const { data } = workerData as { data: SessionThreadData };
const reusable = "reusable" in data;
const send = (message: FromSessionThread): void => port.postMessage(message);

interface CurrentRun {
  session?: Session;
  heartbeat: HeartbeatWriter;
  boardIndex: Map<string, number>;
  finishing?: Promise<void>;
}
let current: CurrentRun | undefined;

const containment = containFirmware(
  () => current?.session,
  (error) => {
    // Between runs, an error can only come from something the last run left behind: this thread is unfit for another run.
    if (reusable && !current) containment.exit(1);
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const stack = error instanceof Error ? error.stack : undefined;
    send(current?.session ? { type: "internal-error", message, stack } : { type: "load-error", name: "InternalError", message, stack });
  },
  (board) => current?.heartbeat.resumed(current.boardIndex.get(board) ?? -1),
);

/** The globals before any run: each name and its value (undefined for an accessor). */
const globalsBefore = globalsNow();

function globalsNow(): Map<string, { value?: unknown; accessor: boolean }> {
  const descriptors = Object.getOwnPropertyDescriptors(globalThis) as Record<string, PropertyDescriptor>;
  return new Map(Object.entries(descriptors).map(([name, d]) => [name, "value" in d ? { value: d.value, accessor: false } : { accessor: true }]));
}

/**
 * Added, or holding another value. Some of Node's globals (btoa, say) are
 * accessors that turn into plain values when first read: an accessor before
 * counts as unchanged.
 */
function globalsChanged(): string[] {
  return [...globalsNow()]
    .filter(([name, now]) => {
      const was = globalsBefore.get(name);
      return !was || (!was.accessor && (now.accessor || !Object.is(was.value, now.value)));
    })
    .map(([name]) => name);
}

/** What keeps this thread's event loop going besides its port: timers, sockets, file requests. */
function activeResources(): string[] {
  return process.getActiveResourcesInfo().filter((r) => r !== "MessagePort");
}

/** File requests finish on their own; give the ones in flight a few milliseconds. */
const IN_FLIGHT = /^(FSReq|CloseReq|FileHandleCloseReq|StatWatcher$)/;
const IN_FLIGHT_WAITS = 10;

/**
 * What a finished run left on this thread that a fresh thread would not
 * have: a timer, socket or file still open (firmware's own, say), or a new
 * global. Empty when the thread can take another run.
 */
async function leftovers(): Promise<string[]> {
  // Let the session's last callbacks (closes, settles) run before looking.
  await new Promise((resolve) => setImmediate(resolve));
  for (let wait = 0; wait < IN_FLIGHT_WAITS && activeResources().some((r) => IN_FLIGHT.test(r)); wait++) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  const found: string[] = [];
  const resources = activeResources();
  if (resources.length > 0) found.push(`still active: ${resources.join(", ")}`);
  const changed = globalsChanged();
  if (changed.length > 0) found.push(`globals added or replaced: ${changed.join(", ")}`);
  return found;
}

function finish(run: CurrentRun): Promise<void> {
  run.finishing ??= (async () => {
    const result = await run.session!.stop();
    run.heartbeat.stop();
    if (!reusable) {
      send({ type: "result", result });
      return;
    }
    const left = await leftovers();
    current = undefined;
    send({ type: "result", result, reusable: left.length === 0 });
  })();
  return run.finishing;
}

async function start(run: SessionRun): Promise<void> {
  const state: CurrentRun = {
    heartbeat: new HeartbeatWriter(run.heartbeat),
    boardIndex: new Map(run.scenario.boards.map((b, i) => [b.name, i])),
  };
  current = state;
  const trace = new Trace();
  trace.subscribe((event) => send({ type: "event", event }));
  try {
    state.session = await createSession(run.scenario, {
      ...run.options,
      trace,
      firmwareWatch: containment.firmwareWatch,
    });
  } catch (error) {
    state.heartbeat.stop();
    const err = error instanceof Error ? error : new Error(String(error));
    send({ type: "load-error", name: err.name, message: err.message, stack: err.stack });
    return;
  }
  send({
    type: "ready",
    broker: state.session.broker,
    clock: state.session.clockKind,
    boards: boardInfos(state.session),
  });
  void state.session.verdict.then(() => finish(state));
}

port.on("message", (message: ToSessionThread) => {
  if (message.type === "stop" && current?.session) void finish(current);
  // A thread that is still running (its supervisor gave up on it) is never given another run.
  if (message.type === "run" && reusable && !current) void start(message.run);
});

if (!reusable) await start(data);
