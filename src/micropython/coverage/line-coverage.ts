// The host side of firmware line coverage: one board's .py files, their
// executable lines (from the VM's compiler) and the lines the VM reported
// running. Merged across boards by source file for the report and lcov.

import type { CoverageFiles } from "../protocol.ts";

/** Line coverage of one .py file. */
export interface FileCoverage {
  /** The path on the board ("main.py", "lib/x.py"). */
  file: string;
  /** The file on the host it was read from, when known. */
  source?: string;
  /** Lines with code, ascending. */
  executable: number[];
  /** Lines that ran, ascending (a subset of `executable`). */
  hit: number[];
}

export class LineCoverage {
  private files: string[] = [];
  private executable: Set<number>[] = [];
  private hit: Set<number>[] = [];

  /** `sources`: board path -> host path, for the files that came from the host. */
  constructor(private readonly sources: Readonly<Record<string, string>> = {}) {}

  /** The VM's list of files and their executable lines (its `ready` message). */
  setFiles(coverage: CoverageFiles): void {
    this.files = coverage.files;
    this.executable = coverage.lines.map((lines) => new Set(lines));
    this.hit = coverage.files.map(() => new Set());
  }

  /** Flat [file index, line] pairs from a VM message. */
  add(hits: readonly number[]): void {
    for (let i = 0; i + 1 < hits.length; i += 2) {
      const file = hits[i]!;
      const line = hits[i + 1]!;
      if (file >= this.files.length) continue;
      this.hit[file]!.add(line);
      // The tracer's word wins: a line that ran has code, whatever the line table said.
      this.executable[file]!.add(line);
    }
  }

  result(): FileCoverage[] {
    return this.files.map((file, i) => {
      const entry: FileCoverage = { file, executable: ascending(this.executable[i]!), hit: ascending(this.hit[i]!) };
      const source = this.sources[file];
      if (source !== undefined) entry.source = source;
      return entry;
    });
  }
}

function ascending(lines: Set<number>): number[] {
  return [...lines].sort((a, b) => a - b);
}

/** One entry per source file (host path, else board path), lines hit on any board. */
export function mergeCoverage(perBoard: readonly (readonly FileCoverage[])[]): FileCoverage[] {
  const byKey = new Map<string, { file: string; source?: string; executable: Set<number>; hit: Set<number> }>();
  for (const files of perBoard) {
    for (const f of files) {
      const key = f.source ?? f.file;
      let entry = byKey.get(key);
      if (!entry) {
        entry = { file: f.file, executable: new Set(), hit: new Set() };
        if (f.source !== undefined) entry.source = f.source;
        byKey.set(key, entry);
      }
      for (const l of f.executable) entry.executable.add(l);
      for (const l of f.hit) entry.hit.add(l);
    }
  }
  return [...byKey.values()]
    .map((e) => {
      const out: FileCoverage = { file: e.file, executable: ascending(e.executable), hit: ascending(e.hit) };
      if (e.source !== undefined) out.source = e.source;
      return out;
    })
    .sort((a, b) => (a.source ?? a.file).localeCompare(b.source ?? b.file));
}
