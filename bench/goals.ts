// The speed goals, each with our figure and its peer's from the same run:
// the table `npm run bench` ends with. A goal is a ratio to a peer measured
// beside ours (the machine's noise falls on both), except start-up, whose
// goal is a time; Node's own start is printed beside it as the floor.

import type { TcpRow } from "./tcp.ts";
import type { CodecRow } from "./codec.ts";
import type { ManyBoardsReport, OursResult, BareResult } from "./many-boards.ts";
import type { StartupRow } from "./startup.ts";
import { fixed, int, kib } from "./lib.ts";

/** One job count of bench/sweep.ts: the sweep's own wall time (median). */
export interface SweepRow {
  /** The firmware's language: "ts" or "py" (example_sub_led has both). */
  lang: string;
  jobs: number;
  seeds: number;
  wallMs: number;
  /** The sweep process's CPU time over its wall time. */
  coresBusy: number;
}

export interface Measured {
  tcp?: TcpRow[];
  codec?: CodecRow[];
  many?: ManyBoardsReport;
  startup?: StartupRow[];
  sweep?: SweepRow[];
}

/** what, ours, peer, ours vs peer, goal, met. */
type Row = [string, string, string, string, string, string];

const met = (ok: boolean): string => (ok ? "yes" : "no");

function tcpRows(rows: TcpRow[]): Row[] {
  return rows.flatMap((r) => {
    const rtt = r.mqttjsRttUs / r.oursRttUs;
    const rate = r.oursQos0PerS / r.mqttjsQos0PerS;
    return [
      [`QoS 1 publish + PUBACK, ${r.broker}`, `${fixed(r.oursRttUs, 0)} µs (${fixed(r.oursRttCpuUs, 0)} CPU)`, `MQTT.js ${fixed(r.mqttjsRttUs, 0)} µs (${fixed(r.mqttjsRttCpuUs, 0)} CPU)`, `${fixed(rtt, 2)}x`, ">= 1.0x", met(rtt >= 1)],
      [`QoS 0 publish 30 B, ${r.broker}`, `${int(r.oursQos0PerS)} msg/s`, `MQTT.js ${int(r.mqttjsQos0PerS)} msg/s`, `${fixed(rate, 2)}x`, ">= 1.0x", met(rate >= 1)],
    ];
  });
}

function codecRows(rows: CodecRow[]): Row[] {
  return rows.map((r) => {
    const ratio = r.oursPerS / r.peerPerS;
    return [r.what, `${int(r.oursPerS)}/s`, `mqtt-packet ${int(r.peerPerS)}/s`, `${fixed(ratio, 2)}x`, ">= 1.0x", met(ratio >= 1)];
  });
}

function manyRows(report: ManyBoardsReport): Row[] {
  const ours = report.ours.filter((o): o is OursResult => !("error" in o));
  const largest = ours.sort((a, b) => b.boards - a.boards)[0];
  if (!largest) return [];
  const bare = report.bare.find((b): b is BareResult => !("error" in b) && b.transport === "memory" && b.conns === largest.boards);
  const n = int(largest.boards);
  const realTime = largest.virtualMs / largest.exchangeWallMs;
  const rows: Row[] = [[`${n} boards, a message a second: x real time`, `${fixed(realTime, 2)}x`, "-", "-", ">= 2x", met(realTime >= 2)]];
  if (bare) {
    const wall = (largest.bringUpWallMs + largest.exchangeWallMs) / bare.wallMs;
    const heap = largest.perBoard / bare.perConn;
    rows.push(
      [`${n} boards: wall time of the traffic`, `${fixed((largest.bringUpWallMs + largest.exchangeWallMs) / 1000, 1)} s`, `bare MQTT.js ${fixed(bare.wallMs / 1000, 1)} s`, `${fixed(wall, 2)}x`, "<= 1.5x", met(wall <= 1.5)],
      [`${n} boards: host heap per board`, kib(largest.perBoard), `bare MQTT.js ${kib(bare.perConn)}`, `${fixed(heap, 2)}x`, "<= 1.25x", met(heap <= 1.25)],
    );
  }
  const small = ours.find((o) => o.boards === 1000);
  if (small && largest.boards > small.boards) {
    const growth = largest.exchangeCpuMs / largest.boards / (small.exchangeCpuMs / small.boards);
    rows.push([`CPU per board, ${n} vs ${int(small.boards)} boards`, `${fixed(growth, 2)}x`, "-", "-", "flat (~1.0x)", met(growth <= 1.1)]);
  }
  return rows;
}

function startupRows(rows: StartupRow[]): Row[] {
  const run = rows.find((r) => r.name === "run, after (dist/)");
  const node = rows.find((r) => r.name.startsWith("node -e 0"));
  if (!run) return [];
  return [["umqtt-bench run example_sub_led, end to end", `${fixed(run.wallMs / 1000, 3)} s`, node ? `node -e 0: ${fixed(node.wallMs / 1000, 3)} s` : "-", "-", "< 0.5 s", met(run.wallMs < 500)]];
}

function sweepRows(rows: SweepRow[]): Row[] {
  const firmware = (lang: string) => (lang === "py" ? "MicroPython" : "TypeScript");
  return rows
    .filter((r) => r.jobs > 1)
    .map((r) => {
      const one = rows.find((o) => o.jobs === 1 && o.lang === r.lang);
      if (!one) return [];
      const speedUp = one.wallMs / r.wallMs;
      return [
        [`sweep, ${r.jobs} jobs vs 1 (${r.seeds} seeds, ${firmware(r.lang)})`, `${fixed(r.wallMs / 1000, 2)} s`, `1 job ${fixed(one.wallMs / 1000, 2)} s`, `${fixed(speedUp, 2)}x`, `near ${r.jobs}x`, met(speedUp >= 0.85 * r.jobs)],
        // Why the speed-up is what it is: one job already keeps more than one core busy.
        [`sweep, cores busy with ${r.jobs} jobs (${firmware(r.lang)})`, fixed(r.coresBusy, 2), `1 job ${fixed(one.coresBusy, 2)}`, "-", "-", "-"],
      ] as Row[];
    })
    .flat();
}

export function goalRows(m: Measured): Row[] {
  return [...tcpRows(m.tcp ?? []), ...codecRows(m.codec ?? []), ...(m.many ? manyRows(m.many) : []), ...startupRows(m.startup ?? []), ...sweepRows(m.sweep ?? [])];
}

export const GOAL_HEADER = ["what", "ours", "peer", "ours vs peer", "goal", "met"];
