// Broker-side keepalive on the run's clock. aedes times keepalive with the
// wall clock; under virtual time that would never fire, so the embedded link
// enforces MQTT 3.1.1 §3.1.2.10 itself: no packet from the client within 1.5 x
// keepalive seconds and the connection is closed (which fires the will).
// aedes also drops a client whose CONNECT takes 30 s of wall time; a host
// busy with 10,000 boards can take that long between two virtual instants,
// so that wait is timed here too, in virtual time (the embedded broker turns
// aedes's own off).

/** How long the broker waits for a client's CONNECT (aedes's default, on the run's clock). */
export const CONNECT_TIMEOUT_MS = 30_000;

import { StreamDecoder } from "../../client/decoder.ts";
import type { Clock, TimerHandle } from "../clock/clock.ts";

export class KeepaliveWatch {
  /** Decodes the client's first packet (its CONNECT) only; null once it has been read. */
  private firstPacket: StreamDecoder | null = new StreamDecoder();
  private keepaliveMs = 0;
  private timer: TimerHandle | undefined;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly expire: (keepaliveSeconds: number) => void,
    connectMissing: () => void = () => {},
  ) {
    this.timer = clock.setTimer(CONNECT_TIMEOUT_MS, () => {
      this.stopped = true;
      connectMissing();
    });
  }

  /** Feed every chunk the client sends. */
  onClientBytes(chunk: Uint8Array): void {
    if (this.stopped) return;
    if (this.firstPacket) this.readKeepalive(chunk);
    if (this.keepaliveMs > 0) this.rearm();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  /** Takes the keepalive from CONNECT; anything else first (or a framing error) leaves it off. */
  private readKeepalive(chunk: Uint8Array): void {
    const [first] = this.firstPacket!.push(chunk);
    if (first === undefined) return; // CONNECT not complete yet
    this.firstPacket = null;
    this.timer?.cancel(); // the connect wait
    this.timer = undefined;
    if (first.packet?.type === "connect") this.keepaliveMs = (first.packet.keepalive ?? 0) * 1500;
  }

  private rearm(): void {
    this.timer?.cancel();
    this.timer = this.clock.setTimer(this.keepaliveMs, () => {
      this.stopped = true;
      this.expire(this.keepaliveMs / 1500);
    });
  }
}
