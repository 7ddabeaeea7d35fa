// Serial ports on this machine, and which of them are likely MicroPython
// boards (by USB vendor and product id). `serial:auto` picks the only likely
// board. Listing uses @serialport/bindings-cpp, which on Linux asks udevadm;
// where udevadm is missing (containers, minimal images) we read sysfs instead.

import { existsSync, readFileSync, readdirSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import { autoDetect } from "@serialport/bindings-cpp";
import { BridgeError } from "./errors.ts";

export interface PortInfo {
  path: string;
  /** Lower-case hex, as udev gives it: "10c4". */
  vendorId?: string;
  productId?: string;
  manufacturer?: string;
  serialNumber?: string;
}

export interface Device extends PortInfo {
  /** Why this is a likely MicroPython board ("CP210x USB-serial"), or null. */
  likely: string | null;
}

/** USB ids of the chips MicroPython boards talk through; product undefined = any product of that vendor. */
const KNOWN: ReadonlyArray<{ vendor: string; product?: string; label: string }> = [
  { vendor: "303a", label: "Espressif USB (ESP32-S2/S3/C3/C6)" },
  { vendor: "2e8a", label: "Raspberry Pi (RP2040/RP2350)" },
  { vendor: "10c4", product: "ea60", label: "CP210x USB-serial" },
  { vendor: "1a86", product: "7523", label: "CH340 USB-serial" },
  { vendor: "0403", product: "6001", label: "FTDI FT232R USB-serial" },
];

export function likelyBoard(port: PortInfo): string | null {
  const vendor = port.vendorId?.toLowerCase();
  const product = port.productId?.toLowerCase();
  const known = KNOWN.find((k) => k.vendor === vendor && (k.product === undefined || k.product === product));
  return known?.label ?? null;
}

export function describeDevices(ports: PortInfo[]): Device[] {
  return ports.map(clean).map((p) => ({ ...p, likely: likelyBoard(p) })).sort((a, b) => Number(b.likely !== null) - Number(a.likely !== null) || a.path.localeCompare(b.path));
}

export type PortLister = () => Promise<PortInfo[]>;

/** The ports the platform bindings list; on Linux without udevadm, those sysfs shows. */
export async function listPorts(list: PortLister = () => autoDetect().list(), sysfsRoot = "/sys/class/tty"): Promise<{ ports: PortInfo[]; via: "bindings" | "sysfs" }> {
  try {
    return { ports: (await list()).map(clean), via: "bindings" };
  } catch (error) {
    const missingUdevadm = (error as NodeJS.ErrnoException).code === "ENOENT";
    if (process.platform === "linux" && missingUdevadm && existsSync(sysfsRoot)) return { ports: listPortsFromSysfs(sysfsRoot), via: "sysfs" };
    if (missingUdevadm) throw new BridgeError("no-device", "cannot list serial ports: udevadm is missing (install udev, or name the port: --target serial:/dev/ttyUSB0)");
    throw new BridgeError("no-device", `cannot list serial ports: ${(error as Error).message} (name the port instead: --target serial:/dev/ttyUSB0)`);
  }
}

/** The bindings' name filter for real serial ports, applied to sysfs entries. */
const SERIAL_NAME = /^(tty(S|WCH|ACM|USB|AMA|MFD|O|XRUSB)\d|rfcomm)/;

/** Reads /sys/class/tty/<name>/device: USB ids and strings live on the USB device, a few levels up. */
export function listPortsFromSysfs(root = "/sys/class/tty"): PortInfo[] {
  const ports: PortInfo[] = [];
  for (const name of readdirSync(root).sort()) {
    if (!SERIAL_NAME.test(name) || !existsSync(join(root, name, "device"))) continue;
    const port: PortInfo = { path: `/dev/${name}` };
    let dir = realpathSync(join(root, name, "device"));
    for (let up = 0; up < 6 && dir !== dirname(dir); up++, dir = dirname(dir)) {
      if (!existsSync(join(dir, "idVendor"))) continue;
      port.vendorId = read(join(dir, "idVendor"));
      port.productId = read(join(dir, "idProduct"));
      port.manufacturer = read(join(dir, "manufacturer"));
      port.serialNumber = read(join(dir, "serial"));
      break;
    }
    ports.push(port);
  }
  return ports;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

function clean(p: PortInfo): PortInfo {
  const out: PortInfo = { path: p.path };
  if (p.vendorId) out.vendorId = p.vendorId.toLowerCase();
  if (p.productId) out.productId = p.productId.toLowerCase();
  if (p.manufacturer) out.manufacturer = p.manufacturer;
  if (p.serialNumber) out.serialNumber = p.serialNumber;
  return out;
}

export function usbId(p: PortInfo): string {
  return p.vendorId ? `${p.vendorId}:${p.productId ?? "????"}` : "-";
}

/** `serial:auto`: the only likely board; none or several is a one-line error naming what was found. */
export function pickAutoPort(ports: PortInfo[]): Device {
  const candidates = describeDevices(ports).filter((d) => d.likely !== null);
  if (candidates.length === 1) return candidates[0];
  if (candidates.length === 0) {
    const seen = ports.length ? `; serial ports here: ${ports.map((p) => p.path).join(", ")}` : "; no serial ports at all";
    throw new BridgeError("no-device", `serial:auto found no likely MicroPython board${seen} (plug one in, or name the port: --target serial:/dev/ttyUSB0)`);
  }
  throw new BridgeError("no-device", `serial:auto found ${candidates.length} likely MicroPython boards: ${candidates.map((c) => `${c.path} (${usbId(c)})`).join(", ")}; name one: --target serial:${candidates[0].path}`);
}

/** Resolves a `serial:PATH` or `serial:auto` target to a device path. */
export async function resolveSerialTarget(target: string, list?: PortLister): Promise<{ path: string; picked?: Device }> {
  const match = /^serial:(.+)$/.exec(target);
  if (!match) throw new BridgeError("no-device", `unknown target "${target}": expected serial:PATH (e.g. serial:/dev/ttyUSB0) or serial:auto`);
  if (match[1] !== "auto") return { path: match[1] };
  const picked = pickAutoPort((await listPorts(list)).ports);
  return { path: picked.path, picked };
}
