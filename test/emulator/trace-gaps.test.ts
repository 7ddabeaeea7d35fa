// What the trace records: whole packets, malformed packets with the decoder's
// error, the boards' last bytes before the run ends, and events in causal
// order. Runs go through createSession with the embedded aedes broker.

import { describe, expect, it } from "vitest";
import type { Duplex } from "node:stream";
import { Network } from "../../src/emulator/network/network.ts";
import { getProfile } from "../../src/emulator/network/net-profiles.ts";
import { createStreamPair } from "../../src/emulator/network/stream-pair.ts";
import { VirtualClock } from "../../src/emulator/clock/virtual-clock.ts";
import { createMqttTap } from "../../src/emulator/runner/mqtt-tap.ts";
import { Trace } from "../../src/emulator/trace.ts";
import { fromHex } from "../../src/client/bytes.ts";
import { packets, prints, runScenario } from "../runner/run-scenario.ts";

const scenario = (firmware: string, net: string, steps: string, params = "{}"): string => `
name: gaps
timeout: 20s
boards:
  - name: b1
    board: esp8266
    firmware: test/emulator/fixtures/${firmware}
    net: ${net}
    params: ${params}
steps:
${steps}
`;

describe("whole packets", () => {
  it("a 5,000-byte PUBLISH is recorded with every byte in raw", async () => {
    const { events } = await runScenario(scenario("big_publish.ts", "ideal", '  - wait-serial: { board: b1, text: "after publish", timeout: 5s }'));
    const [pub] = packets(events, "b1", "publish", "out");
    // RL = 2 + 3 + 5000 = 5005 = 0x138d: 7-bit groups 0x0d | 0x80, 0x27 -> 8d 27
    expect(pub.raw.slice(0, 16)).toBe("308d270003626967");
    expect(pub.raw.length).toBe(2 * (1 + 2 + 5005));
    expect(pub.raw.endsWith("78".repeat(100))).toBe(true);
    expect(pub.fields.bytes).toBe(5000);
  });
});

describe("malformed packets", () => {
  it("are recorded as mqtt events of type malformed, with the decoder's error and the bytes", () => {
    const trace = new Trace();
    const clock = new VirtualClock();
    const tap = createMqttTap(clock, trace, "b1");
    // SUBSCRIBE with a one-byte RL of 0x80 then 0x00: RL 0, so no packet id; then a good PINGREQ.
    tap("out", fromHex("828000" + "c000"));
    const mqtt = trace.events.filter((e) => e.kind === "mqtt");
    expect(mqtt).toEqual([
      expect.objectContaining({ type: "malformed", dir: "out", raw: "828000", fields: expect.objectContaining({ error: "malformed", offset: 0, bytes: 3 }) }),
      expect.objectContaining({ type: "pingreq", raw: "c000" }),
    ]);
    expect(trace.events.some((e) => e.kind === "error" && /malformed MQTT from board: malformed: packet id missing/.test(e.message))).toBe(true);
  });

  it("a fatal framing error keeps the header bytes it could not frame", () => {
    const trace = new Trace();
    const tap = createMqttTap(new VirtualClock(), trace, "b1");
    tap("in", fromHex("30ffffffff01"));
    const [bad] = trace.events.filter((e) => e.kind === "mqtt");
    expect(bad).toMatchObject({ type: "malformed", dir: "in", raw: "30ffffffff", fields: { error: "bad-remaining-length" } });
  });
});

describe("the end of a run", () => {
  it("a PUBLISH and DISCONNECT written just before the last step passes are in the trace (gprs latency)", async () => {
    const { events } = await runScenario(scenario("pub_disconnect.ts", "gprs", "  - wait-serial: { board: b1, text: done, timeout: 10s }"));
    expect(prints(events, "b1")).toContain("done");
    expect(packets(events, "b1", "publish", "out")).toHaveLength(1);
    expect(packets(events, "b1", "disconnect", "out")).toHaveLength(1);
  });

  it("Network.flush() delivers bytes still in flight to the server now; nothing during a partition", async () => {
    const clock = new VirtualClock();
    const servers: Duplex[] = [];
    const got: string[] = [];
    const net = new Network({
      clock,
      board: "b1",
      profile: { ...getProfile("ideal"), latencyMs: 500 },
      dial: () => {
        const [board, server] = createStreamPair();
        server.on("data", (c: Buffer) => got.push(c.toString()));
        servers.push(server);
        return board;
      },
    });
    const sock = net.socket();
    const connecting = sock.connect({ host: "10.0.0.1", port: 1883 });
    await clock.runUntil(2000);
    await connecting;
    await sock.write(new TextEncoder().encode("bye"));
    await new Promise((r) => setImmediate(r));
    expect(got).toEqual([]); // still 500 ms away
    net.injectFault("partition");
    net.flush();
    await new Promise((r) => setImmediate(r));
    expect(got).toEqual([]);
    net.injectFault("partition-end");
    net.flush();
    await new Promise((r) => setImmediate(r));
    expect(got).toEqual(["bye"]);
    sock.close();
    clock.stop();
  });
});

describe("causal order", () => {
  it("an outgoing PUBLISH is recorded before what the firmware does after it, at the same virtual ms", async () => {
    const { events } = await runScenario(scenario("big_publish.ts", "ideal", '  - wait-serial: { board: b1, text: "after publish", timeout: 5s }', "{ size: 10 }"));
    const pub = events.findIndex((e) => e.kind === "mqtt" && e.board === "b1" && e.type === "publish" && e.dir === "out");
    const after = events.findIndex((e) => e.kind === "print" && e.text === "after publish");
    expect(pub).toBeGreaterThanOrEqual(0);
    expect(pub).toBeLessThan(after);
    expect(events[pub].t).toBe(events[after].t);
  });

  it("on a slow link the PUBLISH is stamped when the board writes it, before the bench receives it", async () => {
    const { events } = await runScenario(scenario("big_publish.ts", "gprs", '  - expect-message: { topic: big, timeout: 15s }', "{ size: 10 }"));
    const out = packets(events, "b1", "publish", "out")[0];
    const atBench = packets(events, "bench", "publish", "in")[0];
    expect(out.t).toBeLessThan(atBench.t);
    expect(events.indexOf(out)).toBeLessThan(events.indexOf(atBench));
  });
});
