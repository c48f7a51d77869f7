// Function approximation: `import * as approx from "./approx/index.js"` gives approx.chebyshev,
// approx.minimax, approx.sign, approx.sigmoid, approx.inverse, ...

export { type Approximation, type RealFunction, maxChebyshevDegree, maxMinimaxDegree } from "./approximation.js";
export { chebyshevApproximation as chebyshev, type ChebyshevOptions } from "./chebyshev.js";
export { minimax, type MinimaxApproximation, type MinimaxOptions } from "./remez.js";
export type { Parity, ParityOption } from "./parity.js";
export { measureMaxError } from "./grid.js";
export {
  signComposite as sign, comparisonComposite as comparison, evaluateComposite, type CompositeApproximation, type CompositeSignOptions,
} from "./composite.js";
export { sigmoid, tanh, relu, gelu, exp, sigmoidFunction, reluFunction, geluFunction, type ActivationOptions } from "./functions.js";
export { erf } from "./erf.js";
export {
  inversePlan as inverse, invSqrtPlan as invSqrt, runPlan, evaluatePlan, type IterationPlan, type IterationOptions, type IterationKind,
  type PlanOps,
} from "./inverse.js";
