// A recording TCP proxy on 127.0.0.1: the client connects to it, it forwards
// every byte to a real broker and back, and records what the client sent in
// the chunks the proxy's socket read them in. A chunk boundary inside one
// MQTT operation means the client handed that operation to the kernel in
// more than one piece (what made Nagle's algorithm wait for a delayed ACK).

import * as net from "node:net";

export class RecordingProxy {
  /** Client-to-broker bytes of every connection, in order of arrival. */
  readonly sent: Buffer[][] = [];
  private readonly sockets = new Set<net.Socket>();

  private constructor(private readonly server: net.Server) {}

  static async start(target: { host: string; port: number }): Promise<RecordingProxy> {
    const server = net.createServer();
    const proxy = new RecordingProxy(server);
    server.on("connection", (client) => {
      const chunks: Buffer[] = [];
      proxy.sent.push(chunks);
      const upstream = net.connect(target);
      upstream.setNoDelay(true);
      client.setNoDelay(true);
      for (const s of [client, upstream]) {
        proxy.sockets.add(s);
        s.on("error", () => {});
        s.on("close", () => proxy.sockets.delete(s));
      }
      client.on("data", (d) => {
        chunks.push(Buffer.from(d));
        upstream.write(d);
      });
      upstream.on("data", (d) => client.write(d));
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** Everything connection `i` sent, as hex. */
  hex(i = 0): string {
    return Buffer.concat(this.sent[i] ?? []).toString("hex");
  }

  /** Byte offsets where connection `i`'s chunks ended. */
  boundaries(i = 0): number[] {
    let at = 0;
    return (this.sent[i] ?? []).map((c) => (at += c.length));
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
