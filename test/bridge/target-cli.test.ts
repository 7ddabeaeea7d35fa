// `umqtt-bench run --target` as users run it: a real process, its exit code
// and output. Bad input is one line and exit 2 before anything is touched;
// Ctrl-C during a run on serve-board stops the firmware, puts the user's
// main.py back and exits 130 with the report.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, cli, expectUsageError } from "../cli/cli-process.ts";
import { hasSocat, openBoard, serveBoard, stopBoard } from "../support/serve-board.ts";

const FIXTURES = join(import.meta.dirname, "../fixtures/target");

describe("run --target: bad input is one line, exit 2", () => {
  it("a port that does not exist", async () => {
    expectUsageError(await cli("run", "example_sub_led", "--target", "serial:/dev/no-such-port"), /cannot open serial port \/dev\/no-such-port/);
  });

  it("a target that is not serial:", async () => {
    expectUsageError(await cli("run", "example_sub_led", "--target", "usb:1"), /unknown target "usb:1": expected serial:PATH/);
  });

  it("flags of the emulated board, --wifi without --target, a malformed --wifi, a scenario of two boards", async () => {
    expectUsageError(await cli("run", "example_sub_led", "--target", "serial:/dev/null", "--net", "wifi"), /--net does not apply to --target/);
    expectUsageError(await cli("run", "example_sub_led", "--wifi", "home:secret"), /--wifi goes with --target/);
    expectUsageError(await cli("run", "example_sub_led", "--target", "serial:/dev/null", "--wifi", "nopassword"), /--wifi: expected SSID:PASSWORD/);
    expectUsageError(await cli("run", "led_button_pair", "--target", "serial:/dev/null"), /--target runs one board, and this scenario has 2/);
  });

  it.skipIf(!hasSocat)("a port where no MicroPython board answers", async () => {
    const link = join(process.env.TMPDIR ?? "/tmp", `silent-${process.pid}`);
    // A pseudo-terminal with nothing behind it that speaks.
    const socat = spawn("socat", [`PTY,link=${link},raw,echo=0`, "EXEC:sleep 60"], { stdio: "ignore" });
    try {
      for (let i = 0; i < 50 && spawnSync("test", ["-e", link]).status !== 0; i++) await new Promise((r) => setTimeout(r, 100));
      expectUsageError(await cli("run", "example_sub_led", "--target", `serial:${link}`), /no raw REPL prompt after Ctrl-A after .*is a MicroPython board on this port/);
    } finally {
      socat.kill("SIGTERM");
    }
  }, 60_000);
});

describe.skipIf(!hasSocat)("run --target on serve-board from the command line", () => {
  it("Ctrl-C stops the firmware, puts the user's main.py back, reports and writes --trace and --junit with what was recorded, exit 130; --json adds the board's part", async () => {
    const served = await serveBoard({ board: "esp8266" });
    try {
      const path = served.path;
      const open = async () => {
        const board = await openBoard(path);
        await board.repl.enterRaw();
        return board;
      };
      let board = await open();
      await board.ops.put("/main.py", new TextEncoder().encode("print('mine')\n"));
      await board.link.close();

      const files = mkdtempSync(join(tmpdir(), "target-cli-"));
      const traceFile = join(files, "trace.jsonl");
      const junitFile = join(files, "junit.xml");
      const run = spawn(process.execPath, [BIN, "run", "example_sub_led", "--target", `serial:${path}`, "--trace", traceFile, "--junit", junitFile], { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      run.stdout.on("data", (d) => (out += d));
      run.stderr.on("data", (d) => (err += d));
      const exited = new Promise<number | null>((resolve) => run.once("exit", (code) => resolve(code)));
      for (let i = 0; i < 600 && !err.includes("running example_sub_led"); i++) await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 2500));
      run.kill("SIGINT");
      expect(await exited).toBe(130);
      expect(err).toContain("stopping the firmware and putting your files back");
      expect(out).toContain("your /main.py was kept in /umqtt_bench/saved/main.py during the run and is back in place");
      expect(out).toMatch(/FAIL {2}example_sub_led/);
      expect(out).toContain("stopped before the scenario finished");
      // What was recorded until Ctrl-C is in the files, in the emulated run's formats.
      const events = readFileSync(traceFile, "utf8").trim().split("\n").map((l) => JSON.parse(l));
      expect(events.find((e) => e.kind === "board" && e.event === "boot")).toMatchObject({ board: "board1", detail: "example_sub_led" });
      expect(events.some((e) => e.kind === "print" && e.text.includes("subscribed to b'led' topic"))).toBe(true);
      expect(readFileSync(junitFile, "utf8")).toContain('<testsuite name="example_sub_led"');
      rmSync(files, { recursive: true, force: true });

      board = await open();
      expect(new TextDecoder().decode(await board.ops.get("/main.py"))).toBe("print('mine')\n");
      await board.link.close();

      // --json: the emulated run's result, plus what only a board has.
      const json = await cli("run", join(FIXTURES, "crash.yaml"), "--target", `serial:${path}`, "--json");
      expect(json.code).toBe(1);
      const result = JSON.parse(json.stdout);
      expect(result).toMatchObject({ scenario: "target_crash", status: "fail", clock: "real", boards: [{ name: "board1", crashed: "OSError: -1" }] });
      expect(result.target).toMatchObject({ port: path, board: { implementation: "micropython" }, moved: [{ path: "/main.py", restored: true }], skipped: [] });
    } finally {
      await stopBoard(served);
    }
  }, 180_000);
});
