// The pack's reports: a table for people, JSON for programs, JUnit for CI.
// Each row is one result: the device's value beside the prediction's.

import type { UmqttVersion } from "../client/versions.ts";
import type { PackOutcome } from "./run-pack.ts";
import { releaseNote, releasesFitting } from "./umqtt-release.ts";
import { junitSeconds, xmlText } from "../cli/report/xml.ts";

export interface PackHeader {
  device: string;
  prediction: string;
  /** The umqtt.simple release the prediction assumed. */
  umqtt: UmqttVersion;
  seed: number;
}

export function summary(outcome: PackOutcome): string {
  const mismatched = outcome.checks.filter((c) => c.status === "mismatch").map((c) => c.check.id);
  const matched = outcome.checks.length - mismatched.length;
  const parts = [`${outcome.checks.length} check(s): ${matched} match${mismatched.length ? `, ${mismatched.length} differ (${mismatched.join(", ")})` : ""}`];
  if (outcome.notRun.length) parts.push(`${outcome.error ? `stopped (${outcome.error.message})` : "interrupted"}, not run: ${outcome.notRun.join(", ")}`);
  return parts.join("; ");
}

const clip = (text: string, width: number): string => (text.length > width ? `${text.slice(0, width - 1)}…` : text);

export function humanReport(outcome: PackOutcome, header: PackHeader): string {
  const lines = [`conformance  device: ${header.device}  prediction: ${header.prediction}  seed ${header.seed}`, ""];
  const table = outcome.checks.flatMap((c) =>
    c.rows.map((r) => [c.check.id, r.key, r.device, r.prediction, r.match ? (r.tolerance ? `match (within ${r.tolerance * 100}%)` : "match") : "DIFFERS"]),
  );
  const titles = ["check", "result", "device", "prediction", ""];
  const widths = titles.map((t, i) => Math.min(i >= 2 && i <= 3 ? 34 : 20, Math.max(t.length, ...table.map((row) => row[i]!.length))));
  const format = (row: string[]): string => row.map((cell, i) => clip(cell, widths[i]!).padEnd(widths[i]!)).join("  ").trimEnd();
  lines.push(format(titles));
  let last = "";
  for (const row of table) {
    lines.push(format([row[0] === last ? "" : row[0]!, ...row.slice(1)]));
    last = row[0]!;
  }
  const notes: string[] = [];
  for (const c of outcome.checks) {
    for (const info of c.device.info) notes.push(`  ${c.check.id} on the device: ${info}`);
    for (const info of c.prediction.info) notes.push(`  ${c.check.id} predicted: ${info}`);
    if (c.status === "mismatch") {
      notes.push(`  ${c.check.id} differs: ${c.check.onMismatch}`);
      for (const r of c.rows.filter((row) => !row.match && (row.device.length > 34 || row.prediction.length > 34))) {
        notes.push(`    ${r.key}: device ${r.device}; prediction ${r.prediction}`);
      }
    }
  }
  const release = releaseNote(outcome.checks, header.umqtt);
  if (release) notes.push(`  ${release}`);
  if (notes.length) lines.push("", "Notes", ...notes);
  const verdict = outcome.error ? "STOPPED" : outcome.notRun.length ? "INTERRUPTED" : outcome.checks.every((c) => c.status === "match") ? "MATCH" : "DIFFERS";
  lines.push("", `${verdict}  ${summary(outcome)}`);
  return lines.join("\n");
}

export function jsonReport(outcome: PackOutcome, header: PackHeader): string {
  return JSON.stringify(
    {
      device: header.device,
      prediction: header.prediction,
      seed: header.seed,
      status: outcome.error ? "stopped" : outcome.notRun.length ? "interrupted" : outcome.checks.every((c) => c.status === "match") ? "match" : "mismatch",
      checks: outcome.checks.map((c) => ({
        id: c.check.id,
        proves: c.check.proves,
        status: c.status,
        rows: c.rows,
        device: { info: c.device.info, status: c.device.status, failure: c.device.failure, wallMs: Math.round(c.device.wallMs) },
        prediction: { info: c.prediction.info, status: c.prediction.status, failure: c.prediction.failure, wallMs: Math.round(c.prediction.wallMs) },
        ...(c.status === "mismatch" ? { onMismatch: c.check.onMismatch } : {}),
      })),
      notRun: outcome.notRun,
      ...(outcome.error ? { error: outcome.error.message } : {}),
      /** The umqtt.simple releases that fit the device's results (absent when no check tells them apart). */
      deviceUmqtt: releasesFitting(outcome.checks),
    },
    null,
    2,
  );
}

const xml = xmlText;

/** One testsuite, one testcase per check; a difference is a failure listing the rows that differ. */
export function junitReport(outcome: PackOutcome, header: PackHeader): string {
  const failures = outcome.checks.filter((c) => c.status === "mismatch").length;
  const cases = outcome.checks.map((c) => {
    const open = `    <testcase classname="conformance" name="${xml(c.check.id)}" time="${junitSeconds(c.device.wallMs + c.prediction.wallMs)}">`;
    const out = `<system-out>${xml([`device (${header.device}):`, ...c.device.serial, `prediction (${header.prediction}):`, ...c.prediction.serial].join("\n"))}</system-out>`;
    if (c.status === "match") return `${open}${out}</testcase>`;
    const differing = c.rows.filter((r) => !r.match).map((r) => `${r.key}: device ${r.device}, prediction ${r.prediction}`);
    const message = xml(`${differing.join("; ")} (${c.check.onMismatch})`);
    return `${open}<failure type="mismatch" message="${message}">${message}</failure>${out}</testcase>`;
  });
  const why = xml(outcome.error ? `not run: ${outcome.error.message}` : "interrupted");
  const skipped = outcome.notRun.map((id) => `    <testcase classname="conformance" name="${xml(id)}" time="0"><skipped message="${why}"/></testcase>`);
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites>`,
    `  <testsuite name="conformance" tests="${cases.length + skipped.length}" failures="${failures}" skipped="${skipped.length}">`,
    `    <properties><property name="device" value="${xml(header.device)}"/><property name="prediction" value="${xml(header.prediction)}"/><property name="seed" value="${header.seed}"/></properties>`,
    ...cases,
    ...skipped,
    `  </testsuite>`,
    `</testsuites>`,
    ``,
  ].join("\n");
}
