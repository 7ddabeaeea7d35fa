// Our client on real TCP (127.0.0.1) against real brokers, seen through a
// recording proxy: the bytes on the wire are exactly umqtt's (the expected
// capture below was recorded before NodeSocket coalesced writes, and is the
// same today), and each operation reaches the kernel in one piece, so no
// operation waits for the peer's delayed ACK behind Nagle's algorithm.

import { afterEach, describe, expect, it } from "vitest";
import { MQTTClient } from "../../src/client/simple.ts";
import { AedesBroker, type TestBroker } from "../support/aedes.ts";
import { MosquittoBroker, findMosquitto } from "../support/mosquitto.ts";
import { RecordingProxy } from "./tcp-recorder.ts";
import { hexOf } from "./loopback.ts";

// connect (will, user, password, keepalive 30), subscribe QoS 1, publish
// QoS 0, publish QoS 1 retained, ping, disconnect: umqtt.simple 1.8.0's bytes.
const SESSION = [
  "102900044d51545404ee001e0006" + hexOf("wire-1") + "0009" + hexOf("wire/will") + "0004" + hexOf("gone") + "0001" + hexOf("u") + "0001" + hexOf("p"),
  "820c0001" + "0007" + hexOf("wire/in") + "01",
  "300f" + "0008" + hexOf("wire/out") + hexOf("hello"),
  "332a" + "0008" + hexOf("wire/out") + "0002" + "78".repeat(30),
  "c000",
  "e000",
];
const RECORDED_BEFORE =
  "102900044d51545404ee001e0006776972652d310009776972652f77696c6c0004676f6e65000175000170820c00010007776972652f696e01300f0008776972652f6f757468656c6c6f332a0008776972652f6f75740002787878787878787878787878787878787878787878787878787878787878c000e000";

type Broker = TestBroker & { dispose?: () => Promise<void> };
const brokers: [string, () => Promise<Broker>][] = [
  [
    "aedes",
    async () => {
      const b = new AedesBroker({ users: { u: "p" } });
      await b.start();
      return b;
    },
  ],
];
if (findMosquitto()) brokers.push(["mosquitto", () => MosquittoBroker.create()]);
else it.skip("mosquitto (not installed)", () => {});

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.reverse()) await f();
  cleanup = [];
});

async function setup(start: () => Promise<Broker>): Promise<RecordingProxy> {
  const broker = await start();
  cleanup.push(() => (broker.dispose ? broker.dispose() : broker.stop()));
  const proxy = await RecordingProxy.start({ host: "127.0.0.1", port: broker.port });
  cleanup.push(() => proxy.close());
  return proxy;
}

/** Waits (bounded) until the proxy has seen `n` bytes from connection 0. */
async function received(proxy: RecordingProxy, n: number): Promise<void> {
  for (let i = 0; i < 300 && proxy.hex().length / 2 < n; i++) await new Promise((r) => setTimeout(r, 10));
  expect(proxy.hex().length / 2).toBe(n);
}

describe.each(brokers)("real TCP through %s", (_name, start) => {
  it("writes exactly umqtt's bytes, each operation in one piece", async () => {
    const proxy = await setup(start);
    expect(SESSION.join("")).toBe(RECORDED_BEFORE);
    const c = new MQTTClient("wire-1", "127.0.0.1", { port: proxy.port, user: "u", password: "p", keepalive: 30 });
    c.set_callback(() => {});
    c.set_last_will("wire/will", "gone", true, 1);
    const ops = [
      () => c.connect(),
      () => c.subscribe("wire/in", 1),
      () => c.publish("wire/out", "hello"),
      () => c.publish("wire/out", "x".repeat(30), true, 1),
      () => c.ping(),
      () => c.disconnect(),
    ];
    const ends: number[] = [];
    let at = 0;
    for (const [i, op] of ops.entries()) {
      await op();
      at += SESSION[i].length / 2;
      ends.push(at);
      // Wait for this operation's bytes before the next one, so two
      // operations' bytes are never read as one chunk by the proxy.
      await received(proxy, at);
    }
    expect(proxy.hex()).toBe(RECORDED_BEFORE);
    // Every chunk the proxy read ends where an operation ends.
    for (const b of proxy.boundaries()) expect(ends).toContain(b);
  });

  it("hands each QoS 1 publish to the kernel as one write", async () => {
    const proxy = await setup(start);
    const c = new MQTTClient("rt-1", "127.0.0.1", { port: proxy.port });
    await c.connect();
    const connectLen = proxy.hex().length / 2;
    const N = 20;
    const packetLen = 2 + 2 + 5 + 2 + 30; // header, topic length, "rt/qs", packet id, payload
    for (let i = 0; i < N; i++) await c.publish("rt/qs", "y".repeat(30), false, 1);
    await received(proxy, connectLen + N * packetLen);
    const publishChunks = proxy.sent[0].length - proxy.boundaries().filter((b) => b <= connectLen).length;
    // Each publish waits for its PUBACK, so each arrives as its own single chunk.
    expect(publishChunks).toBe(N);
    await c.disconnect();
  });
});
