// umqtt.robust's MQTTClient: simple's client plus reconnect-and-retry after
// OSError. Faithful to the device: reconnect() always asks for a persistent
// session and never resubscribes; only OSError triggers it.

import { OSError } from "./errors.ts";
import * as simple from "./simple.ts";
import type { Text } from "./bytes.ts";

export interface RobustOptions extends simple.ClientOptions {
  /** How delay() sleeps. Default: a real setTimeout; the emulator passes its virtual clock's sleep. */
  sleep?: (ms: number) => Promise<void>;
  /** Where log() prints when DEBUG is set. Default: console.log. */
  print?: (line: string) => void;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Python's `%r` of an exception, as MicroPython prints it: `OSError(-1,)`. */
export function reprError(e: unknown): string {
  if (e instanceof OSError) return `OSError(${e.errno},)`;
  if (e instanceof Error) return `${e.name}(${JSON.stringify(e.message)},)`;
  return String(e);
}

export class MQTTClient extends simple.MQTTClient {
  /** Seconds delay() sleeps. Set on the class for all clients or on one instance, as in Python. */
  static DELAY = 2;
  static DEBUG = false;
  private ownDelay?: number;
  private ownDebug?: boolean;

  sleep: (ms: number) => Promise<void>;
  print: (line: string) => void;

  constructor(client_id: string, server: string, ...positional: simple.PositionalArgs);
  constructor(client_id: string, server: string, options?: RobustOptions);
  constructor(client_id: string, server: string, ...rest: simple.ConstructorRest<RobustOptions>) {
    super(client_id, server, ...(rest as [RobustOptions]));
    const o = simple.clientOptions(rest);
    this.sleep = o.sleep ?? realSleep;
    this.print = o.print ?? ((line) => console.log(line));
  }

  get DELAY(): number {
    return this.ownDelay ?? (this.constructor as typeof MQTTClient).DELAY;
  }
  set DELAY(v: number) {
    this.ownDelay = v;
  }
  get DEBUG(): boolean {
    return this.ownDebug ?? (this.constructor as typeof MQTTClient).DEBUG;
  }
  set DEBUG(v: boolean) {
    this.ownDebug = v;
  }

  async delay(_i: number): Promise<void> {
    await this.sleep(this.DELAY * 1000);
  }

  log(in_reconnect: boolean, e: unknown): void {
    if (this.DEBUG) {
      this.print(in_reconnect ? `mqtt reconnect: ${reprError(e)}` : `mqtt: ${reprError(e)}`);
    }
  }

  /** connect(false) until it succeeds; returns its session-present bit. */
  async reconnect(): Promise<number> {
    let i = 0;
    for (;;) {
      try {
        return await super.connect(false);
      } catch (e) {
        if (!(e instanceof OSError)) throw e;
        this.log(true, e);
        i += 1;
        await this.delay(i);
      }
    }
  }

  override async publish(topic: Text, msg: Text, retain = false, qos = 0): Promise<void> {
    for (;;) {
      try {
        return await super.publish(topic, msg, retain, qos);
      } catch (e) {
        if (!(e instanceof OSError)) throw e;
        this.log(false, e);
      }
      await this.reconnect();
    }
  }

  override async wait_msg(): Promise<number | null> {
    for (;;) {
      try {
        return await super.wait_msg();
      } catch (e) {
        if (!(e instanceof OSError)) throw e;
        this.log(false, e);
      }
      await this.reconnect();
    }
  }

  /** Up to `attempts` non-blocking reads, reconnecting after each OSError. */
  override async check_msg(attempts = 2): Promise<number | null> {
    while (attempts) {
      this.requireSock().setblocking(false);
      try {
        return await super.wait_msg();
      } catch (e) {
        if (!(e instanceof OSError)) throw e;
        this.log(false, e);
      }
      await this.reconnect();
      attempts -= 1;
    }
    return null;
  }
}
