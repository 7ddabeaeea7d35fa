// What a run needs from a broker: a way for each board's network to open a
// connection to it. The embedded aedes broker and an external broker (e.g.
// mosquitto) both provide this, so scenarios run unchanged against either.

import type { Duplex } from "node:stream";
import type { SocketAddress } from "../../client/socket.ts";

export interface BrokerLink {
  /** For reports: "embedded aedes" or the external URL. */
  readonly label: string;
  /** Host name firmware should connect to (its SERVER constant). */
  readonly host: string;
  readonly port: number;
  /** Open a byte stream to the broker on behalf of `board`. Rejects when the broker cannot be reached. */
  dial(addr: SocketAddress, board: string): Promise<Duplex>;
  close(): Promise<void>;
}

/** The broker cannot be reached or started; the CLI reports it as bad input (exit 2). */
export class BrokerError extends Error {
  override name = "BrokerError";
}
