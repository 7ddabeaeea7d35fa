// JUnit XML for a sweep: a testsuite per scenario, a testcase per seed. A
// failing seed's failure carries its message and its reproduce line. `merge`
// writes the joined shards' JUnit from their joined JSON with this too.

import type { SeedOutcome, SweepReport } from "./report.ts";
import { junitSeconds, xmlText } from "../cli/report/xml.ts";

const xml = xmlText;
const seconds = junitSeconds;

function testcase(r: SeedOutcome): string {
  const open = `    <testcase classname="${xml(r.scenario)}" name="seed ${r.seed}" time="${seconds(r.wallMs)}">`;
  if (r.status === "pass") return `${open}</testcase>`;
  const message = xml(r.failure ?? r.status);
  return `${open}<failure type="${r.status}" message="${message}">${message}\nreproduce: ${xml(r.reproduce)}</failure></testcase>`;
}

export function sweepJunit(report: SweepReport): string {
  const suites = report.scenarios.map((scenario) => {
    const results = report.results.filter((r) => r.scenario === scenario);
    const failures = results.filter((r) => r.status !== "pass").length;
    const time = results.reduce((sum, r) => sum + r.wallMs, 0);
    return [
      `  <testsuite name="${xml(scenario)}" tests="${results.length}" failures="${failures}" time="${seconds(time)}">`,
      `    <properties><property name="seeds" value="${xml(report.seeds)}"/><property name="status" value="${report.status}"/><property name="not_run" value="${report.notRun}"/></properties>`,
      ...results.map(testcase),
      `  </testsuite>`,
    ].join("\n");
  });
  return [`<?xml version="1.0" encoding="UTF-8"?>`, `<testsuites>`, ...suites, `</testsuites>`, ``].join("\n");
}
