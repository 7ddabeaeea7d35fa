// Finds firmware by built-in name (scenarios/firmware/<name>.ts) or by path
// (relative to the scenario file), and checks it exports a firmware function.

import { existsSync, readdirSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
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

/** The firmware's file: a built-in name, or a path relative to the scenario's folder. */
export function locateFirmware(name: string, baseDir: string): string {
  if (/[\\/]/.test(name) || /\.[cm]?[jt]s$/.test(name)) {
    const path = isAbsolute(name) ? name : resolve(baseDir, name);
    if (!existsSync(path)) throw new FirmwareError(`firmware file ${name} not found (looked at ${path})`);
    return path;
  }
  const path = join(BUILTIN_FIRMWARE_DIR, `${name}.ts`);
  if (!existsSync(path)) {
    throw new FirmwareError(`unknown firmware "${name}" (built in: ${builtinFirmwareNames().join(", ")}; or a path to a .py file, a firmware folder or a .ts module)`);
  }
  return path;
}

/**
 * One line for a module that failed to load. esbuild's syntax errors come as
 * "Transform failed with 1 error:" then "/abs/file.ts:3:12: ERROR: message":
 * keep the file (relative to the working directory), line, column and message.
 */
function loadFailure(error: unknown): string {
  const lines = String(error instanceof Error ? error.message : error).split("\n");
  for (const line of lines) {
    const match = /^(.*?):(\d+):(\d+): (?:ERROR: )?(.*)$/.exec(line.trim());
    if (match && isAbsolute(match[1])) return `${relative(process.cwd(), match[1])}:${match[2]}:${match[3]}: ${match[4]}`;
  }
  return lines[0];
}

let bundled = false;

/**
 * From now on this thread loads TypeScript firmware as a bundle made once
 * (compiled.ts) instead of through tsx each time: for threads that run many
 * times (a sweep's kept session threads).
 */
export function loadFirmwareBundled(): void {
  bundled = true;
}

export async function loadFirmware(name: string, baseDir: string): Promise<Firmware> {
  const path = locateFirmware(name, baseDir);
  let module: { default?: unknown };
  try {
    const bundle = bundled ? await (await import("./compiled.ts")).bundledFirmwareUrl(path) : undefined;
    if (bundle) {
      module = (await import(bundle)) as { default?: unknown };
    } else {
      // tsImport, not import(): a user's firmware may sit in a folder with no
      // package.json, where Node would treat the .ts file as CommonJS.
      // tsx is loaded here, on demand: only runs with TypeScript firmware pay for it.
      const { tsImport } = await import("tsx/esm/api");
      module = (await tsImport(path, import.meta.url)) as { default?: unknown };
    }
  } catch (error) {
    throw new FirmwareError(`firmware ${name} failed to load: ${loadFailure(error)}`);
  }
  // Loaded as CommonJS, the module's exports arrive as `default`.
  const fn = typeof module.default === "function" ? module.default : (module.default as { default?: unknown } | undefined)?.default;
  if (typeof fn !== "function") {
    throw new FirmwareError(`firmware ${name} must export a default async function (board) => { ... }`);
  }
  return fn as Firmware;
}
