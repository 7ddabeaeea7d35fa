// Finds a scenario by built-in name (scenarios/<name>.yaml) or by file path.

import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadScenarioFile, ScenarioError } from "./parse.ts";
import type { Scenario } from "./types.ts";

export const BUILTIN_SCENARIO_DIR = fileURLToPath(new URL("../../../scenarios/", import.meta.url));

export function builtinScenarioNames(): string[] {
  return readdirSync(BUILTIN_SCENARIO_DIR)
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => f.slice(0, -".yaml".length))
    .sort();
}

function looksLikePath(arg: string): boolean {
  return arg.includes("/") || arg.includes("\\") || /\.(ya?ml|json)$/i.test(arg);
}

export function resolveScenario(arg: string): Scenario {
  if (looksLikePath(arg)) {
    if (!existsSync(arg)) throw new ScenarioError(`${arg}: no such scenario file`);
    return loadScenarioFile(arg);
  }
  const file = join(BUILTIN_SCENARIO_DIR, `${arg}.yaml`);
  if (!existsSync(file)) {
    throw new ScenarioError(
      `unknown scenario "${arg}" (built in: ${builtinScenarioNames().join(", ")}; or give a path to a .yaml/.json file)`,
    );
  }
  return loadScenarioFile(file, arg);
}
