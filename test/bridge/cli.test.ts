// The bridge's commands on bad input: one line and exit 2, never a stack.

import { execFile } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const BIN = join(import.meta.dirname, "../../bin/umqtt-bench.js");

function cli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as NodeJS.ErrnoException & { code?: unknown }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe("serve-board and devices on bad input", () => {
  it("an unknown board model: one line, exit 2", async () => {
    const r = await cli(["serve-board", "--board", "no-such-board"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/no-such-board/);
  });

  it("without socat: one line saying to install it, exit 2", async () => {
    // An empty PATH hides socat (and udevadm) from the command.
    const r = await cli(["serve-board"], { ...process.env, PATH: "/nonexistent" });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("umqtt-bench: serve-board needs socat to make a pseudo-terminal: install it (apt-get install socat, brew install socat)");
  });

  it("devices without udevadm falls back to sysfs and says so", async () => {
    const r = await cli(["devices"], { ...process.env, PATH: "/nonexistent" });
    expect(r.code).toBe(0);
    if (process.platform === "linux" && r.stdout.includes("/dev/")) expect(r.stdout).toContain("(listed from sysfs: udevadm is missing)");
  });
});
