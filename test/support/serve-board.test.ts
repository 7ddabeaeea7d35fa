// The tests' serve-board launcher itself: it gives the device path of a
// working board, says what went wrong when serve-board does not start, and
// its stop ends serve-board even when SIGTERM cannot (here: a stopped process).
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { hasSocat, openBoard, serveBoard, stopBoard } from "./serve-board.ts";

describe.skipIf(!hasSocat)("the serve-board launcher", () => {
  it("starts serve-board on a pty that answers, and stops it", async () => {
    const served = await serveBoard({ board: "esp8266" });
    try {
      expect(existsSync(served.path)).toBe(true);
      const { link, repl } = await openBoard(served.path);
      try {
        await repl.enterRaw();
        expect(new TextDecoder().decode((await repl.exec("print(6*7)")).stdout).trim()).toBe("42");
      } finally {
        await link.close();
      }
    } finally {
      await stopBoard(served);
    }
    expect(served.child.exitCode ?? served.child.signalCode).not.toBeNull();
    await stopBoard(served); // a second stop is harmless
  });

  it("a serve-board that ignores SIGTERM is killed after the grace time", async () => {
    const served = await serveBoard();
    served.child.kill("SIGSTOP"); // a stopped process leaves SIGTERM pending
    await stopBoard(served, 500);
    expect(served.child.signalCode).toBe("SIGKILL");
  });

  it("a serve-board that cannot start: its own error line in the failure", async () => {
    await expect(serveBoard({ board: "no-such-board" })).rejects.toThrow(/serve-board did not print its device path: .*no such board/);
  });
});
