// The worker side of a VM board served on a serial line (serve-board): the
// board's REPL instead of a scenario's boot.py/main.py run. worker.ts loads
// the VM and its glue as for any board, then hands over to serveRepl():
// py/_benchrepl.py runs the chunks of code the host's REPL front end sends
// (as blocking calls of the usual protocol, so the heap is collected there
// as at any blocking point), the VM's output streams through a shared ring
// byte by byte as it is printed, and the board's files and folders are
// posted to the host whenever they change, so they outlive the VM.

import { parentPort } from "node:worker_threads";
import type { MicroPython } from "@micropython/micropython-webassembly-pyscript";
import { OUT_READ, OUT_WRITTEN, type BoardFiles, type ReplInit, type ReplMessage } from "../repl-protocol.ts";
import type { VmMessage } from "../protocol.ts";
import type { InterruptWords } from "../vm-interrupt.ts";

/** The VM's stdout for a served board: bytes into the ring; a full ring blocks the program, as a full UART buffer does. */
export function ringWriter(init: ReplInit): (bytes: Uint8Array) => void {
  const ring = new Uint8Array(init.ring);
  const counters = new Int32Array(init.counters);
  return (bytes) => {
    for (const b of bytes) {
      let written = Atomics.load(counters, OUT_WRITTEN);
      for (;;) {
        const read = Atomics.load(counters, OUT_READ);
        if (written - read < ring.length) break;
        Atomics.wait(counters, OUT_READ, read, 100);
      }
      ring[written % ring.length] = b;
      Atomics.store(counters, OUT_WRITTEN, ++written);
    }
  };
}

/** The VM's own folders at the root, not the board's files. */
const VM_DIRS = new Set(["tmp", "home", "dev", "proc", ".bench"]);

interface FsLike {
  readdir(path: string): string[];
  stat(path: string): { mode: number; size: number; mtime: Date };
  isDir(mode: number): boolean;
  readFile(path: string): Uint8Array;
  mkdirTree(path: string): void;
}

/** The board's files and folders, and a signature that changes when any of them does. */
function snapshot(fs: FsLike, withData: boolean): { files: BoardFiles; signature: string } {
  const files: BoardFiles = { dirs: [], files: {} };
  const parts: string[] = [];
  const walk = (dir: string, prefix: string): void => {
    for (const name of fs.readdir(dir).sort()) {
      if (name === "." || name === ".." || (prefix === "" && VM_DIRS.has(name))) continue;
      const full = `${dir === "/" ? "" : dir}/${name}`;
      const stat = fs.stat(full);
      if (fs.isDir(stat.mode)) {
        files.dirs.push(`${prefix}${name}`);
        parts.push(`${prefix}${name}/`);
        walk(full, `${prefix}${name}/`);
      } else {
        if (withData) files.files[`${prefix}${name}`] = fs.readFile(full);
        parts.push(`${prefix}${name}:${stat.size}:${stat.mtime.getTime()}`);
      }
    }
  };
  walk("/", "");
  return { files, signature: parts.join("|") };
}

export interface ReplWorkerParts {
  /** The VM now running (a reboot replaces it). */
  vm(): MicroPython;
  /** How the host can raise KeyboardInterrupt in that VM while it runs Python (vm-interrupt.ts). */
  interruptWords(): InterruptWords | undefined;
  /** Loads a fresh VM with these files (boot.py and main.py are the host's to run). */
  reboot(files: Record<string, Uint8Array>): Promise<void>;
}

/** Serves the REPL until the worker is terminated; the first VM is loaded with `init`'s files. */
export async function serveRepl(parts: ReplWorkerParts, dirs: string[]): Promise<never> {
  let lastSignature = "";
  const post = (message: ReplMessage | VmMessage): void => parentPort!.postMessage(message);
  for (;;) {
    const mp = parts.vm();
    post({ t: "running", file: "<stdin>", interrupt: parts.interruptWords() });
    const fs = mp.FS as unknown as FsLike;
    for (const dir of dirs) fs.mkdirTree(`/${dir}`);
    // Called by _benchrepl before it asks for the next chunk: the files as the chunk left them.
    mp.registerJsModule("_benchfs", {
      sync: () => {
        try {
          const { signature } = snapshot(fs, false);
          if (signature === lastSignature) return;
          lastSignature = signature;
          post({ t: "files", files: snapshot(fs, true).files });
        } catch {
          // A file vanishing between the two walks: the next chunk reports it.
        }
      },
    });
    mp.pyimport("_benchrepl").loop();
    const { files } = snapshot(fs, true);
    dirs = files.dirs;
    await parts.reboot(files.files);
  }
}
