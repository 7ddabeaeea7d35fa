// Bench-only firmware for the VM soak: a board that sends "on" and "off" to
// topic "led" in turn, one QoS 1 message a virtual second, for ever. Being a
// board, it runs on the run's clock, so a soak of any length needs no steps
// (steps and their results would grow with the run and hide a leak).

import type { Firmware } from "../../src/emulator/firmware/context.ts";
import { b } from "../../src/emulator/firmware/py.ts";

const firmware: Firmware = async ({ umqtt, time, SERVER, print }) => {
  const client = new umqtt.robust.MQTTClient("led-commander", SERVER);
  await client.connect();
  print("commander connected");
  for (let sent = 0; ; sent++) {
    await client.publish(b("led"), b(sent % 2 === 0 ? "on" : "off"), false, 1);
    await time.sleep(1);
  }
};

export default firmware;
