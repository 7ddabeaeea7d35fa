// network.WLAN bound to the board's simulated Wi-Fi. Joining takes virtual
// time; isconnected() is False while the network's Wi-Fi is down (a
// `wifi-down` fault), and status() reports the port's own constants.
//
// The simulated network does not need a join: a firmware that never touches
// WLAN reaches the broker as a board with saved credentials would. WLAN's
// state (active, joined, disconnected) is what the firmware reads back; it
// does not switch the board's sockets off.

import type { Board } from "../../emulator/board/board.ts";
import type { Value } from "../protocol.ts";
import type { HostModule, VmContext } from "./context.ts";

/** Virtual time from connect() to an IP address: a typical WPA2 join with DHCP on an ESP32. */
export const WIFI_JOIN_MS = 1500;

export type WifiFamily = "esp8266" | "esp32" | "cyw43";

/** status() values per port: ESP8266 (SDK station status), ESP32 (v1.20+ WLAN constants), RP2 Pico W (CYW43 link status). */
export const WLAN_STATUS: Record<WifiFamily, Record<string, number>> = {
  esp8266: { STAT_IDLE: 0, STAT_CONNECTING: 1, STAT_WRONG_PASSWORD: 2, STAT_NO_AP_FOUND: 3, STAT_CONNECT_FAIL: 4, STAT_GOT_IP: 5 },
  esp32: { STAT_IDLE: 1000, STAT_CONNECTING: 1001, STAT_GOT_IP: 1010, STAT_NO_AP_FOUND: 201, STAT_WRONG_PASSWORD: 202, STAT_BEACON_TIMEOUT: 200, STAT_ASSOC_FAIL: 203, STAT_HANDSHAKE_TIMEOUT: 204 },
  cyw43: { STAT_IDLE: 0, STAT_CONNECTING: 1, STAT_GOT_IP: 3, STAT_CONNECT_FAIL: -1, STAT_NO_AP_FOUND: -2, STAT_WRONG_PASSWORD: -3 },
};

/** Organisation prefixes of the MAC addresses these chips ship with. */
const OUI: Record<WifiFamily, number[]> = { esp8266: [0x5c, 0xcf, 0x7f], esp32: [0x24, 0x0a, 0xc4], cyw43: [0x28, 0xcd, 0xc1] };

/** The glue module network.py reads its port's constants from: written at boot, so network loads before the heap budget as a device's built-in module does. */
export const PORT_CONSTANTS_MODULE = "bench_port.py";

export function portConstantsModule(board: Pick<Board, "definition">): string {
  const status = WLAN_STATUS[wifiFamily(board)];
  return `# The board's port constants, written by the host at boot.\nWLAN_STATUS = {${Object.entries(status).map(([k, v]) => `"${k}": ${v}`).join(", ")}}\n`;
}

export function wifiFamily(board: Pick<Board, "definition">): WifiFamily {
  const id = board.definition.id.toLowerCase();
  if (id.startsWith("esp8266")) return "esp8266";
  if (id.startsWith("rp2") || id.includes("pico")) return "cyw43";
  return "esp32";
}

const STA = 0;
const AP = 1;

class Wlan {
  readonly family: WifiFamily;
  /** ESP8266 keeps its station on across resets; ESP32 and the Pico W start with it off. */
  staActive: boolean;
  apActive = false;
  ssid: string | null = null;
  joinedAt = 0;
  ip: string;
  readonly settings = new Map<string, Value>();

  constructor(readonly board: Board) {
    this.family = wifiFamily(board);
    this.staActive = this.family === "esp8266";
    const id = board.uniqueId;
    this.ip = `10.0.0.${10 + (id[id.length - 1]! % 200)}`;
  }

  get status(): Record<string, number> {
    return WLAN_STATUS[this.family];
  }

  joined(): boolean {
    return this.staActive && this.ssid !== null && this.board.clock.now() >= this.joinedAt && this.board.network.wifiUp;
  }

  mac(iface: number): Uint8Array {
    const id = this.board.uniqueId;
    const mac = id.length === 6 ? id.slice() : new Uint8Array([...OUI[this.family], ...id.slice(-3)]);
    if (iface === AP) mac[5] = (mac[5]! + 1) & 0xff;
    return mac;
  }
}

const states = new WeakMap<Board, Wlan>();

function wlan(ctx: VmContext): Wlan {
  let w = states.get(ctx.board);
  if (!w) {
    w = new Wlan(ctx.board);
    states.set(ctx.board, w);
  }
  return w;
}

const iface = (v: Value | undefined): number => (v === AP || v === true ? AP : STA);

export const networkModule: HostModule = {
  glue: ["network.py"],
  ops: {
    "network.active": (ctx, [i, on]) => {
      const w = wlan(ctx);
      const ap = iface(i) === AP;
      if (on === null || on === undefined) return ap ? w.apActive : w.staActive;
      const flag = on === true || on === 1;
      if (ap) w.apActive = flag;
      else {
        w.staActive = flag;
        if (!flag) w.ssid = null;
      }
      return null;
    },
    /** False when the station is off on an ESP32 (the glue raises OSError("Wifi Not Started") as the port does). */
    "network.connect": (ctx, [ssid]) => {
      const w = wlan(ctx);
      if (!w.staActive) {
        if (w.family === "esp32") return false;
        w.staActive = true;
      }
      w.ssid = ssid === null || ssid === undefined ? (w.ssid ?? "") : String(ssid);
      w.joinedAt = ctx.board.clock.now() + WIFI_JOIN_MS;
      return true;
    },
    "network.disconnect": (ctx) => {
      wlan(ctx).ssid = null;
    },
    "network.isconnected": (ctx, [i]) => {
      const w = wlan(ctx);
      return iface(i) === AP ? w.apActive : w.joined();
    },
    "network.status": (ctx, [i]) => {
      const w = wlan(ctx);
      const s = w.status;
      if (iface(i) === AP) return s.STAT_IDLE!;
      if (!w.staActive || w.ssid === null) return s.STAT_IDLE!;
      // While Wi-Fi is down the device keeps trying to rejoin.
      return w.joined() ? s.STAT_GOT_IP! : s.STAT_CONNECTING!;
    },
    "network.rssi": (ctx) => (wlan(ctx).joined() ? -55 : 0),
    /** "ip mask gateway dns" */
    "network.ifconfig": (ctx, [i]) => {
      const w = wlan(ctx);
      if (iface(i) === AP) return w.apActive ? "192.168.4.1 255.255.255.0 192.168.4.1 0.0.0.0" : "0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0";
      return w.joined() ? `${w.ip} 255.255.255.0 10.0.0.1 10.0.0.1` : "0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0";
    },
    "network.set_ip": (ctx, [ip]) => {
      wlan(ctx).ip = String(ip);
    },
    "network.mac": (ctx, [i]) => wlan(ctx).mac(iface(i)),
    "network.ssid": (ctx) => wlan(ctx).ssid ?? "",
  },
  reset(ctx) {
    // A reset drops the association; the ESP8266's station stays enabled.
    states.delete(ctx.board);
  },
};
