// umqtt.simple's device quirks, reproduced against a scripted loopback peer
// (a broker would never send stray acks or bad CONNACKs on demand).

import { describe, expect, it } from "vitest";
import type { MQTTClient } from "../../src/client/simple.ts";
import { AssertionError, IndexError, MQTTException, MemoryError, OSError } from "../../src/client/errors.ts";
import type { Allocator } from "../../src/client/alloc.ts";
import { CONNECT_C, hexOf, loopbackPerTest, type PeerConn } from "./loopback.ts";

const loop = loopbackPerTest();
const make = (allocator?: Allocator): MQTTClient => loop.client("c", { allocator });
const up = (c: MQTTClient): Promise<PeerConn> => loop.connected(c, CONNECT_C);

/** PUBLISH from the peer: hand-built header, topic, optional id, payload. */
function publishHex(topic: string, payload: string, qos = 0, id = 0): string {
  const body = (topic.length.toString(16).padStart(4, "0") + hexOf(topic)) + (qos ? id.toString(16).padStart(4, "0") : "") + hexOf(payload);
  // Remaining length, 7 bits per byte, low group first (MQTT 3.1.1 section 2.2.3).
  let n = body.length / 2;
  let rl = "";
  do {
    const b = (n % 128) | (n >= 128 ? 0x80 : 0);
    rl += b.toString(16).padStart(2, "0");
    n = Math.floor(n / 128);
  } while (n > 0);
  return (0x30 | (qos << 1)).toString(16) + rl + body;
}

const settle = <T>(p: Promise<T>, ms = 150) =>
  Promise.race([p.then(() => "resolved", () => "rejected"), new Promise((r) => setTimeout(() => r("pending"), ms))]);

describe("CONNACK", () => {
  it("returns the session-present bit as 0 or 1", async () => {
    loop.peer.connack = "20020100";
    const c = make();
    expect(await c.connect(false)).toBe(1);
    loop.peer.connack = "20020000";
    expect(await c.connect(false)).toBe(0);
  });

  it("anything but 20 02 is an AssertionError", async () => {
    loop.peer.connack = "20030000";
    await expect(make().connect()).rejects.toThrow(AssertionError);
  });

  it("a non-zero return code raises MQTTException(code)", async () => {
    loop.peer.connack = "20020005";
    await expect(make().connect()).rejects.toMatchObject({ name: "MQTTException", code: 5 });
  });

  it("a peer that closes before CONNACK: IndexError on resp[0], as on the device", async () => {
    loop.peer.connack = null;
    const c = make();
    const p = c.connect();
    const conn = await loop.peer.conn(0);
    await conn.expect(CONNECT_C);
    conn.end();
    await expect(p).rejects.toThrow(IndexError);
  });
});

describe("wait_msg and check_msg", () => {
  it("on a stray ack returns the first byte and leaves the rest unread", async () => {
    const c = make();
    const conn = await up(c);
    conn.send("40020009");
    expect(await c.wait_msg()).toBe(0x40);
    // The next step reads the ack's leftover length byte as if it were a packet type.
    expect(await c.wait_msg()).toBe(0x02);
    expect(await c.wait_msg()).toBe(0x00);
    expect(await c.wait_msg()).toBe(0x09);
  });

  it("consumes PINGRESP and returns null; never pings by itself", async () => {
    const c = make();
    const got: string[] = [];
    c.set_callback((t) => void got.push(Buffer.from(t).toString()));
    const conn = await up(c);
    await c.ping();
    await conn.expect("c000");
    conn.send("d000" + publishHex("t", "x"));
    expect(await c.wait_msg()).toBeNull();
    expect(await c.wait_msg()).toBe(0x30);
    expect(got).toEqual(["t"]);
    await new Promise((r) => setTimeout(r, 100));
    expect(conn.received.length).toBe(0);
  });

  it("check_msg returns null at once when nothing is pending, and the message when one is", async () => {
    const c = make();
    const got: string[] = [];
    c.set_callback((_t, m) => void got.push(Buffer.from(m).toString()));
    const conn = await up(c);
    expect(await c.check_msg()).toBeNull();
    conn.send(publishHex("t", "hello"));
    let op: number | null = null;
    for (let i = 0; i < 100 && op === null; i++) {
      op = await c.check_msg();
      if (op === null) await new Promise((r) => setTimeout(r, 10));
    }
    expect(op).toBe(0x30);
    expect(got).toEqual(["hello"]);
  });

  it("raises OSError(-1) when the peer closed", async () => {
    const c = make();
    const conn = await up(c);
    conn.end();
    const e = await c.wait_msg().catch((x) => x);
    expect(e).toBeInstanceOf(OSError);
    expect(e.errno).toBe(-1);
  });

  it("before connect(): AttributeError, not OSError", async () => {
    await expect(make().wait_msg()).rejects.toMatchObject({ name: "AttributeError" });
  });

  it("receiving QoS 2: the callback runs, then AssertionError and no PUBREC", async () => {
    const c = make();
    const got: string[] = [];
    c.set_callback((_t, m) => void got.push(Buffer.from(m).toString()));
    const conn = await up(c);
    conn.send(publishHex("t", "q2", 2, 7));
    await expect(c.wait_msg()).rejects.toThrow(AssertionError);
    expect(got).toEqual(["q2"]);
    await c.ping();
    await conn.expect("c000");
  });
});

describe("callbacks and PUBACK", () => {
  it("PUBACK is sent only after an async callback resolves", async () => {
    const c = make();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    c.set_callback(() => gate);
    const conn = await up(c);
    conn.send(publishHex("t", "x", 1, 5));
    const w = c.wait_msg();
    expect(await settle(w)).toBe("pending");
    expect(conn.received.length).toBe(0);
    release();
    expect(await w).toBe(0x32);
    await conn.expect("40020005");
  });

  it("no PUBACK when the callback throws; the error reaches the caller", async () => {
    const c = make();
    c.set_callback(() => {
      throw new Error("boom");
    });
    const conn = await up(c);
    conn.send(publishHex("t", "x", 1, 5));
    await expect(c.wait_msg()).rejects.toThrow("boom");
    // The next bytes the peer sees are our PINGREQ, not a PUBACK.
    await c.ping();
    await conn.expect("c000");
  });

  it("QoS 1 publish delivers messages arriving meanwhile and ignores other PUBACK ids", async () => {
    const c = make();
    const got: string[] = [];
    c.set_callback((t, m) => void got.push(`${Buffer.from(t)}=${Buffer.from(m)}`));
    const conn = await up(c);
    const p = c.publish("out", "1", false, 1);
    await conn.expect(publishHex("out", "1", 1, 1));
    conn.send(publishHex("in", "a") + "40020063" + publishHex("in", "b"));
    expect(await settle(p)).toBe("pending");
    expect(got).toEqual(["in=a", "in=b"]);
    conn.send("40020001");
    await p;
  });

  it("a callback that publishes QoS 1 recurses inside the outer publish", async () => {
    const c = make();
    const order: string[] = [];
    c.set_callback(async (_t, m) => {
      order.push(`cb ${Buffer.from(m)}`);
      await c.publish("reply", "r", false, 1);
      order.push("inner done");
    });
    const conn = await up(c);
    const outer = c.publish("out", "o", false, 1).then(() => order.push("outer done"));
    await conn.expect(publishHex("out", "o", 1, 1));
    conn.send(publishHex("in", "x"));
    await conn.expect(publishHex("reply", "r", 1, 2));
    conn.send("40020002");
    await settle(outer, 50);
    conn.send("40020001");
    await outer;
    expect(order).toEqual(["cb x", "inner done", "outer done"]);
  });

  it("subscribe without a callback fails before sending", async () => {
    const c = make();
    const conn = await up(c);
    await expect(c.subscribe("t")).rejects.toThrow("Subscribe callback is not set");
    await c.ping();
    await conn.expect("c000");
  });

  it("SUBACK 0x80 raises MQTTException(0x80); a wrong SUBACK id is an AssertionError", async () => {
    const c = make();
    c.set_callback(() => {});
    const conn = await up(c);
    const s = c.subscribe("t");
    await conn.expect(`820600010001${hexOf("t")}00`);
    conn.send("9003000180");
    await expect(s).rejects.toMatchObject({ name: "MQTTException", code: 0x80 });
    const s2 = c.subscribe("t");
    await conn.expect(`820600020001${hexOf("t")}00`);
    conn.send("9003000900");
    await expect(s2).rejects.toThrow(AssertionError);
  });

  it("set_last_will validates topic and qos", () => {
    const c = make();
    expect(() => c.set_last_will("", "x")).toThrow(AssertionError);
    expect(() => c.set_last_will("t", "x", false, 3)).toThrow(AssertionError);
    expect(() => c.set_last_will("t", "x", false, -1)).toThrow(AssertionError);
    c.set_last_will("t", "x", true, 2);
    expect([c.lw_topic, c.lw_qos, c.lw_retain]).toEqual(["t", 2, true]);
  });
});

describe("heap charges", () => {
  function recorder(limit = Infinity) {
    const live = new Map<number, { bytes: number; what: string }>();
    const log: string[] = [];
    let next = 1;
    const a: Allocator = {
      alloc(bytes, what) {
        if (bytes > limit) throw new MemoryError(bytes);
        log.push(`+${what}:${bytes}`);
        live.set(next, { bytes, what });
        return next++;
      },
      release(h) {
        const o = live.get(h);
        if (o) log.push(`-${o.what}`);
        live.delete(h);
      },
    };
    return { a, live, log };
  }

  it("charges the client once, and topic + payload per PUBLISH, released after the callback", async () => {
    const r = recorder();
    const c = make(r.a);
    expect(r.log[0]).toBe("+client:128");
    let seenDuringCb: string[] = [];
    c.set_callback(() => {
      seenDuringCb = [...r.live.values()].map((o) => `${o.what}:${o.bytes}`);
    });
    const conn = await up(c);
    conn.send(publishHex("topic", "x".repeat(50)));
    await c.wait_msg();
    expect(seenDuringCb).toEqual(expect.arrayContaining(["publish.topic:5", "publish.payload:50"]));
    expect([...r.live.values()].map((o) => o.what)).toEqual(["client"]);
  });

  it("MemoryError on the payload propagates and leaves the payload unread in the socket", async () => {
    const r = recorder(150);
    const c = make(r.a);
    c.set_callback(() => {
      throw new Error("callback must not run");
    });
    const conn = await up(c);
    const payload = "P".repeat(200);
    // 2 + 1 + 200 = 203: remaining length cb 01
    const pkt = publishHex("t", payload);
    expect(pkt.slice(0, 6)).toBe("30cb01");
    conn.send(pkt);
    await expect(c.wait_msg()).rejects.toBeInstanceOf(MemoryError);
    expect([...r.live.values()].map((o) => o.what)).toEqual(["client"]);
    const rest = await c.sock!.read(200);
    expect(Buffer.from(rest!).toString()).toBe(payload);
  });
});

describe("MQTTException", () => {
  it("carries the code", () => {
    expect(new MQTTException(4).code).toBe(4);
  });
});
