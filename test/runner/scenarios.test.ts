// Every built-in scenario, run on the emulated boards and the embedded aedes
// broker, with assertions on what the trace recorded.

import { describe, expect, it } from "vitest";
import { builtinScenarioNames } from "../../src/emulator/scenario/resolve.ts";
import { packets, prints, runScenario } from "./run-scenario.ts";

describe("built-in scenarios", () => {
  it("ships the scenarios the project promises", () => {
    expect(builtinScenarioNames()).toEqual(
      expect.arrayContaining([
        "example_sub_led",
        "example_pub_button",
        "example_pub",
        "example_sub",
        "led_button_pair",
        "robust_reconnect",
        "keepalive_starvation",
        "large_message",
        "robust_lost_subscription",
      ]),
    );
  });

  it("example_sub_led: on/off/toggle drive the active-low LED on GPIO2", async () => {
    const { result, events } = await runScenario("example_sub_led");
    expect(result.status).toBe("pass");
    const levels = events.flatMap((e) => (e.kind === "pin" && e.board === "board1" && e.pin === 2 ? [e.value] : []));
    // Pin(2, OUT, value=1) starts dark (high, no change); then on, off, toggle on, toggle off.
    expect(levels).toEqual([0, 1, 0, 1]);
    expect(prints(events, "board1")).toContain("(b'led', b'on')");
    const connect = packets(events, "board1", "connect", "out")[0];
    // The client id is the hex of the board's unique id, as in the example.
    expect(connect.fields.clientId).toMatch(/^[0-9a-f]{8}$/);
    expect(packets(events, "board1", "subscribe", "out")[0].fields.topics).toBe("led@0");
    // Four commands a second apart, each acted on within milliseconds of virtual time.
    expect(result.virtualMs).toBeGreaterThan(3000);
    expect(result.virtualMs).toBeLessThan(3200);
  });

  it("example_pub_button: each press publishes toggle once", async () => {
    const { result, events } = await runScenario("example_pub_button");
    expect(result.status).toBe("pass");
    const sent = packets(events, "board1", "publish", "out");
    expect(sent.map((p) => [p.fields.topic, p.fields.payload])).toEqual([
      ["led", "toggle"],
      ["led", "toggle"],
    ]);
    expect(prints(events, "board1").filter((l) => l === "Button pressed")).toHaveLength(2);
  });

  it("example_pub: publishes hello and disconnects", async () => {
    const { result, events } = await runScenario("example_pub");
    expect(result.status).toBe("pass");
    expect(packets(events, "board1", "publish", "out")[0].raw).toBe("30100009666f6f5f746f70696368656c6c6f");
    expect(packets(events, "board1", "disconnect", "out")[0].raw).toBe("e000");
    expect(events.some((e) => e.kind === "board" && e.board === "board1" && e.event === "exit")).toBe(true);
  });

  it("example_sub: prints what arrives; a QoS 1 publish reaches its QoS 0 subscription as QoS 0", async () => {
    const { result, events } = await runScenario("example_sub");
    expect(result.status).toBe("pass");
    expect(prints(events, "board1")).toEqual(["(b'foo_topic', b'hello')", "(b'foo_topic', b'again')"]);
    expect(packets(events, "board1", "publish", "in").map((p) => p.fields.qos)).toEqual([0, 0]);
    expect(packets(events, "board1", "puback", "out")).toHaveLength(0);
  });

  it("led_button_pair: a press on board1 toggles the LED on board2", async () => {
    const { result, events } = await runScenario("led_button_pair");
    expect(result.status).toBe("pass");
    const ids = ["board1", "board2"].map((b) => packets(events, b, "connect", "out")[0].fields.clientId);
    expect(ids[0]).not.toBe(ids[1]); // two boards of one model still get distinct client ids
    const board2Led = events.flatMap((e) => (e.kind === "pin" && e.board === "board2" && e.role === "led" ? [e.value] : []));
    expect(board2Led).toEqual([0, 1]);
    expect(packets(events, "board2", "publish", "in").map((p) => p.fields.payload)).toEqual(["toggle", "toggle"]);
  });

  it("robust_lost_subscription: robust reconnects but never resubscribes, and the report explains it", async () => {
    const { result, events } = await runScenario("robust_lost_subscription");
    expect(result.status).toBe("pass");
    expect(packets(events, "board1", "connect", "out").map((p) => p.fields.cleanSession)).toEqual([true, false]);
    expect(packets(events, "board1", "subscribe", "out")).toHaveLength(1);
    // The broker no longer forwards foo_topic to the board after the reconnect.
    expect(packets(events, "board1", "publish", "in").map((p) => p.fields.payload)).toEqual(["before-reset"]);
    expect(result.notes).toEqual([expect.stringMatching(/^board1: reconnected with clean_session=False .* subscriptions \(foo_topic\) are gone/)]);
  });

  it("keepalive_starvation: the broker drops the silent board after 1.5 x keepalive", async () => {
    const { result, events } = await runScenario("keepalive_starvation");
    expect(result.status).toBe("pass");
    const lastOut = packets(events, "board1", "subscribe", "out")[0].t;
    const expired = events.find((e) => e.kind === "net" && e.event === "keepalive-expired");
    expect(expired).toBeDefined();
    expect(expired!.t - lastOut).toBeGreaterThanOrEqual(15_000);
    expect(expired!.t - lastOut).toBeLessThan(15_100);
    expect(packets(events, "board1", "pingreq", "out")).toHaveLength(0); // umqtt never pings by itself
    expect(result.boards[0].crashed).toBe("OSError: -1");
    expect(result.notes).toEqual([expect.stringContaining("umqtt never pings by itself")]);
  });

  it("large_message: 40 KB fits an ESP32 but raises MemoryError on an ESP8266", async () => {
    const { result, events } = await runScenario("large_message");
    expect(result.status).toBe("pass");
    expect(prints(events, "big")).toContain("received 40000 bytes");
    const oom = events.find((e) => e.kind === "heap" && e.op === "oom" && e.board === "small");
    expect(oom).toMatchObject({ what: "publish.payload", bytes: 40000 });
    if (oom?.kind === "heap") expect(oom.largestFree).toBeLessThan(40_000);
    const small = result.boards.find((b) => b.name === "small")!;
    expect(small.crashed).toMatch(/^MemoryError/);
    const big = result.boards.find((b) => b.name === "big")!;
    expect(big.heap.peakUsed).toBeGreaterThan(40_000);
    expect(big.crashed).toBeUndefined();
    expect(result.notes).toEqual([expect.stringMatching(/^small: MemoryError allocating 40,000 B for publish\.payload/)]);
  });

  it("robust_reconnect: reconnects with a persistent session and gets QoS 1 messages sent meanwhile", async () => {
    const { result, events } = await runScenario("robust_reconnect");
    expect(result.status).toBe("pass");
    const connects = packets(events, "board1", "connect", "out");
    expect(connects.length).toBeGreaterThanOrEqual(2);
    expect(connects.every((c) => c.fields.cleanSession === false)).toBe(true);
    // robust does not resubscribe; the broker kept the subscription.
    expect(packets(events, "board1", "subscribe", "out")).toHaveLength(1);
    expect(events.some((e) => e.kind === "net" && e.board === "board1" && e.event === "reset")).toBe(true);
    expect(prints(events, "board1")).toEqual(expect.arrayContaining(["(b'foo_topic', b'after-reset')", "(b'foo_topic', b'after-partition')"]));
  });
});

describe("determinism", () => {
  /** The first event that differs, so a failure shows one line, not two whole traces. */
  const firstDifference = (a: readonly unknown[], b: readonly unknown[]) => {
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const [x, y] = [JSON.stringify(a[i]), JSON.stringify(b[i])];
      if (x !== y) return { index: i, first: x, second: y };
    }
    return null;
  };

  it("the same seed gives an identical trace", async () => {
    const a = await runScenario("robust_reconnect", { seed: 42 });
    const b = await runScenario("robust_reconnect", { seed: 42 });
    expect(a.events.length).toBeGreaterThan(20);
    expect(firstDifference(a.events, b.events)).toBeNull();
  });

  it("a different seed gives a different fault and delay pattern", async () => {
    const a = await runScenario("robust_reconnect", { seed: 42 });
    const b = await runScenario("robust_reconnect", { seed: 43 });
    const timing = (events: typeof a.events) => events.filter((e) => e.kind === "net" || e.kind === "mqtt").map((e) => `${e.kind}:${e.t}`);
    expect(timing(b.events)).not.toEqual(timing(a.events));
  });
});

describe("example_sub_robust subscribes at QoS 0, as umqtt.robust's own example does", () => {
  for (const lang of ["py", "ts"] as const) {
    it(`${lang} firmware: the SUBSCRIBE asks for QoS 0; robust_reconnect's firmware asks for 1`, async () => {
      const scenario = (firmware: string) => `
name: robust_qos
timeout: 30s
boards:
  - { name: b1, board: esp8266, firmware: ${firmware}, net: ideal }
steps:
  - wait-mqtt: { board: b1, packet: suback, dir: in }
`;
      const example = await runScenario(scenario("example_sub_robust"), { firmwareLang: lang });
      const qos1 = await runScenario(scenario("robust_sub_qos1"), { firmwareLang: lang });
      // The requested QoS is the SUBSCRIBE's last byte.
      expect(packets(example.events, "b1", "subscribe", "out")[0].raw.slice(-2)).toBe("00");
      expect(packets(qos1.events, "b1", "subscribe", "out")[0].raw.slice(-2)).toBe("01");
    });
  }
});
