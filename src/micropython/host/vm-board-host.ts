// A scenario board whose CPU is a MicroPython VM: the same BoardHost the
// steps and reports use, with the firmware run by a VmHost instead of a
// TypeScript function.

import { BoardHost } from "../../emulator/runner/board-host.ts";
import type { Board } from "../../emulator/board/board.ts";
import type { BoardResult } from "../../emulator/runner/result.ts";
import type { HeapView } from "../../emulator/runner/session-api.ts";
import type { ScenarioBoard } from "../../emulator/scenario/types.ts";
import { FirmwareError } from "../../emulator/firmware/load.ts";
import type { PythonFirmware } from "../firmware/firmware-files.ts";
import type { FirmwareWrapper, WrappedLine } from "../firmware/firmware-wrapper.ts";
import { VmHost, VmSyntaxError, type VmEnd } from "./vm-host.ts";
import { recordHeapCheckpoints } from "./heap-checkpoints.ts";
import { withParams } from "../firmware/params-module.ts";

export class VmBoardHost extends BoardHost {
  private vm!: VmHost;
  private peakUsed = 0;
  private stopCheckpoints: (() => void) | undefined;

  private constructor(spec: ScenarioBoard, board: Board, server: string) {
    super(spec, board, async () => {}, server);
  }

  /** Starts the board's VM and compiles its files: a SyntaxError is bad input (FirmwareError). */
  static async create(spec: ScenarioBoard, board: Board, firmware: PythonFirmware, server: string, coverage = false, wrapper?: FirmwareWrapper): Promise<VmBoardHost> {
    const host = new VmBoardHost(spec, board, server);
    const own = withParams(spec, firmware);
    const files = wrapper ? wrapper.files(own, board.definition) : own;
    try {
      host.vm = await VmHost.create({
        board,
        files,
        umqttVersion: spec.umqtt,
        onEnd: (end) => host.ended(end),
        ...(wrapper ? { print: (line: string) => host.wrappedLine(wrapper.line(line)) } : {}),
        // The firmware's own files only (not the params module the bench writes).
        ...(coverage ? { coverage: { sources: firmware.sources } } : {}),
      });
    } catch (error) {
      if (error instanceof VmSyntaxError) throw new FirmwareError(`firmware ${firmware.label}: ${error.message}`);
      throw error;
    }
    return host;
  }

  override start(): void {
    // gc.mem_free() readings at the moments a run on a real board takes them, for ab/diff.
    this.stopCheckpoints ??= recordHeapCheckpoints(this.board, () => this.vm.heap());
    this.board.boot(this.firmware);
    this.vm.start();
  }

  override stop(): void {
    super.stop();
    this.stopCheckpoints?.();
    void this.vm.stop();
  }

  override heap(): HeapView {
    const h = this.vm.heap();
    this.peakUsed = Math.max(this.peakUsed, h.used, h.peakUsed ?? 0);
    return { budget: h.budget, used: h.used, free: h.free, largestFree: h.largestFree, peakUsed: this.peakUsed };
  }

  override result(): BoardResult {
    const base = super.result();
    const heap = this.heap();
    const coverage = this.vm.coverage();
    return {
      ...base,
      heap: { budget: heap.budget, peakUsed: heap.peakUsed, freeAtEnd: heap.free, largestFreeAtEnd: heap.largestFree },
      ...(coverage ? { coverage } : {}),
    };
  }

  /** A line of wrapped firmware: its own text printed, a crash the wrapper caught made the board's. */
  private wrappedLine(line: WrappedLine): void {
    if (line.text !== undefined) this.board.print(line.text);
    if (line.crash !== undefined && this.crashed === undefined) {
      this.crashed = line.crash;
      this.board.crash(line.crash);
    }
  }

  private ended(end: VmEnd): void {
    this.heap();
    if (end.how === "exit") {
      // A wrapper that caught the firmware's exception ends normally: the board stays crashed.
      if (this.crashed === undefined) this.board.exit();
      return;
    }
    // Crashed: steps waiting on this board fail at once with this reason.
    this.crashed = end.detail;
    this.board.crash(end.detail);
    if (end.how === "runaway" || end.how === "fault") {
      // The board can no longer run: the run ends with this one line.
      this.board.trace.emit({ t: this.board.clock.now(), kind: "error", board: this.name, message: end.detail });
      this.onFatal?.(end.detail);
    }
  }
}
