// JUnit XML for CI systems: one testsuite per run, one testcase per step,
// each with its virtual duration. A run that did not pass always shows a
// failure: when no step failed (deadline, interruption, stuck firmware) a
// "run" testcase carries the reason. Each board's serial output is in the
// suite's <system-out>.

import type { RunResult } from "../../emulator/runner/result.ts";
import type { TraceEvent } from "../../emulator/trace.ts";
import { junitSeconds, xmlText } from "./xml.ts";

const xml = xmlText;
const seconds = junitSeconds;

function serialOutput(events: readonly TraceEvent[]): string {
  return events.flatMap((e) => (e.kind === "print" ? [`[${seconds(e.t)}s] ${e.board}: ${e.text}`] : [])).join("\n");
}

export function junitReport(result: RunResult, events: readonly TraceEvent[]): string {
  const stepFailures = result.steps.filter((s) => s.status === "fail" || s.status === "timeout").length;
  const runFailed = result.status !== "pass" && stepFailures === 0;
  const skipped = result.steps.filter((s) => s.status === "skipped").length;
  const cases = result.steps.map((s) => {
    const time = s.startMs !== undefined && s.atMs !== undefined ? seconds(s.atMs - s.startMs) : "0";
    const open = `    <testcase classname="${xml(result.scenario)}" name="${xml(`${s.index + 1}. ${s.description}`)}" time="${time}">`;
    if (s.status === "pass") return `${open}</testcase>`;
    if (s.status === "skipped") return `${open}<skipped/></testcase>`;
    const message = xml(s.detail ?? s.status);
    return `${open}<failure type="${s.status}" message="${message}">${message}</failure></testcase>`;
  });
  if (runFailed) {
    const message = xml(result.failure ?? result.status);
    cases.push(
      `    <testcase classname="${xml(result.scenario)}" name="run" time="${seconds(result.virtualMs)}"><failure type="${result.status}" message="${message}">${message}</failure></testcase>`,
    );
  }
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites>`,
    `  <testsuite name="${xml(result.scenario)}" tests="${cases.length}" failures="${stepFailures + (runFailed ? 1 : 0)}" skipped="${skipped}" time="${seconds(result.wallMs)}">`,
    `    <properties><property name="seed" value="${result.seed}"/><property name="virtual_ms" value="${result.virtualMs}"/><property name="broker" value="${xml(result.broker)}"/></properties>`,
    ...cases,
    `    <system-out>${xml(serialOutput(events))}</system-out>`,
    `  </testsuite>`,
    `</testsuites>`,
    ``,
  ].join("\n");
}
