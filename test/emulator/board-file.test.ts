import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BoardFileError, listBoards, loadBoard, loadBoardFile, parseBoardDefinition } from "../../src/emulator/board/board-file.ts";

const valid = () => ({
  id: "x",
  name: "Test board",
  description: "",
  pins: [0, 2, 4],
  leds: [{ name: "led", pin: 2, active: "low", color: "blue" }],
  buttons: [{ name: "button", pin: 0, active: "low", key: "space" }],
  heap: { budget: 36000, source: "made up for a test" },
  unique_id: "a1b2c3d4",
  dns_errno: -2,
  network: "wifi",
});

function errorOf(json: unknown): string {
  try {
    parseBoardDefinition(json, "boards/x.json", "x");
  } catch (err) {
    expect(err).toBeInstanceOf(BoardFileError);
    const message = (err as Error).message;
    expect(message).not.toContain("\n");
    return message;
  }
  throw new Error("expected a BoardFileError");
}

describe("board files", () => {
  it("ships esp8266, esp32 and rp2-pico-w, all valid", () => {
    expect(listBoards()).toEqual(expect.arrayContaining(["esp8266", "esp32", "rp2-pico-w"]));
    for (const id of listBoards()) {
      const def = loadBoard(id);
      expect(def.id).toBe(id);
      expect(def.heap.source.length).toBeGreaterThan(20);
    }
  });

  it("describes the boards' wiring", () => {
    const esp8266 = loadBoard("esp8266");
    expect(esp8266.leds[0]).toMatchObject({ pin: 2, active: "low" });
    expect(esp8266.buttons[0]).toMatchObject({ pin: 0, active: "low" });
    expect(esp8266.dns_errno).toBe(-2);
    const esp32 = loadBoard("esp32");
    expect(esp32.leds[0]).toMatchObject({ pin: 2, active: "high" });
    expect(esp32.dns_errno).toBe(-202);
    const pico = loadBoard("rp2-pico-w");
    expect(pico.leds[0]).toMatchObject({ pin: "LED", active: "high" });
    expect(pico.named_pins.LED).toBe(64);
  });

  it("accepts a valid definition", () => {
    expect(parseBoardDefinition(valid(), "boards/x.json", "x").leds[0]!.pin).toBe(2);
  });

  it.each([
    [(j: any) => (j.leds[0].pin = "2"), 'boards/x.json: leds[0].pin: expected a GPIO number or a name from named_pins, got "2"'],
    [(j: any) => (j.leds[0].pin = 2.5), "boards/x.json: leds[0].pin: expected an integer GPIO number"],
    [(j: any) => (j.leds[0].pin = 5), "boards/x.json: leds[0].pin: GPIO5 is not in pins"],
    [(j: any) => (j.buttons[0].active = "LOW"), 'boards/x.json: buttons[0].active: expected "low" or "high"'],
    [(j: any) => (j.buttons[0].pin = 2), 'boards/x.json: buttons[0].pin: pin already wired to LED "led"'],
    [(j: any) => (j.heap.budget = "36K"), "boards/x.json: heap.budget: expected an integer number of bytes (1024 or more)"],
    [(j: any) => delete j.heap.source, "boards/x.json: heap.source: expected a note saying where the figure comes from"],
    [(j: any) => (j.unique_id = "xyz"), 'boards/x.json: unique_id: expected 1 to 16 bytes as hex, e.g. "a1b2c3d4"'],
    [(j: any) => (j.dns_errno = 2), "boards/x.json: dns_errno: expected a negative integer, e.g. -2 (lwIP ports) or -202 (ESP32)"],
    [(j: any) => (j.network = "5g"), 'boards/x.json: network: unknown profile "5g" (known: ideal, wifi, flaky-wifi, gprs)'],
    [(j: any) => (j.pins = [0, 0]), "boards/x.json: pins[1]: GPIO0 is listed twice"],
    [(j: any) => (j.id = "y"), 'boards/x.json: id: expected "x" to match the file name, got "y"'],
    [(j: any) => (j.colour = "red"), "boards/x.json: colour: unknown field"],
    [(j: any) => (j.leds[0].polarity = "low"), "boards/x.json: leds[0].polarity: unknown field"],
    [(j: any) => delete j.name, "boards/x.json: name: expected a non-empty string"],
  ])("rejects a bad field with a one-line message naming it (%#)", (mutate, message) => {
    const json = valid();
    mutate(json);
    expect(errorOf(json)).toContain(message);
  });

  it("names the file for unreadable or malformed files", () => {
    const dir = mkdtempSync(join(tmpdir(), "boards-"));
    writeFileSync(join(dir, "bad.json"), "{ not json");
    expect(() => loadBoardFile(join(dir, "bad.json"), "boards/bad.json")).toThrow(/^boards\/bad\.json: not valid JSON/);
    expect(() => loadBoard("nope")).toThrow("boards/nope.json: no such board; known boards: esp32, esp8266, rp2-pico-w");
    writeFileSync(join(dir, "x.json"), JSON.stringify(valid()));
    expect(loadBoard(join(dir, "x.json")).name).toBe("Test board");
  });
});
