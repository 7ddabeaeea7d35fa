// A scripted MQTT peer on a real loopback TCP socket (127.0.0.1, free port):
// it records every byte the client writes and writes whatever a test scripts.
// Used where a broker cannot produce the case under test (bad CONNACKs, stray
// acks, precise interleavings); real brokers are in integration.test.ts.

import * as net from "node:net";
import { afterEach, beforeEach } from "vitest";
import { fromHex } from "../../src/client/bytes.ts";
import { MQTTClient, type ClientOptions } from "../../src/client/simple.ts";

export class PeerConn {
  received = Buffer.alloc(0);
  closed = false;
  private waiters: (() => void)[] = [];

  constructor(readonly sock: net.Socket) {
    sock.on("data", (d) => {
      this.received = Buffer.concat([this.received, d]);
      this.wake();
    });
    sock.on("close", () => {
      this.closed = true;
      this.wake();
    });
    sock.on("error", () => {});
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves with everything received once at least `n` bytes came in. */
  async waitBytes(n: number, timeoutMs = 3000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < n) {
      if (this.closed) throw new Error(`peer closed with ${this.received.length}/${n} bytes`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out with ${this.received.length}/${n} bytes: ${this.received.toString("hex")}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.received;
  }

  /** Drop the first `n` received bytes (already checked). */
  consume(n: number): Buffer {
    const head = this.received.subarray(0, n);
    this.received = this.received.subarray(n);
    return head;
  }

  /** Wait for the next bytes from the client, consume them, and throw unless they are exactly `hex`. */
  async expect(hex: string, timeoutMs = 3000): Promise<string> {
    const want = fromHex(hex);
    await this.waitBytes(want.length, timeoutMs);
    const got = this.consume(want.length).toString("hex");
    if (got !== Buffer.from(want).toString("hex")) throw new Error(`expected ${Buffer.from(want).toString("hex")}\n     got ${got}`);
    return got;
  }

  send(data: string | Uint8Array): void {
    this.sock.write(typeof data === "string" ? fromHex(data) : data);
  }

  end(): void {
    this.sock.end();
  }
}

export class LoopbackPeer {
  readonly conns: PeerConn[] = [];
  /** Written as soon as a connection is accepted (before CONNECT arrives); null for none. */
  connack: string | null = "20020000";
  private waiters: (() => void)[] = [];

  private constructor(private readonly server: net.Server) {
    server.on("connection", (s) => {
      const c = new PeerConn(s);
      this.conns.push(c);
      if (this.connack) c.send(this.connack);
      const w = this.waiters;
      this.waiters = [];
      for (const f of w) f();
    });
  }

  static async start(): Promise<LoopbackPeer> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return new LoopbackPeer(server);
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** The i-th accepted connection, waiting for it if needed. */
  async conn(i = 0, timeoutMs = 3000): Promise<PeerConn> {
    const deadline = Date.now() + timeoutMs;
    while (this.conns.length <= i) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no connection #${i}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.conns[i];
  }

  async close(): Promise<void> {
    for (const c of this.conns) c.sock.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Hex of a string's UTF-8 bytes, to spell expected packets readably. */
export const hexOf = (s: string): string => Buffer.from(s, "utf8").toString("hex");

/** CONNECT for client id "c": RL 10 + 2 + 1 = 13 = 0x0d, `00 04 MQTT 04`, flags 02 (clean), keepalive 0. */
export const CONNECT_C = `100d00044d515454040200000001${hexOf("c")}`;

/**
 * A fresh peer for every test of the calling file, and the clients made
 * through it closed after each test: the setup the client suites share.
 */
export function loopbackPerTest() {
  let current: LoopbackPeer | null = null;
  const clients: MQTTClient[] = [];
  beforeEach(async () => {
    current = await LoopbackPeer.start();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.sock?.close();
    await current?.close();
    current = null;
  });
  const fixture = {
    get peer(): LoopbackPeer {
      if (!current) throw new Error("the loopback peer exists only inside a test");
      return current;
    },
    /** An umqtt.simple client aimed at this test's peer. */
    client(id: string, options: ClientOptions = {}): MQTTClient {
      const c = new MQTTClient(id, "127.0.0.1", { port: fixture.peer.port, ...options });
      clients.push(c);
      return c;
    },
    /** Connects `c`, then checks and consumes its CONNECT bytes on the peer's i-th connection. */
    async connected(c: MQTTClient, connectHex: string, options: { clean?: boolean; conn?: number } = {}): Promise<PeerConn> {
      await c.connect(options.clean ?? true);
      const conn = await fixture.peer.conn(options.conn ?? 0);
      await conn.expect(connectHex);
      return conn;
    },
  };
  return fixture;
}
