// A MicroPython board on a pseudo-terminal: the REPL front end (board-repl.ts)
// on a VM CPU (vm-cpu.ts), wired to a socat pty (pty.ts).

import { BoardRepl } from "./board-repl.ts";
import { Pty } from "./pty.ts";
import { VmCpu } from "./vm-cpu.ts";
import type { FileEntry } from "./vm-cpu-messages.ts";

export interface ServeBoardOptions {
  /** Also make the device appear at this path. */
  link?: string;
  heapBytes?: number;
  files?: FileEntry[];
  interruptGraceMs?: number;
}

export class ServedBoard {
  private constructor(
    readonly pty: Pty,
    readonly repl: BoardRepl,
  ) {}

  get path(): string {
    return this.pty.path;
  }

  static async start(options: ServeBoardOptions = {}): Promise<ServedBoard> {
    const pty = await Pty.open({ link: options.link });
    const repl = new BoardRepl((bytes) => pty.write(bytes), {
      startCpu: (boot, events) => VmCpu.start({ ...boot, heapBytes: options.heapBytes }, events),
      interruptGraceMs: options.interruptGraceMs,
    });
    pty.onData((bytes) => repl.receive(bytes));
    await repl.start(options.files ?? []);
    return new ServedBoard(pty, repl);
  }

  async stop(): Promise<void> {
    await this.repl.stop();
    await this.pty.close();
  }
}
