// Circuits on top of the CKKS scheme: polynomial evaluation, function approximation, iteration
// plans (1/x, 1/sqrt(x)), linear transforms and slot helpers, each with a planner that predicts
// levels, scales and costs.
export { Polynomial, chebyshevNodes, chebyshevFromNodeValues, type Interval, type PolynomialBasis } from "./polynomial.js";
export { PolynomialEvaluator } from "./poly-eval.js";
export { PolynomialVector } from "./poly-vector.js";
export {
  planPolynomial, foldableInputScale, type PolynomialPlan, type PolynomialOptions, type PlanNode, type LeafNode,
  type SplitNode, type PowerStep, type LinearStep,
} from "./poly-plan.js";
export type { Plan, LevelScale } from "./plan.js";
export { IterationEvaluator } from "./iteration-eval.js";
export { planIteration, type IterationEvaluationPlan, type IterationEvaluationOptions } from "./iteration-plan.js";
export * as approx from "./approx/index.js";
export { Diagonals, type MatrixData } from "./diagonals.js";
export { LinearTransform, type LinearTransformOptions, type TransformShape, type TransformPlan } from "./lintrans.js";
export { LinearTransformEvaluator, type ApplyOptions } from "./lintrans-eval.js";
export { BlockedTransform, type BlockedShape } from "./blocked.js";
export {
  sumSlots, sumSlotsSteps, mask, replicate, replicateSteps, innerProduct, innerProductSteps, type SumOptions,
} from "./slots.js";
export type { MatrixShape } from "./diagonal-layout.js";
export { ScalarLinearMap, combineCiphertexts, type CombineOptions } from "./scalar-combination.js";
export {
  Bootstrapper, bootstrapPresets, type BootstrapPreset, EncapsulationKeys, serializeEncapsulationKeys, loadEncapsulationKeys, bootstrappingShape, log2FailureProbability, type BootstrapOptions, type BootstrapperOptions, type BootstrappingLiteral,
  type BootstrappingPlan, type BootstrappingShape, type BootstrappingStage,
} from "./bootstrapping/index.js";
