// The VM worker's code as one JavaScript module, bundled once per process
// with esbuild: a worker that loads TypeScript through tsx spends most of its
// start-up (several hundred ms each) in the loader, so VM boards start much
// faster from the bundle. Falls back to worker-boot.mjs (tsx) if bundling fails.

import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

const WORKER_TS = new URL("../worker/worker.ts", import.meta.url);
const WORKER_BOOT = new URL("../worker/worker-boot.mjs", import.meta.url);
const VM_PACKAGE = "@micropython/micropython-webassembly-pyscript";

let url: URL | undefined;

/** The URL a VM worker starts from. */
export function workerUrl(): URL {
  if (url) return url;
  // The compiled build (dist/) has the worker as plain JavaScript already.
  if (import.meta.url.endsWith(".js")) return (url = new URL("../worker/worker.js", import.meta.url));
  try {
    // esbuild is loaded only here: the compiled build never needs it.
    const { buildSync } = createRequire(import.meta.url)("esbuild") as typeof import("esbuild");
    const result = buildSync({
      entryPoints: [fileURLToPath(WORKER_TS)],
      bundle: true,
      format: "esm",
      platform: "node",
      target: "node20",
      write: false,
      logLevel: "silent",
      // The package finds its .wasm next to its own file: import it from there.
      external: [VM_PACKAGE],
    });
    const vmModule = pathToFileURL(createRequire(import.meta.url).resolve(VM_PACKAGE)).href;
    const code = result.outputFiles[0]!.text.replaceAll(JSON.stringify(VM_PACKAGE), JSON.stringify(vmModule));
    url = new URL(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`);
  } catch {
    url = WORKER_BOOT;
  }
  return url;
}
