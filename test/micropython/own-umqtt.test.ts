// A firmware folder that carries its own umqtt/simple.py (written for this
// test): the board imports it instead of the bench's umqtt, and it speaks
// MQTT through the VM's socket module over the simulated network, to the
// embedded aedes broker and to a real mosquitto.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runScenario, prints, packets } from "../runner/run-scenario.ts";
import { findMosquitto, startMosquitto, type MosquittoBroker } from "../support/mosquitto.ts";

const SCENARIO = join(import.meta.dirname, "fixtures/own_umqtt.yaml");

describe("a firmware carrying its own umqtt package", () => {
  it("runs its own client over the socket module: its bytes reach aedes and the trace; the same seed repeats byte for byte", async () => {
    const { result, events } = await runScenario(SCENARIO, { seed: 5 });
    expect(result.status, result.failure).toBe("pass");
    expect(prints(events, "board1")).toEqual([
      "network config: True",
      "own umqtt.simple loaded",
      "subscribed with own umqtt",
      "got b'cmd' b'ping'",
      "got b'cmd' b'again'",
    ]);
    // The CONNECT exactly as the firmware's own code built it: keepalive 30, its hex unique id.
    const [connect] = packets(events, "board1", "connect", "out");
    expect(connect).toBeDefined();
    const clientId = Buffer.from(String((connect as { fields?: Record<string, unknown> }).fields?.clientId ?? ""), "latin1");
    expect(clientId.length).toBe(12);
    expect(connect!.raw).toBe(Buffer.concat([Buffer.from([0x10, 12 + 12, 0, 4]), Buffer.from("MQTT"), Buffer.from([4, 2, 0, 30, 0, 12]), clientId]).toString("hex"));
    // QoS 1 delivery acknowledged by the firmware's own PUBACK; QoS 0 replies out.
    expect(packets(events, "board1", "puback", "out")).toHaveLength(1);
    expect(packets(events, "board1", "publish", "out").map((p) => p.raw)).toEqual([
      Buffer.from([0x30, 11, 0, 5, ...Buffer.from("replyPING")]).toString("hex"),
      Buffer.from([0x30, 12, 0, 5, ...Buffer.from("replyAGAIN")]).toString("hex"),
    ]);
    const again = await runScenario(SCENARIO, { seed: 5 });
    expect(JSON.stringify(again.events)).toBe(JSON.stringify(events));
  });
});

const mosquitto = findMosquitto();
describe.skipIf(!mosquitto)("a firmware carrying its own umqtt package, against mosquitto (real time)", () => {
  let broker: MosquittoBroker;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await broker?.stop();
  });

  it("passes", async () => {
    const { result } = await runScenario(SCENARIO, { seed: 5, brokerUrl: `mqtt://127.0.0.1:${broker.port}` });
    expect(result.status, result.failure).toBe("pass");
  });
});
