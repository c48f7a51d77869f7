// CKKS bootstrapping (full slots): ModRaise, CoeffsToSlots, EvalMod, SlotsToCoeffs.
export {
  Bootstrapper, bootstrappingShape, type BootstrapOptions, type BootstrapperOptions, type BootstrappingStage, type BootstrappingLiteral, type BootstrappingPlan, type BootstrappingShape,
} from "./bootstrapper.js";
export { coeffsToSlotsFactors, slotsToCoeffsFactors, applyMap, type DiagonalMap, type ComplexSlots } from "./dft-factors.js";
export { arcsinePolynomial, evalModPolynomial, evalModTwin, evalModError, type EvalModShape } from "./eval-mod.js";
export { bootstrapPresets, type BootstrapPreset } from "./presets.js";
export { log2FailureProbability, smallestK } from "./failure.js";
export { EncapsulationKeys, defaultEphemeralWeight } from "./encapsulation.js";
export { serializeEncapsulationKeys, loadEncapsulationKeys } from "./encapsulation-serialization.js";
