// run --target end to end over a real pseudo-terminal: `umqtt-bench
// serve-board` runs as its own process and runOnTarget drives it through the
// real serial bindings, with the embedded aedes and the bench's proxy on
// 127.0.0.1, as it would drive a board on USB.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BoardOps } from "../../src/bridge/board-ops.ts";
import { Repl } from "../../src/bridge/repl.ts";
import { SerialLink } from "../../src/bridge/serial-port.ts";
import { runOnTarget } from "../../src/bridge/target/run-on-target.ts";

const BIN = join(import.meta.dirname, "../../bin/umqtt-bench.js");
const hasSocat = spawnSync("socat", ["-V"]).status === 0;
if (!hasSocat) console.warn("socat is not installed: skipping the run --target suite (apt-get install socat)");

interface Served {
  child: ChildProcessWithoutNullStreams;
  path: string;
}

async function serveBoard(): Promise<Served> {
  const child = spawn(process.execPath, [BIN, "serve-board"], { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const deadline = Date.now() + 20_000;
  while (!/ on (\S+) \(/.test(out) && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const match = / on (\S+) \(/.exec(out);
  if (!match) throw new Error(`serve-board did not print its device path: ${out}`);
  return { child, path: match[1] };
}

async function stop(served: Served): Promise<void> {
  if (served.child.exitCode !== null || served.child.signalCode !== null) return;
  const exited = new Promise((resolve) => served.child.once("exit", resolve));
  served.child.kill("SIGTERM");
  await exited;
}

/** Opens the board as a user's tool would, does `fn`, closes it. */
async function withBoard<T>(path: string, fn: (ops: BoardOps) => Promise<T>): Promise<T> {
  const link = await SerialLink.open(path);
  try {
    const repl = new Repl(link, { name: path, answerMs: 10_000 });
    await repl.enterRaw();
    return await fn(new BoardOps(repl));
  } finally {
    await link.close();
  }
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe.skipIf(!hasSocat)("run --target on serve-board", () => {
  let served: Served;
  beforeAll(async () => {
    served = await serveBoard();
  });
  afterAll(async () => {
    if (served) await stop(served);
  });

  it("uploads the firmware with SHA-256 checks, keeps the user's main.py during the run and puts it back", async () => {
    const users = "print('the user main')\n";
    await withBoard(served.path, (ops) => ops.put("/main.py", new TextEncoder().encode(users)));
    const run = await runOnTarget("example_sub_led", { target: `serial:${served.path}`, timeoutMs: 15_000 });
    expect(run.moved).toEqual([{ path: "/main.py", keptAt: "/umqtt_bench/saved/main.py", restored: true }]);
    expect(run.board.implementation).toBe("micropython");
    await withBoard(served.path, async (ops) => {
      expect(text(await ops.get("/main.py"))).toBe(users);
      expect(text(await ops.get("/umqtt_bench/fw/main.py"))).toBe(readFileSync(join(import.meta.dirname, "../../scenarios/firmware/example_sub_led.py"), "utf8"));
      expect((await ops.list("/umqtt_bench/saved")).map((e) => e.name)).toEqual([]);
    });
    // Until serve-board runs the VM board, its plain VM has no machine module: the firmware's import fails, as on a board without it.
    expect(run.result.boards[0].crashed ?? "").toMatch(/ImportError/);
    expect(run.result.status).toBe("fail");
    expect(run.trace.of("board").map((e) => e.event)).toEqual(["boot", "crash"]);
  }, 60_000);
});
