// The clients against real brokers: the embedded aedes and a real mosquitto,
// one suite run against both. MQTT.js serves as an independent peer where a
// second client is needed, so our client is not checked only by itself.
// Mosquitto missing: the suite is skipped with a message; with CI set, it fails.

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import mqtt from "mqtt";
import { MQTTClient } from "../../src/client/simple.ts";
import { MQTTClient as RobustClient } from "../../src/client/robust.ts";
import { MQTTClient as DefaultClient } from "../../src/client/default.ts";
import { MQTTException, OSError } from "../../src/client/errors.ts";
import { startAedes, type TestBroker, type TestBrokerOptions } from "../support/aedes.ts";
import { findMosquitto, startMosquitto, type MosquittoBroker } from "../support/mosquitto.ts";

const USERS = { alice: "secret" };
const mosquittoBin = findMosquitto();

if (!mosquittoBin) {
  console.warn(
    process.env.CI
      ? "mosquitto is not installed and CI is set: the mosquitto suite FAILS (apt-get install mosquitto)"
      : "mosquitto is not installed: skipping the mosquitto integration suite (apt-get install mosquitto)",
  );
}

it("mosquitto is available when CI is set", () => {
  if (process.env.CI) expect(mosquittoBin, "CI must run the mosquitto suite: apt-get install mosquitto").not.toBeNull();
});

interface BrokerKind {
  name: string;
  available: boolean;
  start: (o: TestBrokerOptions) => Promise<TestBroker>;
  dispose: (b: TestBroker) => Promise<void>;
}

const KINDS: BrokerKind[] = [
  { name: "aedes", available: true, start: (o) => startAedes(o), dispose: (b) => b.stop() },
  {
    name: "mosquitto",
    available: mosquittoBin !== null,
    start: (o) => startMosquitto(o),
    dispose: (b) => (b as MosquittoBroker).dispose(),
  },
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const str = (b: Uint8Array) => Buffer.from(b).toString();
let uniq = 0;
const id = (p: string) => `${p}-${process.pid}-${++uniq}`;

/** Call wait_msg until `done()` or the deadline; bounded, so a missing message fails instead of hanging. */
async function pump(c: MQTTClient, done: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error("timed out waiting for messages");
    if ((await c.check_msg()) === null) await sleep(10);
  }
}

// describe.each cannot skip one row, so each broker kind gets describe.skipIf.
for (const kind of KINDS) {
  describe.skipIf(!kind.available)(`against ${kind.name}`, () => {
    let broker: TestBroker;
    const clients: MQTTClient[] = [];
    const peers: mqtt.MqttClient[] = [];

    beforeAll(async () => {
      broker = await kind.start({ users: USERS });
    });
    afterAll(async () => {
      await kind.dispose(broker);
    });
    afterEach(async () => {
      for (const c of clients.splice(0)) c.sock?.close();
      await Promise.all(peers.splice(0).map((p) => p.endAsync(true)));
    });

    function simple(prefix: string, o: { keepalive?: number; user?: string; password?: string } = {}): MQTTClient {
      const c = new MQTTClient(id(prefix), "127.0.0.1", { port: broker.port, ...o });
      clients.push(c);
      return c;
    }

    async function peer(): Promise<mqtt.MqttClient> {
      const p = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { clientId: id("peer"), reconnectPeriod: 0, protocolVersion: 4 });
      peers.push(p);
      return p;
    }

    it("connect reports session present: clean_session false twice", async () => {
      const name = id("sess");
      const c = new MQTTClient(name, "127.0.0.1", { port: broker.port });
      clients.push(c);
      c.set_callback(() => {});
      expect(await c.connect(false)).toBe(0);
      // aedes reports a session as present only when it holds subscriptions.
      await c.subscribe("it/sess");
      await c.disconnect();
      expect(await c.connect(false)).toBe(1);
      await c.disconnect();
      expect(await c.connect(true)).toBe(0);
    });

    it("receives QoS 0 and QoS 1 messages (PUBACK sent) from another client", async () => {
      const c = simple("sub");
      const got: string[] = [];
      c.set_callback((t, m) => void got.push(`${str(t)}=${str(m)}`));
      await c.connect();
      await c.subscribe("it/q", 1);
      const p = await peer();
      await p.publishAsync("it/q", "zero", { qos: 0 });
      await p.publishAsync("it/q", "one", { qos: 1 });
      await pump(c, () => got.length >= 2);
      expect(got).toEqual(["it/q=zero", "it/q=one"]);
    });

    it("publishes QoS 0 and QoS 1 (waits for the broker's PUBACK) to another client", async () => {
      const p = await peer();
      const got: string[] = [];
      p.on("message", (t, m, pkt) => got.push(`${t}=${m}@${pkt.qos}`));
      await p.subscribeAsync("it/out", { qos: 1 });
      const c = simple("pub");
      await c.connect();
      await c.publish("it/out", "a");
      await c.publish("it/out", "b", false, 1);
      expect(c.pid).toBe(1);
      const deadline = Date.now() + 3000;
      while (got.length < 2 && Date.now() < deadline) await sleep(10);
      expect(got).toEqual(["it/out=a@0", "it/out=b@1"]);
    });

    it("retained messages reach later subscribers", async () => {
      const topic = `it/ret/${uniq}`;
      const c = simple("ret");
      await c.connect();
      await c.publish(topic, "kept", true, 1);
      const s = simple("late");
      const got: string[] = [];
      s.set_callback((_t, m) => void got.push(str(m)));
      await s.connect();
      await s.subscribe(topic);
      await pump(s, () => got.length >= 1);
      expect(got).toEqual(["kept"]);
      await c.publish(topic, "", true); // clear it
    });

    it("the last will is published when the connection dies without DISCONNECT", async () => {
      const topic = `it/will/${uniq}`;
      const p = await peer();
      const got: string[] = [];
      p.on("message", (t, m) => got.push(`${t}=${m}`));
      await p.subscribeAsync(topic);
      const c = simple("dying");
      c.set_last_will(topic, "gone", false, 1);
      await c.connect();
      c.sock!.close(); // socket destroyed, no DISCONNECT
      const deadline = Date.now() + 3000;
      while (got.length < 1 && Date.now() < deadline) await sleep(10);
      expect(got).toEqual([`${topic}=gone`]);
    });

    it("wildcard subscriptions and unsubscribe", async () => {
      const c = simple("wild");
      const got: string[] = [];
      c.set_callback((t) => void got.push(str(t)));
      await c.connect();
      await c.subscribe("it/w/+/t");
      await c.subscribe("it/x/#");
      const p = await peer();
      for (const t of ["it/w/a/t", "it/w/a/b", "it/w/b/t", "it/x", "it/x/y/z", "it/y"]) await p.publishAsync(t, "m", { qos: 1 });
      await pump(c, () => got.includes("it/x/y/z"));
      expect(got).toEqual(["it/w/a/t", "it/w/b/t", "it/x", "it/x/y/z"]);
      await c.unsubscribe("it/w/+/t");
      got.length = 0;
      await p.publishAsync("it/w/a/t", "m", { qos: 1 });
      await p.publishAsync("it/x/end", "m", { qos: 1 });
      await pump(c, () => got.includes("it/x/end"));
      expect(got).toEqual(["it/x/end"]);
    });

    it("bad credentials: CONNECT refused with MQTTException(4 or 5); good ones accepted", async () => {
      const bad = simple("auth", { user: "alice", password: "wrong" });
      const e = await bad.connect().catch((x) => x);
      expect(e).toBeInstanceOf(MQTTException);
      expect([4, 5]).toContain(e.code);
      const good = simple("auth", { user: "alice", password: "secret" });
      expect(await good.connect()).toBe(0);
    });

    it("keepalive starvation: no automatic ping, the broker drops the client, the next read fails", async () => {
      const c = simple("starve", { keepalive: 1 });
      c.set_callback(() => {});
      await c.connect();
      const t0 = Date.now();
      const e = await c.wait_msg().catch((x) => x);
      expect(e).toBeInstanceOf(OSError);
      // Dropped after about 1.5 x keepalive; bounded loosely so a slow machine does not flake.
      expect(Date.now() - t0).toBeGreaterThan(900);
      expect(Date.now() - t0).toBeLessThan(8000);
    });

    it("ping keeps the connection: PINGRESP is consumed by wait_msg", async () => {
      const c = simple("pinger", { keepalive: 1 });
      await c.connect();
      for (let i = 0; i < 3; i++) {
        await sleep(600);
        await c.ping();
        expect(await c.wait_msg()).toBeNull();
      }
    });

    it("robust: reconnects after the broker restarts, with a persistent session, without resubscribing", async () => {
      const lines: string[] = [];
      const c = new RobustClient(id("robust"), "127.0.0.1", { port: broker.port, print: (l) => lines.push(l) });
      clients.push(c);
      c.DELAY = 0.05;
      c.DEBUG = true;
      const got: string[] = [];
      c.set_callback((_t, m) => void got.push(str(m)));
      await c.connect();
      await c.subscribe("it/robust");
      await broker.stop();
      const restarted = sleep(300).then(() => broker.start());
      // check_msg sees the closed socket, logs, and reconnect() loops until the broker is back.
      const deadline = Date.now() + 10000;
      while (!lines.some((l) => l.startsWith("mqtt: ")) && Date.now() < deadline) {
        await c.check_msg();
        await sleep(20);
      }
      await restarted;
      expect(lines.find((l) => l.startsWith("mqtt: "))).toMatch(/^mqtt: OSError\(/);
      expect(lines.some((l) => /^mqtt reconnect: OSError\(111,\)$/.test(l))).toBe(true);
      // Reconnected, but the restarted broker has no subscription and robust did not renew it.
      const p = await peer();
      await p.publishAsync("it/robust", "lost", { qos: 1 });
      const until = Date.now() + 300;
      while (Date.now() < until) if ((await c.check_msg()) === null) await sleep(10);
      expect(got).toEqual([]);
      await c.subscribe("it/robust");
      await p.publishAsync("it/robust", "after", { qos: 1 });
      await pump(c, () => got.length >= 1);
      expect(got).toEqual(["after"]);
      // publish() after a drop: reconnects and sends.
      const seen: string[] = [];
      p.on("message", (_t, m) => seen.push(String(m)));
      await p.subscribeAsync("it/robust/out");
      c.sock!.close();
      await c.publish("it/robust/out", "retried", false, 1);
      const d2 = Date.now() + 3000;
      while (seen.length < 1 && Date.now() < d2) await sleep(10);
      expect(seen).toEqual(["retried"]);
    });

    it("default (UiFlow2): handlers per filter with wildcards, called with [topic, msg]", async () => {
      const c = new DefaultClient(id("uiflow"), "127.0.0.1", { port: broker.port });
      clients.push(c);
      const a: string[] = [];
      const b: string[] = [];
      await c.connect();
      await c.subscribe("it/d/+/temp", (data) => void a.push(`${str(data[0])}=${str(data[1])}`));
      // Disjoint filters: brokers differ on overlapping subscriptions (one copy or two).
      await c.subscribe("it/e/#", (data) => void b.push(str(data[0])));
      const p = await peer();
      await p.publishAsync("it/d/kitchen/temp", "21", { qos: 1 });
      await p.publishAsync("it/d/kitchen/hum", "40", { qos: 1 });
      await p.publishAsync("it/e/x/y", "1", { qos: 1 });
      await p.publishAsync("it/e", "2", { qos: 1 });
      await pump(c, () => b.length >= 2);
      expect(a).toEqual(["it/d/kitchen/temp=21"]);
      expect(b).toEqual(["it/e/x/y", "it/e"]);
    });
  });
}
