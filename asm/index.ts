// Entry point of the kernel module: every export is a pure function over pointers into the
// imported memory. The same source compiles to the SIMD and the scalar build.
export { nttForward, nttForwardLazy, nttInverse, nttInverseLazy } from "./ntt";
export {
  addMod, subMod, negMod, addScalarMod, mulBarrett, mulAddBarrett, mulShoup, mulAddShoup,
  mulScalarShoup, mulAddScalarShoup, liftSigned, copyWords, tensorBarrett, squareBarrett,
} from "./elementwise";
export { automorphismCoeff, permuteWords } from "./automorphism";
export { baseConvertSum, reduceCentered, subMulScalarShoup, mixedRadixToFloat } from "./basis";
export { keccakPermute, expandUniform, expandUniformPair } from "./keccak";
export { reduceInt64, innerProductPair, innerProductPairLift } from "./wide";
export { combineLimb } from "./combine";
export { specialFftForward, specialFftInverse, roundScaledToInt64 } from "./fft";
export { crc32Update, firstAtLeast } from "./checksum";
export { sampleCumulative } from "./sampling";
