// Run inside a temporary project where the packed tarball is installed (package.slow.test.ts):
// imports every subpath by its package name, runs the smoke path through the top level and a
// RemoteContext through a worker thread, and prints one JSON line.
import { Worker } from "node:worker_threads";
import * as lib from "wasm-ckks";
import * as ring from "wasm-ckks/ring";
import * as worker from "wasm-ckks/worker";
import * as nn from "wasm-ckks/nn";

const { runSmokePath } = await import(process.argv[2]);
const smoke = runSmokePath(lib);
const thread = new Worker(new URL("./serve.mjs", import.meta.url));
const remote = await worker.RemoteContext.create(thread, { parameters: { logN: 11, logScale: 30, depth: 2, allowInsecureParametersForTesting: true } });
await remote.generateKeys({ steps: [1] });
const decrypted = await remote.decrypt(await remote.evaluate("rotate", [await remote.encrypt([1, 2, 3, 4]), 1]));
await thread.terminate();
console.log(JSON.stringify({
  smoke,
  remote: Array.from(decrypted.slice(0, 4), Math.round),
  topLevelHasRingAdd: "add" in lib || "Ring" in lib,
  ring: typeof ring.Ring === "function" && typeof ring.add === "function",
  sameError: worker.FheError === lib.FheError && ring.FheError === lib.FheError,
  nn: typeof nn.Sequential === "function",
}));
