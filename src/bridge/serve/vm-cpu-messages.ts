// Messages between vm-cpu.ts (main thread) and vm-cpu-worker.ts.

export interface FileEntry {
  path: string;
  dir: boolean;
  data?: Uint8Array;
  mtime?: number;
}

/** Indexes into BootData.output.counters (Int32): bytes written by the VM, bytes read by the main thread. */
export const OUT_WRITTEN = 0;
export const OUT_READ = 1;

export interface BootData {
  /** The VM's output ring: `data` bytes, and two counters that only grow. */
  output: { data: SharedArrayBuffer; counters: SharedArrayBuffer };
  heapBytes: number;
  /** The board's files, restored into the new VM before boot.py runs. */
  files: FileEntry[];
  /** The REPL the board was in before a soft reset; a reboot keeps it. */
  mode: "friendly" | "raw";
  /** Restarted after an interrupt: no boot.py, no banner, no prompt (the REPL front end prints the end of the program). */
  quiet: boolean;
}

export type ToCpu = { type: "input"; bytes: Uint8Array };

export type FromCpu =
  /** Input consumed; `files` when the board's files changed. */
  | { type: "idle"; files?: FileEntry[] }
  /** The VM asked for a soft reset; `rest` is the input after the byte that caused it. */
  | { type: "reboot"; files: FileEntry[]; rest: Uint8Array };
