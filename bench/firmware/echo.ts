// Bench-only firmware for bench/many-boards.ts: connect with umqtt.simple,
// subscribe to the board's own topic, then once every virtual second publish
// a short message there and wait for it to come back (one round trip through
// the broker per board per second). Counters go to `params.stats` so the
// bench needs no trace.

import type { Firmware } from "../../src/emulator/firmware/context.ts";
import { b } from "../../src/emulator/firmware/py.ts";

export interface EchoStats {
  ready: number;
  sent: number;
  received: number;
  done: number;
}

const firmware: Firmware = async ({ machine, time, ubinascii, umqtt, SERVER, params }) => {
  const stats = params.stats as EchoStats;
  const seconds = Number(params.seconds ?? 10);
  const phaseMs = Number(params.phase_ms ?? 0); // spreads the boards over each second
  const id = new TextDecoder().decode(ubinascii.hexlify(machine.unique_id()));
  const topic = b(`bench/${String(params.index ?? id)}`);
  const c = new umqtt.simple.MQTTClient(`${id}-${String(params.index ?? "")}`, SERVER);
  c.set_callback(() => void stats.received++);
  await c.connect();
  await c.subscribe(topic);
  stats.ready++;
  for (let i = 0; i < seconds; i++) {
    // Next instant at `phaseMs` past a whole virtual second.
    const now = time.ticks_ms();
    const next = (Math.floor((now - phaseMs) / 1000) + 1) * 1000 + phaseMs;
    await time.sleep_ms(next - now);
    await c.publish(topic, b(`tick ${i}`));
    stats.sent++;
    await c.wait_msg(); // its own message, back from the broker
  }
  stats.done++;
  // Stay connected and idle, as a device waiting for commands would.
  for (;;) await c.wait_msg();
};

export default firmware;
