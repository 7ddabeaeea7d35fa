// Built-in scenarios on their MicroPython firmware (a real VM per board),
// on the embedded aedes broker and on mosquitto: verdicts, determinism, and
// the bytes on the wire compared with the TypeScript port of each firmware.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runScenario, prints } from "../runner/run-scenario.ts";
import type { TraceEvent } from "../../src/emulator/trace.ts";
import { findMosquitto, startMosquitto, type MosquittoBroker } from "../support/mosquitto.ts";

const wire = (events: readonly TraceEvent[], board: string) =>
  events.flatMap((e) => (e.kind === "mqtt" && e.board === board ? [`${e.dir} ${e.raw}`] : []));

const boardsOf = (events: readonly TraceEvent[]) => [...new Set(events.flatMap((e) => (e.kind === "board" ? [e.board] : [])))];

describe("example_sub_led.py on a MicroPython VM", () => {
  it("passes, puts the same MQTT bytes on the wire as the TypeScript firmware, and repeats byte for byte", async () => {
    const py = await runScenario("example_sub_led", { seed: 7 });
    expect(py.result.status).toBe("pass");
    expect(py.result.steps.every((s) => s.status === "pass")).toBe(true);
    expect(prints(py.events, "board1")).toEqual([
      "Connected to broker.local, subscribed to b'led' topic",
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

const PY_SCENARIOS = ["example_pub", "example_pub_button", "example_sub", "led_button_pair", "robust_reconnect", "keepalive_starvation", "robust_lost_subscription"];

describe("every built-in scenario on its .py firmware", () => {
  for (const name of PY_SCENARIOS) {
    it(`${name}: passes with the same wire bytes as the TypeScript firmware`, async () => {
      const py = await runScenario(name, { seed: 11 });
      expect(py.result.status, py.result.failure).toBe("pass");
      // Every board ran its .py firmware on a VM: its heap figures are the VM's, not the TypeScript model's.
      expect(py.result.boards.every((b) => b.heap.peakUsed > 0)).toBe(true);
      const ts = await runScenario(name, { seed: 11, firmwareLang: "ts" });
      expect(ts.result.status).toBe("pass");
      for (const board of boardsOf(py.events)) {
        expect(wire(py.events, board).length).toBeGreaterThan(0);
        expect(wire(py.events, board), board).toEqual(wire(ts.events, board));
      }
    });
  }

  it("large_message runs its .py by default: 40 KB fits the ESP32's VM heap, MemoryError on the ESP8266's, the note read from the VM's heap", async () => {
    const { result, events } = await runScenario("large_message", { seed: 11 });
    expect(result.status, result.failure).toBe("pass");
    expect(prints(events, "big")).toContain("received 40000 bytes");
    const small = result.boards.find((b) => b.name === "small")!;
    const big = result.boards.find((b) => b.name === "big")!;
    expect(small.crashed).toBe("MemoryError: memory allocation failed, allocating 40001 bytes");
    expect(big.crashed).toBeUndefined();
    // The ESP32 held the whole payload at once: its peak counts it (the VM's heap, before the collection that freed it).
    expect(big.heap.peakUsed).toBeGreaterThan(40_000);
    expect(big.heap.peakUsed).toBeLessThan(big.heap.budget);
    const oom = events.filter((e) => e.kind === "heap" && e.op === "oom");
    expect(oom).toEqual([expect.objectContaining({ board: "small", what: "publish.payload", bytes: 40_000 })]);
    const [{ free, largestFree }] = oom as Extract<TraceEvent, { kind: "heap" }>[];
    // Figures of the ESP8266's 36,000 B budget after the failed allocation's collection: room in total, but no block of 40,000 B.
    expect(largestFree).toBeLessThan(40_000);
    expect(free).toBeGreaterThan(20_000);
    expect(largestFree).toBeLessThanOrEqual(free);
    expect(result.notes).toEqual([expect.stringMatching(/^small: MemoryError allocating 40,000 B for publish\.payload; after a collection [\d,]+ B were free but the largest free block was [\d,]+ B\./)]);
    const ts = await runScenario("large_message", { seed: 11, firmwareLang: "ts" });
    expect(ts.result.status).toBe("pass");
    for (const board of ["big", "small"]) expect(wire(events, board), board).toEqual(wire(ts.events, board));
  });

  it("two VM boards (led_button_pair) give a byte-identical trace for the same seed", async () => {
    const a = await runScenario("led_button_pair", { seed: 21 });
    const b = await runScenario("led_button_pair", { seed: 21 });
    expect(a.result.status).toBe("pass");
    expect(JSON.stringify(b.events)).toBe(JSON.stringify(a.events));
  });
});

const mosquitto = findMosquitto();
if (!mosquitto) {
  if (process.env.CI) throw new Error("mosquitto is required in CI (apt-get install mosquitto)");
  console.warn("skipping mosquitto tests: mosquitto not installed (apt-get install mosquitto)");
}

describe.skipIf(!mosquitto)("built-in .py firmware against mosquitto (real time)", () => {
  let broker: MosquittoBroker;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await broker?.stop();
  });

  for (const name of ["example_pub", "example_sub", "example_pub_button", "example_sub_led", "led_button_pair"]) {
    it(`${name} passes`, async () => {
      const { result } = await runScenario(name, { seed: 2, brokerUrl: `mqtt://127.0.0.1:${broker.port}` });
      expect(result.status, result.failure).toBe("pass");
      expect(result.clock).toBe("real");
    });
  }
});

describe("socket timeouts and time functions through the VM", () => {
  it("client.sock.settimeout makes wait_msg raise OSError ETIMEDOUT after 1 s of virtual quiet; gmtime counts from 2000", async () => {
    const { result, events } = await runScenario(join(import.meta.dirname, "fixtures/sock_timeout.yaml"), { seed: 1 });
    expect(result.status, result.failure).toBe("pass");
    expect(prints(events, "board1")).toEqual([
      "sock before connect: None",
      "OSError True [Errno 110] ETIMEDOUT after ~1000 ms",
      "(2000, 1, 1, 0, 0, 0, 5, 1) (2000, 1, 2, 1, 1, 1)",
    ]);
  });
});

describe("the VM heap over a long run", () => {
  it("example_sub_led.py handles 300 QoS 1 commands on the ESP8266's 36,000 B budget: garbage is collected while main.py runs", async () => {
    const lines = ["name: many_commands", "timeout: 1000s", "boards:", "  - { name: board1, board: esp8266, firmware: example_sub_led, net: ideal }", "steps:"];
    lines.push("  - wait-serial: { board: board1, text: \"subscribed\", timeout: 10s }");
    let lit = false;
    for (let i = 0; i < 300; i++) {
      const cmd = ["on", "off", "toggle", "toggle"][i % 4]!;
      lit = cmd === "on" ? true : cmd === "off" ? false : !lit;
      lines.push(`  - publish: { topic: led, payload: ${cmd}, qos: 1 }`);
      lines.push(`  - wait-pin: { board: board1, led: led, state: "${lit ? "on" : "off"}", timeout: 5s }`);
      lines.push("  - delay: 1s");
    }
    const { result } = await runScenario(lines.join("\n") + "\n", { seed: 4 });
    expect(result.status, result.failure).toBe("pass");
    const heap = result.boards[0]!.heap;
    expect(heap.budget).toBe(36_000);
    // Each command leaves garbage (the message, the callback's objects); without collections 300 of them would not fit.
    expect(heap.freeAtEnd).toBeGreaterThan(20_000);
  });
});
