// The human report printed after `umqtt-bench run`.

import { formatDuration } from "../../emulator/scenario/duration.ts";
import type { RunResult } from "../../emulator/runner/result.ts";
import type { TraceEvent } from "../../emulator/trace.ts";
import { ledTimeline, publishes } from "./timeline.ts";

const MAX_TIMELINE = 12;
const MAX_MESSAGES = 12;

const mark = { pass: "✓", fail: "✗", timeout: "⏱", skipped: "·" } as const;

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(3)}s`;
}

function bytes(n: number): string {
  return `${n.toLocaleString("en-US")} B`;
}

/** Keeps the first and last entries of a long list, with a count of what was left out. */
function elide<T>(items: T[], max: number, render: (item: T) => string): string[] {
  if (items.length <= max) return items.map(render);
  const head = items.slice(0, max - 3).map(render);
  const tail = items.slice(-2).map(render);
  return [...head, `… ${items.length - head.length - tail.length} more`, ...tail];
}

export function humanReport(
  result: RunResult,
  events: readonly TraceEvent[],
  activeLow: (board: string, led: string) => boolean,
  reproduce = `umqtt-bench run ${result.source} --seed ${result.seed}`,
): string {
  const lines: string[] = [];
  lines.push(`${result.scenario}  seed ${result.seed}  broker ${result.broker}  ${result.clock} clock`);
  for (const b of result.boards) {
    lines.push(`  ${b.name}: ${b.model} running ${b.firmware}, network ${b.net}${b.crashed ? `, crashed: ${b.crashed}` : ""}`);
  }

  lines.push("", "Steps");
  for (const s of result.steps) {
    const at = s.atMs === undefined ? "" : `  @${seconds(s.atMs)}`;
    lines.push(`  ${mark[s.status]} ${s.description}${at}${s.detail ? `  (${s.detail})` : ""}`);
  }

  const leds = ledTimeline(events, activeLow);
  if (leds.length > 0) {
    lines.push("", `LED timeline (${leds.length} changes)`);
    lines.push(...elide(leds, MAX_TIMELINE, (c) => `  ${seconds(c.t)}  ${c.board}.${c.led} ${c.lit ? "ON" : "off"}`));
  }

  // The bench subscriber's copies are how expectations see traffic; the report shows the boards' links.
  const messages = publishes(events).filter((m) => !(m.board === "bench" && m.dir === "in"));
  if (messages.length > 0) {
    lines.push("", `MQTT messages (${messages.length} PUBLISH packets)`);
    lines.push(
      ...elide(messages, MAX_MESSAGES, (m) =>
        `  ${seconds(m.t)}  ${m.board} ${m.dir === "out" ? "->" : "<-"} ${m.topic} ${JSON.stringify(m.payload)}${m.qos ? ` qos${m.qos}` : ""}${m.retain ? " retained" : ""}`,
      ),
    );
  }

  // Connections and faults on the boards' links (the bench's own ideal link is left out).
  const network = events.filter((e): e is Extract<TraceEvent, { kind: "net" }> => e.kind === "net" && e.board !== "bench");
  if (network.length > 0) {
    lines.push("", `Network events (${network.length})`);
    lines.push(...elide(network, MAX_TIMELINE, (e) => `  ${seconds(e.t)}  ${e.board} ${e.event}${e.detail ? `: ${e.detail}` : ""}`));
  }

  lines.push("", "Heap and network");
  for (const b of result.boards) {
    const h = b.heap;
    lines.push(
      `  ${b.name}: heap peak ${bytes(h.peakUsed)} of ${bytes(h.budget)}, free at end ${bytes(h.freeAtEnd)}, largest free block ${bytes(h.largestFreeAtEnd)}`,
    );
    const n = b.network;
    lines.push(`  ${b.name}: ${n.connections} connection(s), ${n.resets} reset(s), ${n.partitions} partition(s), ${n.faults} fault(s) injected`);
  }

  if (result.notes.length > 0) {
    lines.push("", "Notes");
    for (const note of result.notes) lines.push(`  - ${note}`);
  }

  const ratio = result.wallMs > 0 ? result.virtualMs / result.wallMs : 0;
  const speed = ratio >= 10 ? `${Math.round(ratio)}x` : `${ratio.toFixed(1)}x`;
  const verdict = result.status.toUpperCase();
  lines.push(
    "",
    `${verdict}  ${result.scenario}: ${formatDuration(result.virtualMs)} ${result.clock} time in ${formatDuration(result.wallMs)} wall (${speed})`,
  );
  if (result.failure) lines.push(`  ${result.failure}`);
  lines.push(`  reproduce: ${reproduce}`);
  return lines.join("\n");
}
