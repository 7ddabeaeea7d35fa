// The serial bridge over a real pseudo-terminal: `umqtt-bench serve-board`
// runs in its own process (a MicroPython WebAssembly VM behind socat), and the
// bridge opens the device path with the real serial bindings. Measures upload
// throughput (put: base64 chunks by raw-paste, then a SHA-256 on the board)
// and the round trip of one raw-REPL exec, with raw-paste and with the paced
// fallback. Prints figures; asserts nothing.
//
//   node --import tsx bench/serial.ts [--sizes 4,20,64] [--repeat 3] [--execs 50] [--json]

import { spawn } from "node:child_process";
import { join } from "node:path";
import { BoardOps } from "../src/bridge/board-ops.ts";
import { Repl } from "../src/bridge/repl.ts";
import { SerialLink } from "../src/bridge/serial-port.ts";
import { REPO_DIR, describeMachine, emitResult, fixed, median, table } from "./lib.ts";

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

const sizesKiB = (argValue("sizes") ?? "4,20,64").split(",").map(Number);
const repeat = Number(argValue("repeat") ?? "3");
const execs = Number(argValue("execs") ?? "50");
const json = process.argv.includes("--json");

export interface SerialReport {
  uploads: Array<{ kib: number; medianMs: number; kibPerSecond: number }>;
  execs: Array<{ mode: "raw-paste" | "raw"; count: number; medianMs: number; p95Ms: number }>;
}

const p95 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];

const child = spawn(process.execPath, [join(REPO_DIR, "bin/umqtt-bench.js"), "serve-board"], { stdio: ["ignore", "pipe", "inherit"] });
let out = "";
child.stdout.on("data", (d) => (out += d));
const started = Date.now();
while (!/ on (\S+) \(/.test(out) && child.exitCode === null && Date.now() - started < 30_000) await new Promise((r) => setTimeout(r, 50));
const path = / on (\S+) \(/.exec(out)?.[1];
if (!path) {
  console.error(`serve-board did not start: ${out.trim()}`);
  child.kill();
  process.exit(1);
}

const link = await SerialLink.open(path);
const repl = new Repl(link, { name: path, answerMs: 10_000 });
const ops = new BoardOps(repl);
const report: SerialReport = { uploads: [], execs: [] };
try {
  await repl.enterRaw({ softReset: true });
  for (const kib of sizesKiB) {
    const data = Uint8Array.from({ length: kib * 1024 }, (_, i) => (i * 13) & 0xff);
    const times: number[] = [];
    for (let r = 0; r < repeat; r++) {
      const t0 = performance.now();
      await ops.put("bench.bin", data);
      times.push(performance.now() - t0);
    }
    const ms = median(times);
    report.uploads.push({ kib, medianMs: ms, kibPerSecond: kib / (ms / 1000) });
  }
  await ops.remove("bench.bin");
  for (const mode of ["raw-paste", "raw"] as const) {
    repl.rawPaste = mode === "raw" ? false : undefined;
    await repl.exec("pass"); // warm-up, and settles raw-paste support
    const times: number[] = [];
    for (let i = 0; i < execs; i++) {
      const t0 = performance.now();
      await repl.exec("pass");
      times.push(performance.now() - t0);
    }
    report.execs.push({ mode, count: execs, medianMs: median(times), p95Ms: p95(times) });
  }
} finally {
  await link.close();
  child.kill("SIGTERM");
}

if (json) emitResult(report);
else {
  console.log(`serial bridge over a pty to serve-board (${describeMachine()})`);
  console.log(table(["upload (put + SHA-256 check)", "median", "throughput"], report.uploads.map((u) => [`${u.kib} KiB`, `${fixed(u.medianMs, 0)} ms`, `${fixed(u.kibPerSecond, 1)} KiB/s`])));
  console.log("");
  console.log(table(["exec('pass') round trip", "median", "p95"], report.execs.map((e) => [`${e.mode} x ${e.count}`, `${fixed(e.medianMs, 1)} ms`, `${fixed(e.p95Ms, 1)} ms`])));
}
