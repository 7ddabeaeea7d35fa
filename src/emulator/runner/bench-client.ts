// The bench's own MQTT clients: one publishes the scenario's stimulus, one
// subscribes to everything so expectations can match messages. They are our
// umqtt.simple client on an ideal link, so they work the same against the
// embedded broker and an external one, and their packets are traced as
// board "bench". Two clients because umqtt is not re-entrant: a QoS 1
// publish reads its PUBACK from the same socket a waiting reader would use.
// The bench is a correct client: it hands umqtt bytes, never strings, so
// umqtt's character-count quirk (a device behaviour) never applies to it.
// What the subscriber receives is read from the trace (steps.ts).

import { MQTTClient } from "../../client/simple.ts";
import type { Transport } from "../../client/socket.ts";
import type { Clock } from "../clock/clock.ts";
import type { Trace } from "../trace.ts";

const utf8 = new TextEncoder();

export class BenchClient {
  private stopped = false;

  private constructor(
    private readonly clock: Clock,
    private readonly publisher: MQTTClient,
    private readonly listener: MQTTClient,
  ) {}

  /**
   * Connects both clients and subscribes to every topic. `transport` makes
   * a connection through the run's broker link.
   */
  static async start(clock: Clock, trace: Trace, transport: Transport, host: string, port: number, seed: number): Promise<BenchClient> {
    const id = `umqtt-bench-${(seed >>> 0).toString(16)}`;
    const publisher = new MQTTClient(`${id}-pub`, host, { port, transport });
    const listener = new MQTTClient(`${id}-sub`, host, { port, transport });
    const bench = new BenchClient(clock, publisher, listener);
    listener.set_callback(() => {}); // messages are read from the trace
    await publisher.connect();
    await listener.connect();
    await listener.subscribe("#");
    bench.listen(trace);
    return bench;
  }

  async publish(topic: string, payload: string, qos: 0 | 1, retain: boolean): Promise<void> {
    await this.publisher.publish(utf8.encode(topic), utf8.encode(payload), retain, qos);
  }

  /** Runs the listener's wait_msg loop until stop(); a dropped link is recorded, not thrown. */
  private listen(trace: Trace): void {
    void (async () => {
      try {
        while (!this.stopped) await this.listener.wait_msg();
      } catch (error) {
        if (!this.stopped) {
          trace.emit({ t: this.clock.now(), kind: "error", board: "bench", message: `bench subscriber stopped: ${(error as Error).message}` });
        }
      }
    })();
  }

  stop(): void {
    this.stopped = true;
    for (const client of [this.publisher, this.listener]) {
      try {
        client.sock?.close();
      } catch {
        // Already closed.
      }
    }
  }
}
