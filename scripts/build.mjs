// Compiles src/ to JavaScript in dist/ (same tree, .ts -> .js), so the
// command and its worker threads start without transpiling through tsx.
// Run by `npm install`/`npm ci` (prepare) and `npm pack`; `npm run build`
// by hand after editing src/. One file in, one file out, so paths relative
// to import.meta.url (boards/, scenarios/, py/ glue) resolve from dist/ as
// from src/. Files that are not TypeScript (.mjs, .py) are copied. What the
// bin script and the threads start from is then bundled on top (below).
//
// Dependencies that load as dozens of CommonJS files each (yaml, and aedes
// with its dependencies) are bundled into the command's script, and for the
// threads once into dist/vendor/: loading them file by file took 250-450 ms
// of every process's and every session thread's start-up. Their code is not
// changed, except that mqtt-packet gets Node's own streams (below).
//
// dist/.build.json records the newest source time and the file count; the bin
// script uses the sources through tsx when src/ has changed since. A build
// that is already current is kept (prepare runs on every `npm pack`), unless
// --force. The new build is made beside dist/ and swapped in, so a command
// starting meanwhile finds either a whole build or none (and then uses src/).

import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SRC = join(ROOT, "src");
const OUT = join(ROOT, "dist");

export function sourceFiles(dir = SRC) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name));
}

const started = performance.now();
const files = sourceFiles();
const typescript = files.filter((f) => /\.tsx?$/.test(f) && !f.endsWith(".d.ts"));
const others = files.filter((f) => !/\.tsx?$/.test(f));
const stamp = { newestMs: Math.max(...files.map((f) => statSync(f).mtimeMs)), files: files.length };

function current() {
  try {
    const built = JSON.parse(readFileSync(join(OUT, ".build.json"), "utf8"));
    return built.files === stamp.files && built.newestMs >= stamp.newestMs;
  } catch {
    return false;
  }
}

if (!process.argv.includes("--force") && current()) {
  console.error("umqtt-bench: dist/ is up to date with src/");
  process.exit(0);
}

// Vendored package -> its file in dist/vendor/. mqtt-packet is its own file,
// shared by aedes and our broker glue, so the glue sets the instance aedes
// writes with (src/emulator/broker/embedded.ts). Each is an ES module:
// importing a CommonJS file makes Node scan all of it for its exports first.
const VENDORED = { yaml: "yaml.js", aedes: "aedes.js", "mqtt-packet": "mqtt-packet.js" };
/** Packages bundled into the command's script: the vendored ones, and commander (five CommonJS files otherwise). */
const INLINED = new Set([...Object.keys(VENDORED), "commander"]);
// mqtt-packet's parser takes Duplex for its buffer list (bl) from
// readable-stream, a copy of Node's own streams for older runtimes (180 KB,
// compiled at every start): on Node 20 it gets Node's.
const READABLE_STREAM_ALIAS = { "readable-stream": "node:stream" };
/** CommonJS code bundled as an ES module still requires Node's own modules: give it a require. */
const NODE_REQUIRE = { js: 'import { createRequire as __vendorRequire } from "node:module"; const require = __vendorRequire(import.meta.url);' };
const vendorPath = (name) => join(NEXT, "vendor", VENDORED[name]);
const NEXT = `${OUT}.next-${process.pid}`;
const OLD = `${OUT}.old-${process.pid}`;
rmSync(NEXT, { recursive: true, force: true });
// A failed build leaves no half-made folder behind (and dist/ as it was).
process.on("exit", (code) => code !== 0 && rmSync(NEXT, { recursive: true, force: true }));
// As tsx compiles the sources: the project's tsconfig.json, and function and class names kept.
const bundleOptions = {
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  jsx: "automatic",
  ...(existsSync(join(ROOT, "tsconfig.json")) ? { tsconfig: join(ROOT, "tsconfig.json") } : {}),
  keepNames: true,
  logLevel: "warning",
};
await build({
  ...bundleOptions,
  entryPoints: typescript,
  outdir: NEXT,
  outbase: SRC,
  // Bundling only so the plugin below sees every import; every import stays external.
  plugins: [
    {
      name: "keep-imports",
      setup(b) {
        // Relative imports name .ts files: the compiled file imports the .js beside it.
        b.onResolve({ filter: /^\.\.?\// }, (args) => ({ path: args.path.replace(/\.tsx?$/, ".js"), external: true }));
        // Vendored packages from dist/vendor/, every other one from node_modules as it is.
        b.onResolve({ filter: /^[^./]/ }, (args) => {
          if (!(args.path in VENDORED)) return { path: args.path, external: true };
          const from = dirname(join(NEXT, relative(SRC, args.importer)));
          return { path: relative(from, vendorPath(args.path)).replace(/^(?!\.)/, "./"), external: true };
        });
      },
    },
  ],
});
/** A dependency bundled into dist/vendor/ as one ES module. */
const vendor = (name, options = {}) =>
  build({ entryPoints: { [name]: name }, outdir: join(NEXT, "vendor"), bundle: true, format: "esm", platform: "node", target: "node20", logLevel: "warning", ...options });
// yaml: its ES module build (the package's "default" export condition; the
// "node" one is CommonJS, whose names a bundle could not re-export).
await vendor("yaml", { platform: "neutral" });
// mqtt-packet is CommonJS: its module.exports becomes the default export, as aedes imports it.
await vendor("mqtt-packet", { banner: NODE_REQUIRE, alias: READABLE_STREAM_ALIAS });
// aedes is an ES module; its dependencies are CommonJS. It imports the vendored mqtt-packet beside it.
await vendor("aedes", {
  banner: NODE_REQUIRE,
  plugins: [{ name: "shared-mqtt-packet", setup: (b) => b.onResolve({ filter: /^mqtt-packet$/ }, () => ({ path: `./${VENDORED["mqtt-packet"]}`, external: true })) }],
});
// What the bin script and the threads start from, each one file: loading
// ~100 modules one by one (resolve, read, compile each) took a good part of
// every start. Each module's import.meta.url is rewritten to its one-to-one
// file's, so paths next to it (boards/, scenarios/, py/ glue, worker
// entries) resolve as from the unbundled build.
const BUNDLE = join(NEXT, "bundle");
/** A source file whose import.meta.url is its one-to-one compiled file's URL, made from `base` (an expression for the bundle's URL). */
function sourceWithOwnUrl(path, outDir, base) {
  const compiled = join(NEXT, relative(SRC, path)).replace(/\.tsx?$/, ".js");
  const own = `new URL(${JSON.stringify(relative(outDir, compiled).split("\\").join("/"))}, ${base}).href`;
  const text = readFileSync(path, "utf8").replaceAll("import.meta.url", `(${own})`);
  return { contents: text, loader: path.endsWith(".tsx") ? "tsx" : "ts", resolveDir: dirname(path) };
}
function commandPlugin(outDir) {
  return {
    name: "command-bundle",
    setup(b) {
      // Packages: bundled when vendored (and their own dependencies with them), else loaded from node_modules.
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.kind === "entry-point" || args.path.startsWith("node:") || args.importer.includes("/node_modules/") || INLINED.has(args.path)) return undefined;
        return { path: args.path, external: true };
      });
      b.onResolve({ filter: /\/app\.tsx$/ }, (args) => (args.kind === "dynamic-import" ? { path: "./tui-app.js", external: true } : undefined));
      b.onLoad({ filter: /\.tsx?$/ }, (args) => (args.path.includes("/node_modules/") ? undefined : sourceWithOwnUrl(args.path, outDir, "__bundleUrl")));
    },
  };
}
function bundlePlugin(outDir) {
  return {
    name: "bundle-from-sources",
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.kind === "entry-point") return undefined;
        if (!(args.path in VENDORED)) return { path: args.path, external: true };
        return { path: relative(outDir, vendorPath(args.path)).replace(/^(?!\.)/, "./"), external: true };
      });
      b.onLoad({ filter: /\.tsx?$/ }, (args) => sourceWithOwnUrl(args.path, outDir, "import.meta.url"));
    },
  };
}
// The command as one CommonJS script, its dependencies inside it: the bin
// script compiles it with V8's code cache (src/cli/code-cache.ts), which
// no ES module can use on Node 20. What a command does not run stays lazy:
// esbuild initialises a module on its first import. The watch view (ink and
// React, ES modules only) is an ES module bundle of its own, imported on demand.
await build({
  ...bundleOptions,
  entryPoints: { command: join(SRC, "cli/command.ts") },
  outdir: BUNDLE,
  outExtension: { ".js": ".cjs" },
  format: "cjs",
  banner: { js: 'const __bundleUrl = require("node:url").pathToFileURL(__filename).href;' },
  alias: READABLE_STREAM_ALIAS,
  plugins: [commandPlugin(BUNDLE)],
});
await build({ ...bundleOptions, entryPoints: { "tui-app": join(SRC, "cli/tui/app.tsx") }, outdir: BUNDLE, plugins: [bundlePlugin(BUNDLE)] });
// A script's own import() needs a callback V8 loses with the code cache on
// Node 20: the loader passes one in (__import), which resolves through Node's
// loader from the script's folder. esbuild leaves import() only for modules
// outside the bundle (ink, tsx, the watch view), each written import("...").
const COMMAND = join(BUNDLE, "command.cjs");
writeFileSync(COMMAND, readFileSync(COMMAND, "utf8").replace(/\bimport\((?=")/g, "__import("));
for (const thread of ["micropython/worker/worker.ts", "cli/supervisor/session-thread.ts"]) {
  const outfile = join(NEXT, thread.replace(/\.ts$/, ".js"));
  await build({ ...bundleOptions, entryPoints: [join(SRC, thread)], outfile, allowOverwrite: true, plugins: [bundlePlugin(dirname(outfile))] });
}
for (const file of others) {
  const target = join(NEXT, relative(SRC, file));
  mkdirSync(dirname(target), { recursive: true });
  cpSync(file, target);
}
writeFileSync(join(NEXT, ".build.json"), `${JSON.stringify(stamp)}\n`);
try {
  renameSync(OUT, OLD);
} catch {
  // No previous build.
}
renameSync(NEXT, OUT);
rmSync(OLD, { recursive: true, force: true });
console.error(`umqtt-bench: compiled ${typescript.length} files to dist/ in ${Math.round(performance.now() - started)} ms`);
// A sample run writes the command's code cache (src/cli/code-cache.ts), so
// the first real run starts as fast as later ones. Without it (it failed, or
// Node differs later) the first run writes one.
spawnSync(process.execPath, [join(ROOT, "bin/umqtt-bench.js"), "run", "example_sub_led", "--quiet", "--seed", "1"], {
  cwd: ROOT,
  stdio: "ignore",
  timeout: 60_000,
  env: { ...process.env, UMQTT_BENCH_CODE_CACHE: "write", UMQTT_BENCH_SOURCES: "" },
});
