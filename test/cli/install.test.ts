// umqtt-bench used from a firmware project: the packed tarball installed as
// a dev dependency, then `npx umqtt-bench run ./test/scenario.yaml` there.
// `npm i -D ./umqtt-bench-*.tgz` unpacks the tarball into node_modules and
// fetches its dependencies from the registry; tests reach only loopback, so
// here the tarball is unpacked the same way and the dependencies are this
// checkout's installed ones (the registry is the one part that cannot run here).

import { execFile, execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES } from "./cli-process.ts";

const REPO = join(import.meta.dirname, "../..");

function npx(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("npx", ["--no-install", ...args], { cwd, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

describe("installing from a packed tarball", () => {
  it("runs a project's own scenario and firmware through npx umqtt-bench", async () => {
    const work = mkdtempSync(join(tmpdir(), "umqtt-bench-pack-"));
    const tarball = execFileSync("npm", ["pack", "--silent", "--pack-destination", work], { cwd: REPO, encoding: "utf8" }).trim().split("\n").at(-1)!;
    const project = join(work, "my-firmware");
    const installed = join(project, "node_modules", "umqtt-bench");
    mkdirSync(installed, { recursive: true });
    execFileSync("tar", ["-xzf", join(work, tarball), "-C", installed, "--strip-components=1"]);
    for (const dep of readdirSync(join(REPO, "node_modules"))) {
      if (dep !== ".bin" && dep !== "umqtt-bench") symlinkSync(join(REPO, "node_modules", dep), join(project, "node_modules", dep));
    }
    mkdirSync(join(project, "node_modules", ".bin"));
    symlinkSync(join("..", "umqtt-bench", "bin", "umqtt-bench.js"), join(project, "node_modules", ".bin", "umqtt-bench"));
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "my-firmware", private: true, devDependencies: { "umqtt-bench": `file:../${tarball}` } }));

    // The project's own firmware, typed against the installed package.
    mkdirSync(join(project, "test"));
    const firmware = readFileSync(join(FIXTURES, "own/blink.ts"), "utf8").replace(
      /import type \{ Firmware \} from ".*";/,
      'import type { Firmware } from "umqtt-bench/src/emulator/firmware/context.ts";',
    );
    expect(firmware).toContain("umqtt-bench/src/emulator/firmware/context.ts");
    writeFileSync(join(project, "test", "blink.ts"), firmware);
    copyFileSync(join(FIXTURES, "own/my-board.json"), join(project, "test", "my-board.json"));
    copyFileSync(join(FIXTURES, "own/blink.yaml"), join(project, "test", "scenario.yaml"));

    const run = await npx(project, "umqtt-bench", "run", "./test/scenario.yaml", "--seed", "1", "--quiet");
    expect(run.stdout, run.stderr).toBe("PASS blink seed 1\n");
    expect(run.code).toBe(0);
    const builtin = await npx(project, "umqtt-bench", "run", "example_sub_led", "--seed", "1", "--quiet");
    expect(builtin.stdout).toBe("PASS example_sub_led seed 1\n");
  }, 120_000);
});
