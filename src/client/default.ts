// M5Stack UiFlow2's `umqtt.default` MQTTClient, built on robust: one handler
// per subscribed topic filter, called with a single `data = [topic, msg]`,
// and certificate files named in ssl_params read before the TLS wrap.
//
// What UiFlow2's published source does differently (see docs/compat.md):
// it looks handlers up by the exact topic string (a wildcard filter never
// fires) and runs them through micropython.schedule. We match wildcards by
// default as our spec asks (`topicMatch: "exact"` gives the lookup as
// published), and we await handlers inside the callback, so a handler that
// throws means no PUBACK, as with a plain umqtt callback.

import { readFile as fsReadFile } from "node:fs/promises";
import * as robust from "./robust.ts";
import * as simple from "./simple.ts";
import type { Text } from "./bytes.ts";
import { topicMatches } from "./topic-match.ts";

export type Handler = (data: [topic: Uint8Array, msg: Uint8Array]) => unknown;

export interface DefaultOptions extends robust.RobustOptions {
  /** Reads a certificate file named in ssl_params. Default: node:fs. */
  readFile?: (path: string) => Promise<Uint8Array | string>;
  /** "wildcard" (default): every handler whose filter matches. "exact": UiFlow2's dict lookup. */
  topicMatch?: "wildcard" | "exact";
}

const CERT_KEYS = ["cert", "key", "ca"] as const;
const textOf = (t: Text): string => (typeof t === "string" ? t : new TextDecoder().decode(t));

export class MQTTClient extends robust.MQTTClient {
  /** Handlers by topic filter, in subscription order. */
  readonly _topics = new Map<string, Handler>();
  readFile: (path: string) => Promise<Uint8Array | string>;
  topicMatch: "wildcard" | "exact";

  constructor(client_id: string, server: string, ...positional: simple.PositionalArgs);
  constructor(client_id: string, server: string, options?: DefaultOptions);
  constructor(client_id: string, server: string, ...rest: simple.ConstructorRest<DefaultOptions>) {
    super(client_id, server, ...(rest as [DefaultOptions]));
    const o = simple.clientOptions(rest);
    this.readFile = o.readFile ?? ((path) => fsReadFile(path));
    this.topicMatch = o.topicMatch ?? "wildcard";
    this.set_callback((topic, msg) => this._callback(topic, msg));
  }

  async _callback(topic: Uint8Array, msg: Uint8Array): Promise<void> {
    const name = textOf(topic);
    if (this.topicMatch === "exact") {
      const h = this._topics.get(name);
      if (h) await h([topic, msg]);
      return;
    }
    for (const [filter, h] of [...this._topics]) {
      if (topicMatches(filter, name)) await h([topic, msg]);
    }
  }

  /** Registers `handler` for the filter, then subscribes (no retry, as in robust). */
  override async subscribe(topic: Text, handler?: Handler | number, qos = 0): Promise<void> {
    if (typeof handler !== "function") throw new TypeError("subscribe(topic, handler, qos=0): handler must be callable");
    this._topics.set(textOf(topic), handler);
    return super.subscribe(topic, qos);
  }

  override async unsubscribe(topic: Text): Promise<void> {
    this._topics.delete(textOf(topic));
    return super.unsubscribe(topic);
  }

  /**
   * `cert`, `key` and `ca` in ssl_params may name files on the board: read
   * them and put their contents in place. PEM text is left alone, and so is a
   * path that cannot be read (the TLS wrap then fails, as on the board).
   */
  protected override async prepareSsl(): Promise<void> {
    for (const k of CERT_KEYS) {
      const v = this.ssl_params[k];
      if (typeof v !== "string" || v.includes("-----BEGIN")) continue;
      try {
        const data = await this.readFile(v);
        this.ssl_params[k] = typeof data === "string" ? data : new TextDecoder().decode(data);
      } catch {
        // keep the path
      }
    }
  }
}
