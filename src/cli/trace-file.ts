// Streams trace events to a JSON-lines file as they happen, so a run that
// fails or is interrupted still leaves everything recorded up to that point.

import { closeSync, openSync, writeSync } from "node:fs";
import type { Trace } from "../emulator/trace.ts";
import { UsageError } from "./errors.ts";

const FLUSH_BYTES = 64 * 1024;
/** A quiet run still reaches the file soon (for `tail -f`, and if the process is killed). */
const FLUSH_INTERVAL_MS = 200;

export class TraceFile {
  private fd: number;
  private buffer: string[] = [];
  private buffered = 0;
  private readonly unsubscribe: () => void;
  private readonly flushOnExit = (): void => this.flush();
  private readonly timer: NodeJS.Timeout;

  constructor(path: string, trace: Trace) {
    try {
      this.fd = openSync(path, "w");
    } catch (error) {
      throw new UsageError(`--trace ${path}: cannot write (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    this.unsubscribe = trace.subscribe((event) => {
      const line = `${JSON.stringify(event)}\n`;
      this.buffer.push(line);
      this.buffered += line.length;
      if (this.buffered >= FLUSH_BYTES) this.flush();
    });
    process.once("exit", this.flushOnExit);
    this.timer = setInterval(() => this.flush(), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  flush(): void {
    if (this.buffer.length === 0 || this.fd < 0) return;
    writeSync(this.fd, this.buffer.join(""));
    this.buffer = [];
    this.buffered = 0;
  }

  close(): void {
    clearInterval(this.timer);
    this.unsubscribe();
    this.flush();
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    process.removeListener("exit", this.flushOnExit);
  }
}
