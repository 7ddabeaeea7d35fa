// The board model a real board is, from what it says about itself.

import { describe, expect, it } from "vitest";
import { modelOf } from "../../src/conformance/board-model.ts";
import type { BoardInfo } from "../../src/bridge/board-ops.ts";
import { listBoards, loadBoard } from "../../src/emulator/board/board-file.ts";
import { boardMachine } from "../../src/micropython/modules/os.ts";

const info = (machine: string | null, unameMachine?: string): BoardInfo => ({
  implementation: "micropython",
  version: "1.24.1",
  machine,
  platform: "esp32",
  uname: unameMachine === undefined ? null : { sysname: "esp32", machine: unameMachine },
  memFree: 100_000,
});

describe("modelOf", () => {
  it.each([
    ["ESP module with ESP8266", "esp8266"],
    ["ESP module (1M) with ESP8266", "esp8266"],
    ["Generic ESP32 module with ESP32", "esp32"],
    ["ESP32 module with ESP32", "esp32"],
    ["Raspberry Pi Pico W with RP2040", "rp2-pico-w"],
  ])("%s is %s", (machine, model) => {
    expect(modelOf(info(machine))).toBe(model);
  });

  it("boards we have no model for are not guessed", () => {
    expect(modelOf(info("ESP32S3 module with ESP32S3"))).toBeUndefined();
    expect(modelOf(info("ESP32C3 module with ESP32C3"))).toBeUndefined();
    expect(modelOf(info("Raspberry Pi Pico with RP2040"))).toBeUndefined();
    expect(modelOf(info(null))).toBeUndefined();
  });

  it("a VM board (serve-board) is found as a real board of its model is: by the real board's text", () => {
    for (const id of listBoards()) {
      const machine = boardMachine(loadBoard(id));
      expect(machine).not.toContain(`with ${id}`);
      expect(modelOf(info(machine, machine)), machine).toBe(id);
    }
  });

  it("a VM board on a board file of the user's says '<name> with <id>', found when the id is a model we have", () => {
    expect(modelOf(info("Custom ESP32 rig with esp32", "Custom ESP32 rig with esp32"))).toBe("esp32");
    expect(modelOf(info("Custom rig with my-board", "Custom rig with my-board"))).toBeUndefined();
  });

  it("os.uname().machine first: the WebAssembly port's own _machine names no board", () => {
    expect(modelOf(info("JS with Emscripten", "ESP module with ESP8266"))).toBe("esp8266");
    expect(modelOf(info("JS with Emscripten"))).toBeUndefined();
  });
});
