// Steps against real runs (embedded aedes, emulated boards): they resolve as
// soon as their condition holds, never pass on the bench's own traffic unless
// asked, and fail at once when the board they wait on crashed.

import { describe, expect, it } from "vitest";
import { packets, prints, runScenario } from "./run-scenario.ts";

const board = "  - { name: board1, board: esp8266, firmware: example_sub_led, net: ideal }";

describe("expect-message", () => {
  it("does not pass on the bench's own publish; with board it passes when that board received it", async () => {
    const { result, events } = await runScenario(`
name: partitioned
timeout: 30s
boards:
${board}
steps:
  - wait-serial: { board: board1, text: subscribed, timeout: 5s }
  - fault: { board: board1, kind: partition, duration: 5s }
  - publish: { topic: led, payload: "off" }
  - expect-message: { board: board1, topic: led, payload: "off", timeout: 10s }
`);
    expect(result.status).toBe("pass");
    const received = packets(events, "board1", "publish", "in").find((p) => p.fields.payload === "off")!;
    // The board got it only after the partition healed, and the step passed then, not at the publish.
    expect(received.t).toBeGreaterThanOrEqual(5000);
    expect(result.steps[3].atMs).toBe(received.t);
  });

  it("without board, a message only the bench published is not a match (unless from-bench)", async () => {
    const scenario = (extra: string): string => `
name: own_traffic
timeout: 30s
boards:
${board}
steps:
  - wait-serial: { board: board1, text: subscribed, timeout: 5s }
  - publish: { topic: somewhere, payload: "mine" }
  - expect-message: { topic: somewhere, payload: "mine", timeout: 2s${extra} }
`;
    const own = await runScenario(scenario(""));
    expect(own.result.steps[2]).toMatchObject({ status: "fail" });
    expect(own.result.steps[2].detail).toContain("no matching message within 2s");
    const asked = await runScenario(scenario(", from-bench: true"));
    expect(asked.result.status).toBe("pass");
  });

  it("resolves when the message arrives, not at its timeout", async () => {
    const { result, events } = await runScenario("example_pub");
    expect(result.status).toBe("pass");
    const sent = packets(events, "bench", "publish", "in").find((p) => p.fields.topic === "foo_topic")!;
    expect(result.steps[0].atMs).toBe(sent.t);
    expect(result.virtualMs).toBeLessThan(1000);
  });
});

describe("the bench's publish step", () => {
  it("sends non-ASCII topics and payloads as UTF-8 (umqtt's character-count quirk is the device's, not the bench's)", async () => {
    const { result, events } = await runScenario(`
name: utf8
timeout: 10s
boards:
${board}
steps:
  - wait-serial: { board: board1, text: subscribed, timeout: 5s }
  - publish: { topic: "tëst", payload: "ünï" }
  - expect-message: { topic: "tëst", payload: "ünï", from-bench: true, timeout: 2s }
`);
    expect(result.status).toBe("pass");
    expect(events.some((e) => e.kind === "error")).toBe(false);
    expect(packets(events, "bench", "publish", "out")[0].fields).toMatchObject({ topic: "tëst", payload: "ünï", bytes: 5 });
  });
});

describe("a crashed board", () => {
  it("fails the step waiting on it at once, with the crash as the reason", async () => {
    const { result, events } = await runScenario(`
name: crashes
timeout: 60s
boards:
  - { name: board1, board: esp8266, firmware: keepalive_starvation, params: { keepalive: 10 } }
steps:
  - wait-serial: { board: board1, text: "never printed", timeout: 50s }
`);
    expect(result.steps[0].status).toBe("fail");
    expect(result.steps[0].detail).toBe("board1 crashed: OSError: -1");
    // keepalive_starvation crashes when the broker drops it at 15 s: long before the 50 s timeout.
    expect(result.steps[0].atMs).toBeLessThan(20_000);
    // Its traceback names the firmware's line, as MicroPython's would.
    expect(prints(events, "board1").slice(-3)).toEqual([
      "Traceback (most recent call last):",
      // The built-in firmware runs as MicroPython (main.py) or its TypeScript port.
      expect.stringMatching(/^ {2}File "(main\.py|keepalive_starvation\.ts)", line \d+(, column \d+)?, in <module>$/),
      "OSError: -1",
    ]);
  });
});

describe("wait-serial", () => {
  it("a failure shows the board's last lines of serial output", async () => {
    const { result } = await runScenario(`
name: quiet
timeout: 10s
boards:
${board}
steps:
  - wait-serial: { board: board1, text: "not this", timeout: 1s }
`);
    expect(result.steps[0].detail).toMatch(/^no serial line containing "not this" within 1s; last printed: .*"Connected to broker\.local, subscribed to b'led' topic"$/);
  });
});

describe("the session's publish (the watch view's `m`)", () => {
  it("refuses a wildcard topic instead of sending a packet the broker drops the bench for", async () => {
    const { createSession } = await import("../../src/emulator/runner/session.ts");
    const { resolveScenario } = await import("../../src/emulator/scenario/resolve.ts");
    const session = await createSession(resolveScenario("example_sub_led"), { seed: 1 });
    try {
      await session.verdict;
      await expect(session.publish("a/#", "x")).rejects.toThrow('"a/#" has a wildcard');
      await session.publish("led", "on"); // the bench's publisher is still connected
    } finally {
      await session.stop();
    }
  });
});
