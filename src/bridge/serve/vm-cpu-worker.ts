// Worker side of the served board's CPU: one MicroPython WebAssembly VM,
// fed REPL input byte by byte through its event-driven REPL. Output goes
// back as it is produced, so a long-running program streams. The files the
// VM writes are sent back whenever they change, so they survive the VM.
// Only this file and vm-cpu.ts know the VM; see vm-cpu.ts.

import { parentPort, workerData } from "node:worker_threads";
import { OUT_READ, OUT_WRITTEN, type BootData, type FileEntry, type FromCpu, type ToCpu } from "./vm-cpu-messages.ts";

const port = parentPort!;
const boot = workerData as BootData;
const post = (message: FromCpu): void => port.postMessage(message);

/** The parts of the package's API used here (it ships no types). */
interface MicroPython {
  FS: any; // Emscripten's FS object
  runPython(code: string): unknown;
  replInit(): void;
  replProcessChar(byte: number): number;
}
// A variable specifier keeps TypeScript from looking for the package's (absent) types.
const specifier = "@micropython/micropython-webassembly-pyscript/micropython.mjs";
const { loadMicroPython } = (await import(specifier)) as { loadMicroPython(options: object): Promise<MicroPython> };

let muted = false;
// Output goes through a shared ring (see vm-cpu-messages.ts) that the main
// thread drains on its own: a program that runs for a long time still shows
// every byte at once, a flood costs no message per byte, and a full ring
// blocks the program as a full UART buffer does.
const ring = new Uint8Array(boot.output.data);
const counters = new Int32Array(boot.output.counters);
function output(chunk: Uint8Array): void {
  if (muted) return;
  for (const b of chunk) {
    let written = Atomics.load(counters, OUT_WRITTEN);
    for (;;) {
      const read = Atomics.load(counters, OUT_READ);
      if (written - read < ring.length) break;
      Atomics.wait(counters, OUT_READ, read, 100);
    }
    ring[written % ring.length] = b;
    Atomics.store(counters, OUT_WRITTEN, ++written);
  }
}
const mp = await loadMicroPython({ heapsize: boot.heapBytes, linebuffer: false, stdout: output, stderr: output });
const FS = mp.FS;

/** Folders of the VM's own that are not the board's files. */
const SYSTEM = new Set(["/dev", "/proc", "/tmp", "/home"]);

function walk(dir: string, out: FileEntry[]): void {
  for (const name of FS.readdir(dir) as string[]) {
    if (name === "." || name === "..") continue;
    const path = dir === "/" ? `/${name}` : `${dir}/${name}`;
    if (SYSTEM.has(path)) continue;
    const stat = FS.stat(path);
    if (FS.isDir(stat.mode)) {
      out.push({ path, dir: true });
      walk(path, out);
    } else out.push({ path, dir: false, data: FS.readFile(path) as Uint8Array, mtime: stat.mtime.getTime() });
  }
}

let lastSignature = "";
/** The board's files if they changed since the last call, else undefined. */
function changedFiles(): FileEntry[] | undefined {
  const files: FileEntry[] = [];
  walk("/", files);
  const signature = files.map((f) => `${f.path}:${f.dir ? "d" : `${f.data!.length}:${f.mtime}`}`).join("|");
  if (signature === lastSignature) return undefined;
  lastSignature = signature;
  return files;
}

for (const file of boot.files) {
  if (file.dir) FS.mkdirTree(file.path);
  else FS.writeFile(file.path, file.data!);
}
changedFiles();

/** Runs a start-up script the way a board does after reset, reporting its traceback on the line. */
function runIfExists(name: string): void {
  try {
    FS.stat(`/${name}`);
  } catch {
    return;
  }
  try {
    mp.runPython(`exec(open('${name}').read(), {'__name__': '__main__'})`);
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    output(new TextEncoder().encode(`${text.replace(/\r?\n/g, "\r\n")}\r\n`));
  }
}

if (boot.quiet) {
  muted = true;
  mp.replInit();
  if (boot.mode === "raw") mp.replProcessChar(0x01);
  muted = false;
} else {
  runIfExists("boot.py");
  if (boot.mode === "friendly") runIfExists("main.py");
}
if (boot.quiet) {
  // the front end has already printed the end of the interrupted program
} else if (boot.mode === "raw") {
  // A board rebooted from the raw REPL comes back in it, without the friendly banner.
  muted = true;
  mp.replInit();
  mp.replProcessChar(0x01);
  muted = false;
  output(new TextEncoder().encode("raw REPL; CTRL-B to exit\r\n>"));
} else mp.replInit();
post({ type: "idle", files: changedFiles() });

port.on("message", (message: ToCpu) => {
  if (message.type !== "input") return;
  const bytes = message.bytes;
  for (let i = 0; i < bytes.length; i++) {
    const result = mp.replProcessChar(bytes[i]);
    if (result !== 0) {
      // Ctrl-D on an empty line, sys.exit() or machine.soft_reset(): the board reboots.
      post({ type: "reboot", files: changedFiles() ?? currentFiles(), rest: bytes.slice(i + 1) });
      return;
    }
  }
  post({ type: "idle", files: changedFiles() });
});

function currentFiles(): FileEntry[] {
  const files: FileEntry[] = [];
  walk("/", files);
  return files;
}
