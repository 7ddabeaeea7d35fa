// Runs the umqtt-bench command as users do: a real process, its exit code
// and output. Shared by the CLI suites.

import { execFile, spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { expect } from "vitest";

export const BIN = join(import.meta.dirname, "../../bin/umqtt-bench.js");
export const FIXTURES = join(import.meta.dirname, "../fixtures");

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function cli(...args: string[]): Promise<Run> {
  return cliIn(undefined, ...args);
}

export function cliIn(cwd: string | undefined, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, timeout: 120_000, env: { ...process.env, UMQTT_BENCH_DEBUG: "" } }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A bad-input failure: exit 2, one line on stderr naming the problem, no stack trace. */
export function expectUsageError(run: Run, pattern: RegExp): void {
  expect(run.code).toBe(2);
  const lines = run.stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

/** A command running in the background, with its output so far. */
export interface Background {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
  /** Waits (bounded) until stderr or stdout contains `text`. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
}

export function background(...args: string[]): Background {
  return backgroundWithEnv({}, ...args);
}

/** background() with variables added to the environment. */
export function backgroundWithEnv(env: NodeJS.ProcessEnv, ...args: string[]): Background {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code, signal) => resolve(code ?? (signal ? -1 : null))));
  return {
    child,
    out: () => out,
    err: () => err,
    exited,
    async waitFor(text, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!out.includes(text) && !err.includes(text) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      if (!out.includes(text) && !err.includes(text)) throw new Error(`no "${text}" within ${timeoutMs} ms; stdout: ${out}; stderr: ${err}`);
    },
  };
}
