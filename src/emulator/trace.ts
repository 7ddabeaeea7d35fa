// One typed, timestamped stream of everything observable in a run. Reports,
// --json, --trace files, the TUI and A/B comparison all read this stream.

export type Direction = "out" | "in"; // as seen from the board: out = board -> broker

export type TraceEvent =
  // boardMs: a real board's own time.ticks_ms() when it reported the event (runs on a target; `t` is then wall time).
  // device: on a target run's first boot, what the real board said it is ("MicroPython 1.24.1 on ESP32 module with ESP32 (esp32)").
  | { t: number; kind: "board"; board: string; event: "boot" | "exit" | "crash"; detail?: string; boardMs?: number; device?: string }
  | { t: number; kind: "pin"; board: string; pin: number; value: 0 | 1; role?: "led" | "button"; name?: string; boardMs?: number }
  | { t: number; kind: "print"; board: string; text: string }
  | {
      t: number;
      kind: "mqtt";
      /** The board whose link carried the packet; "bench" for the scenario's own client. */
      board: string;
      dir: Direction;
      /** Packet type name, e.g. "publish", "suback". */
      type: string;
      /** Decoded fields that matter for reports: topic, payload (UTF-8 or hex), qos, retain, packet id, return codes. */
      fields: Record<string, string | number | boolean>;
      /** The raw packet as hex. */
      raw: string;
    }
  // op "checkpoint": a real board's gc.mem_free() read at a point of the run (used counts from the boot checkpoint) (largestFree is then the free figure: a board does not tell its largest block).
  | { t: number; kind: "heap"; board: string; op: "alloc" | "collect" | "oom" | "checkpoint"; what?: string; bytes?: number; used: number; free: number; largestFree: number; boardMs?: number }
  | { t: number; kind: "net"; board: string; event: NetEventName; detail?: string }
  | { t: number; kind: "step"; index: number; step: string; status: "start" | "pass" | "fail" | "skipped"; detail?: string }
  | { t: number; kind: "error"; board?: string; message: string };

export type NetEventName =
  | "connect"
  | "close"
  | "reset"
  | "partition-start"
  | "partition-end"
  | "wifi-down"
  | "wifi-up"
  | "dns-fail"
  | "stall"
  | "timeout"
  | "keepalive-expired";

export type TraceListener = (event: TraceEvent) => void;

export class Trace {
  private readonly recorded: TraceEvent[] = [];
  private readonly listeners = new Set<TraceListener>();

  /** `keep: false` streams to listeners without holding events in memory (for large benchmarks). */
  constructor(private readonly keep = true) {}

  private closed = false;

  emit(event: TraceEvent): void {
    if (this.closed) return;
    if (this.keep) this.recorded.push(event);
    for (const listener of this.listeners) listener(event);
  }

  /** Returns an unsubscribe function. */
  subscribe(listener: TraceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The run is over: later events (the run's own teardown) are not part of it. */
  close(): void {
    this.closed = true;
  }

  get events(): readonly TraceEvent[] {
    return this.recorded;
  }

  of<K extends TraceEvent["kind"]>(kind: K): Extract<TraceEvent, { kind: K }>[] {
    return this.recorded.filter((e): e is Extract<TraceEvent, { kind: K }> => e.kind === kind);
  }
}
