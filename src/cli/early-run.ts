// `umqtt-bench run` on emulated boards boots its first VM board before the
// command itself loads (commander, the run command, the emulator): the few
// flags that decide a VM's boot (the scenario, --board, --firmware-lang,
// --coverage) are read straight from the command line, and the VM boots while
// the rest loads. The command later makes the board's init from what it
// parsed itself; the VM is taken only when the two inits are equal
// (micropython/host/vm-launch.ts), so a command line read otherwise here
// costs a wasted boot, never a different run. Anything unusual: nothing is
// guessed.

import { resolveScenario } from "../emulator/scenario/resolve.ts";
import type { Scenario } from "../emulator/scenario/types.ts";
import { bootFirstVmEarly } from "../micropython/host/vm-early-boot.ts";
import { sessionOptionsFrom } from "./session-options.ts";
import { pythonOnly } from "./supervisor/in-process.ts";

/** `run`'s options that take a value (commander consumes the next argument, or the text after `=`). */
const WITH_VALUE = new Set(["--board", "--net", "--net-set", "--umqtt", "--seed", "--timeout", "--broker", "--trace", "--firmware-lang", "--junit", "--target", "--wifi"]);

export interface EarlyRunFlags {
  scenario: string;
  board: string[];
  firmwareLang?: string;
  coverage: boolean;
}

/** The boot-deciding flags of a plain `run` command line; undefined for anything else. */
export function earlyRunFlags(args: readonly string[]): EarlyRunFlags | undefined {
  if (args[0] !== "run") return undefined;
  const flags: EarlyRunFlags = { scenario: "", board: [], coverage: false };
  for (let i = 1; i < args.length; i++) {
    const arg = args[i]!;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq < 0 ? arg : arg.slice(0, eq);
      // A firmware given for a side replaces the scenario's: not for this shortcut.
      if (arg === "--" || name === "--a-firmware" || name === "--b-firmware") return undefined;
      if (name === "--coverage") {
        flags.coverage = true;
        // Its file is optional: commander takes the next argument unless it looks like an option.
        if (eq < 0 && args[i + 1] !== undefined && !args[i + 1]!.startsWith("-")) i++;
        continue;
      }
      if (!WITH_VALUE.has(name)) continue; // --json, --quiet, --realtime
      const value = eq < 0 ? args[++i] : arg.slice(eq + 1);
      if (value === undefined) return undefined;
      if (name === "--board") flags.board.push(value);
      if (name === "--firmware-lang") flags.firmwareLang = value;
    } else if (arg.startsWith("-") || flags.scenario !== "") return undefined;
    else flags.scenario = arg;
  }
  return flags.scenario === "" ? undefined : flags;
}

/** The scenario read here, kept for the run command so a large file is not parsed twice. */
let early: { arg: string; scenario: Scenario } | undefined;

/** The scenario read from the command line for `arg`, once; undefined if none was (the command reads it). */
export function takeEarlyScenario(arg: string): Scenario | undefined {
  const kept = early;
  early = undefined;
  return kept?.arg === arg ? kept.scenario : undefined;
}

/** Starts booting the run's first .py board; does nothing when the command line or the scenario says otherwise or is bad (the command reports it). */
export function bootEarlyFromCommandLine(args: readonly string[]): void {
  const flags = earlyRunFlags(args);
  if (!flags) return;
  try {
    const scenario = resolveScenario(flags.scenario);
    early = { arg: flags.scenario, scenario };
    const options = sessionOptionsFrom({ board: flags.board, firmwareLang: flags.firmwareLang }, { speed: "max" });
    if (pythonOnly(scenario, options)) bootFirstVmEarly(scenario, { ...options, coverage: flags.coverage });
  } catch {
    // Bad input: the command says so, with its exit code.
  }
}
