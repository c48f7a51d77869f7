// Chooses the TensorFlow.js backend for training: WebAssembly (its .wasm files are inside the
// @tensorflow/tfjs-backend-wasm package, so it works offline), else the pure-JS cpu backend with a
// warning. Never tfjs-node: its install downloads a native library.

import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { FheError } from "../../engine/ring/errors.js";

export type BackendName = "wasm" | "cpu";

/** The folder holding tfjs-backend-wasm's .wasm binaries, with a trailing separator (as setWasmPaths wants). */
export function wasmBinaryDirectory(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist") + "/";
}

/**
 * Activates `preferred` ("wasm" by default); if the WebAssembly backend cannot start, warns
 * through `warn` and falls back to "cpu". Returns the backend in use. Also turns on production
 * mode (no per-op NaN checks, no debug warnings).
 */
export async function initBackend(preferred: BackendName = "wasm", warn: (message: string) => void = console.warn): Promise<BackendName> {
  tf.enableProdMode();
  if (preferred === "wasm") {
    try {
      setWasmPaths(wasmBinaryDirectory());
      if (await tf.setBackend("wasm")) return "wasm";
      warn("warning: the tfjs wasm backend did not start; training on the (much slower) cpu backend");
    } catch (error) {
      warn(`warning: the tfjs wasm backend failed (${(error as Error).message}); training on the (much slower) cpu backend`);
    }
  }
  if (!(await tf.setBackend("cpu"))) {
    throw new FheError("WASM_UNAVAILABLE", "start TensorFlow.js", "neither the wasm nor the cpu backend is available; reinstall @tensorflow/tfjs");
  }
  return "cpu";
}
