// End to end: the real CLI in a real terminal. tmux gives us the terminal
// (a private server, fixed 120x40 size); we type into it with send-keys and
// read the screen with capture-pane.
//
// led_button_pair runs on its own first (its steps press board1's button
// twice: board2's LED goes on, then off, and the verdict is PASS). Then we
// press board1's button key ourselves and expect board2's LED to flip once
// more, with a new `toggle` in the traffic pane. Quitting must give the shell
// back: the exit code `run` would give, alternate screen left, cursor
// visible, tty modes as before.

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SOCKET = `umqtt-bench-e2e-${process.pid}-${Date.now().toString(36)}`;
const hasTmux = spawnSync("tmux", ["-V"], { encoding: "utf8" }).status === 0;
const inCi = Boolean(process.env.CI && process.env.CI !== "false" && process.env.CI !== "0");

function tmux(...args: string[]): string {
  const r = spawnSync("tmux", ["-L", SOCKET, "-f", "/dev/null", ...args], { encoding: "utf8", timeout: 10_000 });
  if (r.status !== 0) throw new Error(`tmux ${args.join(" ")} failed: ${r.stderr || r.error?.message}`);
  return r.stdout;
}

const capture = () => tmux("capture-pane", "-p", "-t", "watch");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls the screen until `check` accepts it; every wait is bounded. */
async function waitForScreen(check: (screen: string) => boolean, what: string, ms: number): Promise<string> {
  const end = Date.now() + ms;
  let screen = "";
  for (;;) {
    screen = capture();
    if (check(screen)) return screen;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}; the screen was:\n${screen}`);
    await sleep(150);
  }
}

/** The part of the LED line under `board`'s pane (panes sit side by side). */
function ledOf(screen: string, board: string): string {
  const lines = screen.split("\n");
  const title = lines.findIndex((l) => new RegExp(`│${board}\\s{2}\\S`).test(l));
  if (title < 0) return "";
  const col = lines[title].indexOf(board);
  return (lines[title + 1] ?? "").slice(col, col + 45);
}

const VERDICT = / (PASS|FAIL|TIMEOUT)(?: |$)/; // capture-pane drops trailing spaces
const EXIT_FOR: Record<string, number> = { PASS: 0, FAIL: 1, TIMEOUT: 42 };

function ledState(screen: string, board: string): { lit: boolean; changes: number } {
  const m = /([●○]) led (?:ON|off)\s+· (\d+) changes?/.exec(ledOf(screen, board));
  if (!m) throw new Error(`no LED line for ${board} on the screen:\n${screen}`);
  return { lit: m[1] === "●", changes: Number(m[2]) };
}

/** Virtual times of board1's `toggle` publishes shown in the traffic pane. */
function toggleTimes(screen: string): number[] {
  const times: number[] = [];
  for (const m of screen.matchAll(/(\d+):(\d\d)\.(\d{3}) board1\s+→ publish\s+led "toggle"/g)) {
    times.push(Number(m[1]) * 60_000 + Number(m[2]) * 1000 + Number(m[3]));
  }
  return times;
}

describe.runIf(!hasTmux && inCi)("watch in a real terminal (tmux missing)", () => {
  it("needs tmux in CI (.ci/run installs it with apt-get)", () => {
    throw new Error("tmux is not installed, and CI is set: the end-to-end test of `umqtt-bench watch` must run in CI");
  });
});

describe.skipIf(!hasTmux)("watch in a real terminal", () => {
  afterAll(() => {
    spawnSync("tmux", ["-L", SOCKET, "kill-server"], { timeout: 10_000 });
  });

  it(
    "runs led_button_pair, presses a button by key, shows the LED and the traffic, quits and restores the terminal",
    async () => {
      tmux("new-session", "-d", "-s", "watch", "-x", "120", "-y", "40", "-c", ROOT, "sh");
      await waitForScreen((s) => /[$#]\s*$/m.test(s), "the shell prompt", 10_000);
      tmux(
        "send-keys",
        "-t",
        "watch",
        'S1=$(stty -g); node bin/umqtt-bench.js watch led_button_pair; echo EXIT=$?; [ "$(stty -g)" = "$S1" ] && echo TTY=restored || echo TTY=changed',
        "Enter",
      );

      // The view comes up on the alternate screen, in real time.
      await waitForScreen((s) => s.includes("umqtt-bench watch led_button_pair") && s.includes("board2"), "the watch view", 60_000);
      expect(tmux("display", "-p", "-t", "watch", "#{alternate_on}").trim()).toBe("1");

      // The scenario's own steps press board1's button twice (LED on, then off) and settle the verdict.
      // Our own press comes after the verdict, so nothing else is pressing the button.
      let screen = await waitForScreen((s) => VERDICT.test(s.split("\n")[0] ?? ""), "the verdict", 60_000);
      const verdict = VERDICT.exec(screen.split("\n")[0] ?? "")![1];
      await sleep(1000); // let a toggle still in flight land
      screen = capture();
      expect(screen).toContain("[1/space] button");
      const before = ledState(screen, "board2");
      const lastToggle = Math.max(0, ...toggleTimes(screen));

      // Our key press: board1's button (key 1) -> "toggle" published on "led" -> board2's LED flips.
      tmux("send-keys", "-t", "watch", "1");
      screen = await waitForScreen(
        (s) => {
          const now = ledState(s, "board2");
          return now.changes === before.changes + 1 && now.lit !== before.lit && Math.max(0, ...toggleTimes(s)) > lastToggle;
        },
        `board2's LED to flip (it was ${before.lit ? "on" : "off"} after ${before.changes} changes) and a new toggle in the traffic pane`,
        15_000,
      );
      expect(screen).toMatch(/board2\s+← publish\s+led "toggle"/);

      // Quit: the broker and boards stop, the shell comes back as it was.
      tmux("send-keys", "-t", "watch", "q");
      // Anchored to a whole line: the echoed command itself contains "echo TTY=changed".
      screen = await waitForScreen((s) => /^TTY=(restored|changed)$/m.test(s), "the shell after quitting", 30_000);
      // Same exit code as `run`: the verdict the view showed.
      const exit = /^EXIT=(\d+)$/m.exec(screen)?.[1];
      expect(exit, `exit code after a ${verdict} verdict; the screen was:\n${screen}`).toBe(String(EXIT_FOR[verdict]));
      expect(screen, "tty modes after quitting").toMatch(/^TTY=restored$/m);
      expect(screen).not.toContain("MQTT traffic"); // nothing of the view left on the normal screen
      expect(screen).toMatch(new RegExp(`^${verdict} led_button_pair seed \\d+$`, "m")); // the verdict line stays
      expect(tmux("display", "-p", "-t", "watch", "#{alternate_on}").trim()).toBe("0");
      expect(tmux("display", "-p", "-t", "watch", "#{cursor_flag}").trim()).toBe("1");

      // And the scenario itself passes on its own.
      expect(verdict, "led_button_pair's own steps should pass").toBe("PASS");
    },
    180_000,
  );

  it(
    "firmware calling process.exit(0) crashes its board: the view shows FAIL and the exit code is 1, never 0",
    async () => {
      spawnSync("tmux", ["-L", SOCKET, "kill-session", "-t", "watch"], { timeout: 10_000 }); // the first test's, if any
      tmux("new-session", "-d", "-s", "watch", "-x", "120", "-y", "40", "-c", ROOT, "sh");
      await waitForScreen((s) => /[$#]\s*$/m.test(s), "the shell prompt", 10_000);
      tmux("send-keys", "-t", "watch", "node bin/umqtt-bench.js watch test/fixtures/runaway/exits.yaml; echo EXIT=$?", "Enter");
      const screen = await waitForScreen((s) => VERDICT.test(s.split("\n")[0] ?? "") || /^EXIT=\d+$/m.test(s), "the verdict (or an early exit)", 60_000);
      expect(screen).not.toMatch(/^EXIT=0$/m);
      expect(VERDICT.exec(screen.split("\n")[0] ?? "")?.[1]).toBe("FAIL");
      tmux("send-keys", "-t", "watch", "q");
      const after = await waitForScreen((s) => /^EXIT=\d+$/m.test(s), "the exit code", 30_000);
      expect(/^EXIT=(\d+)$/m.exec(after)?.[1]).toBe("1");
    },
    120_000,
  );
});
