// JUnit XML for CI systems: one testsuite per run, one testcase per step.

import type { RunResult } from "../../emulator/runner/result.ts";

function xml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    // XML 1.0 cannot carry most control characters, even escaped.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "?");
}

export function junitReport(result: RunResult): string {
  const failures = result.steps.filter((s) => s.status === "fail" || s.status === "timeout").length;
  const skipped = result.steps.filter((s) => s.status === "skipped").length;
  const cases = result.steps.map((s) => {
    const open = `    <testcase classname="${xml(result.scenario)}" name="${xml(`${s.index + 1}. ${s.description}`)}" time="0">`;
    if (s.status === "pass") return `${open}</testcase>`;
    if (s.status === "skipped") return `${open}<skipped/></testcase>`;
    const message = xml(s.detail ?? s.status);
    return `${open}<failure type="${s.status}" message="${message}">${message}</failure></testcase>`;
  });
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites>`,
    `  <testsuite name="${xml(result.scenario)}" tests="${result.steps.length}" failures="${failures}" skipped="${skipped}" time="${(result.wallMs / 1000).toFixed(3)}">`,
    `    <properties><property name="seed" value="${result.seed}"/><property name="virtual_ms" value="${result.virtualMs}"/><property name="broker" value="${xml(result.broker)}"/></properties>`,
    ...cases,
    `  </testsuite>`,
    `</testsuites>`,
    ``,
  ].join("\n");
}
