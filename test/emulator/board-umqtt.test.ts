// The umqtt modules a board's firmware imports: each board's MQTTClient is
// its own (robust's DELAY set on one board's class stays on that board),
// clients are instances of it and of umqtt's class, and they talk to the
// embedded aedes broker over each board's own simulated network; a real
// aedes on TCP receives exactly the bytes umqtt wrote.

import { createServer, connect as tcpConnect, type AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { Aedes } from "aedes";
import { afterEach, describe, expect, it } from "vitest";
import * as robust from "../../src/client/robust.ts";
import * as simple from "../../src/client/simple.ts";
import { Board } from "../../src/emulator/board/board.ts";
import { EmbeddedBroker } from "../../src/emulator/broker/embedded.ts";
import { VirtualClock } from "../../src/emulator/clock/virtual-clock.ts";
import type { FirmwareContext } from "../../src/emulator/firmware/context.ts";
import { b } from "../../src/emulator/firmware/py.ts";
import { BoardHost } from "../../src/emulator/runner/board-host.ts";
import { Trace } from "../../src/emulator/trace.ts";

let broker: EmbeddedBroker | undefined;
afterEach(async () => {
  await broker?.close();
  broker = undefined;
});

async function twoBoards(firmware: (name: string, board: FirmwareContext) => Promise<void>) {
  const clock = new VirtualClock();
  const trace = new Trace();
  broker = await EmbeddedBroker.start({ clock, trace, onActivity: () => clock.markActivity() });
  const hosts = ["b1", "b2"].map((name) => {
    const board = new Board({ definition: "esp8266", clock, trace, name, profile: "wifi", dial: (addr) => broker!.dial(addr, name), resolve: () => ({ host: "broker.local", port: 1883 }) });
    return new BoardHost({ name, board: "esp8266", firmware: "inline", params: {} }, board, (ctx) => firmware(name, ctx), "broker.local");
  });
  for (const host of hosts) host.start();
  await clock.runUntil(10_000);
  for (const host of hosts) host.stop();
  return { trace, hosts };
}

describe("a board's umqtt modules", () => {
  it("robust's DELAY set on one board's MQTTClient applies to that board's clients only", async () => {
    const seen: Record<string, unknown[]> = {};
    await twoBoards(async (name, { umqtt }) => {
      const { MQTTClient } = umqtt.robust;
      if (name === "b1") MQTTClient.DELAY = 5;
      const c = new MQTTClient(`${name}-client`, "broker.local");
      seen[name] = [c.DELAY, c instanceof MQTTClient, c instanceof robust.MQTTClient, c instanceof simple.MQTTClient, umqtt.robust.MQTTClient === MQTTClient];
    });
    expect(seen).toEqual({ b1: [5, true, true, true, true], b2: [2, true, true, true, true] });
    expect(robust.MQTTClient.DELAY).toBe(2);
  });

  it("firmware can subclass a board's MQTTClient: its own methods and fields, and the board's network", async () => {
    const seen: unknown[] = [];
    await twoBoards(async (name, { umqtt }) => {
      if (name !== "b1") return;
      class Named extends umqtt.simple.MQTTClient {
        readonly label = "named";
        hello(): string {
          return `${this.label} ${String(this.client_id)}`;
        }
      }
      const c = new Named("b1-client", "broker.local");
      seen.push(c.hello(), c instanceof Named, c instanceof umqtt.simple.MQTTClient, c.constructor === Named);
      await c.connect();
      seen.push("connected");
      await c.disconnect();
    });
    expect(seen).toEqual(["named b1-client", true, true, true, "connected"]);
  });

  it("clients of two boards exchange a message through the embedded broker", async () => {
    const got: string[] = [];
    const { hosts } = await twoBoards(async (name, { umqtt, time }) => {
      const c = new umqtt.simple.MQTTClient(`${name}-client`, "broker.local");
      await c.connect();
      if (name === "b2") {
        c.set_callback((topic, msg) => void got.push(`${new TextDecoder().decode(topic)} ${new TextDecoder().decode(msg)}`));
        await c.subscribe(b("to/b2"));
        await c.wait_msg();
      } else {
        await time.sleep_ms(500);
        await c.publish(b("to/b2"), b("hello from b1"));
      }
    });
    expect(got).toEqual(["to/b2 hello from b1"]);
    expect(hosts.map((h) => h.crashReason)).toEqual([undefined, undefined]);
  });
});

describe("umqtt's writes on the wire", () => {
  it("a real aedes on 127.0.0.1 receives exactly the bytes umqtt wrote, in fewer segments than writes", async () => {
    const aedes = await Aedes.createBroker({ heartbeatInterval: 500_000_000 });
    const atBroker: Buffer[] = [];
    const server = createServer((socket) => {
      socket.on("data", (chunk: Buffer) => void atBroker.push(Buffer.from(chunk)));
      aedes.handle(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const port = (server.address() as AddressInfo).port;
    try {
      const clock = new VirtualClock();
      const trace = new Trace();
      const board = new Board({
        definition: "esp8266",
        clock,
        trace,
        name: "b1",
        profile: "wifi",
        dial: (addr) =>
          new Promise<Duplex>((resolve, reject) => {
            const s = tcpConnect(addr.port, addr.host, () => resolve(s));
            s.once("error", reject);
          }),
        resolve: () => ({ host: "127.0.0.1", port }),
      });
      const written: Uint8Array[] = [];
      board.network.onConnection((conn) => {
        conn.onBytes = (dir, bytes) => void (dir === "out" && written.push(bytes));
      });
      let done = false;
      const host = new BoardHost({ name: "b1", board: "esp8266", firmware: "inline", params: {} }, board, async ({ umqtt }) => {
        const c = new umqtt.simple.MQTTClient("wire-check", "broker.local");
        c.set_callback(() => {}); // its own messages come back while a QoS 1 publish waits for its PUBACK
        await c.connect();
        await c.subscribe(b("wire/#"));
        for (let i = 0; i < 5; i++) await c.publish(b(`wire/${i}`), b(`payload ${i} ${"x".repeat(i * 40)}`), false, i % 2);
        await c.disconnect();
        done = true;
      }, "broker.local");
      clock.start();
      host.start();
      for (let i = 0; i < 200 && !(done && Buffer.concat(atBroker).length === Buffer.concat(written).length); i++) await new Promise((r) => setTimeout(r, 10));
      clock.stop();
      expect([done, host.crashReason]).toEqual([true, undefined]);
      expect(Buffer.concat(atBroker).equals(Buffer.concat(written))).toBe(true);
      // connect: 2+ writes, subscribe: several, 5 publishes: 4-5 writes each; the broker saw far fewer chunks.
      expect(written.length).toBeGreaterThan(20);
      expect(atBroker.length).toBeLessThan(written.length / 2);
    } finally {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
