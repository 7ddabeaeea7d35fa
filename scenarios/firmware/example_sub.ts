// Mirrors umqtt.simple's example_sub.py: print every message on "foo_topic",
// blocking in wait_msg() (or polling check_msg() with params.poll: true).

import type { Firmware } from "../../src/emulator/firmware/context.ts";
import { b } from "../../src/emulator/firmware/py.ts";

const firmware: Firmware = async ({ time, umqtt, print, SERVER, params }) => {
  // Received messages from subscriptions are delivered to this callback.
  function sub_cb(topic: Uint8Array, msg: Uint8Array): void {
    print([topic, msg]);
  }

  async function main(server = SERVER): Promise<void> {
    const c = new umqtt.simple.MQTTClient("umqtt_client", server);
    c.set_callback(sub_cb);
    await c.connect();
    await c.subscribe(b("foo_topic"));
    for (;;) {
      if (params.poll !== true) {
        // Blocking wait for a message.
        await c.wait_msg();
      } else {
        // Non-blocking check, then sleep (a real app would do other work here).
        await c.check_msg();
        await time.sleep(1);
      }
    }
  }

  await main();
};

export default firmware;
