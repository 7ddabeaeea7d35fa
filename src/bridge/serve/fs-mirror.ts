// `serve-board --fs DIR`: the board's filesystem kept in a host folder, so
// files survive stopping serve-board (as a board's flash survives power).
// The folder is read into the board at start; whenever the board's files
// change they are written back. Only what the board had (read at start or
// written since) is ever removed from the folder: a file the board deleted.

import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { BoardFiles } from "../../micropython/repl-protocol.ts";
import { BridgeError } from "../errors.ts";

/** A board's flash holds a few MB: a folder beyond this is not a board's filesystem (a typo, a home folder). */
const MAX_BYTES = 16 * 1024 * 1024;
const MAX_ENTRIES = 2000;

export class FolderMirror {
  /** What the folder holds of the board's, as last written or read. */
  private known: BoardFiles = { dirs: [], files: {} };

  private constructor(
    readonly root: string,
    private readonly notice: (line: string) => void,
  ) {}

  /** Checks the folder (created if missing); a folder that cannot serve is bad input (one line). */
  static open(dir: string, notice: (line: string) => void = () => {}): FolderMirror {
    const root = resolve(dir);
    try {
      if (!existsSync(root)) mkdirSync(root, { recursive: true });
      if (!statSync(root).isDirectory()) throw new Error("not a folder");
      accessSync(root, constants.R_OK | constants.W_OK | constants.X_OK);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new BridgeError("open", `--fs ${dir}: cannot use it as the board's filesystem (${reason}); give a folder you can read and write`);
    }
    return new FolderMirror(root, notice);
  }

  /** The folder's contents as the board's files. */
  read(): BoardFiles {
    const files: BoardFiles = { dirs: [], files: {} };
    let bytes = 0;
    let entries = 0;
    const walk = (dir: string, prefix: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = `${prefix}${entry.name}`;
        if (++entries > MAX_ENTRIES) throw this.tooBig(`more than ${MAX_ENTRIES} entries`);
        if (entry.isDirectory()) {
          files.dirs.push(path);
          walk(join(dir, entry.name), `${path}/`);
        } else if (entry.isFile()) {
          const data = readFileSync(join(dir, entry.name));
          bytes += data.length;
          if (bytes > MAX_BYTES) throw this.tooBig(`more than ${MAX_BYTES / 1024 / 1024} MB`);
          files.files[path] = new Uint8Array(data);
        }
      }
    };
    walk(this.root, "");
    this.known = files;
    return files;
  }

  /** Brings the folder to the board's files; a failure is reported, never fatal (the board keeps its files in memory). */
  write(files: BoardFiles): void {
    try {
      for (const dir of files.dirs) mkdirSync(join(this.root, dir), { recursive: true });
      for (const [path, data] of Object.entries(files.files)) {
        const old = this.known.files[path];
        if (old && Buffer.from(old).equals(data)) continue;
        mkdirSync(join(this.root, path, ".."), { recursive: true });
        writeFileSync(join(this.root, path), data);
      }
      for (const path of Object.keys(this.known.files)) if (!(path in files.files)) rmSync(join(this.root, path), { force: true });
      // Deepest first, so a removed folder's removed subfolders go before it.
      const gone = this.known.dirs.filter((d) => !files.dirs.includes(d)).sort((a, b) => b.length - a.length);
      for (const dir of gone) if (existsSync(join(this.root, dir))) rmdirSync(join(this.root, dir));
      this.known = files;
    } catch (error) {
      this.notice(`--fs ${this.root}: could not write the board's files (${(error as Error).message}); they are kept in memory`);
    }
  }

  private tooBig(what: string): BridgeError {
    return new BridgeError("open", `--fs ${this.root}: ${what}, too much for a board's filesystem; give a folder of its own`);
  }
}
