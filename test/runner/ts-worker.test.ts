// TypeScript modules run in worker threads, including workers started from a
// worker (the session thread starting a thread per board).

import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { startTsWorker } from "../../src/emulator/runner/ts-worker.ts";

describe("startTsWorker", () => {
  it("runs a TypeScript module that starts a nested TypeScript worker", async () => {
    const outer = startTsWorker(pathToFileURL(join(import.meta.dirname, "../fixtures/workers/outer.ts")), { greeting: "answer" });
    try {
      const message = await new Promise((resolve, reject) => {
        outer.once("message", resolve);
        outer.once("error", reject);
      });
      expect(message).toBe("answer 42");
    } finally {
      await outer.terminate();
    }
  });
});
