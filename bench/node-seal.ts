// Loads node-seal (Microsoft SEAL 4.1.2 compiled to WebAssembly by Emscripten) for the comparison
// benchmark. node-seal 6.0.3 is the last release that runs on Node 20 (7.x needs Node >= 22).
//
// The package is a CommonJS UMD bundle (`main`: throws_wasm_node_umd.js, the build that throws on
// transparent ciphertexts, which is what `import SEAL from "node-seal"` gives a user) whose
// `module.exports` is the async factory itself. Its typings declare an ES default export instead,
// so under NodeNext TypeScript types the default import as the module object. The runtime value
// is unwrapped here either way; the library's own interfaces describe everything after that.
import sealModule from "node-seal";
import type { SEALLibrary } from "node-seal/implementation/seal.js";

export type { SEALLibrary } from "node-seal/implementation/seal.js";
export type { CipherText } from "node-seal/implementation/cipher-text.js";
export type { PlainText } from "node-seal/implementation/plain-text.js";
export type { Context } from "node-seal/implementation/context.js";
export type { ComprModeType } from "node-seal/implementation/compr-mode-type.js";

type SealFactory = () => Promise<SEALLibrary>;

/** Instantiates the SEAL WebAssembly module. */
export async function loadNodeSeal(): Promise<SEALLibrary> {
  const value: unknown = sealModule;
  const factory = typeof value === "function" ? value : (value as { default?: unknown } | null)?.default;
  if (typeof factory !== "function") throw new Error("node-seal: the package does not export its factory function");
  return (factory as SealFactory)();
}

/** node-seal operations return `T | void` (void when a destination was passed); we never pass one. */
export function result<T>(value: T | void, operation: string): T {
  if (value === undefined) throw new Error(`node-seal ${operation} returned nothing`);
  return value as T;
}
