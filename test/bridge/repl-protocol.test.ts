// Protocol layer against a scripted board on @serialport/binding-mock. These
// cases need a board that behaves in one particular way (a small or late
// raw-paste window, an early abort, firmware answering R\x00 or "ra",
// garbage, silence, a reboot mid-exec), which the VM behind a pseudo-terminal
// cannot be made to do; the real-pty tests (serve-board.e2e) cover the rest.

import { afterEach, describe, expect, it } from "vitest";
import { MockBinding } from "@serialport/binding-mock";
import { Repl, boardText, exceptionLine, FALLBACK_CHUNK, FALLBACK_PAUSE_MS } from "../../src/bridge/repl.ts";
import { BridgeError } from "../../src/bridge/errors.ts";
import { MockBoard, type MockBoardOptions } from "./mock-board.ts";

const boards: MockBoard[] = [];
afterEach(async () => {
  for (const b of boards.splice(0)) await b.link.close();
  MockBinding.reset();
});

async function setUp(options: MockBoardOptions = {}, answerMs = 1000) {
  const board = await MockBoard.open(options);
  boards.push(board);
  const pauses: number[] = [];
  const repl = new Repl(board.link, {
    name: "mock",
    answerMs,
    pause: (ms) => {
      pauses.push(ms);
      return new Promise((resolve) => setTimeout(resolve, ms));
    },
  });
  return { board, repl, pauses };
}

const code = (n: number): string => Array.from({ length: n }, (_, i) => String.fromCharCode(97 + (i % 26))).join("");

async function failure(p: Promise<unknown>): Promise<BridgeError> {
  try {
    await p;
  } catch (error) {
    expect(error).toBeInstanceOf(BridgeError);
    expect((error as Error).message).not.toContain("\n");
    return error as BridgeError;
  }
  throw new Error("expected a BridgeError");
}

describe("raw REPL and raw-paste", () => {
  it("enters the raw REPL and runs code with raw-paste, never sending beyond the granted windows", async () => {
    const { board, repl } = await setUp({ window: 32, grantDelayMs: 3 });
    const source = code(1000);
    const result = await repl.exec(source);
    expect(board.codes).toEqual([source]);
    expect(board.violations).toEqual([]);
    expect(repl.lastWrite).toBe("raw-paste");
    expect(boardText(result.stdout)).toBe("received 1000 bytes\nsecond line\n");
    expect(result.stderr.length).toBe(0);
    // A second exec reuses the raw REPL and raw-paste.
    await repl.exec("x");
    expect(board.codes).toEqual([source, "x"]);
    expect(board.pasteRequests).toBe(2);
  });

  it("waits for each window when the board grants them late (no byte beyond the credit)", async () => {
    const { board, repl } = await setUp({ window: 8, grantDelayMs: 20 });
    await repl.exec(code(100));
    expect(board.violations).toEqual([]);
    expect(board.codes[0].length).toBe(100);
  });

  it("stops sending when the board aborts the paste with \\x04, acknowledges it, and returns the error", async () => {
    const { board, repl } = await setUp({ window: 16, abortAfter: 40 });
    const result = await repl.exec(code(500));
    expect(exceptionLine(result.stderr)).toBe("SyntaxError: invalid syntax");
    const sent = board.writes.reduce((n, w) => n + w.length, 0);
    expect(sent).toBeLessThan(500); // it stopped early
    expect(board.writes.at(-1)).toEqual(Uint8Array.of(4)); // and acknowledged with \x04
  });

  it("reads tracebacks from stderr", async () => {
    const { repl } = await setUp();
    const result = await repl.exec("raise ValueError('bad')");
    expect(exceptionLine(result.stderr)).toBe("ValueError: bad");
  });

  it("handles \\n line endings (the unix port) like \\r\\n", async () => {
    const { repl } = await setUp({ eol: "\n" });
    const result = await repl.exec("x");
    expect(boardText(result.stdout)).toBe("received 1 bytes\nsecond line\n");
  });
});

describe("fallback without raw-paste", () => {
  for (const paste of ["unsupported", "old-firmware"] as const) {
    it(`falls back to paced raw REPL writes when the board answers ${paste === "unsupported" ? "R\\x00" : '"ra" (old firmware)'}`, async () => {
      const { board, repl, pauses } = await setUp({ paste });
      const source = code(1000);
      const result = await repl.exec(source);
      expect(board.codes).toEqual([source]);
      expect(repl.rawPaste).toBe(false);
      expect(repl.lastWrite).toBe("raw");
      expect(boardText(result.stdout)).toBe("received 1000 bytes\n" + "second line\n");
      // 1000 bytes in writes of at most 256, each followed by a 10 ms pause.
      const request = board.writes.findIndex((w) => Buffer.from(w).toString("latin1") === "\x05A\x01");
      const chunks = board.writes.slice(request + 1, -1).map((w) => w.length);
      expect(chunks).toEqual([FALLBACK_CHUNK, FALLBACK_CHUNK, FALLBACK_CHUNK, 1000 - 3 * FALLBACK_CHUNK]);
      expect(pauses.filter((ms) => ms === FALLBACK_PAUSE_MS).length).toBe(4);
      // It remembers: the next exec does not ask again.
      await repl.exec("y");
      expect(board.pasteRequests).toBe(1);
      expect(board.codes).toEqual([source, "y"]);
    });
  }
});

describe("faults on the wire", () => {
  it("garbage instead of a raw-paste answer: one line naming what came", async () => {
    const { repl } = await setUp({ paste: "garbage" });
    const error = await failure(repl.exec("x"));
    expect(error.kind).toBe("garbage");
    expect(error.message).toMatch(/expected answer to the raw-paste request .* got "\\xff\\xfe#garbage"/);
  });

  it("a board that never answers: not-answering, within the answer time", async () => {
    const { repl } = await setUp({ paste: "silent" }, 300);
    const error = await failure(repl.exec("x"));
    expect(error.kind).toBe("not-answering");
    expect(error.message).toContain("no answer to the raw-paste request after");
  });

  it("a reboot in the middle of an exec: soft-reset, and the next exec works", async () => {
    const { board, repl } = await setUp({ rebootOnExec: 1 });
    await repl.exec("first");
    const error = await failure(repl.exec("second"));
    expect(error.kind).toBe("soft-reset");
    board["options"].rebootOnExec = undefined;
    const again = await repl.exec("third");
    expect(boardText(again.stdout)).toContain("received 5 bytes");
  });

  it("the port closing while waiting: port-closed", async () => {
    const { board, repl } = await setUp({ paste: "silent" }, 5000);
    const pending = failure(repl.exec("x"));
    setTimeout(() => void board.link.close(), 50);
    const error = await pending;
    expect(error.kind).toBe("port-closed");
  });
});
