// The served board's CPU: a MicroPython VM board (src/micropython: machine,
// time, network, socket, select, os, umqtt bound to an emulated board of the
// chosen model, its heap budget) on the wall clock, whose sockets are real
// TCP connections. Connections go to this machine only (127.0.0.0/8, ::1,
// and the addresses of its own interfaces, where a bench's broker may listen
// for real boards): a served board talks to the brokers and servers run here.

import { connect, isIP } from "node:net";
import { networkInterfaces } from "node:os";
import type { Duplex } from "node:stream";
import type { BoardDefinition } from "../../emulator/board/board-file.ts";
import { Board } from "../../emulator/board/board.ts";
import { RealClock } from "../../emulator/clock/real-clock.ts";
import { Trace } from "../../emulator/trace.ts";
import type { SocketAddress } from "../../client/socket.ts";
import { osModule } from "../../micropython/modules/os.ts";
import type { VmContext } from "../../micropython/modules/context.ts";
import type { BoardFiles } from "../../micropython/repl-protocol.ts";
import { ReplVm } from "../../micropython/host/repl-host.ts";
import type { Cpu, CpuEvents } from "./board-repl.ts";

/** An address of this machine: loopback, or one of its interfaces' (traffic to those stays on the machine too). */
export function isThisMachine(host: string): boolean {
  if (isIP(host) === 4 ? host.startsWith("127.") : host === "::1") return true;
  return Object.values(networkInterfaces()).some((list) => list?.some((i) => i.address === host));
}

export interface VmBoardCpuOptions {
  definition: BoardDefinition;
  /** A line for serve-board's console (a connection it refused). */
  notice?: (line: string) => void;
  /** The board's files changed. */
  onFiles?: (files: BoardFiles) => void;
}

export class VmBoardCpu {
  readonly board: Board;
  /** Where the board's own messages (an exception in an IRQ handler) go: the current VM's line. */
  private print: ((bytes: Uint8Array) => void) | undefined;
  private started = false;

  constructor(private readonly options: VmBoardCpuOptions) {
    const notice = options.notice ?? (() => {});
    const trace = new Trace(false);
    this.board = new Board({
      definition: options.definition,
      clock: new RealClock(),
      trace,
      name: "board",
      profile: "ideal",
      randomFaults: false,
      resolve: (host, port) => {
        const address = host === "localhost" ? "127.0.0.1" : host;
        if (isIP(address)) return { host: address, port };
        notice(`the board looked up ${host}: serve-board resolves only localhost and IP addresses`);
        return null;
      },
      dial: (addr) => dialThisMachine(addr, notice),
    });
    trace.subscribe((event) => {
      if (event.kind === "print") this.print?.(new TextEncoder().encode(`${event.text}\n`));
    });
  }

  /** The banner's first line, from what os.uname() reports on this board. */
  banner(): string {
    const uname = String(osModule.ops["os.uname"]!({ board: this.board } as VmContext, [])).split("\n");
    return `MicroPython ${uname[3]}; ${uname[4]}`;
  }

  /** Starts a VM on the board with these files. */
  async start(files: BoardFiles, events: CpuEvents): Promise<Cpu> {
    // A VM restarted after ignoring Ctrl-C: the connections the old one held are gone with it.
    if (this.started) this.board.network.injectFault("reset");
    this.started = true;
    const vm = await ReplVm.start({ board: this.board, files, onOutput: events.output, onFault: events.fault, onReadLine: events.readLine, onReset: events.reset, stdin: { available: events.stdinAvailable, read: events.stdinRead }, onFiles: this.options.onFiles });
    this.print = events.output;
    return vm;
  }
}

function dialThisMachine(addr: SocketAddress, notice: (line: string) => void): Promise<Duplex> {
  if (!isThisMachine(addr.host)) {
    notice(`the board connected to ${addr.host}:${addr.port}: refused, serve-board connects only to this machine (127.0.0.1, ::1, its own addresses)`);
    return Promise.reject(new Error("not loopback"));
  }
  return new Promise((resolve, reject) => {
    const socket = connect({ host: addr.host, port: addr.port });
    socket.once("connect", () => {
      socket.removeListener("error", reject);
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once("error", reject);
  });
}
