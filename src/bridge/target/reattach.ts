// A board whose USB port re-enumerates when it resets (native USB: ESP32-S2/S3,
// RP2040) takes its port away for a moment and may come back on another
// path. The bench finds it again by its USB serial number and reopens it.

import { existsSync } from "node:fs";
import { BoardOps } from "../board-ops.ts";
import { listPorts, type PortLister } from "../ports.ts";
import { Repl } from "../repl.ts";
import { SerialLink } from "../serial-port.ts";
import type { PreparedBoard } from "./prepare.ts";

/** How long a board may stay away before the run gives up on it. */
export const COME_BACK_MS = 10_000;
const LOOK_EVERY_MS = 250;

/** The USB serial number of the port at `path`, if the platform tells it. */
export async function serialNumberOf(path: string, list?: PortLister): Promise<string | undefined> {
  try {
    return (await listPorts(list)).ports.find((p) => p.path === path)?.serialNumber;
  } catch {
    return undefined;
  }
}

/** The path of the port with this serial number, once it is back; undefined after `withinMs` or once `stopped()`. */
export async function findAgain(serialNumber: string, list: PortLister | undefined, stopped: () => boolean, withinMs = COME_BACK_MS): Promise<string | undefined> {
  const until = Date.now() + withinMs;
  while (Date.now() < until && !stopped()) {
    const path = await listPorts(list).then(
      ({ ports }) => ports.find((p) => p.serialNumber === serialNumber && existsSync(p.path))?.path,
      () => undefined,
    );
    if (path) return path;
    await new Promise((resolve) => setTimeout(resolve, LOOK_EVERY_MS));
  }
  return undefined;
}

/** Opens the board's new port in place of the old one (the board object is updated). */
export async function reopen(board: PreparedBoard, path: string): Promise<void> {
  const link = await SerialLink.open(path);
  const repl = new Repl(link, { name: path, answerMs: 5000 });
  Object.assign(board, { path, link, repl, ops: new BoardOps(repl) });
}
