// Getting hold of the board: the port (serial:auto resolved), whatever runs
// stopped, a soft reset into the raw REPL so nothing of a previous program
// remains, and what the board says it is. A board that does not answer as
// MicroPython is one line and exit 2.

import { realpathSync } from "node:fs";
import { networkInterfaces } from "node:os";
import { BoardOps, type BoardInfo } from "../board-ops.ts";
import { BridgeError } from "../errors.ts";
import { resolveSerialTarget, type PortLister } from "../ports.ts";
import { Repl } from "../repl.ts";
import { SerialLink } from "../serial-port.ts";
import { serialNumberOf } from "./reattach.ts";

export interface PreparedBoard {
  path: string;
  /** The USB serial number, to find the board again after it re-enumerates. */
  serialNumber?: string;
  link: SerialLink;
  repl: Repl;
  ops: BoardOps;
  info: BoardInfo;
}

export async function prepareBoard(target: string, list?: PortLister): Promise<PreparedBoard> {
  const { path, picked } = await resolveSerialTarget(target, list);
  const link = await SerialLink.open(path);
  try {
    const repl = new Repl(link, { name: path, answerMs: 5000 });
    await repl.enterRaw({ softReset: true });
    const ops = new BoardOps(repl);
    const info = await ops.info();
    if (info.implementation !== "micropython") {
      throw new BridgeError("garbage", `${path}: the board runs ${info.implementation} ${info.version}, not MicroPython`);
    }
    return { path, serialNumber: picked?.serialNumber ?? (await serialNumberOf(path, list)), link, repl, ops, info };
  } catch (error) {
    await link.close();
    throw error;
  }
}

/** One line naming the board, for the report: "MicroPython 1.24.1 on ESP32 module with ESP32 (esp32)". */
export function describeBoard(info: BoardInfo): string {
  return `MicroPython ${info.version} on ${info.machine ?? info.uname?.machine ?? info.platform} (${info.platform})`;
}

/** A pseudo-terminal (serve-board) is on this machine: its board reaches the bench on loopback. */
export function isPseudoTerminal(path: string): boolean {
  try {
    return realpathSync(path).startsWith("/dev/pts/");
  } catch {
    return false;
  }
}

/** The address a board on the LAN reaches this machine on: its first IPv4 address that is not loopback. */
export function lanAddress(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  throw new BridgeError("no-device", "this machine has no LAN address for the board to reach the bench's broker on; connect to the board's network");
}
