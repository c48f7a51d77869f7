import { WasmHeap, type KernelBuild } from "../../engine/index.js";

/** Every kernel build; suites run once per build with `describe.each(kernelBuilds)`. */
export const kernelBuilds: readonly KernelBuild[] = ["simd", "scalar"];

const heaps = new Map<KernelBuild, WasmHeap>();

/** One heap per build, shared by the suites of a test file. */
export function heapFor(build: KernelBuild): WasmHeap {
  let heap = heaps.get(build);
  if (heap === undefined) {
    heap = WasmHeap.create({ build, warmUp: false });
    heaps.set(build, heap);
  }
  return heap;
}
