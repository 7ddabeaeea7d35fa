// os / uos: the board's files live in the VM's own filesystem (the glue,
// py/bench_os.py, wraps the VM's os); the host only names the board.

import { hashString } from "../../emulator/prng.ts";
import { wifiFamily } from "./network.ts";
import type { HostModule } from "./context.ts";
import type { Board } from "../../emulator/board/board.ts";

/** The MicroPython release the bench's VM is (the pinned WebAssembly port's). */
const RELEASE = "1.29.0";

const SYSNAME = { esp8266: "esp8266", esp32: "esp32", cyw43: "rp2" } as const;

/** The board's MicroPython port: os.uname().sysname and sys.platform. */
export function boardPort(board: Board): string {
  return SYSNAME[wifiFamily(board)];
}

export const osModule: HostModule = {
  glue: ["bench_os.py"],
  ops: {
    /** sysname, nodename, release, version, machine: one per line. */
    "os.uname": (ctx) => {
      const sys = boardPort(ctx.board);
      const def = ctx.board.definition;
      return [sys, sys, RELEASE, `v${RELEASE} on umqtt-bench`, `${def.name} with ${def.id}`].join("\n");
    },
    /** A seed for os.urandom: the board's name and unique id (so a run repeats). */
    "os.seed": (ctx) => (hashString(`${ctx.board.name}/${Array.from(ctx.board.uniqueId).join(",")}`) & 0x7fffffff) || 1,
  },
};
