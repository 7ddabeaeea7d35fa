// A VM board says what board it is as a real one does: os.uname().machine
// and sys.implementation._machine read the model's real board text (the
// VM's own _machine reads "JS with Emscripten"); a board file of the user's
// names its model as "<name> with <id>". Both are found by modelOf.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { builtinBoardsDir } from "../../src/emulator/board/board-file.ts";
import { runVm, py } from "./fixtures/run-vm.ts";

const SHOW = py("import sys, os", "print(os.uname().machine)", "print(sys.implementation._machine)", "print(sys.implementation)", "print(sys.implementation.name, sys.implementation.version[:3], len(sys.implementation))");

describe("a VM board's identity", () => {
  it.each([
    ["esp8266", "ESP module with ESP8266"],
    ["esp32", "Generic ESP32 module with ESP32"],
    ["rp2-pico-w", "Raspberry Pi Pico W with RP2040"],
  ])("%s reads %s in os.uname().machine and sys.implementation._machine", async (board, machine) => {
    const { printed, end } = await runVm(SHOW, { board });
    expect(end).toEqual({ how: "exit" });
    expect(printed[0]).toBe(machine);
    expect(printed[1]).toBe(machine);
    // Printed as a device prints it (an attrtuple: no type name in front); the other fields are the VM's.
    expect(printed[2]).toMatch(new RegExp(`^\\(name='micropython', version=\\(1, \\d+, \\d+, ''\\), _machine='${machine}', _mpy=\\d+`));
    expect(printed[3]).toMatch(/^micropython \(1, \d+, \d+\) \d$/);
  });

  it("a board file of the user's, even one named like a built-in model, says '<name> with <id>'", async () => {
    const dir = mkdtempSync(join(tmpdir(), "board-identity-"));
    const custom = JSON.parse(readFileSync(join(builtinBoardsDir, "esp32.json"), "utf8"));
    custom.heap.budget = 60_000;
    writeFileSync(join(dir, "esp32.json"), JSON.stringify(custom));
    const { printed } = await runVm(SHOW, { board: join(dir, "esp32.json") });
    expect(printed.slice(0, 2)).toEqual([`${custom.name} with esp32`, `${custom.name} with esp32`]);
    // An unchanged copy is the built-in model.
    cpSync(join(builtinBoardsDir, "esp8266.json"), join(dir, "esp8266.json"));
    expect((await runVm(SHOW, { board: join(dir, "esp8266.json") })).printed[0]).toBe("ESP module with ESP8266");
  });
});
