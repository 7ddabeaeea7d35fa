// `umqtt-bench sweep` as users run it: real processes, real runs on the
// embedded aedes and the virtual clock, TypeScript and MicroPython firmware.

import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { background, cli, expectUsageError, FIXTURES } from "./cli-process.ts";
import type { SweepReport } from "../../src/sweep/report.ts";

const tmp = mkdtempSync(join(tmpdir(), "umqtt-bench-sweep-"));
const FLAKY = join(import.meta.dirname, "../scale/fixtures/flaky_dns.yaml");
// DNS failing 3 lookups in 10: umqtt.simple does not retry, so some seeds crash at connect.
const FLAKY_ARGS = [FLAKY, "--firmware-lang", "ts", "--net-set", "dnsFailRate=0.3"];

/** What must not depend on how the seeds were spread over threads: everything but wall time. */
const verdicts = (report: SweepReport) => report.results.map(({ wallMs: _wall, ...rest }) => rest);

describe("sweep", () => {
  it("finds the same failing seeds with 1 job and 2, grouped by how they failed, and a reproduce line re-runs one", async () => {
    // Side by side: a seed's verdict must not depend on the machine's load either.
    const [one, two] = await Promise.all([
      cli("sweep", ...FLAKY_ARGS, "--seeds", "2..5", "--jobs", "1", "--json"),
      cli("sweep", ...FLAKY_ARGS, "--seeds", "2..5", "--jobs", "2", "--json"),
    ]);
    expect(one.code).toBe(1);
    expect(two.code).toBe(1);
    const a = JSON.parse(one.stdout) as SweepReport;
    const b = JSON.parse(two.stdout) as SweepReport;
    expect(a.results.map((r) => r.seed)).toEqual([2, 3, 4, 5]);
    const failing = a.results.filter((r) => r.status !== "pass").map((r) => r.seed);
    // The scenario must really fail on some seeds and pass on others, or this test proves nothing.
    expect(failing.length).toBeGreaterThan(0);
    expect(failing.length).toBeLessThan(4);
    expect(verdicts(b)).toEqual(verdicts(a));
    expect(b.groups).toEqual(a.groups);
    expect(a.groups.flatMap((g) => g.seeds.map((s) => s.seed)).sort()).toEqual(failing.sort());
    expect(a.groups[0]!.kind).toMatch(/crashed: OSError: -2/);

    // The reproduce line, run as printed, gives the same verdict.
    const first = a.results.find((r) => r.status !== "pass")!;
    const argv = first.reproduce.split(" ");
    expect(argv.slice(0, 2)).toEqual(["umqtt-bench", "run"]);
    const again = await cli(...argv.slice(1), "--json");
    expect(again.code).toBe(1);
    const rerun = JSON.parse(again.stdout) as { status: string; failure: string; virtualMs: number };
    expect([rerun.status, rerun.failure, rerun.virtualMs]).toEqual([first.status, first.failure, first.virtualMs]);
  }, 120_000);

  it("prints the failing seeds by group with reproduce lines, and writes JUnit", async () => {
    const junit = join(tmp, "out", "sweep.xml");
    const run = await cli("sweep", ...FLAKY_ARGS, "--seeds", "3..4", "--junit", junit);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("Failing seeds");
    expect(run.stdout).toMatch(/umqtt-bench run \S+flaky_dns\.yaml --seed 3 --net-set dnsFailRate=0\.3 --firmware-lang ts/);
    expect(run.stdout).toMatch(/FAIL\s+\S+flaky_dns\.yaml: \d seeds? of 2 failed/);
    // Not a TTY here: each failing seed is a plain line on stderr as it fails.
    expect(run.stderr).toMatch(/seed 3: FAIL/);
    const xml = readFileSync(junit, "utf8");
    expect(xml).toContain('name="seed 3"');
    expect(xml).toContain('name="seed 4"');
    expect(xml).toMatch(/<failure type="fail"[^>]*>[^<]*reproduce: umqtt-bench run/);
  }, 60_000);

  it("runs MicroPython firmware on the VM, exit 0 when every seed passes", async () => {
    const run = await cli("sweep", "example_sub_led", "--seeds", "1..2", "--jobs", "2", "--quiet");
    expect(run.stdout).toBe("PASS  example_sub_led: all 2 seeds passed\n");
    expect(run.code).toBe(0);
  }, 60_000);

  it("a runaway firmware ends its seed, not the sweep", async () => {
    const run = await cli("sweep", join(FIXTURES, "runaway/spin.yaml"), "--seeds", "1..2", "--jobs", "2", "--json");
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as SweepReport;
    expect(report.results.map((r) => [r.seed, r.status])).toEqual([
      [1, "fail"],
      [2, "fail"],
    ]);
    expect(report.groups).toHaveLength(1);
    expect(report.groups[0]!.kind).toMatch(/board1 has not yielded for N s of wall time/);
  }, 60_000);

  it("bad input: one line, exit 2", async () => {
    expectUsageError(await cli("sweep", "example_sub_led", "--seeds", "5..1"), /--seeds: range 5\.\.1 ends before it starts/);
    expectUsageError(await cli("sweep", "example_sub_led", "--jobs", "0"), /--jobs: expected an integer from 1/);
    expectUsageError(await cli("sweep", "example_sub_led", "--shard", "4/3"), /--shard: shard 4 of 3 does not exist/);
    expectUsageError(await cli("sweep", "no_such_scenario"), /unknown scenario "no_such_scenario"/);
    expectUsageError(await cli("sweep", join(FIXTURES, "own/bad-firmware.yaml"), "--seeds", "1..3"), /firmware/);
  }, 60_000);

  it("Ctrl-C stops the workers and reports the seeds done so far (exit 130)", async () => {
    const run = background("sweep", ...FLAKY_ARGS, "--seeds", "3..40", "--jobs", "1");
    // Seed 3 fails at connect: its line says the sweep is under way with a seed done.
    await run.waitFor("seed 3: FAIL", 60_000);
    run.child.kill("SIGINT");
    expect(await run.exited).toBe(130);
    expect(run.out()).toMatch(/INTERRUPTED\s+\S+flaky_dns\.yaml: \d+ seeds? run \(\d+ failed\), \d+ seeds not run/);
    expect(run.out()).toContain("--seed 3 ");
  }, 90_000);
});
