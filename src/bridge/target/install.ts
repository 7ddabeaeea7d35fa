// Puts the bench on the board and takes it off again. Everything the bench
// brings lives in /umqtt_bench: the firmware (fw/), the instrumentation
// (src/bridge/py), its settings (cfg.json). The one file outside it is a
// /main.py that starts the firmware after every reset; the user's own
// main.py is moved to /umqtt_bench/saved/ first and put back by restore(),
// which also runs at the start of the next run if a run never got to it
// (the board lost power, the bench was killed).

import type { BoardOps } from "../board-ops.ts";
import { BridgeError } from "../errors.ts";
import type { MovedFile } from "./types.ts";
import { HOME, LAUNCHER, instrumentationFiles, type ShimConfig } from "./instrumentation.ts";

const SAVED = `${HOME}/saved`;
const utf8 = new TextEncoder();

function py(text: string): string {
  return JSON.stringify(text);
}

async function exists(ops: BoardOps, path: string): Promise<boolean> {
  const out = await ops.run(`import os\ntry:\n os.stat(${py(path)})\n print(1)\nexcept OSError:\n print(0)`, `looking for ${path}`);
  return out.trim() === "1";
}

async function rename(ops: BoardOps, from: string, to: string): Promise<void> {
  await ops.run(`import os\nos.rename(${py(from)}, ${py(to)})`, `moving ${from} to ${to}`);
}

/** Removes a folder and everything in it (the bench's own, from an earlier run). */
async function removeTree(ops: BoardOps, path: string): Promise<void> {
  await ops.run(
    [
      "import os",
      "def _ub_rm(p):",
      " for e in os.ilistdir(p):",
      "  q = p + '/' + e[0]",
      "  if e[1] == 0x4000:",
      "   _ub_rm(q)",
      "  else:",
      "   os.remove(q)",
      " os.rmdir(p)",
      "try:",
      ` _ub_rm(${py(path)})`,
      "except OSError:",
      " pass",
      "del _ub_rm",
    ].join("\n"),
    `removing ${path}`,
  );
}

/** Whether /main.py is the bench's launcher (its first line says so). */
async function launcherInPlace(ops: BoardOps): Promise<boolean> {
  const out = await ops.run(`try:\n with open('/main.py') as f:\n  print(f.readline().strip())\nexcept OSError:\n print('-')`, "reading /main.py");
  return out.trim() === LAUNCHER.split("\n")[0];
}

/**
 * Takes the launcher off /main.py and puts the user's main.py back, if a run
 * left them so (this one, or an earlier one that never got to it). A main.py
 * written since by someone else is left alone, and the kept one stays where
 * it is. Returns the files put back or still kept.
 */
export async function restore(ops: BoardOps): Promise<MovedFile[]> {
  if (await launcherInPlace(ops)) await ops.remove("/main.py");
  if (!(await exists(ops, `${SAVED}/main.py`))) return [];
  if (await exists(ops, "/main.py")) return [{ path: "/main.py", keptAt: `${SAVED}/main.py`, restored: false }];
  await rename(ops, `${SAVED}/main.py`, "/main.py");
  return [{ path: "/main.py", keptAt: `${SAVED}/main.py`, restored: true }];
}

/**
 * Uploads the firmware, the shims and their settings, and installs the
 * launcher as /main.py (keeping the user's). Every file is checked with
 * SHA-256 on the board. Returns the user's files it moved.
 */
export async function install(ops: BoardOps, firmware: Record<string, string>, config: ShimConfig, onFile?: (path: string) => void): Promise<MovedFile[]> {
  await removeTree(ops, `${HOME}/fw`);
  const files = Object.entries(instrumentationFiles(firmware, config)).map(([path, text]): [string, Uint8Array] => [path, utf8.encode(text)]);
  const folders = new Set([SAVED, ...files.map(([path]) => path.slice(0, path.lastIndexOf("/")))]);
  for (const folder of [...folders].sort()) await ops.mkdirs(folder);
  for (const [path, data] of files) {
    onFile?.(path);
    await ops.put(path, data);
  }
  const moved: MovedFile[] = [];
  // Moved before the launcher is written: a run that dies at any point leaves enough for restore().
  if (await exists(ops, `${SAVED}/main.py`)) {
    throw new BridgeError("exec", `the board has a /main.py and another one kept in ${SAVED} by an earlier run; keep the one you want (remove the other) and run again`);
  }
  if (await exists(ops, "/main.py")) {
    await rename(ops, "/main.py", `${SAVED}/main.py`);
    moved.push({ path: "/main.py", keptAt: `${SAVED}/main.py`, restored: false });
  }
  await ops.put("/main.py", utf8.encode(LAUNCHER));
  return moved;
}

/** Takes the launcher away and puts the user's main.py back; marks each moved file restored. */
export async function uninstall(ops: BoardOps, moved: MovedFile[]): Promise<void> {
  const back = await restore(ops);
  for (const file of moved) file.restored = back.some((b) => b.path === file.path && b.restored);
  const kept = moved.filter((f) => !f.restored);
  if (kept.length) throw new BridgeError("verify", `${kept.map((f) => f.path).join(", ")} could not be put back: it is kept in ${SAVED} on the board`);
}
