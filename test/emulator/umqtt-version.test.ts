// The umqtt version setting end to end: a board's `umqtt:` in a scenario and
// the session-wide override (`--umqtt`) reach the firmware's client, and the
// embedded aedes broker sees each version's bytes.

import { describe, expect, it } from "vitest";
import { parseScenarioText } from "../../src/emulator/scenario/parse.ts";
import { packets, prints, runScenario } from "../runner/run-scenario.ts";

const scenario = (umqtt?: string, firmware = "long_topic_sub.ts"): string => `
name: long_topic
timeout: 10s
boards:
  - name: b1
    board: esp8266
    firmware: test/emulator/fixtures/${firmware}
${umqtt ? `    umqtt: "${umqtt}"\n` : ""}steps:
  - delay: 3s
`;

describe("umqtt version per board", () => {
  it("default 1.8.0: a 123-byte topic is subscribed (SUBSCRIBE RL as 80 01)", async () => {
    const { events } = await runScenario(scenario());
    expect(prints(events, "b1")).toContain("subscribed");
    const [sub] = packets(events, "b1", "subscribe", "out");
    expect(sub.raw.slice(0, 14)).toBe("8280010001007b");
    expect(packets(events, "b1", "suback", "in")).toHaveLength(1);
  });

  it("umqtt: 1.7.1 sends the one-byte length: the broker gets a malformed packet, no SUBACK", async () => {
    const { events } = await runScenario(scenario("1.7.1"));
    expect(prints(events, "b1")).not.toContain("subscribed");
    expect(packets(events, "b1", "suback", "in")).toHaveLength(0);
    // 82 80 00 frames as a SUBSCRIBE of remaining length 0: no packet id.
    const bad = events.find((e) => e.kind === "error" && e.board === "b1" && /malformed MQTT from board/.test(e.message));
    expect(bad).toBeDefined();
  });

  it("a MicroPython firmware's umqtt is the board's version too", async () => {
    const { events } = await runScenario(scenario("1.7.1", "long_topic_sub.py"));
    const [sub] = packets(events, "b1", "subscribe", "out");
    expect(sub).toBeUndefined(); // 82 80 00 ... never decodes as a SUBSCRIBE
    expect(events.some((e) => e.kind === "error" && e.board === "b1" && /malformed MQTT from board/.test(e.message))).toBe(true);
    const fixed = await runScenario(scenario(undefined, "long_topic_sub.py"));
    expect(packets(fixed.events, "b1", "subscribe", "out")[0].raw.slice(0, 14)).toBe("8280010001007b");
  });

  it("a MicroPython firmware's connect() takes the arguments of its release: no timeout before 1.5.0", async () => {
    const connectForms = (umqtt: string) => runScenario(scenario(umqtt, "connect_forms.py"));
    for (const umqtt of ["1.3.4", "1.4.0"]) {
      const lines = prints((await connectForms(umqtt)).events, "b1");
      expect(lines).toContain("session 0");
      expect(lines).toContain("TypeError function takes 2 positional arguments but 3 were given");
    }
    const lines = prints((await connectForms("1.5.0")).events, "b1");
    expect(lines).toEqual(expect.arrayContaining(["session 0", "with timeout 0"]));
  });

  it("the session's umqtt option overrides the board's", async () => {
    const { events } = await runScenario(scenario("1.7.1"), { umqtt: "1.8.0" });
    expect(prints(events, "b1")).toContain("subscribed");
  });

  it("umqtt-load accepts frozen, mpy, py and rejects anything else", () => {
    const withLoad = (load: string) => scenario().replace("    firmware:", `    umqtt-load: ${load}\n    firmware:`);
    expect(parseScenarioText(withLoad("mpy"), "s.yaml", process.cwd()).boards[0].umqttLoad).toBe("mpy");
    expect(() => parseScenarioText(withLoad("zip"), "s.yaml", process.cwd())).toThrow(/boards\[0\]\.umqtt-load: expected one of: frozen, mpy, py/);
  });

  it("an unknown version is bad input naming the field and the versions", () => {
    expect(() => parseScenarioText(scenario("1.9.9"), "s.yaml", process.cwd())).toThrow(/umqtt.*unknown umqtt.simple version "1.9.9" \(expected one of: 1.3.4, .*1.8.0\)/);
  });
});
