// Mirrors umqtt.simple's example_pub.py: connect, publish "hello" to
// "foo_topic", disconnect.

import type { Firmware } from "../../src/emulator/firmware/context.ts";
import { b } from "../../src/emulator/firmware/py.ts";

const firmware: Firmware = async ({ umqtt, SERVER }) => {
  async function main(server = SERVER): Promise<void> {
    const c = new umqtt.simple.MQTTClient("umqtt_client", server);
    await c.connect();
    await c.publish(b("foo_topic"), b("hello"));
    await c.disconnect();
  }

  await main();
};

export default firmware;
