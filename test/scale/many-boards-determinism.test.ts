// Same seed, same trace at scale: 1,000 emulated boards on one embedded aedes
// and one virtual clock, each doing a round trip a virtual second on the
// jittery `wifi` profile (bench/many-boards.ts, the figures' own code). Every
// trace event, timestamps included, goes into a sha256; two runs must agree.
// The clock's older settle rule (three quiet turns) must reach the same
// trace as its queue watch, and another seed must not: the hash sees the
// seeded delays. The first run also counts the clock's timers: writes in one
// instant cross the link as one segment, so a round trip is three timers.

import { describe, expect, it } from "vitest";
import { runOurs } from "../../bench/many-boards.ts";

const run = (boards: number, seconds: number, options: Parameters<typeof runOurs>[3] = {}) =>
  runOurs(boards, seconds, "wifi", { warmUp: false, measureHeap: false, hash: true, ...options });

describe("many boards: determinism", () => {
  it("1,000 boards: two runs with the same seed give the same trace hash", async () => {
    const first = await run(1000, 2);
    expect(first.ready).toBe(1000);
    expect(first.received).toBe(2000);
    // connect, subscribe and two round trips per board are all in the trace
    expect(first.traceEvents).toBeGreaterThanOrEqual(1000 * 10);
    // Instants are the emulator's cost: bring-up (DNS, SYN, SYN-ACK, CONNECT,
    // CONNACK, SUBSCRIBE, SUBACK) and three timers a round trip (the
    // PUBLISH out as one segment, back, the firmware's sleep), not one a write.
    expect(first.timersFired).toBe(1000 * (7 + 2 * 3));
    const second = await run(1000, 2);
    expect(second.traceEvents).toBe(first.traceEvents);
    expect(second.timersFired).toBe(first.timersFired);
    expect(second.virtualMs).toBe(first.virtualMs);
    expect(second.traceHash).toBe(first.traceHash);
  }, 60_000);

  it("the older settle rule reaches the same trace; another seed does not", async () => {
    const queueWatch = await run(200, 3);
    const threeTurns = await run(200, 3, { clockOptions: { quietTurns: 3 } });
    expect(threeTurns.traceHash).toBe(queueWatch.traceHash);
    const otherSeed = await run(200, 3, { seed: 2 });
    expect(otherSeed.received).toBe(queueWatch.received);
    expect(otherSeed.traceHash).not.toBe(queueWatch.traceHash);
  }, 60_000);
});
