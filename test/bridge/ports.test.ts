// Which serial ports are likely MicroPython boards, and what serial:auto
// picks, on given port lists; the sysfs fallback on a sysfs-shaped folder
// tree; and `umqtt-bench devices` on this machine (which has no board).

import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { describeDevices, likelyBoard, listPorts, pickAutoPort, resolveSerialTarget, type PortInfo } from "../../src/bridge/ports.ts";
import { BridgeError } from "../../src/bridge/errors.ts";

const BIN = join(import.meta.dirname, "../../bin/umqtt-bench.js");

const ESP32_S3: PortInfo = { path: "/dev/ttyACM0", vendorId: "303a", productId: "1001", manufacturer: "Espressif" };
const PICO: PortInfo = { path: "/dev/ttyACM1", vendorId: "2E8A", productId: "0005" };
const CP2102: PortInfo = { path: "/dev/ttyUSB0", vendorId: "10c4", productId: "ea60", serialNumber: "0001" };
const CH340: PortInfo = { path: "/dev/ttyUSB1", vendorId: "1a86", productId: "7523" };
const FTDI: PortInfo = { path: "/dev/ttyUSB2", vendorId: "0403", productId: "6001" };
const OTHER_CP210X: PortInfo = { path: "/dev/ttyUSB3", vendorId: "10c4", productId: "ea70" };
const BUILTIN: PortInfo = { path: "/dev/ttyS0" };

function oneLineError(fn: () => unknown): BridgeError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(BridgeError);
    expect((error as Error).message).not.toContain("\n");
    return error as BridgeError;
  }
  throw new Error("expected a BridgeError");
}

describe("likely boards", () => {
  it("marks the USB chips MicroPython boards use, by vendor (and product where the vendor makes other chips)", () => {
    expect([ESP32_S3, PICO, CP2102, CH340, FTDI].map((p) => likelyBoard(p) !== null)).toEqual([true, true, true, true, true]);
    expect(likelyBoard(OTHER_CP210X)).toBeNull();
    expect(likelyBoard(BUILTIN)).toBeNull();
  });

  it("lists likely boards first", () => {
    expect(describeDevices([BUILTIN, CH340, OTHER_CP210X]).map((d) => d.path)).toEqual(["/dev/ttyUSB1", "/dev/ttyS0", "/dev/ttyUSB3"]);
  });
});

describe("serial:auto", () => {
  it("picks the only likely board among other ports", () => {
    expect(pickAutoPort([BUILTIN, OTHER_CP210X, CP2102]).path).toBe("/dev/ttyUSB0");
  });

  it("two likely boards: one line listing both", () => {
    const error = oneLineError(() => pickAutoPort([CP2102, BUILTIN, PICO]));
    expect(error.message).toBe("serial:auto found 2 likely MicroPython boards: /dev/ttyACM1 (2e8a:0005), /dev/ttyUSB0 (10c4:ea60); name one: --target serial:/dev/ttyACM1");
  });

  it("no likely board: one line naming the ports there are", () => {
    expect(oneLineError(() => pickAutoPort([BUILTIN])).message).toContain("found no likely MicroPython board; serial ports here: /dev/ttyS0");
    expect(oneLineError(() => pickAutoPort([])).message).toContain("no serial ports at all");
  });

  it("resolves targets", async () => {
    expect(await resolveSerialTarget("serial:/dev/ttyUSB9")).toEqual({ path: "/dev/ttyUSB9" });
    expect((await resolveSerialTarget("serial:auto", async () => [BUILTIN, FTDI])).path).toBe("/dev/ttyUSB2");
    await expect(resolveSerialTarget("usb:whatever")).rejects.toThrow(/expected serial:PATH .* or serial:auto/);
  });
});

describe("listing without udevadm", () => {
  const root = mkdtempSync(join(tmpdir(), "umqtt-bench-sysfs-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  // A sysfs-shaped tree: class/tty/<name>/device -> the interface folder, whose parent is the USB device with its ids.
  const usb = join(root, "devices/usb1/1-1");
  mkdirSync(join(usb, "1-1:1.0/ttyUSB0"), { recursive: true });
  for (const [file, text] of [["idVendor", "10c4\n"], ["idProduct", "ea60\n"], ["manufacturer", "Silicon Labs\n"], ["serial", "0001\n"]]) writeFileSync(join(usb, file), text);
  mkdirSync(join(root, "devices/platform/serial8250"), { recursive: true });
  const cls = join(root, "class/tty");
  for (const name of ["ttyUSB0", "ttyS0", "tty0", "ttyS1"]) mkdirSync(join(cls, name), { recursive: true });
  symlinkSync(join(usb, "1-1:1.0"), join(cls, "ttyUSB0/device"));
  symlinkSync(join(root, "devices/platform/serial8250"), join(cls, "ttyS0/device"));
  // tty0 is a virtual console and ttyS1 has no device: neither is a serial port.

  const noUdevadm = async (): Promise<PortInfo[]> => {
    throw Object.assign(new Error("spawn udevadm ENOENT"), { code: "ENOENT" });
  };

  it.skipIf(process.platform !== "linux")("reads the ports and their USB ids from sysfs", async () => {
    const { ports, via } = await listPorts(noUdevadm, cls);
    expect(via).toBe("sysfs");
    expect(ports).toEqual([{ path: "/dev/ttyS0" }, { path: "/dev/ttyUSB0", vendorId: "10c4", productId: "ea60", manufacturer: "Silicon Labs", serialNumber: "0001" }]);
    expect(pickAutoPort(ports).path).toBe("/dev/ttyUSB0");
  });

  it("any other listing failure is one line", async () => {
    await expect(listPorts(async () => Promise.reject(new Error("boom")), cls)).rejects.toThrow("cannot list serial ports: boom (name the port instead: --target serial:/dev/ttyUSB0)");
  });
});

describe("umqtt-bench devices on this machine", () => {
  it("lists the ports and says there is no likely board", async () => {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, "devices"]);
    expect(stderr).toBe("");
    expect(stdout).toMatch(/^no serial ports found: plug a MicroPython board in|\nno likely MicroPython board among them/);
    const json = JSON.parse((await promisify(execFile)(process.execPath, [BIN, "devices", "--json"])).stdout) as Array<{ likely: string | null }>;
    expect(json.every((d) => d.likely === null)).toBe(true);
  });
});
