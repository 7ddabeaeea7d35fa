// Explanations of device behaviour seen in a run's trace. The bench
// reproduces umqtt's quirks rather than hiding them; these notes say what
// happened and why, so a failing run points at the firmware's real problem.

import type { TraceEvent } from "../trace.ts";

type Mqtt = Extract<TraceEvent, { kind: "mqtt" }>;

const bytes = (n: number): string => `${n.toLocaleString("en-US")} B`;

function keepaliveNotes(events: readonly TraceEvent[]): string[] {
  return events.flatMap((e) =>
    e.kind === "net" && e.event === "keepalive-expired"
      ? [
          `${e.board}: the broker closed the connection after ${e.detail ?? "1.5 x keepalive with no packet"}. ` +
            "umqtt never pings by itself: call ping() well within the keepalive, and wait_msg()/check_msg() to consume the PINGRESP.",
        ]
      : [],
  );
}

function memoryNotes(events: readonly TraceEvent[]): string[] {
  return events.flatMap((e) =>
    e.kind === "heap" && e.op === "oom"
      ? [
          `${e.board}: MemoryError allocating ${bytes(e.bytes ?? 0)} for ${e.what ?? "an object"}; after a collection ${bytes(e.free)} were free ` +
            `but the largest free block was ${bytes(e.largestFree)}. umqtt.simple reads a whole message into one bytes object: keep payloads well below the largest free block.`,
        ]
      : [],
  );
}

/** A persistent reconnect after a clean first session, with no subscribe afterwards: robust's lost subscriptions. */
function lostSubscriptionNotes(events: readonly TraceEvent[]): string[] {
  const byBoard = new Map<string, Mqtt[]>();
  for (const e of events) {
    if (e.kind !== "mqtt" || e.dir !== "out" || e.board === "bench") continue;
    if (e.type !== "connect" && e.type !== "subscribe") continue;
    byBoard.set(e.board, [...(byBoard.get(e.board) ?? []), e]);
  }
  const notes: string[] = [];
  for (const [board, packets] of byBoard) {
    const firstConnect = packets.find((p) => p.type === "connect");
    if (firstConnect?.fields.cleanSession !== true) continue;
    const topics = packets.filter((p) => p.type === "subscribe").map((p) => String(p.fields.topics ?? "").replace(/@\d/g, ""));
    const reconnect = packets.findIndex((p) => p.type === "connect" && p !== firstConnect && p.fields.cleanSession === false);
    if (reconnect < 0 || topics.length === 0) continue;
    if (packets.slice(reconnect).some((p) => p.type === "subscribe")) continue;
    notes.push(
      `${board}: reconnected with clean_session=False after a clean session and did not subscribe again, so its subscriptions (${[...new Set(topics)].join(", ")}) are gone. ` +
        "umqtt.robust never resubscribes: connect(False) from the start so the broker keeps them, or subscribe again after reconnecting.",
    );
  }
  return notes;
}

function packetIdZeroNotes(events: readonly TraceEvent[]): string[] {
  const boards = new Set<string>();
  for (const e of events) {
    if (e.kind === "mqtt" && e.dir === "out" && e.board !== "bench" && e.fields.messageId === 0) boards.add(e.board);
  }
  return [...boards].map(
    (board) =>
      `${board}: sent packet id 0, which MQTT forbids. umqtt's counter packs to 16 bits without wrapping, so its 65,536th QoS 1 publish, subscribe or unsubscribe uses id 0.`,
  );
}

const CONNECTION_LOSS = new Set(["reset", "close", "partition-start", "wifi-down", "keepalive-expired"]);

/**
 * A board's last QoS 1 publish never acknowledged, with its connection lost
 * after it: umqtt's publish sits in its wait_msg() loop for that PUBACK.
 */
function unackedPublishNotes(events: readonly TraceEvent[]): string[] {
  const last = new Map<string, { publish: Mqtt; acked: boolean; loss?: Extract<TraceEvent, { kind: "net" }> }>();
  for (const e of events) {
    if (e.kind === "mqtt" && e.board !== "bench") {
      if (e.dir === "out" && e.type === "publish" && e.fields.qos === 1) last.set(e.board, { publish: e, acked: false });
      const pending = last.get(e.board);
      if (pending && e.dir === "in" && e.type === "puback" && e.fields.messageId === pending.publish.fields.messageId) pending.acked = true;
    } else if (e.kind === "net" && CONNECTION_LOSS.has(e.event)) {
      const pending = last.get(e.board);
      if (pending && !pending.acked) pending.loss ??= e;
    }
  }
  const notes: string[] = [];
  for (const [board, { publish, acked, loss }] of last) {
    if (acked || !loss) continue;
    notes.push(
      `${board}: its QoS 1 publish to ${publish.fields.topic} (packet id ${publish.fields.messageId}, at ${(publish.t / 1000).toFixed(3)}s) was never acknowledged: ` +
        `the connection was lost (${loss.event} at ${(loss.t / 1000).toFixed(3)}s) before its PUBACK arrived. umqtt's publish(qos=1) reads until that PUBACK comes, ` +
        "and umqtt.robust only reconnects and resends when a read raises OSError, so a read that never fails waits forever. " +
        "Give the socket a timeout (or ping and check for the PINGRESP) so a dead connection raises, or publish with QoS 0 and confirm at the application level.",
    );
  }
  return notes;
}

export function explainQuirks(events: readonly TraceEvent[]): string[] {
  return [
    ...keepaliveNotes(events),
    ...memoryNotes(events),
    ...lostSubscriptionNotes(events),
    ...packetIdZeroNotes(events),
    ...unackedPublishNotes(events),
  ];
}
