// serve-board's board is the MicroPython VM board: `import machine`, Wi-Fi,
// real TCP sockets to servers on 127.0.0.1, umqtt to a real broker, the wall
// clock, Ctrl-C into running code, soft reset with boot.py and main.py, the
// model's heap budget, and --fs. `umqtt-bench serve-board` runs as its own
// process and is driven through the real serial bindings over its pty, as a
// board on USB would be. Without socat the suite is skipped (fails with CI set,
// see serve-board.e2e.test.ts).

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { createServer, type AddressInfo, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Aedes } from "aedes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SerialLink } from "../../src/bridge/serial-port.ts";
import { Repl, boardText, exceptionLine } from "../../src/bridge/repl.ts";
import { BoardOps } from "../../src/bridge/board-ops.ts";
import { modelOf } from "../../src/conformance/board-model.ts";
import { builtinBoardsDir } from "../../src/emulator/board/board-file.ts";
import { hasSocat, openBoard, serveBoard, stopBoard, type ServedBoard } from "../support/serve-board.ts";

const BIN = join(import.meta.dirname, "../../bin/umqtt-bench.js");
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Runs `code` in the raw REPL; its stdout as text, or throws with the exception line. */
async function run(repl: Repl, code: string): Promise<string> {
  // The machine may be busy: a silent program gets a minute before the bridge gives up on it.
  const { stdout, stderr } = await repl.exec(code, { silentMs: 60_000 });
  if (stderr.length) throw new Error(exceptionLine(stderr));
  return boardText(stdout);
}

describe.skipIf(!hasSocat)("serve-board runs the VM board", () => {
  let served: ServedBoard;
  let link: SerialLink;
  let repl: Repl;
  let ops: BoardOps;

  beforeAll(async () => {
    served = await serveBoard();
    ({ link, repl, ops } = await openBoard(served.path));
  });
  afterAll(async () => {
    await link?.close();
    await stopBoard(served);
  });

  /** Types `keys` at the friendly REPL and returns what the board echoes and prints up to the next `>>> `. */
  async function type(keys: string): Promise<string> {
    await link.write(text(keys));
    return boardText(await repl.inbox.readUntil(text(">>> "), { what: "prompt", idleMs: 10_000 }));
  }

  it("is the board model: banner, os.uname() and sys.implementation as a real board says them, machine.Pin driving the LED pin", async () => {
    await repl.interrupt();
    expect(served.output()).toContain("(esp32, files in memory)");
    await link.write(Uint8Array.of(0x02));
    const banner = boardText(await repl.inbox.readUntil(text(">>> "), { what: "banner", idleMs: 10_000 }));
    expect(banner).toMatch(/MicroPython v1\.\d+\.\d+ on umqtt-bench; Generic ESP32 module with ESP32\nType "help\(\)" for more information\.\n>>> $/);
    expect(await run(repl, "import os, sys\nprint(os.uname().sysname, os.uname().machine, sys.platform)")).toBe("esp32 Generic ESP32 module with ESP32 esp32\n");
    // What the bridge reads of a board, and conformance names the model from, as on a real ESP32.
    const info = await ops.info();
    expect(info).toMatchObject({ implementation: "micropython", machine: "Generic ESP32 module with ESP32", platform: "esp32", uname: { sysname: "esp32", machine: "Generic ESP32 module with ESP32" } });
    expect(modelOf(info)).toBe("esp32");
    expect(await run(repl, "import machine\nled = machine.Pin(2, machine.Pin.OUT)\nled.value(1)\nprint(led.value())\nled.off()\nprint(led.value())")).toBe("1\n0\n");
    await expect(run(repl, "import machine\nmachine.Pin(99, machine.Pin.OUT)")).rejects.toThrow(/ValueError/);
  });

  it("friendly REPL: echo, expression values, continuation lines with auto-indent, tracebacks", async () => {
    await repl.interrupt();
    expect(await type("x = 41\r")).toBe("x = 41\n>>> ");
    expect(await type("x + 1\r")).toBe("x + 1\n42\n>>> ");
    await link.write(text("for i in range(2):\r"));
    expect(boardText(await repl.inbox.readUntil(text("...     "), { what: "continuation", idleMs: 10_000 }))).toBe("for i in range(2):\n...     ");
    expect(await type("print(i * 10)\r\r")).toBe("print(i * 10)\n...     \n0\n10\n>>> ");
    expect(await type("1/0\r")).toBe('1/0\nTraceback (most recent call last):\n  File "<stdin>", line 1, in <module>\nZeroDivisionError: divide by zero\n>>> ');
  });

  it("time.sleep_ms runs on the wall clock", async () => {
    const started = performance.now();
    const ticks = Number(await run(repl, "import time\nt = time.ticks_ms()\ntime.sleep_ms(300)\nprint(time.ticks_diff(time.ticks_ms(), t))"));
    expect(ticks).toBeGreaterThanOrEqual(300);
    expect(ticks).toBeLessThan(2000);
    expect(performance.now() - started).toBeGreaterThanOrEqual(300);
  });

  it("network.WLAN joins, then a socket reaches a TCP server on 127.0.0.1", async () => {
    const received: string[] = [];
    const server: Server = createServer((s) => {
      s.on("data", (d) => {
        received.push(d.toString());
        s.write(`echo ${d.toString()}`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const wifi = await run(
        repl,
        [
          "import network, time",
          "w = network.WLAN(network.STA_IF)",
          "w.active(True)",
          "w.connect('bench', 'secret')",
          "for _ in range(100):",
          "    if w.isconnected():",
          "        break",
          "    time.sleep_ms(50)",
          "print(w.isconnected(), w.status() == network.STAT_GOT_IP)",
        ].join("\n"),
      );
      expect(wifi).toBe("True True\n");
      const reply = await run(
        repl,
        [
          "import socket",
          `addr = socket.getaddrinfo('127.0.0.1', ${port})[0][-1]`,
          "s = socket.socket()",
          "s.connect(addr)",
          "s.write(b'ping')",
          "print(s.read(9))",
          "s.close()",
        ].join("\n"),
      );
      expect(reply).toBe("b'echo ping'\n");
      expect(received.join("")).toBe("ping");
      // A closed port: refused, as a board sees it.
      await expect(run(repl, `import socket\ns = socket.socket()\ns.connect(socket.getaddrinfo('127.0.0.1', ${port + 1 === 65536 ? 1 : port + 1})[0][-1])`)).rejects.toThrow(/OSError/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("only this machine is reachable: a connection elsewhere is refused and serve-board says so", async () => {
    await expect(run(repl, "import socket\ns = socket.socket()\ns.connect(('192.0.2.1', 1883))")).rejects.toThrow(/OSError/);
    expect(served.output()).toContain("the board connected to 192.0.2.1:1883: refused, serve-board connects only to this machine (127.0.0.1, ::1, its own addresses)");
  });

  it("umqtt.simple connects and publishes to an embedded aedes on 127.0.0.1", async () => {
    const broker = await Aedes.createBroker();
    const seen: { topic: string; payload: string; client?: string }[] = [];
    broker.on("publish", (packet, client) => {
      if (client) seen.push({ topic: packet.topic, payload: packet.payload.toString(), client: client.id });
    });
    const server = createServer((s) => broker.handle(s));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const out = await run(
        repl,
        [
          "from umqtt.simple import MQTTClient",
          `c = MQTTClient('served-board', '127.0.0.1', port=${port})`,
          "print(c.connect())",
          "c.publish(b'bench/led', b'on')",
          "c.disconnect()",
        ].join("\n"),
      );
      // connect() returns the session-present flag as umqtt does: an int.
      expect(out).toBe("0\n");
      expect(seen).toEqual([{ topic: "bench/led", payload: "on", client: "served-board" }]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    }
  });

  it("Ctrl-C raises KeyboardInterrupt in a running loop, without restarting the VM", async () => {
    await repl.interrupt();
    await type("kept = 'still here'\r");
    await link.write(text("import time\rwhile True:\r"));
    await repl.inbox.readUntil(text("...     "), { what: "continuation", idleMs: 10_000 });
    await link.write(text("time.sleep_ms(10)\r\r"));
    await new Promise((r) => setTimeout(r, 400));
    const sent = performance.now();
    const after = await type("\x03");
    // Well inside the 1.5 s after which a program ignoring Ctrl-C gets its VM restarted.
    expect(performance.now() - sent).toBeLessThan(1500);
    expect(after).toMatch(/Traceback \(most recent call last\):\n {2}File "<stdin>", line 2, in <module>\nKeyboardInterrupt: \n>>> $/);
    expect(await type("kept\r")).toBe("kept\n'still here'\n>>> ");
  });

  it("soft reset keeps the files and runs boot.py then main.py again", async () => {
    await ops.put("boot.py", text("print('boot.py ran')\n"));
    await ops.put("main.py", text("import machine\nprint('main.py ran on', machine.unique_id() is not None)\n"));
    await repl.interrupt();
    await link.write(Uint8Array.of(0x04));
    const reboot = boardText(await repl.inbox.readUntil(text(">>> "), { what: "prompt after soft reset", idleMs: 10_000 }));
    expect(reboot).toMatch(/^\nMPY: soft reboot\nboot\.py ran\nmain\.py ran on True\nMicroPython v[^\n]*\nType "help\(\)" for more information\.\n>>> $/);
    expect(new TextDecoder().decode(await ops.get("boot.py"))).toBe("print('boot.py ran')\n");
    await ops.remove("main.py");
    await ops.remove("boot.py");
  });

  it("the heap is the model's budget: MemoryError beyond it, garbage collected in a loop run from the REPL", async () => {
    // A freshly booted board: what is free is the model's budget (111,000 B on esp32), less the REPL's own few objects.
    await repl.enterRaw({ softReset: true });
    const free = Number(await run(repl, "import gc\ngc.collect()\nprint(gc.mem_free())"));
    expect(free).toBeGreaterThan(111_000 * 0.98);
    expect(free).toBeLessThanOrEqual(111_000);
    await expect(run(repl, "b = bytes(120000)")).rejects.toThrow(/MemoryError/);
    expect(await run(repl, "b = bytes(60000)\nprint(len(b))\nb = None")).toBe("60000\n");
    // 8 MB and 4.8 MB of garbage through a 111 KB heap, without and with blocking calls in the loop.
    expect(await run(repl, "for i in range(2000):\n    b = bytes(4000)\nprint('ok')")).toBe("ok\n");
    expect(await run(repl, "import time\nfor i in range(600):\n    b = bytes(8000)\n    time.sleep_ms(0)\nprint('ok')")).toBe("ok\n");
  }, 120_000);
});

describe.skipIf(!hasSocat)("serve-board --board on a board file of the user's", () => {
  it("says '<name> with <id>' in os.uname() and sys.implementation, which names its model to conformance", async () => {
    const dir = mkdtempSync(join(tmpdir(), "serve-board-custom-"));
    const custom = JSON.parse(readFileSync(join(builtinBoardsDir, "esp32.json"), "utf8"));
    custom.name = "Our ESP32 rig";
    custom.heap.budget = 60_000;
    writeFileSync(join(dir, "esp32.json"), JSON.stringify(custom));
    const served = await serveBoard({ board: join(dir, "esp32.json") });
    const { link, repl, ops } = await openBoard(served.path);
    try {
      await repl.enterRaw();
      const info = await ops.info();
      expect(info).toMatchObject({ machine: "Our ESP32 rig with esp32", uname: { machine: "Our ESP32 rig with esp32" } });
      expect(modelOf(info)).toBe("esp32");
    } finally {
      await link.close();
      await stopBoard(served);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!hasSocat)("serve-board --fs", () => {
  it("keeps the board's files in a host folder across runs of serve-board", async () => {
    const dir = mkdtempSync(join(tmpdir(), "serve-board-fs-"));
    try {
      writeFileSync(join(dir, "boot.py"), "print('from the folder')\n");
      let served = await serveBoard({ fs: dir });
      expect(served.output()).toContain(`files in ${dir}`);
      let { link, ops } = await openBoard(served.path);
      try {
        expect(new TextDecoder().decode(await ops.get("boot.py"))).toBe("print('from the folder')\n");
        await ops.mkdirs("/lib/pkg");
        await ops.put("/lib/pkg/data.bin", Uint8Array.of(0, 1, 2, 255));
        await ops.remove("boot.py");
      } finally {
        await link.close();
        await stopBoard(served);
      }
      expect([...readFileSync(join(dir, "lib/pkg/data.bin"))]).toEqual([0, 1, 2, 255]);
      expect(existsSync(join(dir, "boot.py"))).toBe(false);
      served = await serveBoard({ fs: dir });
      ({ link, ops } = await openBoard(served.path));
      try {
        expect([...(await ops.get("/lib/pkg/data.bin"))]).toEqual([0, 1, 2, 255]);
      } finally {
        await link.close();
        await stopBoard(served);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it("a --fs path that is not a usable folder: one line, exit 2", () => {
    const dir = mkdtempSync(join(tmpdir(), "serve-board-fs-"));
    try {
      const file = join(dir, "a-file");
      writeFileSync(file, "x");
      const result = spawnSync(process.execPath, [BIN, "serve-board", "--fs", file], { encoding: "utf8", timeout: 30_000 });
      expect(result.status).toBe(2);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(result.stderr).toMatch(/--fs .*a-file: cannot use it as the board's filesystem \(not a folder\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
