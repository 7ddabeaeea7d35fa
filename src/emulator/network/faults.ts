// Faults: resets, partitions, Wi-Fi drops and DNS outages, injected by the
// bench or drawn at random from the profile's rates while a connection is open.

import { errno, OSError } from "../../client/errors.ts";
import type { TimerHandle } from "../clock/clock.ts";
import { exponentialMs, type Rng } from "../prng.ts";
import type { Network } from "./network.ts";
import type { FaultKind, FaultOptions } from "./types.ts";

export class Faults {
  partitioned = false;
  wifi = true;
  dns = true;
  private partitionGiveUp: TimerHandle | null = null;
  private partitionEndTimer: TimerHandle | null = null;
  private wifiTimer: TimerHandle | null = null;
  private dnsTimer: TimerHandle | null = null;
  private randomTimers: (TimerHandle | null)[] = [];
  private armed = false;

  constructor(
    private readonly net: Network,
    private readonly rng: Rng,
    /** Draw random faults from the profile's rates. */
    private readonly enabled: boolean,
  ) {}

  /** Network.injectFault: see there for what each kind does. */
  inject(kind: FaultKind, options: FaultOptions = {}): void {
    switch (kind) {
      case "reset":
        this.net.counters.faults++;
        for (const conn of [...this.net.liveConns]) {
          if (options.connection !== undefined && conn.id !== options.connection) continue;
          if (conn.status === "open" || conn.status === "connecting") {
            this.net.counters.resets++;
            conn.fail(new OSError(errno.ECONNRESET), "reset", "connection reset", true);
          }
        }
        return;
      case "partition":
        this.startPartition(options.durationMs);
        return;
      case "partition-end":
        this.endPartition();
        return;
      case "wifi-down":
        this.wifiDown(options.durationMs, options.halfOpen ?? false);
        return;
      case "wifi-up":
        this.wifiUpNow();
        return;
      case "dns-fail":
        this.net.counters.faults++;
        this.dns = false;
        this.dnsTimer?.cancel();
        this.dnsTimer = options.durationMs === undefined ? null : this.net.clk.setTimer(options.durationMs, () => this.inject("dns-ok"));
        this.net.emit("dns-fail", options.durationMs === undefined ? "DNS down" : `DNS down for ${options.durationMs} ms`);
        return;
      case "dns-ok":
        this.dnsTimer?.cancel();
        this.dnsTimer = null;
        this.dns = true;
        return;
      default: {
        const never: never = kind;
        throw new Error(`unknown fault kind ${String(never)}`);
      }
    }
  }

  private startPartition(durationMs?: number): void {
    this.net.counters.faults++;
    if (!this.partitioned) {
      this.partitioned = true;
      this.net.counters.partitions++;
      this.net.emit("partition-start", durationMs === undefined ? undefined : `for ${Math.round(durationMs)} ms`);
      this.partitionGiveUp = this.net.clk.setTimer(this.net.profile.tcpGiveUpMs, () => {
        this.partitionGiveUp = null;
        for (const conn of [...this.net.liveConns]) {
          if (conn.status === "open" || conn.status === "connecting") {
            this.net.counters.timeouts++;
            conn.fail(new OSError(errno.ETIMEDOUT), "timeout", `partition outlasted TCP give-up (${this.net.profile.tcpGiveUpMs} ms)`, true);
          }
        }
      });
    }
    this.partitionEndTimer?.cancel();
    this.partitionEndTimer = durationMs === undefined ? null : this.net.clk.setTimer(durationMs, () => this.endPartition());
  }

  private endPartition(): void {
    this.partitionEndTimer?.cancel();
    this.partitionEndTimer = null;
    if (!this.partitioned) return;
    this.partitioned = false;
    this.partitionGiveUp?.cancel();
    this.partitionGiveUp = null;
    this.net.emit("partition-end");
    const resumeAt = this.net.clk.now() + this.net.profile.latencyMs;
    for (const conn of [...this.net.liveConns, ...this.net.drainingConns]) {
      conn.out.resume(resumeAt);
      conn.in.resume(resumeAt);
    }
  }

  private wifiDown(durationMs: number | undefined, halfOpen: boolean): void {
    this.net.counters.faults++;
    this.wifiTimer?.cancel();
    this.wifiTimer = durationMs === undefined ? null : this.net.clk.setTimer(durationMs, () => this.wifiUpNow());
    if (!this.wifi) return;
    this.wifi = false;
    this.net.counters.wifiDrops++;
    this.net.emit("wifi-down", durationMs === undefined ? undefined : `for ${Math.round(durationMs)} ms`);
    for (const conn of [...this.net.liveConns]) {
      if (conn.status === "open" || conn.status === "connecting") {
        conn.fail(new OSError(errno.ECONNABORTED), "close", "Wi-Fi lost", !halfOpen);
      }
    }
  }

  private wifiUpNow(): void {
    this.wifiTimer?.cancel();
    this.wifiTimer = null;
    if (this.wifi) return;
    this.wifi = true;
    this.net.emit("wifi-up");
  }

  // Random faults are drawn only while a connection is open, so a board that
  // has nothing in flight lets the clock go idle. Each kind has its own
  // exponential schedule, drawn from the fault PRNG when a connection opens.
  armRandom(): void {
    if (!this.enabled || this.armed) return;
    this.armed = true;
    const p = this.net.profile;
    const kinds: [number, () => void][] = [
      [p.resetRatePerMin, () => this.inject("reset")],
      [
        p.partitionRatePerMin,
        () => this.inject("partition", { durationMs: p.partitionMinMs + this.rng() * (p.partitionMaxMs - p.partitionMinMs) }),
      ],
      [p.wifiDropRatePerMin, () => this.inject("wifi-down", { durationMs: p.wifiDownMs })],
    ];
    kinds.forEach(([rate, fire], slot) => {
      const schedule = (): TimerHandle | null => {
        const wait = exponentialMs(this.rng, rate);
        if (!Number.isFinite(wait)) return null;
        return this.net.clk.setTimer(wait, () => {
          fire();
          if (this.armed) this.randomTimers[slot] = schedule();
        });
      };
      this.randomTimers[slot] = schedule();
    });
  }

  disarmRandom(): void {
    this.armed = false;
    for (const t of this.randomTimers) t?.cancel();
    this.randomTimers = [];
  }
}
