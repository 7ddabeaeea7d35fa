// umqtt.robust and umqtt.default details that need no broker: the retry
// loop's sleeps and logs (injected sleep/print), which errors trigger a
// reconnect, handler dispatch, and certificate files read before the wrap.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MQTTClient as RobustClient, reprError } from "../../src/client/robust.ts";
import { MQTTClient as DefaultClient } from "../../src/client/default.ts";
import { topicMatches } from "../../src/client/topic-match.ts";
import { MQTTException, OSError } from "../../src/client/errors.ts";
import { NodeTransport } from "../../src/client/node-transport.ts";
import type { Socket, SslParams } from "../../src/client/socket.ts";
import { freePort } from "../support/mosquitto.ts";
import { LoopbackPeer, hexOf } from "./loopback.ts";

let peer: LoopbackPeer;
const open: { sock: Socket | null }[] = [];
beforeEach(async () => {
  peer = await LoopbackPeer.start();
});
afterEach(async () => {
  for (const c of open.splice(0)) c.sock?.close();
  await peer.close();
});

describe("robust", () => {
  it("DELAY/DEBUG default to the class values and can be set per instance", () => {
    const c = new RobustClient("r", "127.0.0.1", { port: 1 });
    expect([c.DELAY, c.DEBUG, RobustClient.DELAY, RobustClient.DEBUG]).toEqual([2, false, 2, false]);
    c.DELAY = 0.5;
    expect([c.DELAY, RobustClient.DELAY]).toEqual([0.5, 2]);
  });

  it("reconnect() retries connect(False) after each OSError, sleeping DELAY through the injected sleep", async () => {
    const port = await freePort(); // nothing listens: ECONNREFUSED
    const sleeps: number[] = [];
    const lines: string[] = [];
    let target = port;
    const c = new RobustClient("r", "127.0.0.1", {
      port,
      sleep: async (ms) => {
        sleeps.push(ms);
        if (sleeps.length === 3) c.port = target = peer.port; // the "broker" comes back
      },
      print: (l) => lines.push(l),
    });
    open.push(c);
    c.DEBUG = true;
    expect(await c.reconnect()).toBe(0);
    expect(target).toBe(peer.port);
    expect(sleeps).toEqual([2000, 2000, 2000]);
    expect(lines).toEqual(Array(3).fill("mqtt reconnect: OSError(111,)"));
    // connect(False): clean-session bit clear
    const conn = await peer.conn(0);
    await conn.expect(`100d00044d51545404000000` + `0001${hexOf("r")}`);
  });

  it("log() prints only when DEBUG", () => {
    const lines: string[] = [];
    const c = new RobustClient("r", "h", { print: (l) => lines.push(l) });
    c.log(false, new OSError(104));
    c.DEBUG = true;
    c.log(false, new OSError(104));
    expect(lines).toEqual(["mqtt: OSError(104,)"]);
    expect(reprError(new OSError(-1))).toBe("OSError(-1,)");
  });

  it("only OSError triggers a reconnect: MQTTException passes through", async () => {
    peer.connack = "20020000";
    const c = new RobustClient("r", "127.0.0.1", { port: peer.port, sleep: async () => {} });
    open.push(c);
    c.set_callback(() => {});
    await c.connect();
    const conn = await peer.conn(0);
    await conn.expect(`100d00044d51545404020000` + `0001${hexOf("r")}`);
    const s = c.subscribe("t");
    await conn.expect(`820600010001${hexOf("t")}00`);
    conn.send("9003000180");
    await expect(s).rejects.toBeInstanceOf(MQTTException);
    expect(peer.conns.length).toBe(1);
  });

  it("wait_msg() reconnects after the peer closes and keeps waiting on the new connection", async () => {
    const c = new RobustClient("r", "127.0.0.1", { port: peer.port, sleep: async () => {} });
    open.push(c);
    const got: string[] = [];
    c.set_callback((_t, m) => void got.push(Buffer.from(m).toString()));
    await c.connect();
    const first = await peer.conn(0);
    const w = c.wait_msg();
    first.end();
    const second = await peer.conn(1);
    await second.expect(`100d00044d51545404000000` + `0001${hexOf("r")}`);
    second.send(`3004` + `0001${hexOf("t")}` + hexOf("x"));
    expect(await w).toBe(0x30);
    expect(got).toEqual(["x"]);
  });

  it("check_msg(attempts) gives up after the given number of reconnects", async () => {
    const c = new RobustClient("r", "127.0.0.1", { port: peer.port, sleep: async () => {} });
    open.push(c);
    await c.connect();
    (await peer.conn(0)).end();
    await new Promise((r) => setTimeout(r, 50));
    // Python calls self.reconnect(): an instance override stands in for a
    // broker that keeps dropping us (the socket stays at end-of-stream).
    let reconnects = 0;
    c.reconnect = async () => {
      reconnects++;
      return 0;
    };
    expect(await c.check_msg(3)).toBeNull();
    expect(reconnects).toBe(3);
  });
});

describe("topicMatches", () => {
  it.each([
    ["a/b", "a/b", true],
    ["a/+", "a/b", true],
    ["a/+", "a/b/c", false],
    ["a/+/c", "a/b/c", true],
    ["a/#", "a", true],
    ["a/#", "a/b/c", true],
    ["#", "a/b", true],
    ["+", "a", true],
    ["+/+", "/x", true],
    ["a/b", "a/c", false],
    ["#", "$SYS/x", false],
    ["+/x", "$SYS/x", false],
    ["$SYS/#", "$SYS/x", true],
    ["a/+", "a/", true],
  ])("%s matches %s: %s", (f, t, want) => {
    expect(topicMatches(f, t)).toBe(want);
  });
});

describe("default (UiFlow2)", () => {
  it("calls every matching handler with one [topic, msg] argument; 'exact' uses a dict lookup", async () => {
    const calls: string[] = [];
    const c = new DefaultClient("d", "h");
    c._topics.set("a/+", (d) => void calls.push(`plus ${Buffer.from(d[0])} ${Buffer.from(d[1])} ${d.length}`));
    c._topics.set("a/#", (d) => void calls.push(`hash ${Buffer.from(d[0])}`));
    c._topics.set("b", () => void calls.push("b"));
    await c._callback(Buffer.from("a/x"), Buffer.from("m"));
    expect(calls).toEqual(["plus a/x m 2", "hash a/x"]);
    calls.length = 0;
    c.topicMatch = "exact";
    await c._callback(Buffer.from("a/x"), Buffer.from("m"));
    await c._callback(Buffer.from("b"), Buffer.from("m"));
    expect(calls).toEqual(["b"]);
  });

  it("reads cert/key/ca files named in ssl_params before the TLS wrap; PEM text and unreadable paths stay", async () => {
    const wrapped: SslParams[] = [];
    const node = new NodeTransport();
    const transport = {
      getaddrinfo: node.getaddrinfo.bind(node),
      socket: node.socket.bind(node),
      // A recording double: no TLS server here, the wrap only captures its params.
      wrapSocket: async (sock: Socket, params: SslParams) => {
        wrapped.push({ ...params });
        return sock;
      },
    };
    const files: Record<string, string> = { "/flash/client.crt": "CERT-FROM-FILE", "/flash/ca.pem": "CA-FROM-FILE" };
    const c = new DefaultClient("d", "127.0.0.1", {
      port: peer.port,
      ssl: true,
      ssl_params: { cert: "/flash/client.crt", ca: "/flash/ca.pem", key: "-----BEGIN KEY-----\nx", server_hostname: "h" },
      transport,
      readFile: async (p) => {
        if (!(p in files)) throw new Error("ENOENT");
        return files[p];
      },
    });
    open.push(c);
    await c.connect();
    expect(wrapped).toEqual([{ cert: "CERT-FROM-FILE", ca: "CA-FROM-FILE", key: "-----BEGIN KEY-----\nx", server_hostname: "h" }]);
    expect(c.port).toBe(peer.port);
  });

  it("subscribe registers the handler before subscribing; unsubscribe removes it", async () => {
    const c = new DefaultClient("d", "127.0.0.1", { port: peer.port });
    open.push(c);
    await c.connect();
    const conn = await peer.conn(0);
    await conn.expect(`100d00044d51545404020000` + `0001${hexOf("d")}`);
    const h = () => {};
    const s = c.subscribe("x/#", h, 1);
    await conn.expect(`820800010003${hexOf("x/#")}01`);
    expect(c._topics.get("x/#")).toBe(h);
    conn.send("9003000101");
    await s;
    const u = c.unsubscribe("x/#");
    expect(c._topics.has("x/#")).toBe(false);
    await conn.expect(`a20700020003${hexOf("x/#")}`);
    conn.send("b0020002");
    await u;
  });
});
