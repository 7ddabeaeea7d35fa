// Which board model (boards/*.json) a board is, from what it says it is:
// `os.uname().machine` or `sys.implementation._machine`, e.g. "ESP module
// with ESP8266", "Generic ESP32 module with ESP32", "Raspberry Pi Pico W with
// RP2040". serve-board's VM board says the same as its model's real board;
// on a board file of the user's it says "<name> with <id>".

import { listBoards } from "../emulator/board/board-file.ts";
import type { BoardInfo } from "../bridge/board-ops.ts";

const KNOWN: [RegExp, string][] = [
  [/\bESP8266\b/i, "esp8266"],
  // The plain ESP32 only: an ESP32-S3 or -C3 says "ESP32S3", "ESP32C3".
  [/with ESP32$/i, "esp32"],
  [/\bPico W\b/i, "rp2-pico-w"],
];

/** The model's id, or undefined when the board's description names none we have. */
export function modelOf(info: BoardInfo): string | undefined {
  for (const machine of [info.uname?.machine, info.machine]) {
    if (!machine) continue;
    // A VM board on a board file of the user's names its model: "... with esp32".
    const own = / with (\S+)$/.exec(machine.trim())?.[1];
    if (own && listBoards().includes(own)) return own;
    const known = KNOWN.find(([pattern]) => pattern.test(machine.trim()))?.[1];
    if (known) return known;
  }
  return undefined;
}
