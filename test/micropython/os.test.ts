// os / uos on a real MicroPython VM: the board's files, device errnos and stat shape.
import { describe, expect, it } from "vitest";
import { runVm, py } from "./fixtures/run-vm.ts";

describe("os on the board's filesystem", () => {
  it("lists, creates, renames, removes; stat as a device reports it; the VM's own folders do not show", async () => {
    const { printed, end } = await runVm({
      "boot.py": "",
      "lib/helper.py": "X = 1\n",
      "main.py": py(
        "import os, uos",
        "print(os is uos, sorted(os.listdir()), os.listdir('/lib'), os.getcwd())",
        "with open('state.json', 'w') as f:",
        "    f.write('{\"n\": 1}')",
        "print(os.stat('state.json'), os.stat('lib')[0])",
        "os.mkdir('data')",
        "os.rename('state.json', 'data/s.json')",
        "os.chdir('data')",
        "print(os.getcwd(), os.listdir(), open('s.json').read())",
        "os.remove('s.json')",
        "os.chdir('/')",
        "os.rmdir('data')",
        "print(sorted(os.listdir('/')), [e[:2] for e in os.ilistdir('lib')])",
      ),
    });
    expect(end).toEqual({ how: "exit" });
    expect(printed).toEqual([
      "True ['boot.py', 'lib', 'main.py'] ['helper.py'] /",
      "(32768, 0, 0, 0, 0, 0, 8, 0, 0, 0) 16384",
      "/data ['s.json'] {\"n\": 1}",
      "['boot.py', 'lib', 'main.py'] [('helper.py', 32768)]",
    ]);
  });

  it("raises OSError with the device's errno values (ENOENT 2, EEXIST 17), from open() too", async () => {
    const { printed } = await runVm(
      py(
        "import os, errno",
        "def attempt(what, f):",
        "    try:",
        "        f()",
        "    except OSError as e:",
        "        print(what, e.errno, e)",
        "attempt('open', lambda: open('missing.txt'))",
        "attempt('stat', lambda: os.stat('missing.txt'))",
        "attempt('remove', lambda: os.remove('missing.txt'))",
        "os.mkdir('d')",
        "attempt('mkdir', lambda: os.mkdir('d'))",
        "try:",
        "    open('config.json')",
        "except OSError as e:",
        "    print(e.errno == errno.ENOENT)",
      ),
    );
    expect(printed).toEqual(["open 2 [Errno 2] ENOENT", "stat 2 [Errno 2] ENOENT", "remove 2 [Errno 2] ENOENT", "mkdir 17 [Errno 17] EEXIST", "True"]);
  });

  it("uname() names the board's port; urandom() repeats for the same board", async () => {
    const code = py("import os", "u = os.uname()", "print(u.sysname, u.release, u[0] == u.sysname, len(os.urandom(8)), os.urandom(4))");
    const a = await runVm(code, { board: "esp8266" });
    const b = await runVm(code, { board: "esp8266" });
    expect(a.printed[0]).toMatch(/^esp8266 1\.29\.0 True 8 b'.+'$/);
    expect(b.printed).toEqual(a.printed);
    expect((await runVm(code, { board: "rp2-pico-w" })).printed[0]).toMatch(/^rp2 /);
  });
});
