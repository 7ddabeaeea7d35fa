// The real node transport: MicroPython stream semantics over node:net, error
// mapping to OSError errno values, and TLS (a node:tls server with a
// throw-away self-signed certificate made by openssl; skipped without openssl).

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as tls from "node:tls";
import * as net from "node:net";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CERT_REQUIRED, NodeSocket, NodeSslContext, NodeTransport } from "../../src/client/node-transport.ts";
import { MQTTClient } from "../../src/client/simple.ts";
import { OSError, errno } from "../../src/client/errors.ts";
import { freePort } from "../support/mosquitto.ts";
import { LoopbackPeer } from "./loopback.ts";

let peer: LoopbackPeer;
const socks: NodeSocket[] = [];
beforeEach(async () => {
  peer = await LoopbackPeer.start();
  peer.connack = null;
});
afterEach(async () => {
  for (const s of socks.splice(0)) s.close();
  await peer.close();
});

async function connected(): Promise<NodeSocket> {
  const s = new NodeSocket();
  socks.push(s);
  await s.connect({ host: "127.0.0.1", port: peer.port });
  return s;
}

describe("NodeSocket", () => {
  it("blocking read waits for n bytes across chunks", async () => {
    const s = await connected();
    const conn = await peer.conn(0);
    const r = s.read(5);
    conn.send("0102");
    await new Promise((x) => setTimeout(x, 20));
    conn.send("030405ff");
    expect(Array.from((await r)!)).toEqual([1, 2, 3, 4, 5]);
    expect(Array.from((await s.read(1))!)).toEqual([0xff]);
  });

  it("non-blocking read returns null when nothing is buffered, data when some is", async () => {
    const s = await connected();
    const conn = await peer.conn(0);
    s.setblocking(false);
    expect(await s.read(4)).toBeNull();
    conn.send("0a0b");
    await new Promise((x) => setTimeout(x, 30));
    expect(Array.from((await s.read(4))!)).toEqual([10, 11]);
  });

  it("timeout with nothing read: OSError(ETIMEDOUT); after a partial read: the partial bytes", async () => {
    const s = await connected();
    const conn = await peer.conn(0);
    s.settimeout(0.1);
    await expect(s.read(1)).rejects.toMatchObject({ errno: errno.ETIMEDOUT });
    conn.send("01");
    expect(Array.from((await s.read(3))!)).toEqual([1]);
  });

  it("peer close: short then empty reads", async () => {
    const s = await connected();
    const conn = await peer.conn(0);
    conn.send("0102");
    conn.end();
    expect(Array.from((await s.read(4))!)).toEqual([1, 2]);
    expect((await s.read(1))!.length).toBe(0);
  });

  it("connection refused: OSError(ECONNREFUSED)", async () => {
    const s = new NodeSocket();
    socks.push(s);
    await expect(s.connect({ host: "127.0.0.1", port: await freePort() })).rejects.toMatchObject({ errno: errno.ECONNREFUSED });
  });

  it("after close(): reads are empty, writes fail with EBADF, a pending read ends", async () => {
    const s = await connected();
    const pending = s.read(10);
    s.close();
    expect((await pending)!.length).toBe(0);
    expect((await s.read(1))!.length).toBe(0);
    await expect(s.write(Uint8Array.of(1))).rejects.toMatchObject({ errno: errno.EBADF });
  });

  it("writes are batched but keep their bytes: reusing a buffer after write does not change what was sent", async () => {
    const s = await connected();
    const conn = await peer.conn(0);
    const buf = Uint8Array.of(1, 2, 3, 4);
    await s.write(buf);
    buf.set([9, 9, 9, 9]);
    await s.write(buf.subarray(0, 2));
    await s.write(new Uint8Array(20_000).fill(7)); // above Node's buffer mark: waits for it to drain
    const got = await conn.waitBytes(20_006);
    expect(got.subarray(0, 6).toString("hex")).toBe("010203040909");
    expect(got.subarray(6).every((b) => b === 7)).toBe(true);
  });

  it("bytes written just before close() still reach the peer", async () => {
    const s = await connected();
    const conn = await peer.conn(0);
    await s.write(Uint8Array.of(0xe0));
    await s.write(Uint8Array.of(0x00));
    s.close();
    expect((await conn.waitBytes(2)).toString("hex")).toBe("e000");
  });

  it("a write to a connection the peer reset fails with OSError, at once or on the next write", async () => {
    const s = await connected();
    const conn = await peer.conn(0);
    conn.sock.resetAndDestroy();
    await new Promise((x) => setTimeout(x, 50));
    let err: unknown = null;
    for (let i = 0; i < 5 && err === null; i++) {
      await s.write(Uint8Array.of(1)).catch((e) => (err = e));
      await new Promise((x) => setTimeout(x, 20));
    }
    expect(err).toBeInstanceOf(OSError);
    expect((err as OSError).errno).toBe(errno.ECONNRESET);
  });

  it("getaddrinfo resolves an IP literal and localhost", async () => {
    const t = new NodeTransport();
    expect(await t.getaddrinfo("127.0.0.1", 1883)).toEqual({ host: "127.0.0.1", port: 1883 });
    expect((await t.getaddrinfo("localhost", 1)).host).toBe("127.0.0.1");
  });

  it("a connect timeout on the client maps to OSError", async () => {
    const c = new MQTTClient("c", "127.0.0.1", { port: peer.port });
    // No CONNACK comes: the 0.2 s timeout applies to the CONNACK read.
    await expect(c.connect(true, 0.2)).rejects.toBeInstanceOf(OSError);
    c.sock?.close();
  });
});

const hasOpenssl = spawnSync("openssl", ["version"]).status === 0;

describe.skipIf(!hasOpenssl)("TLS", () => {
  let dir: string;
  let server: tls.Server;
  let port: number;
  let certPem: string;
  const conns = new Set<net.Socket>();

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "umqtt-bench-tls-"));
    const r = spawnSync("openssl", [
      "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
      "-addext", "subjectAltName=DNS:localhost", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"),
    ]);
    if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
    certPem = readFileSync(join(dir, "cert.pem"), "utf8");
    server = tls.createServer({ key: readFileSync(join(dir, "key.pem")), cert: certPem }, (s) => {
      s.on("error", () => {});
      s.once("data", () => s.write(Buffer.from("20020000", "hex")));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as net.AddressInfo).port;
    server.on("connection", (s) => conns.add(s));
  });
  afterEach(async () => {
    for (const s of conns) s.destroy();
    conns.clear();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it("ssl=true with ssl_params (CA, verification, server_hostname) connects over TLS", async () => {
    const c = new MQTTClient("c", "127.0.0.1", { port, ssl: true, ssl_params: { ca: certPem, cert_reqs: CERT_REQUIRED, server_hostname: "localhost" } });
    expect(await c.connect()).toBe(0);
    await c.disconnect();
  });

  it("ssl=true with verification against the wrong CA fails with OSError", async () => {
    const c = new MQTTClient("c", "127.0.0.1", { port, ssl: true, ssl_params: { cert_reqs: CERT_REQUIRED, server_hostname: "localhost" } });
    await expect(c.connect()).rejects.toBeInstanceOf(OSError);
    c.sock?.close();
  });

  it("an SslContext wraps with server_hostname = server", async () => {
    const ctx = new NodeSslContext();
    ctx.load_verify_locations({ cadata: certPem });
    ctx.verify_mode = CERT_REQUIRED;
    const c = new MQTTClient("c", "localhost", { port, ssl: ctx });
    expect(await c.connect()).toBe(0);
    await c.disconnect();
  });
});
