// The pure parts of `sweep`: seed lists, shards, failure kinds and grouping.

import { describe, expect, it } from "vitest";
import { parseJobs, parseSeeds } from "../../src/sweep/seeds.ts";
import { parseShard, shardPositions } from "../../src/sweep/shard.ts";
import { failureKind } from "../../src/sweep/failure-kind.ts";
import { buildReport, type SeedOutcome } from "../../src/sweep/report.ts";

describe("--seeds", () => {
  it("reads ranges, single seeds and lists in the order given", () => {
    expect(parseSeeds("1..5")).toEqual([1, 2, 3, 4, 5]);
    expect(parseSeeds("7")).toEqual([7]);
    expect(parseSeeds("9,1..3, 20")).toEqual([9, 1, 2, 3, 20]);
  });
  it("rejects backwards ranges, non-numbers, repeats and huge lists with one line", () => {
    expect(() => parseSeeds("5..1")).toThrow(/range 5\.\.1 ends before it starts/);
    expect(() => parseSeeds("a..3")).toThrow(/"a" is not a seed/);
    expect(() => parseSeeds("1..3,2")).toThrow(/seed 2 is listed twice/);
    expect(() => parseSeeds("0..4294967296")).toThrow(/is not a seed/);
    expect(() => parseSeeds("0..2000000")).toThrow(/more than 1,000,000 seeds/);
  });
  it("--jobs is a positive integer", () => {
    expect(parseJobs(undefined, 3)).toBe(3);
    expect(parseJobs("2", 3)).toBe(2);
    expect(() => parseJobs("0", 3)).toThrow(/--jobs: expected an integer from 1/);
    expect(() => parseJobs("1.5", 3)).toThrow(/--jobs/);
  });
});

describe("shards", () => {
  it("deals positions round-robin; the shards together hold each position once", () => {
    expect(shardPositions(7, { index: 1, count: 3 })).toEqual([0, 3, 6]);
    expect(shardPositions(7, { index: 3, count: 3 })).toEqual([2, 5]);
    const all = [1, 2, 3].flatMap((index) => shardPositions(100, { index, count: 3 })).sort((a, b) => a - b);
    expect(all).toEqual([...Array(100).keys()]);
    expect(shardPositions(4, undefined)).toEqual([0, 1, 2, 3]);
  });
  it("--shard K/N, or JOB_COMPLETION_INDEX (from 0) with --shard-count", () => {
    expect(parseShard("2/5", undefined, {})).toEqual({ index: 2, count: 5 });
    expect(parseShard(undefined, "4", { JOB_COMPLETION_INDEX: "0" })).toEqual({ index: 1, count: 4 });
    expect(parseShard(undefined, "4", { JOB_COMPLETION_INDEX: "3" })).toEqual({ index: 4, count: 4 });
    expect(parseShard(undefined, undefined, { JOB_COMPLETION_INDEX: "3" })).toBeUndefined();
  });
  it("rejects shards that do not exist", () => {
    expect(() => parseShard("0/3", undefined, {})).toThrow(/shard 0 of 3 does not exist/);
    expect(() => parseShard("4/3", undefined, {})).toThrow(/shard 4 of 3 does not exist/);
    expect(() => parseShard("2", undefined, {})).toThrow(/expected K\/N/);
    expect(() => parseShard(undefined, "4", {})).toThrow(/JOB_COMPLETION_INDEX is not set/);
    expect(() => parseShard(undefined, "4", { JOB_COMPLETION_INDEX: "4" })).toThrow(/not an index from 0 to 3/);
    expect(() => parseShard("1/2", "2", {})).toThrow(/give one/);
  });
});

describe("failure kinds", () => {
  it("takes out times and sizes, keeps steps, errnos and line numbers", () => {
    expect(failureKind("step 4 failed: wait-pin board1.led on: still 0 after 2s")).toBe(failureKind("step 4 failed: wait-pin board1.led on: still 0 after 1.5s"));
    expect(failureKind("board1 has not yielded for 5 s of wall time")).toBe(failureKind("board1 has not yielded for 6 s of wall time"));
    expect(failureKind("the run passed its deadline at 30.004s")).toBe(failureKind("the run passed its deadline at 31.2s"));
    expect(failureKind("step 1 failed: x: board1 crashed: OSError: -2")).not.toBe(failureKind("step 1 failed: x: board1 crashed: OSError: 104"));
    expect(failureKind("step 1 failed: x")).not.toBe(failureKind("step 2 failed: x"));
    expect(failureKind('board1 crashed: Traceback\n  File "main.py", line 12')).toBe("board1 crashed: Traceback");
  });
  it("groups failing seeds by kind, largest group first, seeds in sweep order", () => {
    const r = (position: number, seed: number, failure?: string): SeedOutcome => ({
      position,
      scenario: "s",
      seed,
      status: failure ? "fail" : "pass",
      ...(failure ? { failure } : {}),
      virtualMs: 1,
      wallMs: 1,
      reproduce: `umqtt-bench run s --seed ${seed}`,
    });
    const report = buildReport({
      scenarios: ["s"],
      seeds: "1..5",
      runFlags: {},
      total: 5,
      shards: null,
      expected: 5,
      results: [r(4, 5, "crash at 2s"), r(0, 1, "timeout"), r(1, 2, "crash at 1s"), r(2, 3), r(3, 4)],
      interrupted: false,
      wallMs: 1,
      jobs: 1,
    });
    expect(report.status).toBe("fail");
    expect(report.results.map((x) => x.seed)).toEqual([1, 2, 3, 4, 5]);
    expect(report.groups.map((g) => [g.kind, g.seeds.map((s) => s.seed)])).toEqual([
      ["crash at Ns", [2, 5]],
      ["timeout", [1]],
    ]);
  });
});
