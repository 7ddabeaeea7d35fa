// What `umqtt-bench run` reports and writes: a reproduce line that really
// reproduces the run, JUnit that never reads green for a run that did not
// pass, and firmware problems pointing at file, line and column.

import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { background, cli, cliIn, expectUsageError, FIXTURES } from "./cli-process.ts";

const tmp = mkdtempSync(join(tmpdir(), "umqtt-bench-reports-"));

describe("the reproduce line", () => {
  it("carries every flag that changes the run, and running it gives the same verdict", async () => {
    const flags = ["--seed", "4", "--board", "esp32", "--net", "ideal", "--net-set", "latencyMs=300", "--timeout", "2s"];
    const first = await cli("run", "example_sub_led", ...flags, "--junit", join(tmp, "r.xml"));
    // 300 ms each way makes example_sub_led fail on ideal with these flags; without them it passes.
    expect(first.code).not.toBe(0);
    const line = /reproduce: (umqtt-bench run .*)$/m.exec(first.stdout)![1];
    expect(line).toBe("umqtt-bench run example_sub_led --seed 4 --board esp32 --net ideal --net-set latencyMs=300 --timeout 2s");
    const again = await cli(...line.split(" ").slice(1));
    expect(again.code).toBe(first.code);
    expect(again.stdout.replace(/ in [\d.]+m?s wall \([\d.]+x\)/, "")).toBe(first.stdout.replace(/ in [\d.]+m?s wall \([\d.]+x\)/, ""));
  });

  it("carries the umqtt version and the firmware language", async () => {
    const run = await cli("run", "example_pub", "--seed", "2", "--umqtt", "1.7.1", "--firmware-lang", "ts");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("reproduce: umqtt-bench run example_pub --seed 2 --umqtt 1.7.1 --firmware-lang ts\n");
  });

  it("quotes what a shell would split", async () => {
    const dir = join(tmp, "my scenarios");
    mkdirSync(dir);
    const file = join(dir, "pub.yaml");
    copyFileSync(join(FIXTURES, "own/blink.yaml"), file);
    copyFileSync(join(FIXTURES, "own/blink.ts"), join(dir, "blink.ts"));
    copyFileSync(join(FIXTURES, "own/my-board.json"), join(dir, "my-board.json"));
    const run = await cli("run", file, "--seed", "1");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`reproduce: umqtt-bench run '${file}' --seed 1`);
  });
});

describe("output files", () => {
  it("a --junit path that cannot be written fails before the run (exit 2)", async () => {
    const file = join(tmp, "a-file");
    writeFileSync(file, "");
    const run = await cli("run", "example_sub_led", "--junit", join(file, "j.xml"));
    expectUsageError(run, /^umqtt-bench: --junit .*a-file\/j\.xml: cannot write \(E[A-Z]+\)$/);
    expect(run.stdout).toBe(""); // no run, no report
  });

  it("creates the folders of --junit and --trace", async () => {
    const junit = join(tmp, "out", "deep", "j.xml");
    const trace = join(tmp, "traces", "t.jsonl");
    const run = await cli("run", "example_pub", "--junit", junit, "--trace", trace, "--quiet");
    expect(run.code).toBe(0);
    expect(readFileSync(junit, "utf8")).toContain("<testsuite");
    expect(readFileSync(trace, "utf8")).toContain('"kind":"mqtt"');
  });
});

describe("JUnit", () => {
  it("gives each step its virtual duration and each board's serial output", async () => {
    const junit = join(tmp, "pass.xml");
    const run = await cli("run", "example_sub_led", "--seed", "1", "--junit", junit, "--quiet");
    expect(run.code).toBe(0);
    const xml = readFileSync(junit, "utf8");
    expect(xml).toContain('failures="0"');
    // wait-pin board1.led on waits for the message to cross the link: a few virtual ms.
    expect(xml).toMatch(/name="4\. wait-pin board1\.led on" time="0\.0\d[1-9]"/);
    expect(xml).toMatch(/<system-out>[^<]*board1: Connected to broker\.local, subscribed to b'led' topic/);
  });

  it("a run that ends at its deadline or is interrupted is never green", async () => {
    const junit = join(tmp, "deadline.xml");
    const run = await cli("run", "example_sub_led", "--timeout", "10ms", "--junit", junit, "--quiet");
    expect(run.code).toBe(42);
    expect(readFileSync(junit, "utf8")).toMatch(/failures="[1-9]/);

    const interrupted = join(tmp, "interrupted.xml");
    const bg = background("run", "example_sub_led", "--realtime", "--net", "ideal", "--junit", interrupted);
    await bg.waitFor("running example_sub_led");
    bg.child.kill("SIGINT");
    expect(await bg.exited).toBe(130);
    const xml = readFileSync(interrupted, "utf8");
    expect(xml).toMatch(/failures="[1-9]/);
    expect(xml).toContain("stopped before the scenario finished");
  });
});

describe("firmware problems point at the line", () => {
  it("a syntax error gives file:line:column and the message (exit 2)", async () => {
    // Written here, not kept as a fixture: the type checker would reject it.
    const dir = mkdtempSync(join(tmpdir(), "umqtt-bench-syntax-"));
    writeFileSync(join(dir, "broken.ts"), ["// line 1", "export default async () => {", "  const x = ;", "};", ""].join("\n"));
    writeFileSync(join(dir, "s.yaml"), ["name: syntax", "boards:", "  - { name: board1, board: esp8266, firmware: ./broken.ts }", "steps:", "  - delay: 1s", ""].join("\n"));
    expectUsageError(await cliIn(dir, "run", "./s.yaml"), /^umqtt-bench: firmware \.\/broken\.ts failed to load: broken\.ts:3:12: Unexpected ";"$/);
  });
});

describe("a user's own project", () => {
  it("loads firmware from a folder with no package.json", async () => {
    const dir = mkdtempSync(join(tmpdir(), "umqtt-bench-user-"));
    copyFileSync(join(FIXTURES, "own/blink.ts"), join(dir, "blink.ts"));
    copyFileSync(join(FIXTURES, "own/my-board.json"), join(dir, "my-board.json"));
    writeFileSync(join(dir, "scenario.yaml"), readFileSync(join(FIXTURES, "own/blink.yaml"), "utf8"));
    const run = await cliIn(dir, "run", "./scenario.yaml", "--quiet");
    expect(run.stderr).toBe("");
    expect(run.stdout).toMatch(/^PASS blink/);
    expect(run.code).toBe(0);
  });
});
