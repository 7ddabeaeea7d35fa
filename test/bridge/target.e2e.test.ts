// run --target end to end over a real pseudo-terminal: `umqtt-bench
// serve-board` runs as its own process and runOnTarget drives it through the
// real serial bindings, with the embedded aedes and the bench's proxy on
// 127.0.0.1, as it would drive a board on USB.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BoardOps, sha256 } from "../../src/bridge/board-ops.ts";
import { runOnTarget } from "../../src/bridge/target/run-on-target.ts";
import { LAUNCHER } from "../../src/bridge/target/instrumentation.ts";
import { Trace } from "../../src/emulator/trace.ts";
import { findMosquitto, MosquittoBroker } from "../support/mosquitto.ts";
import { hasSocat, openBoard, serveBoard, stopBoard, type ServedBoard } from "../support/serve-board.ts";

if (!hasSocat) console.warn("socat is not installed: skipping the run --target suite (apt-get install socat)");

/** Opens the board as a user's tool would, does `fn`, closes it. */
async function withBoard<T>(path: string, fn: (ops: BoardOps) => Promise<T>): Promise<T> {
  const { link, repl, ops } = await openBoard(path);
  try {
    await repl.enterRaw();
    return await fn(ops);
  } finally {
    await link.close();
  }
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

const FIXTURES = join(import.meta.dirname, "../fixtures/target");

describe.skipIf(!hasSocat)("run --target on serve-board (the VM board, esp8266)", () => {
  let served: ServedBoard;
  beforeAll(async () => {
    served = await serveBoard({ board: "esp8266", startMs: 20_000 });
  }, 30_000);
  afterAll(async () => {
    await stopBoard(served);
  });

  it("example_sub_led passes; the firmware is uploaded SHA-256 checked and the user's main.py is kept, then put back", async () => {
    const users = "print('the user main')\n";
    await withBoard(served.path, (ops) => ops.put("/main.py", new TextEncoder().encode(users)));
    const run = await runOnTarget("example_sub_led", { target: `serial:${served.path}`, timeoutMs: 20_000 });
    expect(run.result.failure).toBeUndefined();
    expect(run.result.status).toBe("pass");
    expect(run.result.clock).toBe("real");
    expect(run.moved).toEqual([{ path: "/main.py", keptAt: "/umqtt_bench/saved/main.py", restored: true }]);
    expect(run.board.implementation).toBe("micropython");
    // The trace of an emulated run: the board's boot, its LED on GPIO2 (active-low) with its ticks alongside, MQTT on its link.
    const trace = run.trace;
    expect(trace.of("board")).toMatchObject([{ event: "boot", detail: "example_sub_led", device: expect.stringMatching(/^MicroPython \d+\.\d+/) }]);
    const led = trace.of("pin").filter((e) => e.board === "board1" && e.role === "led");
    expect(led.map((e) => e.value)).toEqual([0, 1, 0, 1]);
    expect(led.every((e) => typeof e.boardMs === "number")).toBe(true);
    const board1 = trace.of("mqtt").filter((e) => e.board === "board1");
    expect(board1.filter((e) => e.dir === "out").map((e) => e.type).slice(0, 2)).toEqual(["connect", "subscribe"]);
    expect(board1.filter((e) => e.dir === "in" && e.type === "publish").map((e) => e.fields.payload)).toEqual(["on", "off", "toggle", "toggle"]);
    expect(trace.of("print").map((e) => e.text)).toContain("(b'led', b'on')");
    expect(trace.of("heap").filter((e) => e.op === "checkpoint").length).toBeGreaterThan(0);
    await withBoard(served.path, async (ops) => {
      expect(text(await ops.get("/main.py"))).toBe(users);
      expect(await ops.hash("/umqtt_bench/fw/main.py")).toBe(sha256(readFileSync(join(import.meta.dirname, "../../scenarios/firmware/example_sub_led.py"))));
      expect(await ops.list("/umqtt_bench/saved")).toEqual([]);
      await ops.remove("/main.py");
    });
  }, 90_000);

  it("drops and stalls the board's connection at the proxy for real, and skips a fault a board cannot be given", async () => {
    const run = await runOnTarget(join(FIXTURES, "faults.yaml"), { target: `serial:${served.path}` });
    expect(run.result.failure).toBeUndefined();
    expect(run.result.steps.map((s) => s.status)).toEqual(["pass", "skipped", "pass", "pass", "pass", "pass", "pass", "pass", "pass", "pass"]);
    expect(run.skipped).toEqual([{ index: 1, reason: expect.stringContaining("cannot take a real board's Wi-Fi down") }]);
    expect(run.trace.of("step").find((e) => e.index === 1)?.status).toBe("skipped");
    const net = run.trace.of("net").filter((e) => e.board === "board1").map((e) => e.event);
    expect(net).toEqual(["connect", "partition-start", "partition-end", "reset"]);
    // The "off" held during the partition reached the board only after it ended.
    const end = run.trace.of("net").find((e) => e.event === "partition-end")!.t;
    const off = run.trace.of("mqtt").find((e) => e.board === "board1" && e.dir === "in" && e.fields.payload === "off")!;
    expect(off.t).toBeGreaterThanOrEqual(end);
    expect(run.result.boards[0].network).toEqual({ connections: 1, resets: 1, partitions: 1, faults: 2 });
    expect(run.result.boards[0].crashed).toBe("OSError: [Errno 104] ECONNRESET");
  }, 90_000);

  it.skipIf(!findMosquitto())("runs against an external broker (--broker): mosquitto on 127.0.0.1 behind the bench's proxy", async () => {
    const mosquitto = await MosquittoBroker.create();
    try {
      const run = await runOnTarget("example_sub_led", { target: `serial:${served.path}`, brokerUrl: `mqtt://127.0.0.1:${mosquitto.port}` });
      expect(run.result.failure).toBeUndefined();
      expect(run.result.broker).toBe(`mqtt://127.0.0.1:${mosquitto.port}`);
      const received = run.trace.of("mqtt").filter((e) => e.board === "board1" && e.dir === "in" && e.type === "publish");
      expect(received.map((e) => e.fields.payload)).toEqual(["on", "off", "toggle", "toggle"]);
    } finally {
      await mosquitto.stop();
    }
  }, 90_000);

  // The shim reads the bench's button levels from sys.stdin, as on a board; serve-board hands a running program its stdin.
  it("example_pub_button passes: the bench's presses reach the firmware through the board's stdin", async () => {
    const run = await runOnTarget("example_pub_button", { target: `serial:${served.path}` });
    expect(run.result.steps.map((s) => s.status).every((s) => s === "pass")).toBe(true);
    expect(run.result.status).toBe("pass");
    expect(run.trace.of("error")).toEqual([]);
  }, 90_000);

  it("an earlier run that never put the user's main.py back (the bench was killed): this run puts it back first", async () => {
    await withBoard(served.path, async (ops) => {
      await ops.mkdirs("/umqtt_bench/saved");
      await ops.put("/umqtt_bench/saved/main.py", new TextEncoder().encode("print('mine')\n"));
      await ops.put("/main.py", new TextEncoder().encode(LAUNCHER));
    });
    const run = await runOnTarget(join(FIXTURES, "crash.yaml"), { target: `serial:${served.path}` });
    const kept = { path: "/main.py", keptAt: "/umqtt_bench/saved/main.py", restored: true };
    expect(run.recovered).toEqual([kept]);
    expect(run.moved).toEqual([kept]);
    await withBoard(served.path, async (ops) => {
      expect(text(await ops.get("/main.py"))).toBe("print('mine')\n");
      expect(await ops.list("/umqtt_bench/saved")).toEqual([]);
      await ops.remove("/main.py");
    });
  }, 90_000);

  it("a firmware exception is a crash with its traceback on the serial output", async () => {
    const run = await runOnTarget(join(FIXTURES, "crash.yaml"), { target: `serial:${served.path}` });
    expect(run.result.status).toBe("fail");
    expect(run.result.boards[0].crashed).toBe("OSError: -1");
    expect(run.result.steps[0].detail).toContain("board1 crashed: OSError: -1");
    const prints = run.trace.of("print").map((e) => e.text);
    expect(prints[0]).toBe("starting");
    expect(prints).toContain("Traceback (most recent call last):");
    expect(prints[prints.length - 1]).toBe("OSError: -1");
  }, 90_000);

  it("stopped during the upload: the upload ends between files, nothing of the user's is moved, the firmware never starts", async () => {
    await withBoard(served.path, (ops) => ops.put("/main.py", new TextEncoder().encode("print('mine')\n")));
    const controller = new AbortController();
    const run = await runOnTarget("example_sub_led", {
      target: `serial:${served.path}`,
      signal: controller.signal,
      onStage: (line) => {
        if (line.startsWith("uploading")) controller.abort();
      },
    });
    expect(run.interrupted).toBe(true);
    expect(run.result.status).toBe("fail");
    expect(run.moved).toEqual([]);
    expect(run.trace.of("board")).toEqual([]);
    await withBoard(served.path, async (ops) => {
      expect(text(await ops.get("/main.py"))).toBe("print('mine')\n");
      await ops.remove("/main.py");
    });
  }, 90_000);

  it("stopped mid-run (Ctrl-C): the firmware stops, the files are put back, what was recorded is kept", async () => {
    await withBoard(served.path, (ops) => ops.put("/main.py", new TextEncoder().encode("print('mine')\n")));
    const controller = new AbortController();
    const trace = new Trace();
    trace.subscribe((e) => {
      if (e.kind === "print" && e.text.includes("subscribed")) controller.abort();
    });
    const run = await runOnTarget("example_sub_led", { target: `serial:${served.path}`, signal: controller.signal, trace });
    expect(run.interrupted).toBe(true);
    expect(run.result.status).toBe("fail");
    expect(run.result.failure).toBe("stopped before the scenario finished");
    expect(run.trace.of("print").map((e) => e.text)).toContain("Connected to broker.local, subscribed to b'led' topic");
    expect(run.moved).toEqual([{ path: "/main.py", keptAt: "/umqtt_bench/saved/main.py", restored: true }]);
    await withBoard(served.path, async (ops) => {
      expect(text(await ops.get("/main.py"))).toBe("print('mine')\n");
      await ops.remove("/main.py");
    });
  }, 90_000);
});

describe.skipIf(!hasSocat)("run --target: a board that re-enumerates", () => {
  it("finds the board again by its USB serial number when its port goes away and comes back on another path", async () => {
    // A pty has no USB serial number and cannot re-enumerate: the port list is a stand-in that gives the
    // serve-board of the moment one. Two serve-boards on one --fs folder are one board's flash across a reset.
    const fs = mkdtempSync(join(tmpdir(), "target-fs-"));
    let current = await serveBoard({ board: "esp8266", fs, startMs: 20_000 });
    const first = current;
    const ports = async () => [{ path: current.path, serialNumber: "E2E-0001" }];
    await withBoard(current.path, (ops) => ops.put("/main.py", new TextEncoder().encode("print('mine')\n")));
    const trace = new Trace();
    let moved = false;
    trace.subscribe((e) => {
      if (e.kind === "print" && e.text.includes("subscribed") && !moved) {
        moved = true;
        void (async () => {
          await stopBoard(first);
          current = await serveBoard({ board: "esp8266", fs, startMs: 20_000 });
        })();
      }
    });
    try {
      const run = await runOnTarget(join(FIXTURES, "comes_back.yaml"), { target: `serial:${first.path}`, trace, ports });
      expect(run.result.failure).toBeUndefined();
      expect(run.result.status).toBe("pass");
      expect(run.port).toBe(current.path);
      expect(run.trace.of("board").map((e) => e.event)).toEqual(["boot", "boot"]);
      expect(run.moved).toEqual([{ path: "/main.py", keptAt: "/umqtt_bench/saved/main.py", restored: true }]);
      expect(readFileSync(join(fs, "main.py"), "utf8")).toBe("print('mine')\n");
    } finally {
      await stopBoard(current);
      await stopBoard(first);
      rmSync(fs, { recursive: true, force: true });
    }
  }, 120_000);
});
