// A MicroPython board on a pseudo-terminal: the REPL front end (board-repl.ts)
// on a VM board's CPU (vm-board-cpu.ts), wired to a socat pty (pty.ts), with
// its files in memory or mirrored to a host folder (fs-mirror.ts).

import { loadBoard } from "../../emulator/board/board-file.ts";
import type { BoardFiles } from "../../micropython/repl-protocol.ts";
import { BoardRepl } from "./board-repl.ts";
import { FolderMirror } from "./fs-mirror.ts";
import { Pty } from "./pty.ts";
import { VmBoardCpu } from "./vm-board-cpu.ts";

export interface ServeBoardOptions {
  /** Board model id or board file (default esp32). */
  board?: string;
  /** Also make the device appear at this path. */
  link?: string;
  /** Mirror the board's filesystem to this host folder (default: in memory, lost when serving stops). */
  fsDir?: string;
  /** The board's files at start (in memory). */
  files?: BoardFiles;
  interruptGraceMs?: number;
  /** Lines for serve-board's console (connections it refused). */
  notice?: (line: string) => void;
}

export class ServedBoard {
  private constructor(
    readonly pty: Pty,
    readonly repl: BoardRepl,
    readonly cpu: VmBoardCpu,
  ) {}

  get path(): string {
    return this.pty.path;
  }

  static async start(options: ServeBoardOptions = {}): Promise<ServedBoard> {
    const definition = loadBoard(options.board ?? "esp32");
    const mirror = options.fsDir === undefined ? undefined : FolderMirror.open(options.fsDir, options.notice);
    const initial = mirror ? mirror.read() : (options.files ?? { dirs: [], files: {} });
    const cpu = new VmBoardCpu({ definition, notice: options.notice, onFiles: mirror ? (files) => mirror.write(files) : undefined });
    const pty = await Pty.open({ link: options.link });
    const repl = new BoardRepl((bytes) => pty.write(bytes), {
      startCpu: (files, events) => cpu.start(files, events),
      banner: cpu.banner(),
      interruptGraceMs: options.interruptGraceMs,
    });
    pty.onData((bytes) => repl.receive(bytes));
    try {
      await repl.start(initial);
    } catch (error) {
      await pty.close();
      throw error;
    }
    return new ServedBoard(pty, repl, cpu);
  }

  async stop(): Promise<void> {
    await this.repl.stop();
    await this.pty.close();
  }
}
