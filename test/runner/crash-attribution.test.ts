// Which board an uncaught error belongs to, from its stack.

import { describe, expect, it } from "vitest";
import { boardForError } from "../../src/emulator/runner/crash-attribution.ts";

function errorAt(...frames: string[]): Error {
  const error = new Error("boom");
  error.stack = ["Error: boom", ...frames.map((f) => `    at ${f}`)].join("\n");
  return error;
}

const boards = [
  { name: "board1", firmwarePath: "/p/sub_led.ts" },
  { name: "board2", firmwarePath: "/p/pub_button.ts" },
  { name: "board3", firmwarePath: "/p/pub_button.ts" },
];

describe("boardForError", () => {
  it("blames the board whose firmware file is in the stack", () => {
    expect(boardForError(errorAt("helper (file:///p/sub_led.ts:6:9)", "node:internal/timers:1:1"), boards, "board2")).toBe("board1");
  });

  it("among boards sharing that firmware, the one that ran last", () => {
    expect(boardForError(errorAt("file:///p/pub_button.ts:3:1"), boards, "board3")).toBe("board3");
    expect(boardForError(errorAt("file:///p/pub_button.ts:3:1"), boards, "board1")).toBe("board2");
  });

  it("a thrown non-Error has no stack: the board that ran last", () => {
    expect(boardForError("a string", boards, "board2")).toBe("board2");
  });

  it("an Error with no firmware frame is the bench's own (an internal error)", () => {
    expect(boardForError(errorAt("Session.run (/repo/src/emulator/runner/session.ts:10:3)"), boards, "board1")).toBeUndefined();
  });
});
