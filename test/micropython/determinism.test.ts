// One VM board, same seed, byte-identical trace: the bridged calls' clock
// slices and the clock's waits for a VM's answer (its holds) must order
// everything the same way every run, faults and reconnects included. (Two
// VM boards: scenarios-py.test.ts, led_button_pair.)
import { describe, expect, it } from "vitest";
import { runScenario } from "../runner/run-scenario.ts";

describe("a VM board's run is deterministic", () => {
  it("robust_reconnect (.py on flaky-wifi: a reset and a partition) twice with seed 4: the same trace byte for byte", async () => {
    const a = await runScenario("robust_reconnect", { seed: 4, speed: "max" });
    const b = await runScenario("robust_reconnect", { seed: 4, speed: "max" });
    expect(a.result.status, a.result.failure).toBe("pass");
    expect(a.events.filter((e) => e.kind === "mqtt").length).toBeGreaterThan(10);
    expect(a.events.filter((e) => e.kind === "heap" && e.op === "checkpoint").length).toBeGreaterThan(2);
    expect(JSON.stringify(b.events)).toBe(JSON.stringify(a.events));
  });
});
