// Mirrors umqtt.simple's example_pub_button.py: poll an active-low button on
// GPIO0 every 20 ms and publish "toggle" to "led" on each press.

import type { Firmware } from "../../src/emulator/firmware/context.ts";
import { b } from "../../src/emulator/firmware/py.ts";

const firmware: Firmware = async ({ machine, time, ubinascii, umqtt, print, SERVER, params }) => {
  const { Pin } = machine;
  const button = new Pin(Number(params.button_pin ?? 0), Pin.IN);

  const CLIENT_ID = ubinascii.hexlify(machine.unique_id());
  const TOPIC = b(String(params.topic ?? "led"));

  async function main(server = SERVER): Promise<void> {
    const c = new umqtt.simple.MQTTClient(new TextDecoder().decode(CLIENT_ID), server);
    await c.connect();
    print(`Connected to ${server}, waiting for button presses`);
    for (;;) {
      for (;;) {
        if (button.value() === 0) break;
        await time.sleep_ms(20);
      }
      print("Button pressed");
      await c.publish(TOPIC, b("toggle"));
      await time.sleep_ms(200);
    }
  }

  await main();
};

export default firmware;
