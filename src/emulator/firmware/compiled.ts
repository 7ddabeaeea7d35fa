// TypeScript firmware for a thread that runs it again and again (a sweep's
// kept session thread). Each run must get a fresh module instance, its own
// and its imports', so that no run sees another's module state. tsx gives
// one by registering a new set of loader hooks per import, and on Node 20
// every registration stays in the chain of the loader's hooks thread: each
// seed paid that thread's work, and later seeds more than earlier ones.
//
// Here the firmware and everything it imports (node: modules aside) is
// bundled once per thread by esbuild, the compiler tsx uses, with the same
// choices (names kept, an inline source map, so stacks and tracebacks name
// the firmware's own files and lines), and each run imports the bundle under
// a new query: a new module instance of the whole graph, no hooks involved.
// Only firmware that Node and tsx load as an ES module is bundled (a .mts
// file, or a .ts file under a package.json of "type": "module"): tsx loads
// the rest as CommonJS, whose stacks differ, so it still loads those, and a
// sweep's seed prints the same traceback as `run --seed`. What esbuild
// cannot bundle (a syntax error among them) goes to tsx too (load.ts), which
// loads it or reports the error as before.

import { build } from "esbuild";
import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, extname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { threadBundleFolder } from "./bundle-folder.ts";

const bundles = new Map<string, Promise<string>>();
/** Spelled in parts: the project's own build rewrites that expression wherever it is written whole. */
const IMPORT_META_URL = ["import", "meta", "url"].join(".");
let folder: string | undefined;
let made = 0;
let imports = 0;

function bundleFolder(): string {
  return (folder ??= threadBundleFolder());
}

async function bundle(path: string): Promise<string> {
  const outfile = join(bundleFolder(), `firmware-${made++}.mjs`);
  await build({
    entryPoints: [path],
    outfile,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    keepNames: true,
    sourcemap: "inline",
    logLevel: "silent",
    plugins: [
      {
        // Each file's import.meta.url stays its own, as when tsx loads it.
        name: "own-import-meta-url",
        setup(b) {
          b.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, async (args) => {
            if (args.path.includes("/node_modules/")) return undefined;
            const text = (await readFile(args.path, "utf8")).replaceAll(IMPORT_META_URL, JSON.stringify(pathToFileURL(args.path).href));
            const loader = /\.[cm]?tsx$/.test(args.path) ? "tsx" : /\.[cm]?ts$/.test(args.path) ? "ts" : "js";
            return { contents: text, loader };
          });
        },
      },
    ],
  });
  return pathToFileURL(outfile).href;
}

/** Whether Node (and tsx) load the file at `path` as an ES module. */
function loadsAsModule(path: string): boolean {
  const ext = extname(path);
  if (ext === ".mts" || ext === ".mjs") return true;
  if (ext === ".cts" || ext === ".cjs") return false;
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        return (JSON.parse(readFileSync(manifest, "utf8")) as { type?: unknown }).type === "module";
      } catch {
        return false;
      }
    }
    if (dirname(dir) === dir) return false;
  }
}

/**
 * A URL that imports a fresh instance of the firmware at `path`, bundled on
 * first use in this thread; undefined when it is not an ES module or esbuild
 * cannot bundle it (tsx then loads it, or says why it cannot).
 */
export async function bundledFirmwareUrl(path: string): Promise<string | undefined> {
  if (!loadsAsModule(path)) return undefined;
  let url = bundles.get(path);
  if (!url) {
    url = bundle(path);
    bundles.set(path, url);
  }
  try {
    const file = await url;
    process.setSourceMapsEnabled(true);
    return `${file}?run=${++imports}`;
  } catch {
    bundles.delete(path);
    return undefined;
  }
}
