// `umqtt-bench sweep <scenario...> --seeds 1..1000 [--jobs N] [--shard K/N]`:
// its flags. What it does is in src/sweep/command.ts, loaded when it runs,
// so other commands start without it.

import { availableParallelism } from "node:os";
import type { Command } from "commander";
import type { SweepFlags } from "../../sweep/command.ts";

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function registerSweep(program: Command): void {
  program
    .command("sweep")
    .description("run scenarios once per seed on every core; report the failing seeds grouped by how they failed")
    .argument("<scenario...>", "built-in scenario names or scenario files")
    .option("--seeds <list>", "seeds to run: 1..1000, 7, 1,5,9 or a mix", "1")
    .option("--jobs <n>", `runs at a time (default: this machine's cores, ${availableParallelism()})`)
    .option("--shard <k/n>", "run only shard K of N (seeds dealt round-robin; see `umqtt-bench merge`)")
    .option("--shard-count <n>", "shard count N, with K from JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs, from 0)")
    .option("--board <model>", "run every board as this model; NAME=MODEL for one board", collect)
    .option("--net <profile>", "network profile for every board: ideal, wifi, flaky-wifi, gprs")
    .option("--net-set <field=value>", "override one network profile field, e.g. loss=0.05 (repeatable)", collect)
    .option("--umqtt <version>", "umqtt.simple release for every board")
    .option("--timeout <duration>", "deadline for each run, e.g. 90s (default: the scenario's)")
    .option("--firmware-lang <lang>", "built-in firmware as MicroPython on a VM (py, default) or its TypeScript port (ts)")
    .option("--json", "print the sweep's report as JSON")
    .option("--junit <file>", "write a JUnit XML report: a test case per seed")
    .option("--quiet", "print only the verdict line")
    .action(async (scenarios: string[], flags: SweepFlags) => (await import("../../sweep/command.ts")).sweepCommand(scenarios, flags));
}
