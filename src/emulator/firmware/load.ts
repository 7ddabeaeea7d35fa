// Finds firmware by built-in name (scenarios/firmware/<name>.ts) or by path
// (relative to the scenario file), and checks it exports a firmware function.

import { existsSync, readdirSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Firmware } from "./context.ts";

export const BUILTIN_FIRMWARE_DIR = fileURLToPath(new URL("../../../scenarios/firmware/", import.meta.url));

/** Missing or malformed firmware: bad input, exit 2. */
export class FirmwareError extends Error {
  override name = "FirmwareError";
}

export function builtinFirmwareNames(): string[] {
  return readdirSync(BUILTIN_FIRMWARE_DIR)
    .filter((f) => f.endsWith(".ts"))
    .map((f) => f.slice(0, -3))
    .sort();
}

function locate(name: string, baseDir: string): string {
  if (/[\\/]/.test(name) || /\.[cm]?[jt]s$/.test(name)) {
    const path = isAbsolute(name) ? name : resolve(baseDir, name);
    if (!existsSync(path)) throw new FirmwareError(`firmware file ${name} not found (looked at ${path})`);
    return path;
  }
  const path = join(BUILTIN_FIRMWARE_DIR, `${name}.ts`);
  if (!existsSync(path)) {
    throw new FirmwareError(`unknown firmware "${name}" (built in: ${builtinFirmwareNames().join(", ")}; or a path to a .ts module)`);
  }
  return path;
}

export async function loadFirmware(name: string, baseDir: string): Promise<Firmware> {
  const path = locate(name, baseDir);
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(path).href)) as { default?: unknown };
  } catch (error) {
    const first = String((error as Error).message).split("\n")[0];
    throw new FirmwareError(`firmware ${name} failed to load: ${first}`);
  }
  if (typeof module.default !== "function") {
    throw new FirmwareError(`firmware ${name} must export a default async function (board) => { ... }`);
  }
  return module.default as Firmware;
}
