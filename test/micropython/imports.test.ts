// A board's VM imports what the board's stock firmware has, and nothing the
// WebAssembly build adds: a firmware that imports logging or js must fail in
// the bench as it fails on the device, not pass (bench_imports.py). Real VMs.

import { describe, expect, it } from "vitest";
import { Board } from "../../src/emulator/board/board.ts";
import { createStreamPair } from "../../src/emulator/network/stream-pair.ts";
import { Trace } from "../../src/emulator/trace.ts";
import { VirtualClock } from "../../src/emulator/clock/virtual-clock.ts";
import { VmHost, type VmEnd } from "../../src/micropython/host/vm-host.ts";

async function run(definition: string, files: Record<string, string>) {
  const clock = new VirtualClock();
  const trace = new Trace();
  const board = new Board({ definition, clock, trace, name: "board1", dial: () => createStreamPair()[0] });
  let end: VmEnd | undefined;
  const vm = await VmHost.create({ board, files, onEnd: (e) => (end = e) });
  vm.start();
  await clock.runUntil(10_000);
  await vm.stop();
  return { prints: trace.of("print").map((e) => e.text), end };
}

/** Prints "<name> ok" or "<name> ImportError <message>" for each import statement. */
function tryImports(statements: string[]): string {
  return statements.map((s) => `try:\n    ${s}\n    print(${JSON.stringify(s)}, "ok")\nexcept ImportError as e:\n    print(${JSON.stringify(s)}, "ImportError", e)\n`).join("");
}

const ABSENT = ["logging", "functools", "datetime", "abc", "copy", "base64", "itertools", "operator", "types", "unittest", "zlib", "inspect", "pathlib"];
const PRESENT = ["json", "struct", "binascii", "ubinascii", "collections", "re", "hashlib", "random", "asyncio", "framebuf", "uctypes", "deflate", "errno", "io", "math", "array", "heapq", "machine", "network", "socket", "time", "os", "sys", "gc", "micropython", "select", "umqtt.simple", "umqtt.robust"];

describe("imports as on the device", () => {
  for (const definition of ["esp8266", "esp32", "rp2-pico-w"]) {
    it(`${definition}: the WebAssembly build's own modules raise ImportError, the firmware's modules import`, async () => {
      const statements = [
        ...ABSENT.map((m) => `import ${m}`),
        "import js",
        "import jsffi",
        "import os.path",
        "from os import path",
        "from collections import defaultdict",
        "from logging import getLogger",
        ...PRESENT.map((m) => `import ${m}`),
        "from collections import OrderedDict, deque, namedtuple",
        "from umqtt.simple import MQTTClient",
      ];
      const { prints, end } = await run(definition, { "main.py": tryImports(statements) });
      expect(end).toEqual({ how: "exit" });
      expect(prints).toEqual([
        ...ABSENT.map((m) => `import ${m} ImportError no module named '${m}'`),
        "import js ImportError no module named 'js'",
        "import jsffi ImportError no module named 'jsffi'",
        "import os.path ImportError no module named 'os.path'",
        "from os import path ImportError can't import name path",
        "from collections import defaultdict ImportError can't import name defaultdict",
        "from logging import getLogger ImportError no module named 'logging'",
        ...PRESENT.map((m) => `import ${m} ok`),
        "from collections import OrderedDict, deque, namedtuple ok",
        "from umqtt.simple import MQTTClient ok",
      ]);
    }, 60_000);
  }

  it("a board that carries its own copy (lib/, as mip installs it) imports that copy, and it can import frozen modules", async () => {
    const { prints, end } = await run("esp32", {
      "lib/logging.py": "import asyncio, json\nORIGIN = 'the board'\ndef getLogger(name):\n    return name\n",
      "lib/functools/__init__.py": "from .parts import partial\n",
      "lib/functools/parts.py": "import time\ndef partial(f, *a):\n    return lambda *b: f(*(a + b))\n",
      "main.py": "import logging\nprint(logging.ORIGIN, logging.getLogger('x'))\nfrom functools import partial\nprint(partial(max, 3)(4))\nimport asyncio\nprint('asyncio', asyncio.sleep_ms is not None)\n" + tryImports(["import datetime"]),
    });
    expect(end).toEqual({ how: "exit" });
    expect(prints).toEqual(["the board x", "4", "asyncio True", "import datetime ImportError no module named 'datetime'"]);
  }, 60_000);

  it("an import takes no more heap than the VM's own import does", async () => {
    // The same imports through the bench's hook and through the VM's own __import__, measured with gc.mem_free().
    const measure = (label: string) =>
      [
        "gc.collect()",
        "a = gc.mem_free()",
        "import json, time, struct",
        "from machine import Pin",
        "from umqtt.simple import MQTTClient",
        "import umqtt.robust",
        `print("${label}", a - gc.mem_free())`,
        "del json, time, struct, Pin, MQTTClient, umqtt",
      ].join("\n");
    const main = ["import gc, builtins", "hook = builtins.__import__", measure("hooked"), "import bench_imports", "builtins.__import__ = bench_imports._vm_import", measure("vm"), "builtins.__import__ = hook"].join("\n");
    const { prints, end } = await run("esp8266", { "main.py": main });
    expect(end).toEqual({ how: "exit" });
    const [hooked, vm] = prints.map((p) => Number(p.split(" ")[1]));
    expect(prints[0]).toMatch(/^hooked \d+$/);
    expect(hooked).toBe(vm);
  }, 60_000);
});
