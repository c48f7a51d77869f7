// Compiling and instantiating the kernels over a heap's memory. Apart from loader.ts so that the
// declarations users compile against (heap.d.ts, loader.d.ts) name no WebAssembly type: those
// live in the DOM library (or @types/node), which users need not have.

import { FheError } from "../errors.js";
import { kernelNames, type KernelExports } from "./kernel-exports.js";
import { kernelBytes, type KernelBuild } from "./loader.js";

const compiled = new Map<KernelBuild, WebAssembly.Module>();

function checkedExports(instance: WebAssembly.Instance): KernelExports {
  for (const name of kernelNames) {
    if (typeof instance.exports[name] !== "function") {
      throw new FheError("WASM_UNAVAILABLE", "load kernels", `kernel module lacks export ${name}`);
    }
  }
  return instance.exports as unknown as KernelExports;
}

/** Compiles (once per build) and instantiates the kernels over `memory`, synchronously. */
export function instantiateKernels(build: KernelBuild, memory: WebAssembly.Memory): KernelExports {
  let module = compiled.get(build);
  if (module === undefined) {
    module = new WebAssembly.Module(kernelBytes(build));
    compiled.set(build, module);
  }
  return checkedExports(new WebAssembly.Instance(module, { env: { memory } }));
}

/** Asynchronous variant of {@link instantiateKernels}, for browsers' main threads. */
export async function instantiateKernelsAsync(
  build: KernelBuild, memory: WebAssembly.Memory,
): Promise<KernelExports> {
  let module = compiled.get(build);
  if (module === undefined) {
    module = await WebAssembly.compile(kernelBytes(build));
    compiled.set(build, module);
  }
  return checkedExports(await WebAssembly.instantiate(module, { env: { memory } }));
}
