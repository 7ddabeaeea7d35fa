// bytesOf: what sock.write(str) puts on the wire is the str's UTF-8, whichever
// path encodes it (a short ASCII str is copied char by char). Checked against
// Node's own UTF-8 encoder.

import { describe, expect, it } from "vitest";
import { bytesOf } from "../../src/client/bytes.ts";

const utf8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "utf8"));

describe("bytesOf", () => {
  it("encodes a str as UTF-8: ASCII, non-ASCII anywhere in it, and lengths around the short-str limit", () => {
    const cases = ["", "led", "a/b/c", "é", "toggle é", "x".repeat(255) + "é", "😀 led", "\u007f\u0080", "x".repeat(256), "x".repeat(257), "é".repeat(300)];
    for (const s of cases) expect(bytesOf(s)).toEqual(utf8(s));
  });

  it("gives bytes their own memory, and bytes passed in unchanged", () => {
    const a = bytesOf("led");
    expect(a.byteOffset).toBe(0);
    expect(a.buffer.byteLength).toBe(3);
    const b = Uint8Array.of(1, 2, 3);
    expect(bytesOf(b)).toBe(b);
  });
});
