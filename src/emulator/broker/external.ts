// An external broker (mosquitto, a cloud broker on the LAN) reached over real
// TCP. Runs against it use the real clock: its timers are the wall clock's.

import { connect } from "node:net";
import type { Duplex } from "node:stream";
import { BrokerError, type BrokerLink } from "./link.ts";

const PROBE_TIMEOUT_MS = 3_000;

export function parseBrokerUrl(url: string): { host: string; port: number } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new BrokerError(`invalid broker URL "${url}" (expected mqtt://host:port)`);
  }
  if (parsed.protocol !== "mqtt:" && parsed.protocol !== "tcp:") {
    throw new BrokerError(`unsupported broker URL scheme "${parsed.protocol}" (expected mqtt://host:port)`);
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, "");
  return { host, port: parsed.port ? Number(parsed.port) : 1883 };
}

function openTcp(host: string, port: number, timeoutMs?: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const timer = timeoutMs ? setTimeout(() => socket.destroy(new Error("ETIMEDOUT")), timeoutMs) : undefined;
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

export class ExternalBroker implements BrokerLink {
  readonly label: string;

  private constructor(
    readonly host: string,
    readonly port: number,
  ) {
    this.label = `mqtt://${host.includes(":") ? `[${host}]` : host}:${port}`;
  }

  /** Checks the broker answers before any board starts, so a typo fails fast with one line. */
  static async connect(url: string): Promise<ExternalBroker> {
    const { host, port } = parseBrokerUrl(url);
    const broker = new ExternalBroker(host, port);
    try {
      (await openTcp(host, port, PROBE_TIMEOUT_MS)).destroy();
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new BrokerError(`cannot reach broker ${broker.label} (${reason}); is it running?`);
    }
    return broker;
  }

  dial(): Promise<Duplex> {
    return openTcp(this.host, this.port);
  }

  async close(): Promise<void> {}
}
