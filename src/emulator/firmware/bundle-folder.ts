// Where a process's session threads keep their firmware bundles (compiled.ts):
// one folder per process, one subfolder per thread. Threads are ended from
// outside (their own exit handlers may never run), so the thread that starts
// them removes the whole folder when the process exits.

import { mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { threadId } from "node:worker_threads";

const processFolder = (): string => join(tmpdir(), `umqtt-bench-firmware-${process.pid}`);

/** This thread's folder for bundles, made on first use. */
export function threadBundleFolder(): string {
  const folder = join(processFolder(), `thread-${threadId}`);
  mkdirSync(folder, { recursive: true });
  return folder;
}

/** Removes this process's bundles now. */
export function removeBundles(): void {
  rmSync(processFolder(), { recursive: true, force: true });
}

let removing = false;

/** Removes this process's bundles when it exits; call from the thread that starts the session threads. */
export function removeBundlesAtExit(): void {
  if (removing) return;
  removing = true;
  process.once("exit", removeBundles);
}
