// What `umqtt-bench merge shard1.json shard2.json ... [--json] [--junit F]`
// does (its flags: src/cli/commands/merge.ts): one report and one verdict from the JSON reports of a sweep's shards.
// Exit 0 when every seed of the sweep ran and passed, 1 when one failed or
// a shard is missing, 2 for files that are not shards of one sweep.

import { readFileSync } from "node:fs";
import { UsageError } from "../cli/errors.ts";
import { mergeReports, readReport } from "./merge.ts";
import { exitCodeForSweep, writeOutputs } from "./command.ts";
import { prepareOutput } from "../cli/commands/run.ts";

export interface MergeFlags {
  json?: boolean;
  junit?: string;
  quiet?: boolean;
}

export function mergeCommand(files: string[], flags: MergeFlags): void {
  const inputs = files.map((file) => {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new UsageError(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    return { file, report: readReport(file, text) };
  });
  if (flags.junit) prepareOutput("--junit", flags.junit);
  const { report, notes } = mergeReports(inputs);
  // The human report carries the notes; with --json or --quiet they go to stderr.
  if (flags.json || flags.quiet) for (const note of notes) process.stderr.write(`umqtt-bench merge: ${note}\n`);
  writeOutputs(report, flags, notes);
  process.exitCode = exitCodeForSweep(report);
}
