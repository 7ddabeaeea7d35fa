// A scenario's params reach .py firmware as a generated module on the board's
// filesystem (bench_params.py, PARAMS), of Python literals only; values with
// no Python literal are bad input.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createSession } from "../../src/emulator/runner/session.ts";
import { parseScenarioText } from "../../src/emulator/scenario/parse.ts";
import { prints } from "../runner/run-scenario.ts";
import { paramsModuleText, pythonLiteral, ParamsError } from "../../src/micropython/firmware/params-module.ts";

const FIXTURES = join(import.meta.dirname, "fixtures");
const BIN = join(import.meta.dirname, "../../bin/umqtt-bench.js");

async function runWithParams(params: string | undefined) {
  const yaml = [
    "name: params_echo",
    "timeout: 5s",
    "boards:",
    `  - { name: board1, board: esp8266, firmware: ./params_echo.py${params === undefined ? "" : `, params: ${params}`} }`,
    "steps:",
    "  - delay: 100ms",
  ].join("\n");
  const session = await createSession(parseScenarioText(yaml, "params.yaml", FIXTURES), { seed: 1 });
  await session.verdict;
  await session.stop();
  return prints(session.trace.events, "board1");
}

describe("scenario params in .py firmware", () => {
  it("arrive as PARAMS in bench_params, each value as its Python literal", async () => {
    const lines = await runWithParams(
      `{ topic: "le'd\\\\\\n\\u00e9", pin: 2, ratio: 0.25, big: -9007199254740991, on: true, none: null, pins: [1, "x", [false]], nested: { a: { b: 1.5e-7 } } }`,
    );
    expect(lines).toEqual([
      "big int -9007199254740991",
      "nested dict {'a': {'b': 1.5e-07}}",
      "none NoneType None",
      "on bool True",
      "pin int 2",
      "pins list [1, 'x', [False]]",
      "ratio float 0.25",
      "topic str \"le'd\\\\\\né\"",
    ]);
  });

  it("no params, no module: the firmware's ImportError fallback runs, as on a board without the bench", async () => {
    expect(await runWithParams(undefined)).toEqual(["no params module"]);
  });

  it("reach the built-in .py firmware as they reach its TypeScript port (example_sub_led's topic and LED pin)", async () => {
    const yaml = [
      "name: sub_led_params",
      "timeout: 5s",
      "boards:",
      "  - { name: board1, board: esp32, firmware: example_sub_led, params: { topic: lamp, led_pin: 4 } }",
      "steps:",
      '  - wait-serial: { board: board1, text: "subscribed to b\'lamp\' topic", timeout: 2s }',
      "  - publish: { topic: lamp, payload: \"on\" }",
      "  - wait-pin: { board: board1, pin: 4, value: 0, timeout: 1s }",
    ].join("\n");
    const session = await createSession(parseScenarioText(yaml, "params.yaml", FIXTURES), { seed: 1 });
    await session.verdict;
    const result = await session.stop();
    expect(result.status, result.failure).toBe("pass");
  });

  it("the module is the same text for the same params, for any target", () => {
    const text = paramsModuleText({ topic: "led", qos: 1 });
    expect(text).toBe("# Written by umqtt-bench from the scenario's params for this board.\nPARAMS = {\n    'topic': 'led',\n    'qos': 1,\n}\n");
  });

  it("refuses values with no Python literal, naming the field", () => {
    expect(() => pythonLiteral(Number.NaN, "params.x")).toThrow(ParamsError);
    expect(() => pythonLiteral(2 ** 60, "params.x")).toThrow(/params.x: .* too large/);
    expect(() => pythonLiteral(new Date(0), "params.when")).toThrow(/params.when: a date has no Python literal/);
    expect(() => pythonLiteral("\ud800", "params.s")).toThrow(/lone UTF-16 surrogate/);
    const loop: unknown[] = [];
    loop.push(loop);
    expect(() => pythonLiteral(loop, "params.l")).toThrow(/nested more than/);
  });

  it("a bad value is bad input for umqtt-bench run: one line, exit 2", async () => {
    const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(process.execPath, [BIN, "run", join(FIXTURES, "params_bad.yaml")], { env: { ...process.env, UMQTT_BENCH_DEBUG: "" } }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
      ),
    );
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split("\n")).toEqual(["umqtt-bench: board board1: params.ratio: NaN has no Python literal (write it as a string and convert it in the firmware)"]);
  });
});
