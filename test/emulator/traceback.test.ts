// A TypeScript firmware's uncaught error prints a MicroPython-style traceback
// on the board's serial output, with a `File "...", line N, in f` line per
// frame of the firmware's own code (outermost first), mapped through the
// TypeScript source positions; frames inside the bench are left out.

import { describe, expect, it } from "vitest";
import { prints, runScenario } from "../runner/run-scenario.ts";

describe("firmware tracebacks", () => {
  it("a throw two calls deep names the firmware file, lines and functions", async () => {
    const { events } = await runScenario(`
name: crash
timeout: 5s
boards:
  - { name: b1, board: esp8266, firmware: test/emulator/fixtures/crash.ts }
steps:
  - delay: 1s
`);
    expect(prints(events, "b1")).toEqual([
      "Traceback (most recent call last):",
      '  File "crash.ts", line 10, in firmware',
      '  File "crash.ts", line 4, in helper',
      "RangeError: boom",
    ]);
  });

  it("an error raised inside umqtt shows only the firmware's frames", async () => {
    const { events } = await runScenario(`
name: crash_in_client
timeout: 5s
boards:
  - { name: b1, board: esp8266, firmware: test/emulator/fixtures/connect_timeout.ts, umqtt: "1.3.4" }
steps:
  - delay: 1s
`);
    // umqtt 1.3.4's connect() takes no timeout: the call on line 8 fails inside the client.
    expect(prints(events, "b1")).toEqual([
      "Traceback (most recent call last):",
      '  File "connect_timeout.ts", line 8, in firmware',
      "TypeError: function takes 2 positional arguments but 3 were given",
    ]);
  });
});
