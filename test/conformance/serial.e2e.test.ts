// conformance --target serial:PATH end to end: `umqtt-bench serve-board`
// (a MicroPython VM board on a real pseudo-terminal, real TCP to this
// machine) stands in for a board on USB. The pack's firmware is uploaded and
// run through run --target, the board's model is read from the board, and
// its rows are compared with the emulator's prediction for that model.
// Three checks only, so the file stays fast; the largest payload on the
// smallest heap (esp8266) too, where the bench's instrumentation weighs most.

import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { background, cli } from "../cli/cli-process.ts";
import { hasSocat, serveBoard, stopBoard, type ServedBoard } from "../support/serve-board.ts";

if (!hasSocat) console.warn("socat is not installed: skipping conformance over serve-board (apt-get install socat)");

describe.skipIf(!hasSocat)("conformance --target serial: on serve-board", () => {
  let served: ServedBoard | undefined;
  beforeAll(async () => {
    served = await serveBoard({ board: "esp32" });
  }, 40_000);
  afterAll(() => stopBoard(served));

  it("predicts for the model the board names, runs each check on the board, and every row matches", async () => {
    const junit = join(mkdtempSync(join(tmpdir(), "umqtt-bench-conf-serial-")), "conformance.xml");
    const run = await cli("conformance", "--target", `serial:${served!.path}`, "--only", "connect_session,unsubscribe,largest_payload", "--seed", "5", "--json", "--junit", junit);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const json = JSON.parse(run.stdout) as {
      status: string;
      device: string;
      prediction: string;
      checks: { id: string; status: string; rows: { key: string; device: string; prediction: string; match: boolean }[] }[];
    };
    expect(json.status).toBe("match");
    // serve-board's board says it is an esp32 (os.uname().machine); the prediction is for that model.
    // The board runs the checks under the bench's instrumentation; the prediction runs them under the same code.
    expect(json.prediction).toBe("emulator esp32, umqtt.simple 1.8.0, with the board's instrumentation");
    expect(json.device).toMatch(new RegExp(`^serial:${served!.path}, MicroPython `));
    const rows = Object.fromEntries(json.checks.flatMap((c) => c.rows.map((r) => [`${c.id}.${r.key}`, r])));
    expect(rows["connect_session.session_present"]).toMatchObject({ device: "0,0,1,0", prediction: "0,0,1,0", match: true });
    expect(rows["unsubscribe.unsubscribe"]).toMatchObject({ device: "ok", match: true });
    expect(rows["unsubscribe.after_unsubscribe"]).toMatchObject({ device: "no", match: true });
    // The board's stages show as progress; its serial output is in the JUnit file.
    expect(run.stderr).toContain(`device: running connect_session on ${served!.path}`);
    const xml = readFileSync(junit, "utf8");
    expect(xml).toContain(`<testsuite name="conformance" tests="3" failures="0" skipped="0">`);
    // Both sides' serial output: the board's and the prediction's.
    expect(xml.match(/result session_present 0,0,1,0/g)).toHaveLength(2);
  }, 120_000);
});

describe.skipIf(!hasSocat)("conformance --target serial: the largest payload on an esp8266's heap", () => {
  let served: ServedBoard | undefined;
  beforeAll(async () => {
    served = await serveBoard({ board: "esp8266" });
  }, 40_000);
  afterAll(() => stopBoard(served));

  it("the prediction carries the bench's instrumentation as the board does: free heap and the largest block match", async () => {
    const run = await cli("conformance", "--target", `serial:${served!.path}`, "--only", "largest_payload", "--seed", "3", "--json");
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const json = JSON.parse(run.stdout) as { checks: { rows: { key: string; device: string; prediction: string; match: boolean }[] }[] };
    const rows = Object.fromEntries(json.checks[0]!.rows.map((r) => [r.key, r]));
    // Without the instrumentation in the prediction it read 21,280 B free on the board against 33,504 B.
    const free = (side: "device" | "prediction"): number => Number(rows.mem_free![side]);
    expect(Math.abs(free("device") - free("prediction")) / free("prediction")).toBeLessThan(0.03);
    expect(free("device")).toBeLessThan(30_000);
    expect(rows.largest_received!.match).toBe(true);
  }, 120_000);
});

describe.skipIf(!hasSocat)("conformance --target serial: the board goes away mid-pack", () => {
  let served: ServedBoard | undefined;
  afterAll(() => stopBoard(served));

  it("the checks done are reported, then one line naming the port and exit 2", async () => {
    served = await serveBoard({ board: "esp32" });
    const run = background("conformance", "--target", `serial:${served.path}`, "--only", "connect_session,keepalive,will", "--seed", "5");
    await run.waitFor(`device: running keepalive on ${served.path}`, 90_000);
    await stopBoard(served); // as a board unplugged: the pseudo-terminal disappears
    expect(await run.exited).toBe(2);
    expect(run.out()).toMatch(/connect_session\s+session_present\s+0,0,1,0\s+0,0,1,0\s+match/);
    // keepalive was cut short on the board: a row says so; will could not start.
    expect(run.out()).toMatch(/completed\s+no: \S+ closed during the/);
    expect(run.out()).toMatch(/STOPPED .*not run: will/);
    const lines = run.err().trim().split("\n");
    expect(lines.at(-1)).toMatch(new RegExp(`^umqtt-bench: .*${served.path}`));
  }, 150_000);
});
