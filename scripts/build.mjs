// Compiles src/ to JavaScript in dist/ (same tree, .ts -> .js), so the
// command and its worker threads start without transpiling through tsx.
// Run by `npm install`/`npm ci` (prepare) and `npm pack`; `npm run build`
// by hand after editing src/. One file in, one file out: no bundling, so
// paths relative to import.meta.url (boards/, scenarios/, py/ glue) resolve
// from dist/ as from src/. Files that are not TypeScript (.mjs, .py) are copied.
//
// dist/.build.json records the newest source time and the file count; the bin
// script uses the sources through tsx when src/ has changed since. A build
// that is already current is kept (prepare runs on every `npm pack`), unless
// --force. The new build is made beside dist/ and swapped in, so a command
// starting meanwhile finds either a whole build or none (and then uses src/).

import { build } from "esbuild";
import { cpSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
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
  console.log("umqtt-bench: dist/ is up to date with src/");
  process.exit(0);
}

const NEXT = `${OUT}.next-${process.pid}`;
const OLD = `${OUT}.old-${process.pid}`;
rmSync(NEXT, { recursive: true, force: true });
await build({
  entryPoints: typescript,
  outdir: NEXT,
  outbase: SRC,
  // Bundling only so the plugin below sees every import; every import stays external.
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  jsx: "automatic",
  logLevel: "warning",
  plugins: [
    {
      name: "keep-imports",
      setup(b) {
        // Relative imports name .ts files: the compiled file imports the .js beside it.
        b.onResolve({ filter: /^\.\.?\// }, (args) => ({ path: args.path.replace(/\.tsx?$/, ".js"), external: true }));
        // Packages load from node_modules as they are.
        b.onResolve({ filter: /^[^./]/ }, (args) => ({ path: args.path, external: true }));
      },
    },
  ],
});
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
console.log(`umqtt-bench: compiled ${typescript.length} files to dist/ in ${Math.round(performance.now() - started)} ms`);
