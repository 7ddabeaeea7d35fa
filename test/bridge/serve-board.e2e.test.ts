// The bridge end to end over a real pseudo-terminal: `umqtt-bench
// serve-board` runs as its own process (the MicroPython VM board behind a
// socat pty) and the bridge opens the device path with the real serial
// bindings, as it would a board on USB. Without socat the suite is skipped
// with a message; with CI set, it fails.

import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SerialLink } from "../../src/bridge/serial-port.ts";
import { Repl, boardText, exceptionLine } from "../../src/bridge/repl.ts";
import { BoardOps } from "../../src/bridge/board-ops.ts";
import { BridgeError } from "../../src/bridge/errors.ts";
import { FrameDecoder } from "../../src/bridge/frames.ts";
import { readFileSync } from "node:fs";
import { hasSocat, openBoard, serveBoard, stopBoard, type ServedBoard } from "../support/serve-board.ts";

if (!hasSocat) console.warn(process.env.CI ? "socat is not installed and CI is set: the serve-board suite FAILS (apt-get install socat)" : "socat is not installed: skipping the serve-board suite (apt-get install socat)");

it("socat is available when CI is set", () => {
  if (process.env.CI) expect(hasSocat, "CI must run the serve-board suite: apt-get install socat").toBe(true);
});

const pattern = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + (i >> 8)) & 0xff);

describe.skipIf(!hasSocat)("serve-board on a real pty", () => {
  let served: ServedBoard;
  let link: SerialLink;
  let repl: Repl;
  let ops: BoardOps;

  beforeAll(async () => {
    served = await serveBoard({ startMs: 20_000 });
    ({ link, repl, ops } = await openBoard(served.path));
  });
  afterAll(async () => {
    await link?.close();
    await stopBoard(served);
  });

  it("answers the friendly REPL: banner and >>> after Ctrl-C, Ctrl-B", async () => {
    await repl.interrupt();
    expect(repl.mode).toBe("friendly");
    await link.write(new TextEncoder().encode("6*7\r"));
    const answer = boardText(await repl.inbox.readUntil(new TextEncoder().encode(">>> "), { what: "prompt", idleMs: 10_000 }));
    expect(answer).toBe("6*7\n42\n>>> ");
  });

  it("runs code in the raw REPL by raw-paste, with board line endings and tracebacks on stderr", async () => {
    const result = await repl.exec("for i in range(3):\n    print('line', i)");
    expect(repl.lastWrite).toBe("raw-paste");
    expect(Buffer.from(result.stdout).toString()).toBe("line 0\r\nline 1\r\nline 2\r\n");
    const failed = await repl.exec("import os\nos.remove('no-such-file')");
    expect(failed.stdout.length).toBe(0);
    expect(exceptionLine(failed.stderr)).toMatch(/^OSError: /);
  });

  it("answers a raw-paste request with R\\x01, window 128 and a first grant", async () => {
    // Protocol bytes as a board sends them, read off the pty directly.
    await repl.exec("pass");
    await link.write(Uint8Array.of(0x05, 0x41, 0x01));
    const header = await repl.inbox.read(5, { what: "raw-paste header", idleMs: 10_000 });
    expect([...header]).toEqual([0x52, 0x01, 128, 0, 0x01]);
    // 300 bytes of code: two more windows are granted as they are consumed.
    const code = `x = '${"a".repeat(292)}'\n`;
    await link.write(new TextEncoder().encode(code));
    await link.write(Uint8Array.of(0x04));
    const rest = await repl.inbox.readUntil(Uint8Array.of(0x3e), { what: "prompt", idleMs: 10_000 });
    expect([...rest]).toEqual([0x01, 0x01, 0x04, 0x04, 0x04, 0x3e]);
  });

  it("uploads a 20 KB file and reads it back identical", async () => {
    const data = pattern(20 * 1024);
    await ops.put("data.bin", data);
    const back = await ops.get("data.bin");
    expect(Buffer.from(back).equals(Buffer.from(data))).toBe(true);
    expect((await ops.list("")).find((e) => e.name === "data.bin")).toEqual({ name: "data.bin", dir: false, size: 20 * 1024 });
  });

  it("makes folders, lists and removes files", async () => {
    await ops.mkdirs("/umqtt_bench/lib");
    await ops.mkdirs("/umqtt_bench/lib"); // again: existing folders are fine
    await ops.put("/umqtt_bench/lib/a.py", new TextEncoder().encode("x = 1\n"));
    expect(await ops.list("/umqtt_bench")).toEqual([{ name: "lib", dir: true, size: 0 }]);
    expect(await ops.list("/umqtt_bench/lib")).toEqual([{ name: "a.py", dir: false, size: 6 }]);
    await ops.remove("/umqtt_bench/lib/a.py");
    expect(await ops.list("/umqtt_bench/lib")).toEqual([]);
    const error = await ops.remove("/umqtt_bench/lib/a.py").then(
      () => null,
      (e: unknown) => e,
    );
    expect((error as BridgeError).kind).toBe("exec");
    expect((error as Error).message).toMatch(/removing \/umqtt_bench\/lib\/a\.py failed on the board: OSError/);
  });

  it("keeps the filesystem through a soft reset, and forgets the program's variables", async () => {
    await ops.put("keep.txt", new TextEncoder().encode("still here"));
    await ops.run("marker = 1", "setting a variable");
    await repl.softReset();
    expect(new TextDecoder().decode(await ops.get("keep.txt"))).toBe("still here");
    const gone = await repl.exec("print(marker)");
    expect(exceptionLine(gone.stderr)).toMatch(/NameError/);
  });

  it("reads the board", async () => {
    const info = await ops.info();
    expect(info.implementation).toBe("micropython");
    expect(info.version).toMatch(/^1\.\d+\.\d+$/);
    expect(info.memFree).toBeGreaterThan(0);
  });

  it("a soft reset during an upload: one soft-reset line, and the board works again", async () => {
    let reset = false;
    const error = await ops
      .put("reset.bin", pattern(16 * 1024), () => {
        if (reset) return;
        reset = true;
        void link.write(Uint8Array.of(0x04)); // Ctrl-D on the empty raw line, as another tool or a reset would
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(BridgeError);
    expect((error as BridgeError).kind).toBe("soft-reset");
    expect((error as Error).message).not.toContain("\n");
    const again = await repl.exec("print('back')");
    expect(boardText(again.stdout)).toBe("back\n");
  });

  it("firmware reports written by ubench_frame.py on the board come out apart from its prints", async () => {
    await ops.put("ubench_frame.py", readFileSync(join(import.meta.dirname, "../../src/bridge/py/ubench_frame.py")));
    const { stdout, stderr } = await repl.exec(
      ["import ubench_frame", "print('booting')", "ubench_frame.report({'pin': 2, 'value': 0, 'note': 'caf\u00e9 \x1e'})", "print('\x1eU0002{}')", "ubench_frame.report({'heap': 1234})"].join("\n"),
    );
    expect(boardText(stderr)).toBe("");
    const events = new FrameDecoder().push(stdout);
    expect(events.map((e) => (e.kind === "text" ? boardText(e.bytes) : e.value))).toEqual([
      "booting\n",
      { pin: 2, value: 0, note: "caf\u00e9 \x1e" },
      "\x1eU0002{}\n",
      { heap: 1234 },
    ]);
  });

  it("streams a program's output as it comes, without keeping it", async () => {
    const chunks: Uint8Array[] = [];
    const result = await repl.exec("import time\nfor i in range(5):\n    print('tick', i)\n    time.sleep(0.02)", { onStdout: (c) => chunks.push(c) });
    expect(result.stdout.length).toBe(0);
    expect(boardText(Buffer.concat(chunks))).toBe("tick 0\ntick 1\ntick 2\ntick 3\ntick 4\n");
  });

  it("stops a loop that never calls into the board with Ctrl-C and comes back to the prompt with the files kept", async () => {
    await ops.put("keep.txt", new TextEncoder().encode("still here"));
    await repl.enterRaw();
    await link.write(new TextEncoder().encode("while True:\n    pass\n\x04"));
    await repl.inbox.read(2, { what: "OK", idleMs: 10_000 });
    await new Promise((r) => setTimeout(r, 300));
    await repl.interrupt();
    expect(repl.mode).toBe("friendly");
    const result = await repl.exec("print(open('keep.txt').read())");
    expect(boardText(result.stdout)).toBe("still here\n");
  });
});

describe.skipIf(!hasSocat)("serve-board flooded", () => {
  it("a program flooding the line: one garbage line, then Ctrl-C brings the board back", async () => {
    const served = await serveBoard({ startMs: 20_000 });
    const { link, repl } = await openBoard(served.path, { maxUnread: 64 * 1024 });
    try {
      const error = await repl.exec("while True:\n    print('x' * 200)").then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(BridgeError);
      expect((error as BridgeError).kind).toBe("garbage");
      expect((error as Error).message).toMatch(/floods the serial line/);
      expect((error as Error).message).not.toContain("\n");
      await repl.interrupt();
      expect(boardText((await repl.exec("print(6*7)")).stdout)).toBe("42\n");
    } finally {
      await link.close();
      await stopBoard(served);
    }
  });
});

describe.skipIf(!hasSocat)("serve-board unplugged", () => {
  it("killing serve-board mid-upload gives one port-closed line", async () => {
    const served = await serveBoard({ startMs: 20_000 });
    const { link, ops } = await openBoard(served.path);
    try {
      let killed = false;
      const upload = ops.put("big.bin", pattern(64 * 1024), (sent) => {
        if (sent >= 8192 && !killed) {
          killed = true;
          served.child.kill("SIGKILL");
        }
      });
      const error = await upload.then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(BridgeError);
      expect((error as BridgeError).kind).toBe("port-closed");
      expect((error as Error).message).not.toContain("\n");
      expect((error as Error).message).toContain(served.path);
    } finally {
      await link.close();
      await stopBoard(served);
    }
  });
});
