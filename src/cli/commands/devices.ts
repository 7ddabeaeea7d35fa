// `umqtt-bench devices`: serial ports with their USB ids, maker and serial
// number, likely MicroPython boards first and marked.

import { describeDevices, listPorts, usbId } from "../../bridge/ports.ts";

export async function devicesCommand(options: { json?: boolean }): Promise<void> {
  const { ports, via } = await listPorts();
  const devices = describeDevices(ports);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(devices, null, 2)}\n`);
    return;
  }
  if (devices.length === 0) {
    process.stdout.write("no serial ports found: plug a MicroPython board in over USB (or try `umqtt-bench serve-board`, a virtual one)\n");
    return;
  }
  const rows = devices.map((d) => [d.path, usbId(d), d.manufacturer ?? "-", d.serialNumber ?? "-", d.likely ? `likely MicroPython board (${d.likely})` : ""]);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i].length), ["port", "usb id", "maker", "serial"][i].length));
  const line = (r: string[]): string => `${r.slice(0, 4).map((c, i) => c.padEnd(widths[i])).join("  ")}  ${r[4]}`.trimEnd();
  process.stdout.write(`${line(["port", "usb id", "maker", "serial", ""])}\n${rows.map(line).join("\n")}\n`);
  const likely = devices.filter((d) => d.likely);
  const note = via === "sysfs" ? " (listed from sysfs: udevadm is missing)" : "";
  if (likely.length === 0) process.stdout.write(`no likely MicroPython board among them${note}\n`);
  else if (likely.length === 1) process.stdout.write(`1 likely MicroPython board: --target serial:auto picks ${likely[0].path}${note}\n`);
  else process.stdout.write(`${likely.length} likely MicroPython boards: name one with --target serial:PATH${note}\n`);
}
