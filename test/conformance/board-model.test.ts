// The board model a real board is, from what it says about itself.

import { describe, expect, it } from "vitest";
import { modelOf } from "../../src/conformance/board-model.ts";
import type { BoardInfo } from "../../src/bridge/board-ops.ts";

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

  it("os.uname().machine first: serve-board's VM names its model there, its _machine is the WebAssembly port's", () => {
    expect(modelOf(info("JS with Emscripten", "ESP32-DevKitC (ESP32-WROOM-32, no PSRAM) with esp32"))).toBe("esp32");
    expect(modelOf(info("JS with Emscripten", "ESP8266 (NodeMCU / Wemos D1 mini style) with esp8266"))).toBe("esp8266");
  });
});
