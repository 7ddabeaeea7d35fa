// Loads the compiled command (dist/bundle/command.cjs, one CommonJS script)
// with V8's code cache. Without it, every start parses the script and
// compiles each function the first time it runs: most of a short run's time
// on the main thread. The cache holds the functions compiled by the run that
// wrote it, so a later run starts with them compiled. Node 20 has no code
// cache for ES modules, hence a script.
//
// The cache is written beside the script when it is missing or V8 rejected
// it (another Node version, a new build): by the build itself after a sample
// run, and otherwise by the first run that finds none. A cache that cannot be
// written (a read-only install) is simply not kept. V8 checks that a cache
// belongs to this V8 and these flags, but of the script only its length: so
// the file starts with the script's SHA-1, and a cache made for another
// script is never handed to V8.

import { createHash } from "node:crypto";
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

/** What the command script exports (src/cli/command.ts). */
export interface CommandModule {
  prewarm(args: readonly string[]): Promise<void>;
  runCommandLine(args: string[]): Promise<never>;
}

/** The cache file of `script`, one per Node version and architecture (several may share an install). */
export function cachePath(script: string): string {
  return `${script}.${process.version}-${process.arch}.v8cache`;
}

const HASH_BYTES = 20;

/** The cache in `path` when it was made for the script whose SHA-1 is `hash`. */
function readCache(path: string, hash: Buffer): Buffer | undefined {
  let file: Buffer;
  try {
    file = readFileSync(path);
  } catch {
    return undefined;
  }
  return file.length > HASH_BYTES && file.subarray(0, HASH_BYTES).equals(hash) ? file.subarray(HASH_BYTES) : undefined;
}

/** Written whole or not at all: a run starting meanwhile reads the old file or the new one. */
function writeCache(path: string, data: Buffer): void {
  const next = `${path}.${process.pid}`;
  try {
    writeFileSync(next, data);
    renameSync(next, path);
  } catch {
    rmSync(next, { force: true });
  }
}

/**
 * Compiles and runs the CommonJS script at `url` with its code cache, and
 * returns its exports. `UMQTT_BENCH_CODE_CACHE=write` writes the cache at exit
 * even when it was accepted (the build's sample run); `off` neither reads nor writes it.
 */
export function loadWithCodeCache<T = CommandModule>(url: URL): T {
  const filename = fileURLToPath(url);
  const mode = process.env.UMQTT_BENCH_CODE_CACHE;
  const cacheFile = cachePath(filename);
  const source = readFileSync(filename);
  const hash = createHash("sha1").update(source).digest();
  const cachedData = mode === "off" || mode === "write" ? undefined : readCache(cacheFile, hash);
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __import) {${source.toString("utf8")}\n})`, { filename, cachedData });
  if (mode !== "off" && (mode === "write" || cachedData === undefined || script.cachedDataRejected)) {
    // At exit, so the cache holds what this run compiled; process.exit() runs exit handlers too.
    process.once("exit", () => writeCache(cacheFile, Buffer.concat([hash, script.createCachedData()])));
  }
  const module = { exports: {} as T };
  // The script's import() calls, rewritten by the build: a package, or a file beside the script.
  const importModule = (specifier: string): Promise<unknown> => import(specifier.startsWith(".") ? new URL(specifier, url).href : specifier);
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(module.exports, module.exports, createRequire(filename), module, filename, dirname(filename), importModule);
  return module.exports;
}
