// `umqtt-bench serve-board` for the tests: started as its own process, as a
// user starts it, until it prints the device path of its pseudo-terminal;
// stopped again however the test went. serve-board needs socat for the pty:
// suites check `hasSocat` and skip (or fail under CI) without it.

import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { join } from "node:path";
import { BoardOps } from "../../src/bridge/board-ops.ts";
import { Repl, type ReplOptions } from "../../src/bridge/repl.ts";
import { SerialLink } from "../../src/bridge/serial-port.ts";

const BIN = join(import.meta.dirname, "../../bin/umqtt-bench.js");

export const hasSocat = spawnSync("socat", ["-V"]).status === 0;

export interface ServedBoard {
  child: ChildProcessWithoutNullStreams;
  /** The pty's device path, as serve-board printed it. */
  path: string;
  /** Everything serve-board wrote so far, stdout and stderr together. */
  output: () => string;
}

export interface ServeBoardOptions {
  /** --board: a model id or a board file's path (serve-board's default when absent). */
  board?: string;
  /** --fs: the host folder holding the board's files. */
  fs?: string;
  /** How long serve-board may take to print its device path (a busy machine starts it slowly). */
  startMs?: number;
}

/** serve-board's line once its pty is up: "serving ... on /dev/pts/3 (Ctrl-C to stop)". */
const DEVICE_PATH = / on (\S+) \(/;

// Boards still running when the test process ends are killed with it, so none outlives a failed run.
const running = new Set<ChildProcessWithoutNullStreams>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

export async function serveBoard(options: ServeBoardOptions = {}): Promise<ServedBoard> {
  const args = ["serve-board"];
  if (options.board) args.push("--board", options.board);
  if (options.fs) args.push("--fs", options.fs);
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  running.add(child);
  child.once("exit", () => running.delete(child));
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const deadline = Date.now() + (options.startMs ?? 30_000);
  while (!DEVICE_PATH.test(out) && !hasEnded(child) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const match = DEVICE_PATH.exec(out);
  if (!match) {
    await stopBoard({ child, path: "", output: () => out });
    throw new Error(`serve-board did not print its device path: ${out}`);
  }
  return { child, path: match[1]!, output: () => out };
}

/** Ends serve-board: SIGTERM as Ctrl-C would, SIGKILL if it has not gone within `graceMs`. Safe to call twice or with nothing started. */
export async function stopBoard(served: ServedBoard | undefined, graceMs = 10_000): Promise<void> {
  if (!served || hasEnded(served.child)) return;
  const exited = new Promise((resolve) => served.child.once("exit", resolve));
  served.child.kill("SIGTERM");
  const timer = setTimeout(() => served.child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

export interface OpenedBoard {
  link: SerialLink;
  repl: Repl;
  ops: BoardOps;
}

/** Opens the served board's pty as a user's tool opens a board on USB: the serial link, the REPL on it (10 s for an answer), the board operations. */
export async function openBoard(path: string, options: ReplOptions = {}): Promise<OpenedBoard> {
  const link = await SerialLink.open(path);
  const repl = new Repl(link, { name: path, answerMs: 10_000, ...options });
  return { link, repl, ops: new BoardOps(repl) };
}

function hasEnded(child: ChildProcessWithoutNullStreams): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}
