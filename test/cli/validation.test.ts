// Every bad scenario is found when it loads: exit 2 and one line naming the
// file, the step and the field, before anything runs.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "vitest";
import { cli, expectUsageError } from "./cli-process.ts";

const tmp = mkdtempSync(join(tmpdir(), "umqtt-bench-validation-"));

function scenarioWith(name: string, step: string, timeout = "10s"): string {
  const path = join(tmp, `${name}.yaml`);
  writeFileSync(
    path,
    [
      `name: ${name}`,
      `timeout: ${timeout}`,
      "boards:",
      "  - { name: board1, board: esp8266, firmware: example_sub_led }",
      "steps:",
      "  - delay: 10ms",
      `  - ${step}`,
      "",
    ].join("\n"),
  );
  return path;
}

const cases: [string, string, RegExp][] = [
  ["unknown LED", `wait-pin: { board: board1, led: ledx, state: "on" }`, /steps\[1\]\.wait-pin\.led: board1 \(esp8266\) has no LED "ledx" \(LEDs: led\)/],
  ["pin the board does not have", `expect-pin: { board: board1, pin: 99, value: 1 }`, /steps\[1\]\.expect-pin\.pin: board1 \(esp8266\) has no GPIO 99/],
  ["negative pin", `expect-pin: { board: board1, pin: -1, value: 1 }`, /steps\[1\]\.expect-pin\.pin: expected 0 or more, got -1/],
  ["unknown button", `press: { board: board1, control: nope }`, /steps\[1\]\.press\.control: board1 \(esp8266\) has no button "nope"/],
  ["negative max-used", `expect-heap: { board: board1, max-used: -5 }`, /steps\[1\]\.expect-heap\.max-used: expected 0 or more/],
  ["unknown network event", `wait-net: { board: board1, event: explode }`, /steps\[1\]\.wait-net\.event: unknown network event "explode"/],
  ["unknown packet", `wait-mqtt: { board: board1, packet: pubfoo }`, /steps\[1\]\.wait-mqtt\.packet: unknown MQTT packet "pubfoo"/],
  ["publish size over umqtt's limit", `publish: { topic: t, size: 3000000 }`, /steps\[1\]\.publish\.size: 3,000,000 bytes is over umqtt's publish limit/],
  ["object payload", `publish: { topic: t, payload: { a: 1 } }`, /steps\[1\]\.publish\.payload: expected text/],
  ["string retain", `publish: { topic: t, payload: x, retain: "yes" }`, /steps\[1\]\.publish\.retain: expected true or false/],
  ["wildcard topic", `publish: { topic: "a/#", payload: x }`, /steps\[1\]\.publish\.topic: "a\/#" has a wildcard/],
  ["duration that overflows", `wait-serial: { text: x, timeout: "${"9".repeat(400)}s" }`, /steps\[1\]\.wait-serial\.timeout: duration .* is too long/],
  ["zero wait timeout", `wait-pin: { board: board1, led: led, state: "on", timeout: 0 }`, /steps\[1\]\.wait-pin\.timeout: must be more than 0/],
];

describe("scenario validation at load time (exit 2)", () => {
  for (const [what, step, pattern] of cases) {
    it(what, async () => {
      const file = scenarioWith(what.replace(/\W+/g, "_"), step);
      const run = await cli("run", file, "--quiet");
      expectUsageError(run, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: ${pattern.source}`));
    });
  }

  it("a zero scenario timeout, as --timeout 0 is", async () => {
    const file = scenarioWith("zero_timeout", "delay: 1ms", "0");
    expectUsageError(await cli("run", file, "--quiet"), /zero_timeout\.yaml: timeout: must be more than 0/);
  });
});
