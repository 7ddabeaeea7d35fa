import { createServer, connect as tcpConnect, type AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { describe, expect, it } from "vitest";
import { errno, OSError } from "../../src/client/errors.ts";
import type { Socket } from "../../src/client/socket.ts";
import { Network, type NetworkOptions } from "../../src/emulator/network/network.ts";
import { getProfile, type NetProfile } from "../../src/emulator/network/net-profiles.ts";
import { createStreamPair } from "../../src/emulator/network/stream-pair.ts";
import { Trace } from "../../src/emulator/trace.ts";
import { VirtualClock } from "../../src/emulator/clock/virtual-clock.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | null) => (b === null ? null : new TextDecoder().decode(b));

/** A tiny echo server on the far end of an in-memory stream pair. */
function echoServer() {
  const servers: Duplex[] = [];
  const dial = () => {
    const [boardSide, serverSide] = createStreamPair();
    serverSide.on("data", (chunk: Buffer) => serverSide.write(chunk));
    serverSide.on("error", () => {});
    servers.push(serverSide);
    return boardSide;
  };
  return { dial, servers };
}

function profile(patch: Partial<NetProfile>): NetProfile {
  return { ...getProfile("ideal"), name: "test", ...patch };
}

function setup(patch: Partial<NetProfile> = {}, extra: Partial<NetworkOptions> = {}) {
  const clock = new VirtualClock();
  const trace = new Trace();
  const echo = echoServer();
  const net = new Network({ clock, trace, board: "b1", profile: profile(patch), dial: echo.dial, seed: 42, ...extra });
  return { clock, trace, net, servers: echo.servers };
}

/** Run `fn` as firmware on the virtual clock until it settles. */
async function drive<T>(clock: VirtualClock, fn: () => Promise<T>, deadline = 3_600_000): Promise<T> {
  let settled = false;
  const p = fn().finally(() => {
    settled = true;
    clock.stop();
  });
  p.catch(() => {});
  await clock.runUntil(clock.now() + deadline);
  if (!settled) throw new Error(`firmware still blocked at virtual ${clock.now()} ms`);
  return p;
}

async function errnoOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
  } catch (err) {
    if (err instanceof OSError) return err.errno;
    throw err;
  }
  throw new Error("expected an OSError");
}

async function connected(net: Network): Promise<Socket> {
  const sock = net.socket();
  await sock.connect(await net.getaddrinfo("broker.local", 1883));
  return sock;
}

describe("Network: delays in virtual time", () => {
  it("charges one round trip for connect and latency each way for data", async () => {
    const { clock, net } = setup({ latencyMs: 50 });
    const times = await drive(clock, async () => {
      const sock = await connected(net);
      const tConnect = clock.now();
      await sock.write(enc("hello"));
      const echoed = await sock.read(5);
      return { tConnect, tEcho: clock.now(), echoed: dec(echoed) };
    });
    expect(times).toEqual({ tConnect: 100, tEcho: 200, echoed: "hello" });
  });

  it("models bandwidth as serialisation delay", async () => {
    const { clock, net } = setup({ latencyMs: 10, bandwidthBps: 80_000, mss: 1460 }); // 10 bytes per ms
    const t = await drive(clock, async () => {
      const sock = await connected(net); // SYN and SYN-ACK carry no payload: 20 ms
      const t0 = clock.now();
      await sock.write(new Uint8Array(1000).fill(7));
      const tWritten = clock.now() - t0;
      const back = await sock.read(1000);
      return { t0, tWritten, tBack: clock.now() - t0, n: back?.length };
    });
    // 100 ms on the wire out, 10 ms latency, echoed, 100 ms on the wire back,
    // 10 ms latency. write() returned at once: 1,000 bytes fit the send buffer.
    expect(t).toEqual({ t0: 20, tWritten: 0, tBack: 220, n: 1000 });
  });

  it("blocks a write only while more than the send buffer (two segments) waits to go out", async () => {
    const { clock, net } = setup({ latencyMs: 10, bandwidthBps: 80_000, mss: 1000 }); // 10 bytes per ms, 2,000-byte buffer
    const t = await drive(clock, async () => {
      const sock = await connected(net);
      const t0 = clock.now();
      await sock.write(new Uint8Array(5000).fill(1)); // 500 ms on the wire; returns when 2,000 bytes are left
      const tFirst = clock.now() - t0;
      await sock.write(new Uint8Array(500).fill(2)); // queued behind 2,000 bytes: 2,500 > 2,000, waits 50 ms
      const tSecond = clock.now() - t0;
      const back = await sock.read(5500);
      return { tFirst, tSecond, tBack: clock.now() - t0, n: back?.length };
    });
    // Echoed back segment by segment: the fifth arrives at 510 and holds the
    // way back until 610; the last (500 bytes, arrived at 560) follows it:
    // 610 + 50 ms on the wire + 10 ms latency = 670.
    expect(t).toEqual({ tFirst: 300, tSecond: 350, tBack: 670, n: 5500 });
  });

  it("sends writes made in one virtual instant as one segment, byte for byte", async () => {
    const { clock, net, servers } = setup({ latencyMs: 3, jitterMs: 2, bandwidthBps: 10_000_000, mss: 8 });
    const received: string[] = [];
    const times = await drive(clock, async () => {
      const sock = await connected(net);
      servers[0]!.on("data", (chunk: Buffer) => received.push(`${clock.now()} ${chunk.toString()}`));
      const t0 = clock.now();
      // Four small writes in one instant (as umqtt writes a PUBLISH), then one after a pause.
      for (const part of ["0", "12", "345", "6789ab"]) await sock.write(enc(part));
      const tWritten = clock.now();
      await clock.sleep(100);
      await sock.write(enc("late"));
      await sock.read(16);
      return { t0, tWritten };
    });
    expect(times.tWritten).toBe(times.t0); // nothing waited
    // 12 bytes in an 8-byte MSS: one full segment, the rest in a second; the
    // write 100 ms later travels on its own. Same bytes, same order.
    expect(received.map((r) => r.split(" ")[1])).toEqual(["01234567", "89ab", "late"]);
    const [first, second] = received.map((r) => Number(r.split(" ")[0]));
    expect(second!).toBeGreaterThanOrEqual(first!);
    expect(first! - times.t0).toBeGreaterThanOrEqual(3);
    expect(first! - times.t0).toBeLessThan(5.1);
  });

  it("delivers in order under loss and jitter, stalling instead of dropping", async () => {
    const { clock, net, trace } = setup({ latencyMs: 5, jitterMs: 30, loss: 0.2, rtoMs: 200, mss: 64 });
    const chunks = Array.from({ length: 40 }, (_, i) => enc(`<chunk ${i} ${"x".repeat(i * 7)}>`));
    const expected = dec(new Uint8Array(chunks.flatMap((c) => [...c])));
    const got = await drive(clock, async () => {
      const sock = await connected(net);
      for (const c of chunks) await sock.write(c);
      return dec(await sock.read(expected!.length));
    });
    expect(got).toBe(expected);
    expect(net.state.counters.stalls).toBeGreaterThan(0);
    expect(trace.of("net").some((e) => e.event === "stall")).toBe(true);
  });
});

describe("Network: determinism", () => {
  async function schedule(seed: number): Promise<string[]> {
    const clock = new VirtualClock();
    const echo = echoServer();
    const log: string[] = [];
    const net = new Network({
      clock,
      board: "b1",
      seed,
      profile: { ...getProfile("flaky-wifi"), resetRatePerMin: 0, partitionRatePerMin: 0, wifiDropRatePerMin: 0, dnsFailRate: 0 },
      dial: echo.dial,
      onBytes: (dir, bytes) => log.push(`${clock.now().toFixed(3)} ${dir} ${bytes.length}`),
    });
    await drive(clock, async () => {
      const sock = await connected(net);
      for (let i = 0; i < 30; i++) {
        await sock.write(new Uint8Array(700).fill(i));
        await sock.read(700);
      }
    });
    return log;
  }

  it("same seed gives an identical delivery schedule, a different seed a different one", async () => {
    const a = await schedule(7);
    const b = await schedule(7);
    const c = await schedule(8);
    expect(a.length).toBeGreaterThan(30);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it("random faults follow the seed", async () => {
    async function faults(seed: number): Promise<string[]> {
      const clock = new VirtualClock();
      const trace = new Trace();
      const echo = echoServer();
      const net = new Network({
        clock,
        trace,
        board: "b1",
        seed,
        profile: profile({ latencyMs: 5, resetRatePerMin: 6, partitionRatePerMin: 6, partitionMinMs: 100, partitionMaxMs: 500 }),
        dial: echo.dial,
      });
      await drive(clock, async () => {
        // A robust-style loop: ping every second for a virtual minute, reconnecting after errors.
        let sock = await connected(net);
        while (clock.now() < 60_000) {
          try {
            await sock.write(enc("ping"));
            sock.settimeout(2);
            await sock.read(4);
            await clock.sleep(1000);
          } catch (err) {
            if (!(err instanceof OSError)) throw err;
            sock.close();
            await clock.sleep(500);
            sock = await connected(net);
          }
        }
        sock.close();
      });
      return trace.of("net").filter((e) => e.event === "reset" || e.event === "partition-start").map((e) => `${e.t.toFixed(1)} ${e.event}`);
    }
    const a = await faults(1);
    expect(a.length).toBeGreaterThan(3);
    expect(await faults(1)).toEqual(a);
    expect(await faults(2)).not.toEqual(a);
  });
});

describe("Network: faults as the socket sees them", () => {
  it("reset: the board's read raises ECONNRESET and the server stream is destroyed", async () => {
    const { clock, net, servers, trace } = setup({ latencyMs: 10 });
    const code = await drive(clock, async () => {
      const sock = await connected(net);
      clock.setTimer(100, () => net.injectFault("reset"));
      return errnoOf(sock.read(1));
    });
    expect(code).toBe(errno.ECONNRESET);
    expect(servers[0]!.destroyed).toBe(true);
    expect(net.state.counters.resets).toBe(1);
    expect(trace.of("net").map((e) => e.event)).toEqual(["connect", "reset"]);
    // Writes after the reset fail the same way.
  });

  it("reset: a write after the reset raises ECONNRESET", async () => {
    const { clock, net } = setup();
    const code = await drive(clock, async () => {
      const sock = await connected(net);
      net.injectFault("reset");
      return errnoOf(sock.write(enc("x")));
    });
    expect(code).toBe(errno.ECONNRESET);
  });

  it("write after the server closed: the first succeeds, then ECONNRESET once the server's RST is back (as lwIP)", async () => {
    // MicroPython's modlwip: the peer's FIN only marks the socket
    // STATE_PEER_CLOSED, which still passes the write's error check; the closed
    // peer answers the data with RST and lwIP's ERR_RST maps to ECONNRESET
    // (error_lookup_table in extmod/modlwip.c). Not EPIPE as on the unix port.
    const { clock, net, servers } = setup({ latencyMs: 10 });
    const r = await drive(clock, async () => {
      const sock = await connected(net);
      servers[0]!.end();
      const eof = await sock.read(1); // the FIN: an empty read
      const first = await sock.write(enc("a"));
      await clock.sleep(50); // the data reaches the closed server, its RST comes back
      return { eof: eof?.length, first, second: await errnoOf(sock.write(enc("b"))) };
    });
    expect(r).toEqual({ eof: 0, first: 1, second: errno.ECONNRESET });
  });

  it("short partition: nothing is delivered until it ends, then everything arrives in order", async () => {
    const { clock, net } = setup({ latencyMs: 10 });
    const r = await drive(clock, async () => {
      const sock = await connected(net);
      net.injectFault("partition", { durationMs: 5000 });
      const t0 = clock.now();
      await sock.write(enc("during"));
      const back = await sock.read(6);
      return { text: dec(back), waited: clock.now() - t0 };
    });
    expect(r.text).toBe("during");
    expect(r.waited).toBe(5000 + 10 + 10); // delivered one latency after the end, echoed back
    expect(net.state.partitioned).toBe(false);
  });

  it("long partition: the connection is aborted with ETIMEDOUT after the TCP give-up time", async () => {
    const { clock, net, servers } = setup({ latencyMs: 10, tcpGiveUpMs: 30_000 });
    const r = await drive(clock, async () => {
      const sock = await connected(net);
      net.injectFault("partition");
      const t0 = clock.now();
      const code = await errnoOf(sock.read(1));
      return { code, after: clock.now() - t0 };
    });
    expect(r).toEqual({ code: errno.ETIMEDOUT, after: 30_000 });
    expect(servers[0]!.destroyed).toBe(true);
  });

  it("Wi-Fi loss: open connections abort, connects fail with EHOSTUNREACH, lookups with the DNS errno", async () => {
    const { clock, net, trace } = setup({ latencyMs: 10 }, { dnsErrno: -202 });
    const r = await drive(clock, async () => {
      const sock = await connected(net);
      clock.setTimer(50, () => net.injectFault("wifi-down", { durationMs: 10_000 }));
      const onRead = await errnoOf(sock.read(1));
      const onConnect = await errnoOf(net.socket().connect({ host: "10.0.0.2", port: 1883 }));
      const onLookup = await errnoOf(net.getaddrinfo("broker.local", 1883));
      await clock.sleep(10_000);
      const again = await connected(net); // back after Wi-Fi returns
      again.close();
      return { onRead, onConnect, onLookup };
    });
    expect(r).toEqual({ onRead: errno.ECONNABORTED, onConnect: errno.EHOSTUNREACH, onLookup: -202 });
    expect(trace.of("net").map((e) => e.event)).toEqual(["connect", "wifi-down", "close", "dns-fail", "wifi-up", "connect", "close"]);
  });

  it("DNS failure: getaddrinfo raises the board's DNS errno until DNS returns; IP literals need no DNS", async () => {
    const { clock, net } = setup({}, { dnsErrno: -2 });
    const r = await drive(clock, async () => {
      net.injectFault("dns-fail", { durationMs: 1000 });
      const failed = await errnoOf(net.getaddrinfo("broker.local", 1883));
      const literal = await net.getaddrinfo("192.168.1.10", 1883);
      await clock.sleep(1000);
      const ok = await net.getaddrinfo("broker.local", 1883);
      return { failed, literal, ok };
    });
    expect(r).toEqual({
      failed: -2,
      literal: { host: "192.168.1.10", port: 1883 },
      ok: { host: "broker.local", port: 1883 },
    });
  });

  it("a refused dial raises ECONNREFUSED after a round trip", async () => {
    const clock = new VirtualClock();
    const net = new Network({
      clock,
      profile: profile({ latencyMs: 20 }),
      dial: () => Promise.reject(new Error("nobody listening")),
    });
    const r = await drive(clock, async () => ({ code: await errnoOf(connected(net)), at: clock.now() }));
    expect(r).toEqual({ code: errno.ECONNREFUSED, at: 40 });
    expect(net.state.counters.refused).toBe(1);
  });

  it("socket timeouts follow the clock: nothing read raises ETIMEDOUT, a partial read returns what came", async () => {
    const { clock, net } = setup({ latencyMs: 10 });
    const r = await drive(clock, async () => {
      const sock = await connected(net);
      sock.settimeout(2);
      const t0 = clock.now();
      const code = await errnoOf(sock.read(4));
      const waited = clock.now() - t0;
      await sock.write(enc("ab"));
      const partial = await sock.read(4);
      sock.settimeout(0);
      const nonBlocking = await sock.read(4);
      return { code, waited, partial: dec(partial), nonBlocking };
    });
    expect(r).toEqual({ code: errno.ETIMEDOUT, waited: 2000, partial: "ab", nonBlocking: null });
  });

  it("a connect timeout raises ETIMEDOUT while partitioned", async () => {
    const { clock, net } = setup({ latencyMs: 10 });
    const r = await drive(clock, async () => {
      net.injectFault("partition");
      const sock = net.socket();
      sock.settimeout(3);
      const code = await errnoOf(sock.connect({ host: "10.0.0.2", port: 1883 }));
      net.injectFault("partition-end");
      return { code, at: clock.now() };
    });
    expect(r).toEqual({ code: errno.ETIMEDOUT, at: 3000 });
  });

  it("the server closing gives the board EOF (an empty read), after the data before it", async () => {
    const clock = new VirtualClock();
    const net = new Network({
      clock,
      profile: profile({ latencyMs: 5 }),
      dial: () => {
        const [board, server] = createStreamPair();
        server.end("bye");
        return board;
      },
    });
    const r = await drive(clock, async () => {
      const sock = await connected(net);
      return [dec(await sock.read(3)), dec(await sock.read(1))];
    });
    expect(r).toEqual(["bye", ""]);
  });

  it("closing the socket ends the server stream after the last bytes, and later reads are empty", async () => {
    const clock = new VirtualClock();
    const received: string[] = [];
    let ended = false;
    const net = new Network({
      clock,
      profile: profile({ latencyMs: 5 }),
      dial: () => {
        const [board, server] = createStreamPair();
        server.on("data", (d: Buffer) => received.push(d.toString()));
        server.on("end", () => (ended = true));
        return board;
      },
    });
    const r = await drive(clock, async () => {
      const sock = await connected(net);
      await sock.write(enc("e000"));
      sock.close();
      await clock.sleep(100);
      return { read: await sock.read(1), write: await errnoOf(sock.write(enc("x"))) };
    });
    expect(received.join("")).toBe("e000");
    expect(ended).toBe(true);
    expect(r.read).toEqual(new Uint8Array(0));
    expect(r.write).toBe(errno.EBADF);
  });

  it("taps every delivered byte per connection", async () => {
    const { clock, net } = setup({ latencyMs: 1 });
    const seen: string[] = [];
    net.onConnection((conn) => {
      conn.onBytes = (dir, bytes) => seen.push(`#${conn.id} ${dir} ${dec(bytes)}`);
    });
    await drive(clock, async () => {
      const sock = await connected(net);
      await sock.write(enc("abc"));
      await sock.read(3);
      sock.close();
    });
    expect(seen).toEqual(["#1 out abc", "#1 in abc"]);
    expect(net.state.counters).toMatchObject({ bytesOut: 3, bytesIn: 3, connections: 1 });
  });
});

describe("Network through a real TCP socket", () => {
  it("echoes through 127.0.0.1 with the virtual clock driving in the background", async () => {
    const server = createServer((s) => s.pipe(s));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const port = (server.address() as AddressInfo).port;
    const clock = new VirtualClock();
    const net = new Network({
      clock,
      profile: profile({ latencyMs: 25 }),
      dial: (addr) =>
        new Promise<Duplex>((resolve, reject) => {
          const s = tcpConnect(addr.port, addr.host, () => resolve(s));
          s.once("error", reject);
        }),
    });
    clock.start();
    try {
      const sock = net.socket();
      await sock.connect({ host: "127.0.0.1", port });
      expect(clock.now()).toBe(50);
      await sock.write(enc("over tcp"));
      expect(dec(await sock.read(8))).toBe("over tcp");
      expect(clock.now()).toBe(100);
      sock.close();
      const refused = net.socket();
      await new Promise<void>((r) => server.close(() => r()));
      expect(await errnoOf(refused.connect({ host: "127.0.0.1", port }))).toBe(errno.ECONNREFUSED);
    } finally {
      clock.stop();
      server.close();
    }
  });
});
