// The heap model against genuine MicroPython: each figure measured with
// genuine umqtt.simple 1.8.0 on a 32-bit build with the ESP8266's budget
// (GENUINE_ESP8266 in heap-calibration.ts, docs/boards.md) is reproduced
// within 3% by full runs: TypeScript firmware on an emulated esp8266, the
// embedded aedes broker, binary search over the payload size.

import { describe, expect, it } from "vitest";
import { GENUINE_ESP8266, MEASURED_UNIX32 } from "../../src/emulator/board/heap-calibration.ts";
import { prints, runScenario } from "../runner/run-scenario.ts";

const FIXTURES = "test/emulator/fixtures";
const within3 = (model: number, genuine: number) => expect(Math.abs(model - genuine) / genuine).toBeLessThanOrEqual(0.03);

async function published(size: number): Promise<boolean> {
  const { events } = await runScenario(`
name: publish_size
timeout: 20s
boards:
  - { name: b1, board: esp8266, firmware: ${FIXTURES}/publish_size.ts, net: ideal, params: { size: ${size} } }
steps:
  - delay: 2s
`);
  return prints(events, "b1").includes("published");
}

async function receive(load: string, sizes: readonly number[]) {
  const publishes = sizes.map((s) => `  - publish: { topic: blob, size: ${s} }\n  - delay: 200ms\n`).join("");
  const { events, result } = await runScenario(
    `
name: receive_sizes
timeout: 60s
boards:
  - { name: b1, board: esp8266, firmware: large_message_sub, net: ideal, umqtt-load: ${load} }
steps:
  - wait-serial: { board: b1, text: subscribed, timeout: 5s }
${publishes}`,
    { firmwareLang: "ts" }, // the heap model under test is the TypeScript firmware's (the built-in runs its .py by default)
  );
  const lines = prints(events, "b1");
  return { ok: lines.includes(`received ${sizes.at(-1)} bytes`), lines, heap: result.boards[0].heap };
}

/** The largest n in [0, hi] for which `fits(n)` holds (fits is monotonic). */
async function largest(fits: (n: number) => Promise<boolean>, hi = 40_000): Promise<number> {
  let lo = 0;
  for (let guard = 0; lo < hi && guard < 40; guard++) {
    const mid = Math.ceil((lo + hi) / 2);
    if (await fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

describe("esp8266 heap against genuine MicroPython (within 3%)", { timeout: 60_000 }, () => {
  it("largest payload the firmware can build and publish, umqtt frozen", async () => {
    within3(await largest(published), GENUINE_ESP8266.publishMax.frozen);
  });

  it("a payload the device could not build raises MemoryError in the firmware", async () => {
    const { events } = await runScenario(`
name: publish_huge
timeout: 20s
boards:
  - { name: b1, board: esp8266, firmware: ${FIXTURES}/publish_size.ts, net: ideal, params: { size: 1000000 } }
steps:
  - wait-serial: { board: b1, text: MemoryError, timeout: 5s }
`);
    expect(prints(events, "b1")).not.toContain("published");
    expect(events.some((e) => e.kind === "heap" && e.op === "oom" && e.what === "firmware.payload")).toBe(true);
    expect(events.some((e) => e.kind === "mqtt" && e.type === "publish" && e.board === "b1")).toBe(false);
  });

  for (const load of ["frozen", "mpy", "py"] as const) {
    it(`largest payload received on a fresh heap, umqtt ${load}`, async () => {
      within3(await largest(async (n) => (await receive(load, [n])).ok), GENUINE_ESP8266.receiveMax[load]);
    });
  }

  it("after subscribe: free memory, and a largest block smaller than it (holes)", async () => {
    const r = await receive("frozen", [1]);
    const free = Number(/subscribed, (\d+) bytes free/.exec(r.lines[0])?.[1]);
    within3(free, GENUINE_ESP8266.afterSubscribe.free);
    within3(r.heap.largestFreeAtEnd, GENUINE_ESP8266.afterSubscribe.largestFree);
    expect(r.heap.largestFreeAtEnd).toBeLessThan(r.heap.freeAtEnd);
  });

  it("fragmentation after a mixed sequence of messages", async () => {
    const { sequence, receiveMax } = GENUINE_ESP8266.fragmentation;
    within3(await largest(async (n) => (await receive("frozen", [...sequence, n])).ok), receiveMax);
  });

  for (const load of ["frozen", "mpy", "py"] as const) {
    it(`our own genuine measurement, fresh heap, umqtt ${load}`, async () => {
      within3(await largest(async (n) => (await receive(load, [n])).ok), MEASURED_UNIX32.receiveMax[load]);
    });
  }

  for (const { sequence, receiveMax } of MEASURED_UNIX32.sequences) {
    it(`our own genuine measurement after ${sequence.join(", ")}`, async () => {
      within3(await largest(async (n) => (await receive("frozen", [...sequence, n])).ok), receiveMax);
    });
  }

  // Known gap, kept visible: when the model comes within 3% here, this test
  // starts failing and should become an ordinary one.
  it.fails(`known gap: after ${MEASURED_UNIX32.knownGap.sequence.join(", ")} the model is more than 3% optimistic`, async () => {
    const { sequence, receiveMax } = MEASURED_UNIX32.knownGap;
    within3(await largest(async (n) => (await receive("frozen", [...sequence, n])).ok), receiveMax);
  });
});
