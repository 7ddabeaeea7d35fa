// Shards as a CI matrix or a Kubernetes Indexed Job runs them: separate
// processes, each given its shard by --shard K/N or JOB_COMPLETION_INDEX,
// then `merge` joins their reports. The merged report must say what the
// unsharded sweep says.

import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, cli, expectUsageError } from "../cli/cli-process.ts";
import type { SweepReport } from "../../src/sweep/report.ts";

const tmp = mkdtempSync(join(tmpdir(), "umqtt-bench-shards-"));
const FLAKY = join(import.meta.dirname, "fixtures/flaky_dns.yaml");
// Two scenarios x three seeds: shards split the list of scenarios as well as the seeds.
const SWEEP = ["sweep", FLAKY, "example_pub", "--seeds", "2..4", "--firmware-lang", "ts", "--net-set", "dnsFailRate=0.3", "--jobs", "1", "--json"];

function node(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 120_000, env: { ...process.env, UMQTT_BENCH_DEBUG: "", ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

/** What a merge must reproduce: everything but wall times, job counts and which shards ran. */
function verdict(report: SweepReport) {
  return {
    status: report.status,
    passed: report.passed,
    failed: report.failed,
    notRun: report.notRun,
    total: report.total,
    results: report.results.map(({ wallMs: _wall, ...rest }) => rest),
    groups: report.groups,
  };
}

describe("shards and merge", () => {
  it("3 shards in separate processes merge into the unsharded sweep's report", async () => {
    const [whole, s1, s2, s3] = await Promise.all([
      node(SWEEP),
      node([...SWEEP, "--shard", "1/3"]),
      node([...SWEEP, "--shard", "2/3"]),
      // Kubernetes Indexed Jobs number completions from 0: index 2 is shard 3/3.
      node([...SWEEP, "--shard-count", "3"], { JOB_COMPLETION_INDEX: "2" }),
    ]);
    const unsharded = JSON.parse(whole.stdout) as SweepReport;
    // The sweep really fails somewhere and passes elsewhere, or the comparison proves little.
    expect(unsharded.failed).toBeGreaterThan(0);
    expect(unsharded.passed).toBeGreaterThan(0);
    expect(whole.code).toBe(1);
    const files = [s1, s2, s3].map((run, i) => {
      const report = JSON.parse(run.stdout) as SweepReport;
      expect(report.shards).toEqual([{ index: i + 1, count: 3 }]);
      expect(report.results).toHaveLength(2);
      const file = join(tmp, `shard-${i + 1}.json`);
      writeFileSync(file, run.stdout);
      return file;
    });

    const junit = join(tmp, "merged.xml");
    const merged = await cli("merge", files[2]!, files[0]!, files[1]!, "--json", "--junit", junit);
    expect(merged.code).toBe(1);
    const report = JSON.parse(merged.stdout) as SweepReport;
    expect(verdict(report)).toEqual(verdict(unsharded));
    expect(report.shards).toEqual([1, 2, 3].map((index) => ({ index, count: 3 })));
    const xml = readFileSync(junit, "utf8");
    expect(xml.match(/<testcase /g)).toHaveLength(6);
    expect(xml.match(/<failure /g)).toHaveLength(unsharded.failed);

    // Human report of the merge: the same groups and one verdict.
    const human = await cli("merge", ...files);
    expect(human.stdout).toContain(unsharded.groups[0]!.seeds[0]!.reproduce);
    expect(human.stdout).toMatch(/FAIL\s+2 scenarios: \d seeds? of 6 failed/);

    // A missing shard: its seeds did not run, so the merge cannot pass.
    const partial = await cli("merge", files[0]!, files[1]!, "--json");
    expect(partial.code).toBe(1);
    expect(partial.stderr).toContain("Missing shard 3/3");
    expect((JSON.parse(partial.stdout) as SweepReport).notRun).toBe(2);

    // The same shard twice, and a file that is no sweep report: bad input.
    expectUsageError(await cli("merge", files[0]!, files[0]!), /is also in/);
    const junk = join(tmp, "junk.json");
    writeFileSync(junk, JSON.stringify({ hello: 1 }));
    expectUsageError(await cli("merge", files[0]!, junk), /junk\.json: not a sweep report/);
    // A shard's JUnit does not say which shard and seeds it covers (a missing shard would go unnoticed): the JSON is asked for.
    expectUsageError(await cli("merge", files[0]!, junit), /merged\.xml: JUnit XML; merge reads the shards' --json reports \(only they say which shard and seeds each covers\) and writes the merged JUnit with --junit/);
    expectUsageError(await cli("merge", join(tmp, "absent.json")), /absent\.json: cannot read \(ENOENT\)/);
  }, 180_000);

  it("a passing sweep's shards merge to a pass (exit 0)", async () => {
    const args = ["sweep", "example_pub", "--seeds", "1..2", "--firmware-lang", "ts", "--json"];
    const shards = await Promise.all([node([...args, "--shard", "1/2"]), node([...args, "--shard", "2/2"])]);
    const files = shards.map((run, i) => {
      const file = join(tmp, `pass-${i}.json`);
      writeFileSync(file, run.stdout);
      return file;
    });
    const merged = await cli("merge", ...files, "--quiet");
    expect(merged.stdout).toBe("PASS  example_pub: all 2 seeds passed\n");
    expect(merged.code).toBe(0);
  }, 120_000);
});
