// What a VM board served on a serial line (serve-board) adds to the worker
// protocol (protocol.ts): the output ring and the board's files. The chunks
// of code themselves travel as ordinary calls ("repl.next", see
// py/_benchrepl.py and repl-host.ts).

/** Indexes into ReplInit.counters (Int32): bytes written by the VM, bytes read by the host. Both only grow. */
export const OUT_WRITTEN = 0;
export const OUT_READ = 1;

/** Start-up data of a REPL-mode worker (WorkerInit.repl). */
export interface ReplInit {
  /** The VM's output ring (bytes). */
  ring: SharedArrayBuffer;
  /** Two Int32 counters: OUT_WRITTEN, OUT_READ. */
  counters: SharedArrayBuffer;
  /** Empty folders to create (files come in WorkerInit.files). */
  dirs: string[];
}

/** The board's filesystem: folders, and files by path ("main.py", "lib/x.py"). */
export interface BoardFiles {
  dirs: string[];
  files: Record<string, Uint8Array>;
}

/** Posted by the worker, answered by nothing: the board's files changed. */
export type ReplMessage = { t: "files"; files: BoardFiles };

/** How a chunk ended (py/_benchrepl.py). */
export const CHUNK_OK = 0;
export const CHUNK_RAISED = 1;
export const CHUNK_EXITED = 2;
