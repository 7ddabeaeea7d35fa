// Shared helpers for the benchmarks: machine info, number formatting, and
// running a benchmark file in a child Node process (clean heap, --expose-gc).

import { spawn } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_DIR = dirname(BENCH_DIR);

export interface MachineInfo {
  node: string;
  cpu: string;
  cores: number;
  memGiB: number;
  platform: string;
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    node: process.version,
    cpu: list[0]?.model.trim() ?? "unknown",
    cores: list.length,
    memGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    platform: `${process.platform}/${process.arch}`,
  };
}

export function describeMachine(m: MachineInfo = machineInfo()): string {
  return `node ${m.node}, ${m.cpu}, ${m.cores} cores, ${m.memGiB} GiB RAM, ${m.platform}`;
}

/** 12345.6 -> "12,346" */
/** `--name N` from the command line, or `fallback`. */
export function numberArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
}

export function median(xs: readonly number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}

export function int(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

export function fixed(n: number, digits = 1): string {
  return n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function kib(bytes: number): string {
  return `${fixed(bytes / 1024, 1)} KiB`;
}

/** A plain text table with right-aligned columns after the first. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** Marker before the one JSON line a child prints as its result. */
export const RESULT_MARK = "@@bench-result ";

export function emitResult(value: unknown): void {
  process.stdout.write(`${RESULT_MARK}${JSON.stringify(value)}\n`);
}

/**
 * Runs `node --expose-gc --import tsx bench/<file> ...args` and returns the
 * JSON it emitted with emitResult. Other output is passed through when
 * `echo` is set. The child is killed after `timeoutMs`.
 */
export function runChild<T>(file: string, args: string[], options: { timeoutMs: number; echo?: boolean; maxOldSpaceMiB?: number }): Promise<T> {
  const nodeArgs = ["--expose-gc"];
  if (options.maxOldSpaceMiB) nodeArgs.push(`--max-old-space-size=${options.maxOldSpaceMiB}`);
  nodeArgs.push("--import", "tsx", `${BENCH_DIR}/${file}`, ...args);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, nodeArgs, { cwd: REPO_DIR, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    let result: T | undefined;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${file} ${args.join(" ")}: no result within ${options.timeoutMs / 1000}s (killed)`));
    }, options.timeoutMs);
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      out += chunk;
      let nl: number;
      while ((nl = out.indexOf("\n")) >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        if (line.startsWith(RESULT_MARK)) result = JSON.parse(line.slice(RESULT_MARK.length)) as T;
        else if (options.echo) process.stdout.write(`${line}\n`);
      }
    });
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      err += chunk;
      if (options.echo) process.stderr.write(chunk);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (result !== undefined) resolve(result);
      else reject(new Error(`${file} ${args.join(" ")}: exited ${signal ?? code} without a result${err ? `: ${err.trim().split("\n").slice(-3).join(" | ")}` : ""}`));
    });
  });
}

export function heapUsed(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run node with --expose-gc (node --expose-gc --import tsx bench/<file>.ts)");
  // A few passes: weak references and finalizers free more on the second.
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

export function hasGc(): boolean {
  return typeof (globalThis as { gc?: unknown }).gc === "function";
}
