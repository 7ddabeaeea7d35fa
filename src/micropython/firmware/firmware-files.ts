// MicroPython firmware for a board: a built-in scenario's .py file, a .py
// file, or a folder (boot.py, main.py, lib/...) named relative to the
// scenario file. The result is the board's filesystem, path -> text.

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { BUILTIN_FIRMWARE_DIR, FirmwareError } from "../../emulator/firmware/load.ts";

/** Which language a built-in firmware name runs in: MicroPython (default) or the TypeScript port. */
export type FirmwareLang = "py" | "ts";

export interface PythonFirmware {
  /** As the user named it, for messages. */
  label: string;
  files: Record<string, string>;
  /** Board path -> the host file it was read from (coverage reports name these). */
  sources: Record<string, string>;
}

/** Files larger than this are not copied onto the board (a device's flash filesystem is a few MB). */
const MAX_FILE_BYTES = 1024 * 1024;

function readFolder(root: string): { files: Record<string, string>; sources: Record<string, string> } {
  const files: Record<string, string> = {};
  const sources: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith(".") || entry.name === "__pycache__") continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && statSync(full).size <= MAX_FILE_BYTES) {
        const boardPath = relative(root, full).split(sep).join("/");
        files[boardPath] = readFileSync(full, "utf8");
        sources[boardPath] = full;
      }
    }
  };
  walk(root);
  return { files, sources };
}

/**
 * The MicroPython firmware `name` names, or undefined when it names
 * TypeScript firmware (a .ts path, or a built-in under `lang` "ts"). Built-in
 * names run their .py unless `lang` is "ts".
 */
export function pythonFirmware(name: string, baseDir: string, lang?: FirmwareLang): PythonFirmware | undefined {
  const isPath = /[\\/]/.test(name) || name.endsWith(".py");
  if (!isPath) {
    const builtin = join(BUILTIN_FIRMWARE_DIR, `${name}.py`);
    if (lang === "ts" || !existsSync(builtin)) return undefined;
    return { label: `${name}.py`, files: { "main.py": readFileSync(builtin, "utf8") }, sources: { "main.py": builtin } };
  }
  if (/\.[cm]?[jt]s$/.test(name)) return undefined;
  const path = isAbsolute(name) ? name : resolve(baseDir, name);
  if (!existsSync(path)) throw new FirmwareError(`firmware ${name} not found (looked at ${path})`);
  if (statSync(path).isDirectory()) {
    const { files, sources } = readFolder(path);
    if (!("main.py" in files) && !("boot.py" in files)) throw new FirmwareError(`firmware folder ${name} has no main.py or boot.py`);
    return { label: name, files, sources };
  }
  if (!name.endsWith(".py")) return undefined;
  return { label: name, files: { "main.py": readFileSync(path, "utf8") }, sources: { "main.py": path } };
}
