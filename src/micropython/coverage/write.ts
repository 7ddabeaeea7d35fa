// `run --coverage`: the lines of .py firmware that ran on every board of a
// run, merged by source file, written as `lcov.info` and summed up in a few
// lines for the report.

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import type { BoardResult } from "../../emulator/runner/result.ts";
import { coverageSummary, lcov } from "./lcov.ts";
import { mergeCoverage, type FileCoverage } from "./line-coverage.ts";

/** Where `--coverage` writes when it names no file. */
export const DEFAULT_LCOV_FILE = "coverage/lcov.info";

/** A host path as CI tools expect it: relative to the working folder when inside it. */
function displayPath(f: FileCoverage, cwd: string): string {
  if (f.source === undefined) return f.file;
  const rel = relative(cwd, f.source);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel.split("\\").join("/") : resolve(f.source);
}

/** Writes the lcov file and returns the summary lines (merged over every board that ran .py firmware). */
export function writeCoverage(boards: readonly BoardResult[], path: string, cwd = process.cwd()): { path: string; summary: string[] } {
  const files = mergeCoverage(boards.flatMap((b) => (b.coverage ? [b.coverage] : [])));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, lcov(files, (f) => displayPath(f, cwd)));
  return { path, summary: coverageSummary(files, (f) => displayPath(f, cwd)) };
}
