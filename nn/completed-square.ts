// Compile-time rewrite of a degree-2 polynomial activation between two linear stages into a
// square, by completing the square: c0 + c1 t + c2 t² = c2 (t + h)² + d with h = c1 / (2 c2) and
// d = c0 − c2 h². The shift h folds into the linear stage before, c2 and d into the one after, so
// the activation costs one level instead of two (⌈log2 3⌉) and, as for CryptoNets' square, the
// next linear stage combines unrelinearized products: one key switch per output of that stage
// instead of one per activated element. The result is the same function; only rounding differs.

import { Polynomial } from "../engine/circuits/polynomial.js";
import { composeAffine, uniformElementwise } from "./affine.js";
import { Square } from "./layers/activation.js";
import type { ActivationStage, LinearStage, Stage } from "./stages.js";

/**
 * Largest |h| rewritten. The square's input t + h then lies in [−1 − |h|, 1 + |h|] for t in
 * [−1, 1], so c2 (t + h)² is at most (1 + |h|)² |c2|: a larger shift would trade a level for
 * cancellation between c2 (t + h)² and d, with the rounding error growing as h².
 */
export const maxSquareShift = 2;

/** c0 + c1 t + c2 t² of a degree-2 polynomial on [−1, 1] (as foldIntervals leaves it), or undefined. */
function monomialOnUnitInterval(polynomial: Polynomial): readonly [number, number, number] | undefined {
  if (polynomial.degree !== 2) return undefined;
  const [a, b] = polynomial.interval;
  if (a !== -1 || b !== 1) return undefined;
  const [c0 = 0, c1 = 0, c2 = 0] = polynomial.coefficients;
  // Chebyshev: c0 + c1 t + c2 (2t² − 1).
  return polynomial.basis === "chebyshev" ? [c0 - c2, c1, 2 * c2] : [c0, c1, c2];
}

/**
 * Every polynomial activation of degree 2 with a linear stage on each side and |h| ≤
 * maxSquareShift becomes a square stage, its affine parts folded into its neighbours. Stages
 * are those of fuseStages after its interval folding (polynomials on [−1, 1] after a linear stage).
 */
export function completeSquares(stages: readonly Stage[]): Stage[] {
  const out = [...stages];
  for (let i = 1; i + 1 < out.length; i++) {
    const [previous, stage, next] = [out[i - 1]!, out[i]!, out[i + 1]!];
    if (previous.kind !== "linear" || next.kind !== "linear" || stage.kind !== "activation" || stage.layer.isSquare) continue;
    const monomial = monomialOnUnitInterval(stage.polynomial);
    if (monomial === undefined) continue;
    const [c0, c1, c2] = monomial;
    const h = c1 / (2 * c2);
    if (!(Math.abs(h) <= maxSquareShift)) continue;
    const size = previous.map.rows;
    const square = new Square(stage.layer.inputShape, { type: "square", name: stage.layer.name });
    out[i - 1] = { ...previous, map: composeAffine(previous.map, uniformElementwise(size, 1, h)) } satisfies LinearStage;
    out[i] = { ...stage, layer: square, polynomial: square.polynomial } satisfies ActivationStage;
    out[i + 1] = { ...next, map: composeAffine(uniformElementwise(size, c2, c0 - c2 * h * h), next.map) } satisfies LinearStage;
  }
  return out;
}
