// The simulated network's public types: options, what the bench sees of a
// connection, counters and state, and the items a link carries.

import type { Duplex } from "node:stream";
import type { SocketAddress } from "../../client/socket.ts";
import type { Clock } from "../clock/clock.ts";
import type { NetProfile } from "./net-profiles.ts";
import type { Rng } from "../prng.ts";
import type { Trace } from "../trace.ts";

/** Opens the server side of a connection. Throwing or rejecting means "connection refused". */
export type Dial = (addr: SocketAddress, board: string) => Promise<Duplex> | Duplex;

/** Fault kinds for `injectFault` (the scenario format's FaultKind). */
export type FaultKind = "reset" | "partition" | "partition-end" | "wifi-down" | "wifi-up" | "dns-fail" | "dns-ok";

export interface FaultOptions {
  /** For partition, wifi-down, dns-fail: end the fault automatically after this long (virtual ms). */
  durationMs?: number;
  /** For reset: only this connection id (default: all open connections). */
  connection?: number;
  /** For wifi-down: leave the server side open (half-open, the broker only notices through keepalive). */
  halfOpen?: boolean;
}

export interface NetworkOptions {
  clock: Clock;
  /** A profile or a built-in profile name (default "ideal"). */
  profile?: NetProfile | string;
  /** Seed for every random choice (default 1). Ignored for a stream given in `rng`. */
  seed?: number;
  /** Use this PRNG for link delays instead of one derived from `seed`. */
  rng?: Rng;
  trace?: Trace;
  /** Board name for traces (default "board"). */
  board?: string;
  dial: Dial;
  /** Errno a failed getaddrinfo raises (the board file's dns_errno; default -2). */
  dnsErrno?: number;
  /** Name resolution: return null for unknown hosts. Default: every host resolves to itself. */
  resolve?: (host: string, port: number) => SocketAddress | null;
  /** Draw random faults from the profile's rates (default true). */
  randomFaults?: boolean;
  /**
   * Virtual time a non-blocking read that finds nothing costs (default 0.5 ms):
   * a firmware loop polling check_msg() without sleeping still lets time pass.
   */
  pollCostMs?: number;
  /** Called for bytes on any connection (after the per-connection hook), as for NetConnection.onBytes. */
  onBytes?: (dir: "out" | "in", bytes: Uint8Array, conn: NetConnection) => void;
}

/** What the bench sees of one connection. Set `onBytes` to tap its bytes. */
export interface NetConnection {
  readonly id: number;
  readonly addr: SocketAddress;
  readonly board: string;
  /** "connecting" | "open" | "closed" (by the board, or after EOF) | "failed". */
  readonly status: ConnStatus;
  /**
   * The device's view of the connection: "out" when the board writes bytes
   * (before they travel the link), "in" when bytes reach the board's receive buffer.
   */
  onBytes?: (dir: "out" | "in", bytes: Uint8Array) => void;
}

export interface NetCounters {
  connections: number;
  refused: number;
  resets: number;
  partitions: number;
  wifiDrops: number;
  dnsFailures: number;
  stalls: number;
  timeouts: number;
  /** Faults injected or drawn at random (resets, partitions, Wi-Fi drops, DNS outages). */
  faults: number;
  bytesOut: number;
  bytesIn: number;
}

export interface NetworkState {
  profile: string;
  latencyMs: number;
  jitterMs: number;
  bandwidthBps: number;
  loss: number;
  partitioned: boolean;
  wifiUp: boolean;
  dnsUp: boolean;
  /** Connections open or being opened. */
  openConnections: number;
  counters: NetCounters;
}

export type ConnStatus = "connecting" | "open" | "closed" | "failed";
export type Marker = "syn" | "synack" | "refused" | "fin" | "rst";
export type Item = Uint8Array | Marker;

