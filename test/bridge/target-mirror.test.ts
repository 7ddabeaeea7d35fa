// The bench's board instrumentation run on an emulated VM board (the
// prediction for a board under `run --target`): the firmware runs inside the
// same files, its own prints reach the trace without the shim's reports, and
// an exception the shim catches still crashes the board.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { boardInstrumentation } from "../../src/bridge/target/mirror.ts";
import { LAUNCHER } from "../../src/bridge/target/instrumentation.ts";
import { loadBoard } from "../../src/emulator/board/board-file.ts";
import { prints, runScenario } from "../runner/run-scenario.ts";

function scenarioWith(main: string, steps: string): string {
  const dir = mkdtempSync(join(tmpdir(), "umqtt-bench-mirror-"));
  writeFileSync(join(dir, "main.py"), main);
  return `
name: mirror
timeout: 30s
boards:
  - { name: b1, board: esp8266, firmware: ${join(dir, "main.py")}, net: ideal }
steps:
${steps}`;
}

describe("the board's instrumentation on an emulated board", () => {
  it("lays the firmware out as on the board, under the launcher", () => {
    const files = boardInstrumentation.files({ "main.py": "print(1)\n", "lib/x.py": "" }, loadBoard("esp32"));
    expect(files["main.py"]).toBe(LAUNCHER);
    expect(files["umqtt_bench/fw/main.py"]).toBe("print(1)\n");
    expect(files["umqtt_bench/fw/lib/x.py"]).toBe("");
    expect(Object.keys(files)).toEqual(expect.arrayContaining(["umqtt_bench/ubench_shim.py", "umqtt_bench/ubench_run.py", "umqtt_bench/cfg.json"]));
    // The model's buttons, held released as the board's shim holds them (esp32's BOOT button: GPIO0, active low).
    expect(JSON.parse(files["umqtt_bench/cfg.json"]!).buttons).toEqual([{ pin: 0, released: 1 }]);
  });

  it("takes the shim's reports off a line and keeps the firmware's text, an empty print included", () => {
    const frame = (value: object): string => {
      const payload = JSON.stringify(value);
      const sum = [...new TextEncoder().encode(payload)].reduce((a, b) => (a + b) & 0xff, 0);
      return `\x1eU${payload.length.toString(16).padStart(4, "0")}${payload}${sum.toString(16).padStart(2, "0")}\x1f`;
    };
    expect(boardInstrumentation.line(`${frame({ k: "heap", free: 1 })}hello`)).toEqual({ text: "hello" });
    expect(boardInstrumentation.line(frame({ k: "boot", ms: 0 }))).toEqual({});
    expect(boardInstrumentation.line("")).toEqual({ text: "" });
    expect(boardInstrumentation.line(frame({ k: "crash", exc: "OSError: -2", ms: 5 }))).toEqual({ crash: "OSError: -2" });
    // Something that only looks like a frame is the firmware's text, kept whole.
    expect(boardInstrumentation.line("\x1eUzz")).toEqual({ text: "\x1eUzz" });
  });

  it("runs the firmware with machine and socket wrapped, prints reach the trace, and its exception crashes the board", async () => {
    const yaml = scenarioWith(
      `import sys, socket\nprint("wrapped", type(sys.modules["socket"]).__name__, socket.getaddrinfo("example.org", 1883)[0][-1][1])\nraise OSError(-2)\n`,
      "  - wait-serial: { board: b1, text: wrapped, timeout: 10s }\n  - delay: 1s\n",
    );
    const { result, events } = await runScenario(yaml, { wrapFirmware: boardInstrumentation });
    // The shim's socket module answers every name with its settings' broker port.
    expect(prints(events, "b1")).toContain("wrapped _Module 1883");
    expect(prints(events, "b1").join("\n")).not.toMatch(/\x1e/);
    expect(result.boards[0]!.crashed).toMatch(/OSError/);
  });
});
