// Which code the command runs: the compiled build in dist/ when it is
// current, the TypeScript sources through tsx when it is missing or older
// than src/. Checked in a copy of the package (so this checkout's dist/ and
// src/ are left alone) by recording the modules the process resolves.

import { execFile, execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

const REPO = join(import.meta.dirname, "../..");
const RECORD = join(import.meta.dirname, "fixtures/record-loads.mjs");
const copy = mkdtempSync(join(tmpdir(), "umqtt-bench-startup-"));

interface Loaded {
  code: number;
  stdout: string;
  stderr: string;
  modules: string[];
}

function run(env: NodeJS.ProcessEnv, ...args: string[]): Promise<Loaded> {
  const record = join(copy, `loads-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(record, "");
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", RECORD, join(copy, "bin/umqtt-bench.js"), ...args],
      { cwd: copy, timeout: 60_000, env: { ...process.env, UMQTT_BENCH_DEBUG: "", UMQTT_BENCH_SOURCES: "", RECORD_LOADS: record, ...env } },
      (error, stdout, stderr) => {
        const modules = readFileSync(record, "utf8").trim().split("\n").filter(Boolean);
        resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr, modules });
      },
    );
  });
}

const fromSources = (m: Loaded) => m.modules.some((u) => u.includes("/src/cli/main.ts"));
/** The compiled command is one script the bin compiles itself (cli/code-cache.ts), so its loader is what shows. */
const fromDist = (m: Loaded) => m.modules.some((u) => u.includes("/dist/cli/code-cache.js"));
/** Threads start from these (each bundled into one file by the build), and the bin script's loader of the command's script. */
const THREAD_ENTRIES = ["/dist/micropython/worker/worker.js", "/dist/cli/supervisor/session-thread.js", "/dist/emulator/runner/ts-worker-entry.mjs", "/dist/cli/code-cache.js"];
/** Compiled modules loaded outside the bundle, the vendored packages and the threads' entries: a second copy of some module's state. */
const unbundled = (m: Loaded) =>
  m.modules.filter((u) => u.includes("/dist/") && !u.includes("/node_modules/") && !u.includes("/dist/bundle/") && !u.includes("/dist/vendor/") && !THREAD_ENTRIES.some((e) => u.endsWith(e)));
const sessionThread = (m: Loaded) => m.modules.some((u) => u.endsWith("/dist/cli/supervisor/session-thread.js"));
const loadsTsx = (m: Loaded) => m.modules.some((u) => u.includes("/node_modules/tsx/"));

beforeAll(() => {
  for (const part of ["bin", "src", "scripts", "boards", "scenarios", "package.json", "tsconfig.json"]) cpSync(join(REPO, part), join(copy, part), { recursive: true });
  symlinkSync(join(REPO, "node_modules"), join(copy, "node_modules"));
}, 60_000);

describe("start-up", () => {
  it("without a build: the sources through tsx, with the same verdict and nothing extra on piped stderr", async () => {
    const result = await run({}, "run", "example_sub_led", "--seed", "1", "--quiet", "--firmware-lang", "ts");
    expect(result.stdout).toBe("PASS example_sub_led seed 1\n");
    expect(result.stderr).toBe("");
    expect(fromSources(result)).toBe(true);
    expect(fromDist(result)).toBe(false);
  }, 60_000);

  it("with a current build: dist/ only, no tsx for .py firmware; tsx on demand for TypeScript firmware", async () => {
    execFileSync(process.execPath, [join(copy, "scripts/build.mjs"), "--force"], { cwd: copy });
    const py = await run({}, "run", "example_sub_led", "--seed", "1", "--quiet");
    expect(py.stdout).toBe("PASS example_sub_led seed 1\n");
    expect(fromDist(py)).toBe(true);
    expect(fromSources(py)).toBe(false);
    expect(py.modules.filter((u) => u.includes("/src/"))).toEqual([]);
    expect(unbundled(py)).toEqual([]);
    // .py firmware only: the session runs in the command's thread, its VM on its worker.
    expect(sessionThread(py)).toBe(false);
    expect(py.modules.some((u) => u.endsWith("/dist/micropython/worker/worker.js"))).toBe(true);
    expect(loadsTsx(py)).toBe(false);
    // aedes and the broker glue share one mqtt-packet, the one inside the command's script: none is loaded beside it.
    expect(py.modules.filter((u) => u.includes("mqtt-packet"))).toEqual([]);
    // `run` does not load the watch view's ink.
    expect(py.modules.some((u) => u.includes("/node_modules/ink/"))).toBe(false);

    const ts = await run({}, "run", "example_sub_led", "--seed", "1", "--quiet", "--firmware-lang", "ts");
    expect(ts.stdout).toBe("PASS example_sub_led seed 1\n");
    expect(fromDist(ts)).toBe(true);
    expect(unbundled(ts)).toEqual([]);
    expect(sessionThread(ts)).toBe(true);

    const forced = await run({ UMQTT_BENCH_SOURCES: "1" }, "--version");
    expect(fromSources(forced)).toBe(true);
    expect(fromDist(forced)).toBe(false);
  }, 120_000);

  it("the command's code cache: written by the build, used; a damaged one, or one made for another script of the same length, is ignored and written again", async () => {
    const cache = join(copy, `dist/bundle/command.cjs.${process.version}-${process.arch}.v8cache`);
    const written = statSync(cache);
    expect(written.size).toBeGreaterThan(100_000);
    const used = await run({}, "run", "example_sub_led", "--seed", "1", "--quiet");
    expect([used.code, used.stdout, used.stderr]).toEqual([0, "PASS example_sub_led seed 1\n", ""]);
    expect(statSync(cache).mtimeMs).toBe(written.mtimeMs); // accepted, so not written again

    writeFileSync(cache, Buffer.alloc(4096, 0x5a));
    const damaged = await run({}, "run", "example_sub_led", "--seed", "1", "--quiet");
    expect([damaged.code, damaged.stdout, damaged.stderr]).toEqual([0, "PASS example_sub_led seed 1\n", ""]);
    expect(statSync(cache).size).toBeGreaterThan(100_000);

    // V8 checks only a script's length against its cache: a rebuilt script of the same length must not run the old code.
    const script = join(copy, "dist/bundle/command.cjs");
    const original = readFileSync(script, "utf8");
    const edited = original.replace('.version("0.1.0")', '.version("9.9.9")');
    expect(edited.length).toBe(original.length);
    writeFileSync(script, edited);
    const rebuilt = await run({}, "--version");
    writeFileSync(script, original);
    expect(rebuilt.stdout).toBe("9.9.9\n");

    rmSync(cache);
    const off = await run({ UMQTT_BENCH_CODE_CACHE: "off" }, "--version");
    expect(off.stdout).toBe("0.1.0\n");
    expect(existsSync(cache)).toBe(false);
  }, 120_000);

  it("src/ changed after the build (or a file added): back to the sources, never stale code", async () => {
    const file = join(copy, "src/cli/exit-codes.ts");
    const later = new Date(Date.now() + 60_000);
    utimesSync(file, later, later);
    const edited = await run({}, "--version");
    expect(edited.stdout).toBe("0.1.0\n");
    expect(fromSources(edited)).toBe(true);

    execFileSync(process.execPath, [join(copy, "scripts/build.mjs")], { cwd: copy });
    expect(fromDist(await run({}, "--version"))).toBe(true);
    writeFileSync(join(copy, "src/cli/new-file.ts"), "export {};\n");
    const added = await run({}, "--version");
    expect(fromSources(added)).toBe(true);
    rmSync(join(copy, "src/cli/new-file.ts"));
  }, 120_000);
});
