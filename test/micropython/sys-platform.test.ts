// sys.platform names the board's port, as firmware that picks its pins by
// port reads it (the VM's own reads "webassembly").
import { describe, expect, it } from "vitest";
import { runVm, py } from "./fixtures/run-vm.ts";

describe("sys.platform", () => {
  for (const [board, port] of [
    ["esp8266", "esp8266"],
    ["esp32", "esp32"],
    ["rp2-pico-w", "rp2"],
  ]) {
    it(`is "${port}" on ${board}, as os.uname().sysname; the rest of sys is the VM's`, async () => {
      const { printed, end } = await runVm(py("import sys, os", "print(sys.platform, os.uname().sysname, sys.maxsize, sys.implementation.name, type(sys.path))"), { board });
      expect(end).toEqual({ how: "exit" });
      expect(printed).toEqual([`${port} ${port} 2147483647 micropython <class 'list'>`]);
    });
  }
});
