// The RNS polynomial ring layer: heap and kernels, primes, bases, polynomials and operations.
export { FheError, type FheErrorCode } from "./errors.js";
export { WasmHeap, defaultHeap, defaultHeapAsync, type HeapOptions } from "./wasm/heap.js";
export {
  resolveKernelBuild, simdSupported, kernelBuildEnvVariable, type KernelBuild, type KernelBuildOption,
} from "./wasm/loader.js";
export type { KernelExports } from "./wasm/kernel-exports.js";
export { isPrime, isNttFriendlyPrime, generateNttPrimes, minimalPrimitiveRoot, maxPrimeBits, type PrimeSearch } from "./primes.js";
export { Modulus } from "./modulus.js";
export { RnsBasis } from "./basis.js";
export { RnsPoly } from "./poly.js";
export { Ring, type RingOptions, type AllocateOptions } from "./ring.js";
export { add, sub, neg, mulCoeffs, mulCoeffsAdd, mulScalar, mulScalarAdd, addScalar, copy, clone } from "./arithmetic.js";
export { toNtt, toCoefficients, nttLimb, inverseNttLimb } from "./transforms.js";
export { automorphism, rotationGaloisElement, conjugationGaloisElement } from "./automorphism.js";
export { BasisConverter, convertBasis } from "./basis-conversion.js";
export { divideRoundByLastPrimes, divideRoundByLastPrimesTwice } from "./divide-round.js";
export {
  fillUniform, sampleTernary, sampleTernaryFixedWeight, sampleGaussian, polyFromSmall, defaultSigma,
} from "./sampling.js";
export { cryptoRandom, SeededStream, freshSeed, type RandomSource } from "./random.js";
export { Shake128, TurboShake128, fillUniformSeeded, seededMessage, seedBytes, checkSeed } from "./xof.js";
export { readLimb, writeLimb, polyToBigInts, polyFromBigInts } from "./crt.js";
export { setIntegerCoefficients, centeredCoefficients } from "./float-io.js";
export { EncodedMatrix, linearCombine, applySparse, checkSparseMatrix, type SparseMatrix } from "./linear-combination.js";
