// `umqtt-bench merge shard1.json ...`: its flags. What it does is in
// src/sweep/merge-command.ts, loaded when it runs.

import type { Command } from "commander";
import type { MergeFlags } from "../../sweep/merge-command.ts";

export function registerMerge(program: Command): void {
  program
    .command("merge")
    .description("join the JSON reports of a sweep's shards into one report with one verdict")
    .argument("<report...>", "JSON reports written by umqtt-bench sweep --json")
    .option("--json", "print the merged report as JSON")
    .option("--junit <file>", "write the merged JUnit XML report")
    .option("--quiet", "print only the verdict line")
    .action(async (files: string[], flags: MergeFlags) => (await import("../../sweep/merge-command.ts")).mergeCommand(files, flags));
}
