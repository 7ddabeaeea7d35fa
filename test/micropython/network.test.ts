// network.WLAN on a real MicroPython VM, bound to the board's simulated Wi-Fi.
import { describe, expect, it } from "vitest";
import { runVm, py } from "./fixtures/run-vm.ts";
import { WIFI_JOIN_MS } from "../../src/micropython/modules/network.ts";

const BOOT = py(
  "import network, time",
  "sta = network.WLAN(network.STA_IF)",
  "sta.active(True)",
  "print('before', sta.isconnected(), sta.status() == network.STAT_IDLE, sta.ifconfig()[0])",
  "t0 = time.ticks_ms()",
  "sta.connect('my-ssid', 'secret')",
  "print('joining', sta.status() == network.STAT_CONNECTING)",
  "while not sta.isconnected():",
  "    time.sleep(0.1)",
  "print('joined after', time.ticks_diff(time.ticks_ms(), t0), 'ms', sta.status() == network.STAT_GOT_IP, sta.ifconfig())",
);

describe("network.WLAN", () => {
  it("a boot.py that waits for isconnected() boots; joining takes virtual time", async () => {
    const { end, printed } = await runVm({ "boot.py": BOOT, "main.py": "print('main runs')\n" });
    expect(end).toEqual({ how: "exit" });
    expect(printed[0]).toBe("before False True 0.0.0.0");
    expect(printed[1]).toBe("joining True");
    expect(printed[2]).toMatch(new RegExp(`^joined after ${WIFI_JOIN_MS} ms True \\('10\\.0\\.0\\.\\d+', '255\\.255\\.255\\.0', '10\\.0\\.0\\.1', '10\\.0\\.0\\.1'\\)$`));
    expect(printed[3]).toBe("main runs");
  });

  it("status() uses each port's own constants", async () => {
    const code = py("import network", "s = network.WLAN(network.STA_IF)", "s.active(True)", "s.connect('x', 'y')", "print(network.STAT_IDLE, network.STAT_CONNECTING, network.STAT_GOT_IP, s.status())");
    expect((await runVm(code, { board: "esp32" })).printed).toEqual(["1000 1001 1010 1001"]);
    expect((await runVm(code, { board: "esp8266" })).printed).toEqual(["0 1 5 1"]);
    expect((await runVm(code, { board: "rp2-pico-w" })).printed).toEqual(["0 1 3 1"]);
  });

  it("a wifi-down fault makes isconnected() False until Wi-Fi returns", async () => {
    const { printed, end } = await runVm(
      py(
        "import network, time",
        "sta = network.WLAN(network.STA_IF)",
        "sta.active(True)",
        "sta.connect('ssid', 'key')",
        "seen = []",
        "for i in range(10):",
        "    time.sleep(1)",
        "    seen.append(1 if sta.isconnected() else 0)",
        "print(seen, sta.status() == network.STAT_GOT_IP)",
      ),
      {
        setup: (board, clock) => {
          clock.setTimer(4500, () => board.network.injectFault("wifi-down", { durationMs: 3000 }));
        },
      },
    );
    expect(end).toEqual({ how: "exit" });
    // Joined by 1.5 s; down from 4.5 s to 7.5 s.
    expect(printed).toEqual(["[0, 1, 1, 1, 0, 0, 0, 1, 1, 1] True"]);
  });

  it("config('mac') gives 6 bytes; ESP32 needs active(True) before connect; disconnect() drops the link", async () => {
    const { printed } = await runVm(
      py(
        "import network, time",
        "sta = network.WLAN(network.STA_IF)",
        "ap = network.WLAN(network.AP_IF)",
        "m = sta.config('mac')",
        "print(len(m), m != ap.config('mac'), sta.active())",
        "try:",
        "    sta.connect('ssid', 'key')",
        "except OSError as e:",
        "    print('OSError', e)",
        "sta.active(True)",
        "sta.connect('ssid', 'key')",
        "time.sleep(2)",
        "print(sta.isconnected(), sta.config('ssid'))",
        "sta.disconnect()",
        "print(sta.isconnected(), sta.status() == network.STAT_IDLE, sta.ifconfig()[0])",
      ),
    );
    expect(printed).toEqual(["6 True False", "OSError Wifi Not Started", "True ssid", "False True 0.0.0.0"]);
  });

  it("ESP8266's station is active from boot", async () => {
    const { printed } = await runVm(py("import network", "print(network.WLAN(network.STA_IF).active(), network.WLAN(network.AP_IF).active())"), { board: "esp8266" });
    expect(printed).toEqual(["True False"]);
  });
});
