// Byte-exact wire output of umqtt.simple's MQTTClient, captured on a real
// loopback TCP loop.peer. Every expected hex string is derived by hand from the
// MQTT 3.1.1 spec (fixed header, remaining length, 2-byte length-prefixed
// strings); none is produced by the encoder under test.

import { describe, expect, it } from "vitest";
import { MQTTClient } from "../../src/client/simple.ts";
import { AssertionError } from "../../src/client/errors.ts";
import { hexOf, loopbackPerTest, type PeerConn } from "./loopback.ts";

const loop = loopbackPerTest();
const client = loop.client;
/** Connect and check/consume the CONNECT bytes. */
const connected = (c: MQTTClient, connectHex: string, clean = true): Promise<PeerConn> => loop.connected(c, connectHex, { clean });

// CONNECT variable header: 00 04 'MQTT' (4d 51 54 54), level 04, then flags and keepalive.
const MQTT = "00044d51545404";

describe("CONNECT", () => {
  it("client id only, clean session, keepalive 0", async () => {
    // remaining length = 10 + 2 + 5 = 17 = 0x11
    await connected(client("umqtt"), `1011${MQTT}020000` + `0005${hexOf("umqtt")}`);
  });

  it("clean_session false clears bit 1", async () => {
    await connected(client("umqtt"), `1011${MQTT}000000` + `0005${hexOf("umqtt")}`, false);
  });

  it("keepalive is 2 bytes big-endian", async () => {
    // 300 = 0x012c
    await connected(client("c1", { keepalive: 300 }), `100e${MQTT}02012c` + `0002${hexOf("c1")}`);
  });

  it("user and password set flags 0xc0 and follow the client id", async () => {
    // 10 + (2+2) + (2+1) + (2+2) = 21 = 0x15; flags c0|02 = c2; keepalive 60 = 0x003c
    const c = client("c1", { user: "u", password: "pw", keepalive: 60 });
    await connected(c, `1015${MQTT}c2003c` + `0002${hexOf("c1")}` + `0001${hexOf("u")}` + `0002${hexOf("pw")}`);
  });

  it("a user with an EMPTY password still sets both flags and sends a zero-length password", async () => {
    // 10 + 4 + 3 + 2 = 19 = 0x13
    const c = client("c1", { user: "u", password: "" });
    await connected(c, `1013${MQTT}c20000` + `0002${hexOf("c1")}` + `0001${hexOf("u")}` + `0000`);
  });

  it("a user with no password fails before anything is written (len(None) on the device)", async () => {
    const c = client("c1", { user: "u" });
    await expect(c.connect()).rejects.toThrow(TypeError);
    const conn = await loop.peer.conn(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(conn.received.length).toBe(0);
  });

  it("will with QoS 1 and retain: flags 0x04 | 0x08 | 0x20", async () => {
    // 10 + 4 + (2+2) + (2+3) = 23 = 0x17; flags 0x2c (clean false); keepalive 0x012c
    const c = client("c1", { keepalive: 300 });
    c.set_last_will("st", "off", true, 1);
    await connected(c, `1017${MQTT}2c012c` + `0002${hexOf("c1")}` + `0002${hexOf("st")}` + `0003${hexOf("off")}`, false);
  });

  it("will QoS 2 sets bit 4; will comes before user and password", async () => {
    // 10 + 4 + (2+1) + (2+1) + (2+1) + (2+1) = 26 = 0x1a; flags c0|10|04|02 = d6
    const c = client("c1", { user: "u", password: "p" });
    c.set_last_will("w", "m", false, 2);
    await connected(
      c,
      `101a${MQTT}d60000` + `0002${hexOf("c1")}` + `0001${hexOf("w")}0001${hexOf("m")}` + `0001${hexOf("u")}0001${hexOf("p")}`,
    );
  });

  it("keepalive must be < 65536", async () => {
    const c = client("c1", { keepalive: 65536 });
    await expect(c.connect()).rejects.toThrow(AssertionError);
  });
});

describe("PUBLISH", () => {
  const CONNECT_C = `100d${MQTT}020000` + `0001${hexOf("c")}`;

  it("QoS 0: 0x30, topic, payload", async () => {
    const c = client("c");
    const conn = await connected(c, CONNECT_C);
    await c.publish("a/b", "hi");
    // 2 + 3 + 2 = 7
    expect(await conn.expect(`3007` + `0003${hexOf("a/b")}` + hexOf("hi"))).toBeTruthy();
  });

  it("QoS 0 retain: 0x31", async () => {
    const c = client("c");
    const conn = await connected(c, CONNECT_C);
    await c.publish("a/b", "hi", true);
    await conn.expect(`3107` + `0003${hexOf("a/b")}` + hexOf("hi"));
  });

  it("QoS 1 retain: 0x33 with packet id 1, waits for PUBACK 1", async () => {
    const c = client("c");
    const conn = await connected(c, CONNECT_C);
    const p = c.publish(new TextEncoder().encode("a/b"), new TextEncoder().encode("hi"), true, 1);
    // 2 + 3 + 2 + 2 = 9
    await conn.expect(`3309` + `0003${hexOf("a/b")}` + `0001` + hexOf("hi"));
    conn.send("40020001");
    await p;
  });

  it("empty payload", async () => {
    const c = client("c");
    const conn = await connected(c, CONNECT_C);
    await c.publish("t", "");
    await conn.expect(`3003` + `0001${hexOf("t")}`);
  });

  it.each([
    // [payload length, remaining length, its encoding]: RL = 2 + 1 (topic "t") + payload
    [124, 127, "7f"],
    [125, 128, "8001"],
    [16380, 16383, "ff7f"],
    [16381, 16384, "808001"],
  ])("remaining length boundary: payload %i gives RL %i = %s", async (n, _rl, enc) => {
    const c = client("c");
    const conn = await connected(c, CONNECT_C);
    const payload = new Uint8Array(n).fill(0x61);
    await c.publish("t", payload);
    const head = `30${enc}0001${hexOf("t")}`;
    await conn.waitBytes(head.length / 2 + n);
    expect(conn.consume(head.length / 2).toString("hex")).toBe(head);
    expect(conn.consume(n).equals(Buffer.from(payload))).toBe(true);
    expect(conn.received.length).toBe(0);
  });

  it("long topic (300 bytes): 2-byte topic length 0x012c, RL 303 = af 02", async () => {
    const c = client("c");
    const conn = await connected(c, CONNECT_C);
    const topic = "x".repeat(300);
    await c.publish(topic, "p");
    await conn.expect(`30af02` + `012c` + hexOf(topic) + hexOf("p"));
  });

  it("remaining length must be < 2097152: nothing is written", async () => {
    const c = client("c");
    const conn = await connected(c, CONNECT_C);
    // 2 + 1 + 2097149 = 2097152
    await expect(c.publish("t", new Uint8Array(2097149))).rejects.toThrow(AssertionError);
    await c.ping();
    await conn.expect("c000");
  });

  it("QoS 2: the packet goes out (0x34, id 1), then AssertionError", async () => {
    const c = client("c");
    const conn = await connected(c, CONNECT_C);
    await expect(c.publish("t", "x", false, 2)).rejects.toThrow(AssertionError);
    await conn.expect(`3406` + `0001${hexOf("t")}` + `0001` + hexOf("x"));
  });

  it("packet id wraps to 0 on the wire after 65535 (the counter itself does not wrap)", async () => {
    const c = client("c");
    const conn = await connected(c, CONNECT_C);
    c.pid = 65534;
    const p1 = c.publish("t", "x", false, 1);
    await conn.expect(`3006`.replace("30", "32") + `0001${hexOf("t")}` + `ffff` + hexOf("x"));
    conn.send("4002ffff");
    await p1;
    // 65536th use: id 0 on the wire.
    const p2 = c.publish("t", "x", false, 1);
    await conn.expect(`3206` + `0001${hexOf("t")}` + `0000` + hexOf("x"));
    expect(c.pid).toBe(65536);
    // The broker acks id 0, but umqtt compares with 65536: no match, still waiting.
    conn.send("40020000");
    const settled = await Promise.race([p2.then(() => "resolved", () => "rejected"), new Promise((r) => setTimeout(() => r("pending"), 200))]);
    expect(settled).toBe("pending");
    conn.end();
    await expect(p2).rejects.toMatchObject({ name: "OSError", errno: -1 });
  });
});

describe("SUBSCRIBE, UNSUBSCRIBE, PINGREQ, DISCONNECT, PUBACK", () => {
  const CONNECT_C = `100d${MQTT}020000` + `0001${hexOf("c")}`;

  it("SUBSCRIBE 0x82, RL 5+len, id, topic, qos; the same counter as publish", async () => {
    const c = client("c");
    c.set_callback(() => {});
    const conn = await connected(c, CONNECT_C);
    const s1 = c.subscribe("led");
    // 2 + 2 + 3 + 1 = 8
    await conn.expect(`8208` + `0001` + `0003${hexOf("led")}` + `00`);
    conn.send("9003000100");
    await s1;
    const p = c.publish("t", "x", false, 1);
    await conn.expect(`3206` + `0001${hexOf("t")}` + `0002` + hexOf("x"));
    conn.send("40020002");
    await p;
    const s2 = c.subscribe("a/#", 1);
    await conn.expect(`8208` + `0003` + `0003${hexOf("a/#")}` + `01`);
    conn.send("9003000301");
    await s2;
  });

  it("SUBSCRIBE's remaining length is a variable-length integer (1.8.0; older versions in versions.test.ts)", async () => {
    const c = client("c");
    c.set_callback(() => {});
    const conn = await connected(c, CONNECT_C);
    const topic = "y".repeat(200);
    void c.subscribe(topic).catch(() => {});
    // 5 + 200 = 205 = 0xcd -> 0x4d | 0x80, then 205 >> 7 = 0x01
    await conn.expect(`82cd01` + `0001` + `00c8` + hexOf(topic) + `00`);
  });

  it("UNSUBSCRIBE 0xa2, RL 4+len, id, topic; waits for UNSUBACK", async () => {
    const c = client("c");
    const conn = await connected(c, CONNECT_C);
    c.pid = 6;
    const u = c.unsubscribe("led");
    await conn.expect(`a207` + `0007` + `0003${hexOf("led")}`);
    conn.send("b0020007");
    await u;
  });

  it("PINGREQ c0 00 and DISCONNECT e0 00", async () => {
    const c = client("c");
    const conn = await connected(c, CONNECT_C);
    await c.ping();
    await conn.expect("c000");
    await c.disconnect();
    await conn.expect("e000");
  });

  it("PUBACK 40 02 id for a received QoS 1 message", async () => {
    const c = client("c");
    const got: string[] = [];
    c.set_callback((t, m) => void got.push(`${Buffer.from(t)}=${Buffer.from(m)}`));
    const conn = await connected(c, CONNECT_C);
    // PUBLISH QoS 1, topic "t", id 0x1234, payload "v": RL 2+1+2+1 = 6
    conn.send(`3206` + `0001${hexOf("t")}` + `1234` + hexOf("v"));
    expect(await c.wait_msg()).toBe(0x32);
    await conn.expect("40021234");
    expect(got).toEqual(["t=v"]);
  });
});

describe("constructor and str lengths", () => {
  it("port 0 means 1883, or 8883 with ssl; positional and options forms agree", () => {
    expect(new MQTTClient("c", "h").port).toBe(1883);
    expect(new MQTTClient("c", "h", 0, null, null, 0, true).port).toBe(8883);
    expect(new MQTTClient("c", "h", { ssl: true }).port).toBe(8883);
    const p = new MQTTClient("c", "h", 1234, "u", "p", 30);
    expect([p.port, p.user, p.pswd, p.keepalive]).toEqual([1234, "u", "p", 30]);
  });

  it("a non-ASCII str topic gets len() in code points as its prefix, as on a unicode MicroPython port", async () => {
    const c = client("c");
    await c.connect();
    const conn = await loop.peer.conn(0);
    await conn.expect(`100d${MQTT}020000` + `0001${hexOf("c")}`);
    await c.publish("é", "x");
    // RL = 2 + len("é") 1 + 1 = 4, prefix 0001, but the topic is 2 UTF-8 bytes (c3 a9)
    await conn.expect(`3004` + `0001` + `c3a9` + hexOf("x"));
  });
});
