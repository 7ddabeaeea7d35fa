// Mirrors umqtt.robust's example_sub_robust.py: a persistent session
// (clean_session=False) so subscriptions survive reconnects; robust's
// wait_msg() reconnects after network errors by itself.

import type { Firmware } from "../../src/emulator/firmware/context.ts";
import { b } from "../../src/emulator/firmware/py.ts";

const firmware: Firmware = async ({ umqtt, print, SERVER, params }) => {
  function sub_cb(topic: Uint8Array, msg: Uint8Array): void {
    print([topic, msg]);
  }

  const c = new umqtt.robust.MQTTClient("umqtt_client", SERVER);

  async function main(): Promise<void> {
    // Print diagnostic messages when retries/reconnects happen.
    c.DEBUG = true;
    c.set_callback(sub_cb);
    // Ask the broker to keep this client's session. With no session yet
    // (connect() returns false), subscribe once: the broker stores it.
    if (!(await c.connect(false))) {
      print("New session being set up");
      // QoS 0 as upstream's example; params.qos: 1 asks the broker to queue
      // messages for the session while the board is away.
      await c.subscribe(b("foo_topic"), Number(params.qos ?? 0));
    }
    for (;;) await c.wait_msg();
  }

  await main();
};

export default firmware;
