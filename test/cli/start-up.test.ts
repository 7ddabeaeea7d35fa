// Start-up shortcuts of `umqtt-bench run` must not change a run: a scenario
// whose boards all run .py firmware runs in the command's thread
// (supervisor/in-process.ts) with its first VM worker started early
// (micropython/host/vm-prewarm.ts) and booting while the emulator loads
// (micropython/host/vm-early-boot.ts), and must give the trace and result the
// session thread gives, byte for byte. Real parts throughout: the embedded
// broker, the MicroPython VM, the session thread.
import { execFile } from "node:child_process";
import { describe, expect, it } from "vitest";
import { resolveScenario } from "../../src/emulator/scenario/resolve.ts";
import { InProcessRun, pythonOnly } from "../../src/cli/supervisor/in-process.ts";
import { Supervisor } from "../../src/cli/supervisor/supervisor.ts";
import { runsVmBoards } from "../../src/cli/prewarm.ts";
import { prewarmVmWorker } from "../../src/micropython/host/vm-prewarm.ts";
import { BIN } from "./cli-process.ts";
import { bootEarlyFromCommandLine, earlyRunFlags, takeEarlyScenario } from "../../src/cli/early-run.ts";
import { bootFirstVmEarly } from "../../src/micropython/host/vm-early-boot.ts";
import { loadBoard } from "../../src/emulator/board/board-file.ts";

const OPTIONS = { seed: 5, speed: "max" as const };

describe("a .py-only run in process", () => {
  it("gives the session thread's trace and result (led_button_pair, two VM boards, seed 5), the first VM from a prewarmed worker", async () => {
    const scenario = resolveScenario("led_button_pair");
    expect(pythonOnly(scenario, {})).toBe(true);
    const threaded = new Supervisor(scenario, OPTIONS);
    const a = await threaded.outcome;
    prewarmVmWorker();
    const local = new InProcessRun(scenario, OPTIONS);
    const b = await local.outcome;
    expect(a.result.status, a.result.failure).toBe("pass");
    expect(b.abandoned).toBeUndefined();
    expect(threaded.trace.events.filter((e) => e.kind === "mqtt").length).toBeGreaterThan(5);
    expect(JSON.stringify(local.trace.events)).toBe(JSON.stringify(threaded.trace.events));
    const { wallMs: _a, ...ra } = a.result;
    const { wallMs: _b, ...rb } = b.result;
    expect(rb).toEqual(ra);
  }, 60_000);

  it("TypeScript firmware keeps the session thread", () => {
    expect(pythonOnly(resolveScenario("example_sub_led"), { firmwareLang: "ts" })).toBe(false);
    expect(pythonOnly(resolveScenario("example_sub_led"), {})).toBe(true);
  });

  it("bad input found while loading rejects the outcome (exit 2 path), nothing left running", async () => {
    const scenario = resolveScenario("example_sub_led");
    const run = new InProcessRun(scenario, { ...OPTIONS, boardModel: "no-such-board" });
    await expect(run.outcome).rejects.toThrow(/no-such-board/);
  });
});

describe("which command lines prewarm a VM worker", () => {
  it("run on emulated boards only", () => {
    expect(runsVmBoards(["run", "example_sub_led", "--seed", "1"])).toBe(true);
    expect(runsVmBoards(["run", "x.yaml", "--target", "serial:auto"])).toBe(false);
    expect(runsVmBoards(["run", "x.yaml", "--target=serial:auto"])).toBe(false);
    expect(runsVmBoards(["run", "x.yaml", "--firmware-lang", "ts"])).toBe(false);
    expect(runsVmBoards(["run", "--help"])).toBe(false);
    expect(runsVmBoards(["sweep", "x.yaml"])).toBe(false);
    expect(runsVmBoards([])).toBe(false);
  });
});

describe("the flags read from the command line before the command loads", () => {
  it("reads the scenario, --board, --firmware-lang and --coverage as commander will", () => {
    expect(earlyRunFlags(["run", "example_sub_led", "--seed", "1", "--json"])).toEqual({ scenario: "example_sub_led", board: [], coverage: false });
    expect(earlyRunFlags(["run", "--board", "esp32", "x.yaml", "--board=b2=rp2-pico-w", "--firmware-lang", "py"])).toEqual({
      scenario: "x.yaml",
      board: ["esp32", "b2=rp2-pico-w"],
      firmwareLang: "py",
      coverage: false,
    });
    // --coverage takes the next argument as its file unless it looks like an option.
    expect(earlyRunFlags(["run", "x.yaml", "--coverage", "out.info"])).toMatchObject({ scenario: "x.yaml", coverage: true });
    expect(earlyRunFlags(["run", "--coverage", "--quiet", "x.yaml"])).toMatchObject({ scenario: "x.yaml", coverage: true });
    expect(earlyRunFlags(["run", "--seed=3", "--net", "wifi", "x.yaml"])).toMatchObject({ scenario: "x.yaml" });
  });

  it("guesses nothing for anything unusual (the command then reads it alone)", () => {
    expect(earlyRunFlags(["watch", "x.yaml"])).toBeUndefined();
    expect(earlyRunFlags(["run"])).toBeUndefined();
    expect(earlyRunFlags(["run", "--coverage", "x.yaml"])).toBeUndefined(); // x.yaml is the coverage file: no scenario
    expect(earlyRunFlags(["run", "a.yaml", "b.yaml"])).toBeUndefined();
    expect(earlyRunFlags(["run", "x.yaml", "-h"])).toBeUndefined();
    expect(earlyRunFlags(["run", "x.yaml", "--a-firmware", "fw.py"])).toBeUndefined();
    expect(earlyRunFlags(["run", "x.yaml", "--seed"])).toBeUndefined();
  });

  it("the scenario read there is handed to the run command once, for the same argument only", () => {
    bootEarlyFromCommandLine(["run", "example_sub_led", "--firmware-lang", "ts"]);
    expect(takeEarlyScenario("led_button_pair")).toBeUndefined();
    bootEarlyFromCommandLine(["run", "example_sub_led", "--firmware-lang", "ts"]);
    expect(takeEarlyScenario("example_sub_led")).toEqual(resolveScenario("example_sub_led"));
    expect(takeEarlyScenario("example_sub_led")).toBeUndefined();
  });

  it("a wrong guess costs a boot, never the run: a VM booted for other files is not taken", async () => {
    // The early boot reads the scenario's own firmware; the run is told another board model here.
    const scenario = resolveScenario("example_sub_led");
    const options = { ...OPTIONS, boardModel: "esp32" };
    const plain = new InProcessRun(scenario, options);
    await plain.outcome;
    prewarmVmWorker();
    bootFirstVmEarly(scenario, {});
    const guessed = new InProcessRun(scenario, options);
    const { result } = await guessed.outcome;
    expect(result.boards[0]!.heap!.budget).toBe(loadBoard("esp32").heap.budget);
    expect(loadBoard("esp32").heap.budget).not.toBe(loadBoard("esp8266").heap.budget);
    expect(JSON.stringify(guessed.trace.events)).toBe(JSON.stringify(plain.trace.events));
  }, 60_000);
});

describe("UMQTT_BENCH_TIMING=1", () => {
  it("prints each thread's start-up phases on stderr in order; stdout stays the report", async () => {
    const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [BIN, "run", "example_sub_led", "--seed", "1", "--json"], { env: { ...process.env, UMQTT_BENCH_TIMING: "1" }, timeout: 120_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
      );
    });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).status).toBe("pass");
    const phases = [...run.stderr.matchAll(/^umqtt-bench timing: +([\d.]+) ms (\w+) (.+)$/gm)].map((m) => ({ ms: Number(m[1]), at: `${m[2]} ${m[3]}` }));
    const at = (name: string): number => {
      const p = phases.find((x) => x.at === name);
      expect(p, `${name} in\n${run.stderr}`).toBeDefined();
      return p!.ms;
    };
    // The prewarmed worker loads before the command asks for it, and boots only once told its board.
    expect(at("vm worker loaded")).toBeGreaterThan(0);
    expect(at("vm board received")).toBeGreaterThanOrEqual(at("main VM worker starting"));
    expect(at("vm heap budget installed")).toBeGreaterThan(at("vm board received"));
    expect(at("main boards ready, run starts")).toBeGreaterThanOrEqual(at("vm heap budget installed"));
    expect(at("main exit")).toBeGreaterThanOrEqual(at("main run ended"));
    // The VM is given its board from the command line, before the command loads (early-run.ts), and the
    // board's host takes that VM: one start.
    expect(at("main VM worker starting")).toBeLessThan(at("main run command loaded"));
    expect(at("main VM worker starting")).toBeLessThan(at("main emulator loaded"));
    expect(phases.filter((p) => p.at === "main VM worker starting")).toHaveLength(1);
  }, 120_000);
});
