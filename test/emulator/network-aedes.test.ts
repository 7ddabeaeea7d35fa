// The simulated network against a real in-process aedes broker: a reset
// board is seen by the broker as a dropped client, which publishes its will.

import { Aedes } from "aedes";
import mqttPacket from "mqtt-packet";
import { afterEach, describe, expect, it } from "vitest";
import { errno, OSError } from "../../src/client/errors.ts";
import type { Socket } from "../../src/client/socket.ts";
import { Network } from "../../src/emulator/network/network.ts";
import { getProfile } from "../../src/emulator/network/net-profiles.ts";
import { createStreamPair } from "../../src/emulator/network/stream-pair.ts";
import { Trace } from "../../src/emulator/trace.ts";
import { VirtualClock } from "../../src/emulator/clock/virtual-clock.ts";

const gen = (packet: object) => new Uint8Array(mqttPacket.generate(packet as mqttPacket.Packet));

let broker: Aedes | undefined;
afterEach(async () => {
  await new Promise<void>((r) => broker?.close(() => r()) ?? r());
  broker = undefined;
});

async function mqttConnect(net: Network, clientId: string, will?: { topic: string; payload: string }): Promise<Socket> {
  const sock = net.socket();
  await sock.connect(await net.getaddrinfo("broker.local", 1883));
  await sock.write(
    gen({
      cmd: "connect",
      protocolId: "MQTT",
      protocolVersion: 4,
      clean: true,
      clientId,
      keepalive: 0,
      ...(will ? { will: { topic: will.topic, payload: Buffer.from(will.payload), qos: 0, retain: false } } : {}),
    }),
  );
  const connack = await sock.read(4);
  expect([...connack!]).toEqual([0x20, 0x02, 0x00, 0x00]);
  return sock;
}

describe("Network with an in-process aedes broker", () => {
  it("a reset board's will reaches a subscriber through the simulated network", async () => {
    broker = await Aedes.createBroker({ heartbeatInterval: 500_000_000 /* aedes multiplies it by 4 for a setTimeout */ });
    const aedes = broker;
    const clock = new VirtualClock();
    const trace = new Trace();
    const dial = () => {
      const [boardEnd, brokerEnd] = createStreamPair();
      aedes.handle(brokerEnd);
      return boardEnd;
    };
    const profile = { ...getProfile("wifi"), jitterMs: 0 };
    const net1 = new Network({ clock, trace, board: "board1", profile, dial, seed: 1 });
    const net2 = new Network({ clock, trace, board: "board2", profile, dial, seed: 1 });

    const board1 = (async () => {
      const sock = await mqttConnect(net1, "board1", { topic: "status/board1", payload: "offline" });
      try {
        await sock.read(1); // blocks until the reset
        return "no error";
      } catch (err) {
        return err instanceof OSError ? err.errno : String(err);
      }
    })();

    const board2 = (async () => {
      const sock = await mqttConnect(net2, "board2");
      await sock.write(gen({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "status/#", qos: 0 }] }));
      expect([...(await sock.read(5))!]).toEqual([0x90, 0x03, 0x00, 0x01, 0x00]);
      const header = await sock.read(2);
      const rest = await sock.read(header![1]!);
      const topicLen = (rest![0]! << 8) | rest![1]!;
      const text = new TextDecoder();
      return { at: clock.now(), topic: text.decode(rest!.subarray(2, 2 + topicLen)), payload: text.decode(rest!.subarray(2 + topicLen)) };
    })();

    clock.setTimer(1000, () => net1.injectFault("reset"));
    await clock.runUntil(10_000);
    expect(await board1).toBe(errno.ECONNRESET);
    const will = await board2;
    expect(will.topic).toBe("status/board1");
    expect(will.payload).toBe("offline");
    expect(will.at).toBeGreaterThan(1000);
    expect(will.at).toBeLessThan(1100); // one latency to the board after aedes publishes
    expect(trace.of("net").filter((e) => e.board === "board1").map((e) => e.event)).toEqual(["connect", "reset"]);
  });
});
