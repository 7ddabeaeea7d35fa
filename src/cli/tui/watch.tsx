// `umqtt-bench watch`: runs the ink view for a live BenchSession until the
// user quits, then stops the session and gives the terminal back as it was.
//
// This module does not import ink at load time: ink decides once, when it is
// first loaded, whether it runs "in CI" (CI or CONTINUOUS_INTEGRATION set) and
// then draws nothing until it exits. `watch` only ever runs on an interactive
// terminal (see checkInteractiveTerminal), so those variables are hidden while
// ink loads.

import type { RunResult } from "../../emulator/runner/result.ts";
import type { BenchSession } from "../../emulator/runner/session-api.ts";

export interface WatchOptions {
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
  /** Quit by itself once the scenario's verdict is in (default: keep watching until the user quits). */
  exitOnVerdict?: boolean;
  /** Draw on the terminal's alternate screen, so quitting leaves the shell as it was (default: when stdout is a TTY). */
  alternateScreen?: boolean;
  /** Use real key-up events on terminals that speak the kitty keyboard protocol (default true; detected automatically). */
  keyUpEvents?: boolean;
  /** Wall milliseconds a key press holds a button where key-up is not reported (default 150). */
  tapMs?: number;
  /** Wall milliseconds between frames (default 50, i.e. at most 20 fps). */
  refreshMs?: number;
  /** Quit cleanly on SIGINT, SIGTERM and SIGHUP (default true). */
  handleSignals?: boolean;
  /** Keep stray console output from tearing the frame (default true). */
  patchConsole?: boolean;
}

const ENTER_ALT_SCREEN = "\u001B[?1049h\u001B[H";
const LEAVE_ALT_SCREEN = "\u001B[?1049l";
const SHOW_CURSOR = "\u001B[?25h";

/**
 * Returns the one-line error to print (then exit 2) when `watch` cannot run
 * because input or output is not an interactive terminal; null when it can.
 */
export function checkInteractiveTerminal(
  stdin: { isTTY?: boolean; setRawMode?: unknown } = process.stdin,
  stdout: { isTTY?: boolean } = process.stdout,
): string | null {
  // The CLI prefixes "umqtt-bench: ".
  const fix = "use `umqtt-bench run <scenario>` where there is no terminal (piped, CI)";
  if (!stdin.isTTY || typeof stdin.setRawMode !== "function") {
    return `watch needs an interactive terminal, but stdin is not a TTY; ${fix}`;
  }
  if (!stdout.isTTY) {
    return `watch needs an interactive terminal, but stdout is not a TTY; ${fix}`;
  }
  if (process.env.TERM === "dumb") {
    return `watch needs a terminal that can redraw the screen (TERM=dumb); ${fix}`;
  }
  return null;
}

const CI_VARIABLES = ["CI", "CONTINUOUS_INTEGRATION"] as const;

async function loadView() {
  const saved = CI_VARIABLES.map((name) => [name, process.env[name]] as const);
  for (const [name] of saved) delete process.env[name];
  try {
    const [ink, app] = await Promise.all([import("ink"), import("./app.tsx")]);
    return { render: ink.render, WatchApp: app.WatchApp };
  } finally {
    for (const [name, value] of saved) if (value !== undefined) process.env[name] = value;
  }
}

/**
 * Shows the live view of `session` until the user quits (q or Ctrl-C), then
 * stops the session (boards, broker, clock), restores the terminal and
 * resolves with the final RunResult. The caller maps its status to the exit
 * code exactly as `run` does. Call checkInteractiveTerminal first.
 */
export async function runWatch(session: BenchSession, options: WatchOptions = {}): Promise<RunResult> {
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const { render, WatchApp } = await loadView();

  let requestQuit!: () => void;
  const quitRequested = new Promise<void>((resolve) => {
    requestQuit = resolve;
  });

  const alternate = options.alternateScreen ?? Boolean(stdout.isTTY);
  let restored = false;
  const restoreTerminal = () => {
    if (restored) return;
    restored = true;
    try {
      if (typeof stdin.setRawMode === "function" && stdin.isTTY) stdin.setRawMode(false);
    } catch {
      // stdin may already be closed
    }
    try {
      stdout.write((alternate ? LEAVE_ALT_SCREEN : "") + SHOW_CURSOR);
    } catch {
      // stdout may already be closed
    }
  };
  // Last resort if the process exits under us: never leave the user in raw mode on the alternate screen.
  process.once("exit", restoreTerminal);

  const signals: NodeJS.Signals[] = options.handleSignals === false ? [] : ["SIGINT", "SIGTERM", "SIGHUP"];
  const onSignal = () => requestQuit();
  for (const signal of signals) process.on(signal, onSignal);

  let instance: ReturnType<typeof render> | undefined;
  let viewExited: Promise<void> = Promise.resolve();
  // If the view itself fails, the run is stopped all the same and the failure reported afterwards.
  let viewError: unknown;
  try {
    try {
      if (alternate) stdout.write(ENTER_ALT_SCREEN);
      instance = render(
        <WatchApp session={session} onQuit={() => requestQuit()} exitOnVerdict={options.exitOnVerdict} tapMs={options.tapMs} refreshMs={options.refreshMs} />,
        {
          stdin,
          stdout,
          stderr,
          exitOnCtrlC: false,
          patchConsole: options.patchConsole ?? true,
          maxFps: 20,
          kittyKeyboard:
            options.keyUpEvents === false
              ? { mode: "disabled" }
              : { mode: "auto", flags: ["disambiguateEscapeCodes", "reportEventTypes", "reportAllKeysAsEscapeCodes", "reportAssociatedText"] },
        },
      );
      viewExited = instance.waitUntilExit().then(
        () => undefined,
        (err: unknown) => {
          viewError = err ?? new Error("the watch view stopped");
        },
      );
      await Promise.race([quitRequested, viewExited]);
    } catch (err) {
      viewError = err;
    }
    const result = await session.stop();
    if (viewError !== undefined) throw viewError instanceof Error ? viewError : new Error(String(viewError));
    return result;
  } finally {
    instance?.unmount();
    await viewExited;
    restoreTerminal();
    process.removeListener("exit", restoreTerminal);
    for (const signal of signals) process.removeListener(signal, onSignal);
  }
}
