// The embedded broker's wait for a client's CONNECT runs on the run's clock.
// aedes times it on the wall clock (30 s), and a host busy with thousands of
// boards can spend that long between two virtual instants: boards were then
// dropped or kept depending on the host's load, not the seed.

import mqttPacket from "mqtt-packet";
import type { Duplex } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { EmbeddedBroker } from "../../src/emulator/broker/embedded.ts";
import { CONNECT_TIMEOUT_MS } from "../../src/emulator/broker/keepalive.ts";
import { VirtualClock } from "../../src/emulator/clock/virtual-clock.ts";
import { Trace } from "../../src/emulator/trace.ts";

let broker: EmbeddedBroker | undefined;
afterEach(async () => {
  await broker?.close();
  broker = undefined;
});

const connect = new Uint8Array(
  mqttPacket.generate({ cmd: "connect", protocolId: "MQTT", protocolVersion: 4, clean: true, clientId: "slow", keepalive: 0 } as mqttPacket.Packet),
);

function watch(stream: Duplex): { closed: boolean; received: number[] } {
  const state = { closed: false, received: [] as number[] };
  stream.on("data", (chunk: Buffer) => state.received.push(...chunk));
  stream.on("close", () => (state.closed = true));
  stream.on("error", () => {});
  return state;
}

describe("embedded broker: the wait for CONNECT", () => {
  it("drops a client that sends nothing after 30 virtual seconds, not before", async () => {
    const clock = new VirtualClock();
    const trace = new Trace();
    broker = await EmbeddedBroker.start({ clock, trace });
    const state = watch(await broker.dial({}, "b0"));
    await clock.runUntil(CONNECT_TIMEOUT_MS - 1);
    expect(state.closed).toBe(false);
    await clock.runUntil(CONNECT_TIMEOUT_MS + 1);
    await new Promise((resolve) => setImmediate(resolve)); // the close event
    expect(state.closed).toBe(true);
    expect(trace.of("net")).toEqual([{ t: CONNECT_TIMEOUT_MS, kind: "net", board: "b0", event: "timeout", detail: "broker: no CONNECT within 30 s" }]);
  });

  it("accepts a CONNECT that took longer than aedes's wall-clock wait but no virtual time", async () => {
    const clock = new VirtualClock();
    broker = await EmbeddedBroker.start({ clock, trace: new Trace() });
    (broker.aedes as unknown as { connectTimeout: number }).connectTimeout = 50; // aedes's own wait, shortened so the test need not take 30 s of wall time
    const end = await broker.dial({}, "b0");
    const state = watch(end);
    await new Promise((resolve) => setTimeout(resolve, 150)); // a busy host: wall time passes, virtual time does not
    end.write(connect);
    await clock.run();
    expect(state.closed).toBe(false);
    expect(state.received).toEqual([0x20, 0x02, 0x00, 0x00]); // CONNACK, accepted
  });
});
