// At a paced speed (what `watch` runs at), virtual time follows wall time even
// while nothing is scheduled: after example_sub_led's steps pass its board
// sits in wait_msg() with no timer, and the clock must keep running.

import { describe, expect, it } from "vitest";
import { createSession } from "../../src/emulator/runner/session.ts";
import { resolveScenario } from "../../src/emulator/scenario/resolve.ts";

describe("paced virtual time", () => {
  it("keeps following wall time while every board is blocked", async () => {
    const session = await createSession(resolveScenario("example_sub_led"), { seed: 1, speed: 10 });
    try {
      const result = await session.verdict;
      expect(result.status).toBe("pass");
      const atVerdict = session.now();
      const wallBefore = performance.now();
      await new Promise((r) => setTimeout(r, 500));
      const wallPassed = performance.now() - wallBefore;
      // 10x: at least (not exactly: the driver may be a little late) ten times the wall time that passed, minus slack.
      expect(session.now() - atVerdict).toBeGreaterThan(wallPassed * 10 * 0.5);
    } finally {
      await session.stop();
    }
  });
});
