// os / uos: the board's files live in the VM's own filesystem (the glue,
// py/bench_os.py, wraps the VM's os); the host only names the board.

import { hashString } from "../../emulator/prng.ts";
import { wifiFamily } from "./network.ts";
import type { HostModule } from "./context.ts";
import type { Board } from "../../emulator/board/board.ts";
import { listBoards, loadBoard, type BoardDefinition } from "../../emulator/board/board-file.ts";

/** The MicroPython release the bench's VM is (the pinned WebAssembly port's). */
const RELEASE = "1.29.0";

const SYSNAME = { esp8266: "esp8266", esp32: "esp32", cyw43: "rp2" } as const;

/**
 * What a real board of each built-in model says it is, in os.uname().machine
 * and sys.implementation._machine: the MicroPython build's board name "with"
 * its chip (the generic ESP8266 and ESP32 builds, the Pico W's).
 */
const REAL_MACHINE: Record<string, string> = {
  esp8266: "ESP module with ESP8266",
  esp32: "Generic ESP32 module with ESP32",
  "rp2-pico-w": "Raspberry Pi Pico W with RP2040",
};

const builtinChecked = new WeakMap<BoardDefinition, boolean>();

/** The definition is a built-in model's as shipped (a board file of the user's, even one named like it, is not). */
function isBuiltinModel(def: BoardDefinition): boolean {
  let builtin = builtinChecked.get(def);
  if (builtin === undefined) {
    builtin = listBoards().includes(def.id) && JSON.stringify(loadBoard(def.id)) === JSON.stringify(def);
    builtinChecked.set(def, builtin);
  }
  return builtin;
}

/**
 * The board's os.uname().machine and sys.implementation._machine: a built-in
 * model's real text; a board file of the user's, "<name> with <id>", which
 * names its model to the bench (src/conformance/board-model.ts reads both).
 */
export function boardMachine(def: BoardDefinition): string {
  const real = REAL_MACHINE[def.id];
  return real && isBuiltinModel(def) ? real : `${def.name} with ${def.id}`;
}

/** The board's MicroPython port: os.uname().sysname and sys.platform. */
export function boardPort(board: Pick<Board, "definition">): string {
  return SYSNAME[wifiFamily(board)];
}

export const osModule: HostModule = {
  glue: ["bench_os.py"],
  ops: {
    /** sysname, nodename, release, version, machine: one per line. */
    "os.uname": (ctx) => {
      const sys = boardPort(ctx.board);
      return [sys, sys, RELEASE, `v${RELEASE} on umqtt-bench`, boardMachine(ctx.board.definition)].join("\n");
    },
    /** A seed for os.urandom: the board's name and unique id (so a run repeats). */
    "os.seed": (ctx) => (hashString(`${ctx.board.name}/${Array.from(ctx.board.uniqueId).join(",")}`) & 0x7fffffff) || 1,
  },
};
