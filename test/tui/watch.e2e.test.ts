// End to end: the real CLI in a real terminal. tmux gives us the terminal
// (a private server, fixed 120x40 size); we type into it with send-keys and
// read the screen with capture-pane.
//
// led_button_pair runs on its own first (its steps press board1's button
// twice: board2's LED goes on, then off, and the verdict is PASS). Then we
// press board1's button key ourselves and expect board2's LED to come on a
// third time, with a new `toggle` in the traffic pane. Quitting must give the
// shell back: exit code printed, alternate screen left, cursor visible, tty
// modes as before.

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

/** Virtual times of board1's `toggle` publishes shown in the traffic pane. */
function toggleTimes(screen: string): number[] {
  const times: number[] = [];
  for (const m of screen.matchAll(/(\d+):(\d\d)\.(\d{3}) board1\s+→ publish\s+led "toggle"/g)) {
    times.push(Number(m[1]) * 60_000 + Number(m[2]) * 1000 + Number(m[3]));
  }
  return times;
}

describe.runIf(!hasTmux && inCi)("watch in a real terminal", () => {
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

      // The scenario's own steps: two presses, LED on then off, verdict PASS.
      let screen = await waitForScreen((s) => / PASS /.test(s.split("\n")[0] ?? ""), "the PASS verdict", 60_000);
      screen = await waitForScreen((s) => /○ led off · 2 changes/.test(ledOf(s, "board2")), "board2's LED off after two changes", 10_000);
      expect(screen).toContain("[1/space] button");
      const before = Math.max(0, ...toggleTimes(screen));
      expect(before).toBeGreaterThan(0);

      // Our key press: board1's button (key 1) -> toggle on "led" -> board2's LED on.
      tmux("send-keys", "-t", "watch", "1");
      screen = await waitForScreen(
        (s) => /● led ON\s+· 3 changes/.test(ledOf(s, "board2")) && Math.max(0, ...toggleTimes(s)) > before,
        "board2's LED on after our press, and a new toggle in the traffic pane",
        15_000,
      );
      expect(screen).toMatch(/board2\s+← publish\s+led "toggle"/);

      // Quit: the broker and boards stop, the shell comes back as it was.
      tmux("send-keys", "-t", "watch", "q");
      screen = await waitForScreen((s) => /TTY=(restored|changed)/.test(s), "the shell after quitting", 30_000);
      expect(screen).toMatch(/^EXIT=0$/m);
      expect(screen).toMatch(/^TTY=restored$/m);
      expect(screen).not.toContain("MQTT traffic"); // nothing of the view left on the normal screen
      expect(tmux("display", "-p", "-t", "watch", "#{alternate_on}").trim()).toBe("0");
      expect(tmux("display", "-p", "-t", "watch", "#{cursor_flag}").trim()).toBe("1");
    },
    180_000,
  );
});
