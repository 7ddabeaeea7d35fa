// A sweep's report: one entry per seed run, grouped by how the failing ones
// failed. The same shape is written by `sweep --json` (one shard or all) and
// by `merge`, so a merged report reads like an unsharded one.

import type { RunStatus } from "../emulator/runner/result.ts";
import { failureKind } from "./failure-kind.ts";
import type { Shard } from "./shard.ts";

export const REPORT_FORMAT = "umqtt-bench-sweep/1";

export interface SeedOutcome {
  /** Position in the sweep's full unit list (scenario-major, seeds in the order given). */
  position: number;
  scenario: string;
  seed: number;
  status: RunStatus;
  failure?: string;
  /** The failure with its varying figures taken out: the group it falls in. */
  kind?: string;
  virtualMs: number;
  wallMs: number;
  /** The bench's own code failed on this seed (exit 3 with `run`). */
  internalError?: boolean;
  /** The command that runs this seed alone, with every flag that changes the run. */
  reproduce: string;
}

export interface FailureGroup {
  kind: string;
  count: number;
  seeds: { scenario: string; seed: number; reproduce: string }[];
}

export type SweepStatus = "pass" | "fail" | "interrupted" | "incomplete";

export interface SweepReport {
  format: typeof REPORT_FORMAT;
  scenarios: string[];
  /** `--seeds` as given. */
  seeds: string;
  /** The flags that change each run (those of the reproduce line), as given. */
  runFlags: Record<string, unknown>;
  /** Units in the whole sweep (every shard). */
  total: number;
  /** This report's shards: one for a shard's own report, several after `merge`, null for an unsharded sweep. */
  shards: Shard[] | null;
  status: SweepStatus;
  passed: number;
  failed: number;
  /** Positions this report should have run and did not (interrupted, or shards missing from a merge). */
  notRun: number;
  results: SeedOutcome[];
  groups: FailureGroup[];
  wallMs: number;
  jobs: number;
}

export function outcomeKind(status: RunStatus, failure: string | undefined): string | undefined {
  return status === "pass" ? undefined : failureKind(failure);
}

/** Failing seeds by kind, the largest group first (then by the first seed's position). */
export function groupFailures(results: readonly SeedOutcome[]): FailureGroup[] {
  const groups = new Map<string, { group: FailureGroup; first: number }>();
  for (const r of results) {
    if (r.status === "pass") continue;
    const kind = r.kind ?? failureKind(r.failure);
    let entry = groups.get(kind);
    if (!entry) groups.set(kind, (entry = { group: { kind, count: 0, seeds: [] }, first: r.position }));
    entry.group.count++;
    entry.group.seeds.push({ scenario: r.scenario, seed: r.seed, reproduce: r.reproduce });
  }
  return [...groups.values()].sort((a, b) => b.group.count - a.group.count || a.first - b.first).map((e) => e.group);
}

export interface ReportFacts {
  scenarios: string[];
  seeds: string;
  runFlags: Record<string, unknown>;
  total: number;
  shards: Shard[] | null;
  /** How many units this report was meant to hold. */
  expected: number;
  results: SeedOutcome[];
  interrupted: boolean;
  wallMs: number;
  jobs: number;
}

export function buildReport(facts: ReportFacts): SweepReport {
  const results = [...facts.results].sort((a, b) => a.position - b.position);
  const failed = results.filter((r) => r.status !== "pass").length;
  const notRun = facts.expected - results.length;
  const status: SweepStatus = facts.interrupted ? "interrupted" : failed > 0 ? "fail" : notRun > 0 ? "incomplete" : "pass";
  return {
    format: REPORT_FORMAT,
    scenarios: facts.scenarios,
    seeds: facts.seeds,
    runFlags: facts.runFlags,
    total: facts.total,
    shards: facts.shards,
    status,
    passed: results.length - failed,
    failed,
    notRun,
    results,
    groups: groupFailures(results),
    wallMs: facts.wallMs,
    jobs: facts.jobs,
  };
}
