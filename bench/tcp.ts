// Our umqtt client on real TCP (127.0.0.1) against MQTT.js, the same broker,
// the same run: QoS 1 publish + PUBACK round trip, and QoS 0 publish rate
// (30 B payload), on mosquitto (skipped when not installed) and on aedes
// served over node:net. Each figure is the median of alternating rounds.
//
//   node --import tsx bench/tcp.ts [--json] [--rtt 500] [--count 20000] [--rounds 3]
//
// Ratio > 1 means ours is faster: MQTT.js time / ours for round trips,
// ours / MQTT.js for the publish rate. QoS 0 is timed until the broker has
// taken every message: a QoS 1 publish after them is the fence (brokers
// handle one connection's packets in order). Ours awaits each publish, as a
// firmware does; MQTT.js is given all of them at once, as its users do.

import { connectAsync, type MqttClient } from "mqtt";
import { MQTTClient } from "../src/client/simple.ts";
import { AedesBroker } from "../test/support/aedes.ts";
import { MosquittoBroker, findMosquitto } from "../test/support/mosquitto.ts";
import { emitResult, fixed, int, median, numberArg, table } from "./lib.ts";

export interface TcpRow {
  broker: string;
  oursRttUs: number;
  mqttjsRttUs: number;
  /** Process CPU time per round trip (with aedes, the broker's too): steadier than wall time. */
  oursRttCpuUs: number;
  mqttjsRttCpuUs: number;
  oursQos0PerS: number;
  mqttjsQos0PerS: number;
  oursQos0CpuUs: number;
  mqttjsQos0CpuUs: number;
}

const PAYLOAD = "p".repeat(30);

interface Side {
  /** µs per round trip, and process CPU µs per round trip. */
  rttUs(n: number): Promise<[number, number]>;
  /** msgs/s and CPU µs per message. */
  qos0(n: number): Promise<[number, number]>;
  close(): Promise<void>;
}

function perRoundTrip(startMs: number, startCpu: NodeJS.CpuUsage, n: number): [number, number] {
  const used = process.cpuUsage(startCpu);
  return [((performance.now() - startMs) * 1000) / n, (used.user + used.system) / n];
}

async function ours(port: number): Promise<Side> {
  const c = new MQTTClient("bench-ours", "127.0.0.1", { port });
  await c.connect();
  return {
    async rttUs(n) {
      const cpu = process.cpuUsage();
      const t = performance.now();
      for (let i = 0; i < n; i++) await c.publish("bench/rtt/ours", PAYLOAD, false, 1);
      return perRoundTrip(t, cpu, n);
    },
    async qos0(n) {
      const cpu = process.cpuUsage();
      const t = performance.now();
      for (let i = 0; i < n; i++) await c.publish("bench/q0/ours", PAYLOAD);
      await c.publish("bench/q0/ours", PAYLOAD, false, 1);
      const ms = performance.now() - t;
      const used = process.cpuUsage(cpu);
      return [(n * 1000) / ms, (used.user + used.system) / n];
    },
    async close() {
      await c.disconnect();
    },
  };
}

async function mqttjs(port: number): Promise<Side> {
  const c: MqttClient = await connectAsync({ host: "127.0.0.1", port, clientId: "bench-mqttjs", reconnectPeriod: 0 });
  return {
    async rttUs(n) {
      const cpu = process.cpuUsage();
      const t = performance.now();
      for (let i = 0; i < n; i++) await c.publishAsync("bench/rtt/mqttjs", PAYLOAD, { qos: 1 });
      return perRoundTrip(t, cpu, n);
    },
    async qos0(n) {
      const cpu = process.cpuUsage();
      const t = performance.now();
      for (let i = 0; i < n; i++) c.publish("bench/q0/mqttjs", PAYLOAD, { qos: 0 });
      await c.publishAsync("bench/q0/mqttjs", PAYLOAD, { qos: 1 });
      const ms = performance.now() - t;
      const used = process.cpuUsage(cpu);
      return [(n * 1000) / ms, (used.user + used.system) / n];
    },
    async close() {
      await c.endAsync();
    },
  };
}

export async function measure(broker: string, port: number, rtt: number, count: number, rounds: number): Promise<TcpRow> {
  const a = await ours(port);
  const b = await mqttjs(port);
  // Warm-up: compiled code and broker state, not measured.
  await a.rttUs(50);
  await b.rttUs(50);
  await a.qos0(1000);
  await b.qos0(1000);
  // Each round: [time, CPU] per round trip, and [msgs/s, CPU per msg], for each side, the sides alternated.
  const samples = { ours: { rtt: [] as [number, number][], qos0: [] as [number, number][] }, mqttjs: { rtt: [] as [number, number][], qos0: [] as [number, number][] } };
  for (let i = 0; i < rounds; i++) {
    samples.ours.rtt.push(await a.rttUs(rtt));
    samples.mqttjs.rtt.push(await b.rttUs(rtt));
    samples.ours.qos0.push(await a.qos0(count));
    samples.mqttjs.qos0.push(await b.qos0(count));
  }
  await a.close();
  await b.close();
  const col = (list: [number, number][], i: 0 | 1) => median(list.map((pair) => pair[i]));
  return {
    broker,
    oursRttUs: col(samples.ours.rtt, 0),
    mqttjsRttUs: col(samples.mqttjs.rtt, 0),
    oursRttCpuUs: col(samples.ours.rtt, 1),
    mqttjsRttCpuUs: col(samples.mqttjs.rtt, 1),
    oursQos0PerS: col(samples.ours.qos0, 0),
    mqttjsQos0PerS: col(samples.mqttjs.qos0, 0),
    oursQos0CpuUs: col(samples.ours.qos0, 1),
    mqttjsQos0CpuUs: col(samples.mqttjs.qos0, 1),
  };
}

export function formatTcp(rows: TcpRow[]): string {
  const out: string[][] = [];
  for (const r of rows) {
    out.push([
      `QoS 1 publish + PUBACK (${r.broker})`,
      `${fixed(r.oursRttUs, 0)} µs (${fixed(r.oursRttCpuUs, 0)} µs CPU)`,
      `${fixed(r.mqttjsRttUs, 0)} µs (${fixed(r.mqttjsRttCpuUs, 0)} µs CPU)`,
      `${fixed(r.mqttjsRttUs / r.oursRttUs, 2)}x`,
    ]);
    out.push([
      `QoS 0 publish 30 B, msg/s (${r.broker})`,
      `${int(r.oursQos0PerS)} (${fixed(r.oursQos0CpuUs, 1)} µs CPU)`,
      `${int(r.mqttjsQos0PerS)} (${fixed(r.mqttjsQos0CpuUs, 1)} µs CPU)`,
      `${fixed(r.oursQos0PerS / r.mqttjsQos0PerS, 2)}x`,
    ]);
  }
  return table(["what", "ours", "MQTT.js", "ours vs MQTT.js"], out);
}

async function main(): Promise<void> {
  const rtt = numberArg("rtt", 500);
  const count = numberArg("count", 20_000);
  const rounds = numberArg("rounds", 3);
  const rows: TcpRow[] = [];
  if (findMosquitto()) {
    const m = await MosquittoBroker.create();
    try {
      rows.push(await measure("mosquitto", m.port, rtt, count, rounds));
    } finally {
      await m.dispose();
    }
  } else console.log("mosquitto not installed: skipped (apt-get install mosquitto)");
  const a = new AedesBroker();
  await a.start();
  try {
    rows.push(await measure("aedes", a.port, rtt, count, rounds));
  } finally {
    await a.stop();
  }
  if (process.argv.includes("--json")) emitResult(rows);
  else console.log(formatTcp(rows));
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  await main();
}
