// Built-in scenarios on their MicroPython firmware (a real VM per board),
// against the embedded aedes broker: verdicts, determinism, and the bytes
// on the wire compared with the TypeScript port of the same firmware.
import { describe, expect, it } from "vitest";
import { runScenario, prints } from "../runner/run-scenario.ts";
import type { TraceEvent } from "../../src/emulator/trace.ts";

const wire = (events: readonly TraceEvent[], board: string) =>
  events.flatMap((e) => (e.kind === "mqtt" && e.board === board ? [`${e.dir} ${e.raw}`] : []));

describe("example_sub_led.py on a MicroPython VM", () => {
  it("passes, puts the same MQTT bytes on the wire as the TypeScript firmware, and repeats byte for byte", async () => {
    const py = await runScenario("example_sub_led", { seed: 7 });
    expect(py.result.status).toBe("pass");
    expect(py.result.steps.every((s) => s.status === "pass")).toBe(true);
    expect(prints(py.events, "board1")).toEqual([
      "Connected to 192.168.1.10, subscribed to b'led' topic",
      "(b'led', b'on')",
      "(b'led', b'off')",
      "(b'led', b'toggle')",
      "(b'led', b'toggle')",
    ]);
    const ts = await runScenario("example_sub_led", { seed: 7, firmwareLang: "ts" });
    expect(ts.result.status).toBe("pass");
    expect(wire(py.events, "board1").length).toBeGreaterThan(6);
    expect(wire(py.events, "board1")).toEqual(wire(ts.events, "board1"));

    const again = await runScenario("example_sub_led", { seed: 7 });
    expect(JSON.stringify(again.events)).toBe(JSON.stringify(py.events));
  });
});
