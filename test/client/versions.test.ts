// umqtt.simple by release: each difference between 1.3.4 ... 1.8.0 that
// firmware or the wire can see (versions.ts, docs/compat.md). Wire bytes are
// checked on a real loopback TCP peer and every expected hex string is derived
// by hand; the long-topic SUBSCRIBE also goes to a real mosquitto.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MQTTClient, type ClientOptions } from "../../src/client/simple.ts";
import { AssertionError, AttributeError, OSError } from "../../src/client/errors.ts";
import { NodeTransport } from "../../src/client/node-transport.ts";
import type { Socket, SslContext, SslParams } from "../../src/client/socket.ts";
import { UMQTT_VERSIONS, umqttFeatures, type UmqttVersion } from "../../src/client/versions.ts";
import { CONNECT_C, hexOf, loopbackPerTest, type PeerConn } from "./loopback.ts";
import { findMosquitto, startMosquitto, type MosquittoBroker } from "../support/mosquitto.ts";

const loop = loopbackPerTest();

function make(version: UmqttVersion, o: ClientOptions = {}): MQTTClient {
  const c = loop.client("c", { version, ...o });
  c.set_callback(() => {});
  return c;
}

const up = (c: MQTTClient, i = 0): Promise<PeerConn> => loop.connected(c, CONNECT_C, { conn: i });

const before18 = UMQTT_VERSIONS.filter((v) => v !== "1.8.0");

describe("the version setting", () => {
  it("defaults to 1.8.0 and rejects unknown versions with the list", () => {
    expect(new MQTTClient("c", "h", { transport: new NodeTransport() }).umqtt.version).toBe("1.8.0");
    expect(() => umqttFeatures("1.9")).toThrow(/unknown umqtt.simple version "1.9": use one of 1.3.4, 1.4.0/);
    expect(() => new MQTTClient("c", "h", { version: "2.0" as UmqttVersion })).toThrow(RangeError);
  });
});

describe("SUBSCRIBE/UNSUBSCRIBE remaining length", () => {
  const topic123 = "t".repeat(123);

  it("1.8.0: a 123-byte topic gives RL 128 as the variable-length integer 80 01", async () => {
    const c = make("1.8.0");
    const conn = await up(c);
    const s = c.subscribe(topic123);
    // RL = 2 (id) + 2 (length) + 123 + 1 (QoS) = 128 -> 0x80 0x01; id 1; topic length 0x007b
    await conn.expect(`828001` + `0001` + `007b` + hexOf(topic123) + `00`);
    conn.send("9003000100");
    await s;
  });

  for (const v of ["1.7.0", "1.7.1"] as const) {
    it(`${v}: the same topic gives a single length byte 80 (a continuation byte: a broken packet)`, async () => {
      const c = make(v);
      const conn = await up(c);
      void c.subscribe(topic123).catch(() => {});
      await conn.expect(`8280` + `0001` + `007b` + hexOf(topic123) + `00`);
    });
  }

  it("1.8.0 UNSUBSCRIBE: a 124-byte topic gives RL 128 = 80 01; 1.7.1 sends a2 80", async () => {
    const t = "u".repeat(124);
    const c = make("1.8.0");
    const conn = await up(c);
    const u = c.unsubscribe(t);
    // RL = 2 + 2 + 124 = 128
    await conn.expect(`a28001` + `0001` + `007c` + hexOf(t));
    conn.send("b0020001");
    await u;
    const old = make("1.7.1");
    const conn2 = await up(old, 1);
    void old.unsubscribe(t).catch(() => {});
    await conn2.expect(`a280` + `0001` + `007c` + hexOf(t));
  });

  it("short topics are the same bytes in every version that has the method", async () => {
    for (const [i, v] of UMQTT_VERSIONS.entries()) {
      const c = make(v);
      const conn = await up(c, i);
      const s = c.subscribe("led", 1);
      // RL = 2 + 2 + 3 + 1 = 8
      await conn.expect(`8208` + `0001` + `0003${hexOf("led")}` + `01`);
      conn.send("9003000101");
      await s;
    }
  });
});

describe("SUBACK/UNSUBACK id check after the counter passes 65535", () => {
  it("1.8.0: the ack for id 0 fails the assertion (the whole counter is compared)", async () => {
    const c = make("1.8.0");
    const conn = await up(c);
    c.pid = 65535;
    const s = c.subscribe("t");
    // id 65536 goes out as 00 00
    await conn.expect(`8206` + `0000` + `0001${hexOf("t")}` + `00`);
    conn.send("9003000000");
    await expect(s).rejects.toThrow(AssertionError);
  });

  for (const v of before18) {
    it(`${v}: the ack for id 0 is accepted (the two id bytes are compared)`, async () => {
      const c = make(v);
      const conn = await up(c);
      c.pid = 65535;
      const s = c.subscribe("t");
      await conn.expect(`8206` + `0000` + `0001${hexOf("t")}` + `00`);
      conn.send("9003000000");
      await expect(s).resolves.toBeUndefined();
    });
  }

  it("1.7.1 UNSUBACK for id 0 after the wrap is accepted; 1.8.0 fails", async () => {
    const old = make("1.7.1");
    const conn = await up(old);
    old.pid = 65535;
    const u = old.unsubscribe("t");
    await conn.expect(`a205` + `0000` + `0001${hexOf("t")}`);
    conn.send("b0020000");
    await expect(u).resolves.toBeUndefined();
    const cur = make("1.8.0");
    const conn2 = await up(cur, 1);
    cur.pid = 65535;
    const u2 = cur.unsubscribe("t");
    await conn2.expect(`a205` + `0000` + `0001${hexOf("t")}`);
    conn2.send("b0020000");
    await expect(u2).rejects.toThrow(AssertionError);
  });

  it("a wrong id fails in every version", async () => {
    for (const [i, v] of UMQTT_VERSIONS.entries()) {
      const c = make(v);
      const conn = await up(c, i);
      const s = c.subscribe("t");
      await conn.expect(`8206` + `0001` + `0001${hexOf("t")}` + `00`);
      conn.send("9003000900");
      await expect(s).rejects.toThrow(AssertionError);
    }
  });
});

describe("unsubscribe arrives in 1.7.0", () => {
  for (const v of ["1.3.4", "1.4.0", "1.5.0", "1.6.0"] as const) {
    it(`${v}: no unsubscribe method, nothing is written`, async () => {
      const c = make(v);
      const conn = await up(c);
      await expect(c.unsubscribe("led")).rejects.toThrow(new AttributeError("'MQTTClient' object has no attribute 'unsubscribe'"));
      c.sock?.close();
      await expect(conn.waitBytes(1, 300)).rejects.toThrow(/peer closed with 0\/1 bytes/);
      expect(c.pid).toBe(0);
    });
  }
});

describe("connect timeout arrives in 1.5.0", () => {
  for (const v of ["1.3.4", "1.4.0"] as const) {
    it(`${v}: connect(clean_session, timeout) is a TypeError before any socket is opened`, async () => {
      const c = make(v);
      await expect(c.connect(true, 1)).rejects.toThrow(new TypeError("function takes 2 positional arguments but 3 were given"));
      expect(c.sock).toBeNull();
      expect(loop.peer.conns).toHaveLength(0);
    });
  }

  it("1.5.0: the timeout applies to the socket, so a silent peer gives OSError(ETIMEDOUT)", async () => {
    loop.peer.connack = null;
    const c = make("1.5.0");
    const e = await c.connect(true, 0.2).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(OSError);
    expect((e as OSError).errno).toBe(110);
  });
});

describe("connect closes the old socket from 1.7.1", () => {
  it("1.7.1: reconnecting closes the first connection", async () => {
    const c = make("1.7.1");
    const first = await up(c);
    await up(c, 1);
    await first.waitBytes(1, 2000).catch(() => {});
    expect(first.closed).toBe(true);
  });

  it("1.7.0: the first connection is left open (a leaked socket on the device)", async () => {
    const c = make("1.7.0");
    const first = await up(c);
    const firstSock = c.sock;
    await up(c, 1);
    await expect(first.waitBytes(1, 300)).rejects.toThrow(/timed out/);
    expect(first.closed).toBe(false);
    firstSock?.close();
  });
});

/**
 * The real TCP transport, with the TLS wraps recorded instead of performed
 * (a double: the loopback peer does not speak TLS; what is under test is which
 * wrap the client picks and with what, and real TLS is in transport.test.ts).
 */
class RecordingTransport extends NodeTransport {
  wraps: string[] = [];
  override async wrapSocket(sock: Socket, params: SslParams): Promise<Socket> {
    this.wraps.push(`legacy ${JSON.stringify(params)}`);
    return sock;
  }
  context(): SslContext {
    return {
      wrap_socket: async (sock, o) => {
        this.wraps.push(`context ${JSON.stringify(o)}`);
        return sock;
      },
    };
  }
}

describe("ssl arguments", () => {
  it("1.3.4: any truthy ssl is the legacy wrap with ssl_params (a context object is not used as one)", async () => {
    const t = new RecordingTransport();
    await up(make("1.3.4", { transport: t, ssl: true, ssl_params: { server_hostname: "b" } }), 0);
    await up(make("1.3.4", { transport: t, ssl: t.context() }), 1);
    expect(t.wraps).toEqual(['legacy {"server_hostname":"b"}', "legacy {}"]);
  });

  for (const v of ["1.4.0", "1.5.0"] as const) {
    it(`${v}: no ssl_params argument; a context wraps with server_hostname; ssl=True fails`, async () => {
      const t = new RecordingTransport();
      expect(() => make(v, { transport: t, ssl: true, ssl_params: {} })).toThrow(new TypeError("unexpected keyword argument 'ssl_params'"));
      await up(make(v, { transport: t, ssl: t.context() }), 0);
      expect(t.wraps).toEqual(['context {"server_hostname":"127.0.0.1"}']);
      await expect(make(v, { transport: t, ssl: true }).connect()).rejects.toThrow(new AttributeError("'bool' object has no attribute 'wrap_socket'"));
    });
  }

  for (const v of ["1.6.0", "1.8.0"] as const) {
    it(`${v}: ssl=True is the legacy wrap, a context wraps with server_hostname`, async () => {
      const t = new RecordingTransport();
      await up(make(v, { transport: t, ssl: true, ssl_params: { server_hostname: "b" } }), 0);
      await up(make(v, { transport: t, ssl: t.context() }), 1);
      expect(t.wraps).toEqual(['legacy {"server_hostname":"b"}', 'context {"server_hostname":"127.0.0.1"}']);
    });
  }
});

const mosquittoBin = findMosquitto();
describe.skipIf(!mosquittoBin)("a 123-byte topic against mosquitto", () => {
  let broker: MosquittoBroker;
  beforeEach(async () => {
    broker = await startMosquitto({});
  });
  afterEach(async () => {
    await broker.dispose();
  });

  it("1.8.0 subscribes; 1.7.1's one-byte length makes mosquitto drop the client", async () => {
    const topic = "t".repeat(123);
    const cur = new MQTTClient(`v18-${process.pid}`, "127.0.0.1", { port: broker.port, version: "1.8.0" });
    cur.set_callback(() => {});
    await cur.connect();
    await cur.subscribe(topic);
    await cur.disconnect();
    const old = new MQTTClient(`v171-${process.pid}`, "127.0.0.1", { port: broker.port, version: "1.7.1" });
    old.set_callback(() => {});
    await old.connect(true, 3);
    const e = await old.subscribe(topic).catch((x: unknown) => x);
    old.sock?.close();
    expect(e).toBeInstanceOf(OSError);
  });
});
