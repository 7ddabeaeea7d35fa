// Broker-side keepalive on the run's clock. aedes times keepalive with the
// wall clock; under virtual time that would never fire, so the embedded link
// enforces MQTT 3.1.1 §3.1.2.10 itself: no packet from the client within 1.5 x
// keepalive seconds and the connection is closed (which fires the will).

import type { Clock, TimerHandle } from "../clock.ts";

/** Offset of the keepalive field in a CONNECT after its fixed header: length-prefixed "MQTT", level, flags. */
const KEEPALIVE_OFFSET = 2 + 4 + 1 + 1;

export class KeepaliveWatch {
  private head: number[] = [];
  private keepaliveMs = 0;
  private timer: TimerHandle | undefined;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly expire: (keepaliveSeconds: number) => void,
  ) {}

  /** Feed every chunk the client sends. */
  onClientBytes(chunk: Uint8Array): void {
    if (this.stopped) return;
    if (this.keepaliveMs === 0 && this.head.length < 32) this.readKeepalive(chunk);
    if (this.keepaliveMs > 0) this.rearm();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  /** Reads the keepalive field from the first bytes of the CONNECT packet. */
  private readKeepalive(chunk: Uint8Array): void {
    for (const byte of chunk) if (this.head.length < 32) this.head.push(byte);
    if (this.head[0] !== 0x10) return;
    // Skip the remaining-length varint (1 to 4 bytes).
    let i = 1;
    while (i < this.head.length && i <= 4 && (this.head[i] & 0x80) !== 0) i++;
    const at = i + 1 + KEEPALIVE_OFFSET;
    if (this.head.length < at + 2) return;
    const seconds = (this.head[at] << 8) | this.head[at + 1];
    this.keepaliveMs = seconds * 1500;
    if (seconds === 0) this.head = []; // keepalive disabled: stop looking
    this.stopped = seconds === 0;
  }

  private rearm(): void {
    this.timer?.cancel();
    this.timer = this.clock.setTimer(this.keepaliveMs, () => {
      this.stopped = true;
      this.expire(this.keepaliveMs / 1500);
    });
  }
}
