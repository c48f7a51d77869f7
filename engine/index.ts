// Public entry point of the library (`wasm-ckks`): the CKKS scheme, its circuits, memory scopes
// and the worker's side of RemoteContext. The RNS ring layer below it is `wasm-ckks/ring`
// (engine/ring/index.ts); only what CKKS users need of it (errors, heaps) is re-exported here.
import "./ring/dispose-symbols.js";
export { Parameters, type ParametersLiteral } from "./parameters.js";
export { maxLogQP128 } from "./security.js";
export { Encoder, type ComplexVector, type EncodeOptions } from "./encoding/encoder.js";
export { Plaintext } from "./plaintext.js";
export { Ciphertext } from "./ciphertext.js";
export { SecretKey, PublicKey, SwitchingKey, GaloisKeys, type SwitchingKeyDigit } from "./keys.js";
export { KeyGenerator, defaultRotationSteps, type GaloisKeyOptions } from "./key-generator.js";
export { OffHeapGaloisKeys } from "./off-heap-keys.js";
export { RingSwitchingKey, type SwitchUpOptions } from "./ring-switching.js";
export { Encryptor } from "./encryptor.js";
export { Decryptor, type DecryptOptions } from "./decryptor.js";
export type { NoiseFloodingOptions, FloodingWidth } from "./noise-flooding.js";
export type { NoiseEstimate } from "./noise-estimate.js";
export { Evaluator, type EvaluatorKeys } from "./evaluator/evaluator.js";
export type { Complex } from "./evaluator/checks.js";
export { FheError, type FheErrorCode } from "./ring/errors.js";
export { WasmHeap, defaultHeap, defaultHeapAsync, type HeapOptions } from "./ring/wasm/heap.js";
export { simdSupported, type KernelBuild, type KernelBuildOption } from "./ring/wasm/loader.js";
export {
  serializeParameters, loadParameters, serializePlaintext, loadPlaintext, serializeCiphertext, loadCiphertext,
  serializeSecretKey, loadSecretKey, serializePublicKey, loadPublicKey, serializeSwitchingKey, loadSwitchingKey,
  serializeGaloisKeys, loadGaloisKeys, type SerializeOptions, type LoadParametersOptions,
} from "./serialization/serialize.js";
export { toBase64, fromBase64 } from "./serialization/base64.js";
export { presets, type PresetName } from "./presets.js";
export {
  tidy, keep, dispose, memory, setMemoryWarning, type MemoryInfo, type MemoryWarningOptions, type LibraryObject,
  type LibraryObjectKind,
} from "./memory.js";
export * from "./circuits/index.js";
export { serveContext } from "./worker/serve.js";
