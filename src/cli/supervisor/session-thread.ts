// The session thread of `umqtt-bench run`: runs the scenario and streams
// every trace event to the supervisor as it happens. Firmware runs on this
// thread's event loop, so nothing here can stop firmware that never yields;
// the supervisor's watchdog does, from the main thread. What firmware can do
// to this thread is contained (containment.ts).
//
// A sweep keeps its threads and runs seeds on them one after another (a
// reusable thread, see protocol.ts): each run creates its session, trace and
// heartbeat anew, and the firmware module is imported afresh for each session
// (emulator/firmware/compiled.ts: a new instance of its bundle per run), so a
// run sees nothing of the one before. A run that leaves something behind
// (leftovers.ts) says so with its result, and the supervisor ends the thread
// instead of reusing it.

import { parentPort, workerData } from "node:worker_threads";
import { createSession, type Session } from "../../emulator/runner/session.ts";
import { Trace } from "../../emulator/trace.ts";
import { boardInfos, type FromSessionThread, type SessionRun, type SessionThreadData, type ToSessionThread } from "./protocol.ts";
import { HeartbeatWriter } from "./watchdog.ts";
import { containFirmware } from "./containment.ts";
import { watchLeftovers } from "./leftovers.ts";
import { loadFirmwareBundled } from "../../emulator/firmware/load.ts";
import { setVmWorkerReuse } from "../../micropython/host/vm-recycle.ts";

const port = parentPort!;
const { data } = workerData as { data: SessionThreadData };
const reusable = "reusable" in data;
// Many runs on one thread: TypeScript firmware is bundled once, not loaded through tsx for each (compiled.ts),
// and a .py board's VM boots in a worker kept from the run before (vm-recycle.ts; UMQTT_BENCH_VM_REUSE=0: never).
if (reusable) {
  loadFirmwareBundled();
  if (process.env.UMQTT_BENCH_VM_REUSE !== "0") setVmWorkerReuse(true);
}
const send = (message: FromSessionThread): void => port.postMessage(message);

interface CurrentRun {
  session?: Session;
  heartbeat: HeartbeatWriter;
  boardIndex: Map<string, number>;
  finishing?: Promise<void>;
  /** Reusable threads: the session has stopped and its result is made; nothing after belongs to the run. */
  stopped?: boolean;
  /** Something of the run raised an error after it stopped: the thread is unfit for another run. */
  tainted?: boolean;
  /** Stops sending the run's trace events. */
  unsubscribe?: () => void;
}
let current: CurrentRun | undefined;

const containment = containFirmware(
  () => (current?.stopped ? undefined : current?.session),
  (error) => {
    // After a run stopped, an error can only come from something it left
    // behind: a fresh thread would have been ended with the result sent, so
    // the error does not touch the result; this thread is not used again.
    if (reusable && (!current || current.stopped)) {
      if (current) current.tainted = true;
      else containment.exit(1);
      return;
    }
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const stack = error instanceof Error ? error.stack : undefined;
    send(current?.session ? { type: "internal-error", message, stack } : { type: "load-error", name: "InternalError", message, stack });
  },
  (board) => current?.heartbeat.resumed(current.boardIndex.get(board) ?? -1),
);

// Reusable threads only: what a run leaves behind is watched from before the first run.
const leftovers = reusable ? watchLeftovers() : undefined;

function finish(run: CurrentRun): Promise<void> {
  run.finishing ??= (async () => {
    const result = await run.session!.stop();
    run.heartbeat.stop();
    if (!reusable) {
      send({ type: "result", result });
      return;
    }
    // From here on, as on a thread ended once its result is sent, nothing reaches the run's trace or result.
    run.stopped = true;
    run.unsubscribe?.();
    const left = await leftovers!.find();
    current = undefined;
    send({ type: "result", result, reusable: left.length === 0 && !run.tainted });
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
  state.unsubscribe = trace.subscribe((event) => send({ type: "event", event }));
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
