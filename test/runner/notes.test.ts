// The quirk notes, from hand-made traces: each detector fires on its pattern
// and stays quiet when the firmware did the right thing.

import { describe, expect, it } from "vitest";
import { explainQuirks } from "../../src/emulator/runner/notes.ts";
import type { TraceEvent } from "../../src/emulator/trace.ts";

const connect = (t: number, cleanSession: boolean): TraceEvent => ({ t, kind: "mqtt", board: "b", dir: "out", type: "connect", fields: { cleanSession }, raw: "" });
const subscribe = (t: number, topic: string): TraceEvent => ({ t, kind: "mqtt", board: "b", dir: "out", type: "subscribe", fields: { topics: `${topic}@0`, messageId: 1 }, raw: "" });

describe("explainQuirks", () => {
  it("is quiet for a clean run", () => {
    expect(explainQuirks([connect(0, true), subscribe(1, "led")])).toEqual([]);
  });

  it("explains lost subscriptions after a persistent reconnect without resubscribing", () => {
    const notes = explainQuirks([connect(0, true), subscribe(1, "led"), connect(5, false)]);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain("subscriptions (led) are gone");
  });

  it("does not flag a reconnect that subscribes again, or a persistent session from the start", () => {
    expect(explainQuirks([connect(0, true), subscribe(1, "led"), connect(5, false), subscribe(6, "led")])).toEqual([]);
    expect(explainQuirks([connect(0, false), subscribe(1, "led"), connect(5, false)])).toEqual([]);
  });

  it("explains keepalive expiry, MemoryError and packet id 0", () => {
    const notes = explainQuirks([
      { t: 1, kind: "net", board: "b", event: "keepalive-expired", detail: "no packet for 1.5 x 10s" },
      { t: 2, kind: "heap", board: "b", op: "oom", what: "publish.payload", bytes: 5000, used: 100, free: 4000, largestFree: 3000 },
      { t: 3, kind: "mqtt", board: "b", dir: "out", type: "publish", fields: { messageId: 0, qos: 1 }, raw: "" },
    ]);
    expect(notes).toEqual([
      expect.stringContaining("never pings by itself"),
      expect.stringContaining("largest free block was 3,000 B"),
      expect.stringContaining("sent packet id 0"),
    ]);
  });

  it("explains a QoS 1 publish whose PUBACK never came because the connection was lost", () => {
    const publish = (t: number, id: number): TraceEvent => ({ t, kind: "mqtt", board: "b", dir: "out", type: "publish", fields: { topic: "status", qos: 1, messageId: id }, raw: "" });
    const puback = (t: number, id: number): TraceEvent => ({ t, kind: "mqtt", board: "b", dir: "in", type: "puback", fields: { messageId: id }, raw: "" });
    const reset: TraceEvent = { t: 2500, kind: "net", board: "b", event: "reset", detail: "#1 connection reset" };
    const notes = explainQuirks([publish(1000, 1), puback(1010, 1), publish(2000, 2), reset]);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^b: its QoS 1 publish to status \(packet id 2, at 2\.000s\) was never acknowledged: the connection was lost \(reset at 2\.500s\)/);
    expect(notes[0]).toContain("umqtt.robust only reconnects and resends when a read raises OSError");
    // Acknowledged, or still waiting with the connection up: nothing to explain.
    expect(explainQuirks([publish(2000, 2), reset, puback(3000, 2)])).toEqual([]);
    expect(explainQuirks([publish(2000, 2)])).toEqual([]);
  });
});
