// An embedded aedes 1.x broker served over node:net on 127.0.0.1 (free port),
// for integration tests. stop()/start() restart it on the same port with a
// fresh broker (in-memory state is lost, as when a real broker restarts
// without persistence).

import * as net from "node:net";
import { Aedes } from "aedes";

export interface TestBrokerOptions {
  /** user -> password. Anonymous clients are always allowed; a known user with a wrong password is refused. */
  users?: Record<string, string>;
}

export interface TestBroker {
  readonly name: string;
  readonly port: number;
  /** Stop serving: close the listener and drop every connection. */
  stop(): Promise<void>;
  /** Serve again on the same port after stop(). */
  start(): Promise<void>;
}

export class AedesBroker implements TestBroker {
  readonly name = "aedes";
  private broker: Aedes | null = null;
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  private portNumber = 0;

  constructor(private readonly options: TestBrokerOptions = {}) {}

  get port(): number {
    return this.portNumber;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const users = this.options.users ?? {};
    const broker = await Aedes.createBroker({
      authenticate: (_client, username, password, done) => {
        if (username === undefined) return done(null, true);
        if (users[username] !== undefined && users[username] === password?.toString()) return done(null, true);
        const err = Object.assign(new Error("bad user name or password"), { returnCode: 4 as const });
        done(err, null);
      },
    });
    const server = net.createServer((s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
      broker.handle(s);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.portNumber, "127.0.0.1", () => resolve());
    });
    this.portNumber = (server.address() as net.AddressInfo).port;
    this.broker = broker;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    const broker = this.broker;
    this.server = null;
    this.broker = null;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()));
  }
}

export async function startAedes(options: TestBrokerOptions = {}): Promise<AedesBroker> {
  const b = new AedesBroker(options);
  await b.start();
  return b;
}
