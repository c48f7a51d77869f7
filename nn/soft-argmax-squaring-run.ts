// The encrypted squaring Soft-Argmax (nn/soft-argmax-squaring.ts): one ciphertext per class,
// one sample per slot (real values), each step refreshed by bootstrapping.

import type { Bootstrapper } from "../engine/circuits/bootstrapping/bootstrapper.js";
import type { PolynomialEvaluator } from "../engine/circuits/poly-eval.js";
import { relinearizeRescaleInPlace } from "../engine/circuits/relinearize-rescale.js";
import type { Ciphertext } from "../engine/ciphertext.js";
import type { Evaluator } from "../engine/evaluator/evaluator.js";
import { FheError } from "../engine/ring/errors.js";
import type { SquaringSoftArgmaxPlan } from "./soft-argmax-squaring.js";

const operation = "evaluate squaring Soft-Argmax";

/** Disposes every ciphertext of `cts`. */
function disposeAll(cts: readonly Ciphertext[]): void {
  for (const ct of cts) ct.dispose();
}

/**
 * (2 Re c, 2 Im c) of a complex ciphertext, by one conjugation: c + conj c and -i (c - conj c).
 * No level is consumed. Needs the evaluator's conjugation key.
 */
export function splitComplex(evaluator: Evaluator, c: Ciphertext): [Ciphertext, Ciphertext] {
  using conjugate = evaluator.conjugate(c);
  const re = evaluator.add(c, conjugate);
  try {
    const im = evaluator.sub(c, conjugate);
    evaluator.multiplyByIInPlace(im, -1);
    return [re, im];
  } catch (error) {
    re.dispose();
    throw error;
  }
}

export interface RefreshOptions {
  /** mu: the pair is multiplied by mu first (one level), so small coefficients are bootstrapped (default: none). */
  readonly multiplier?: number;
  /** Bootstrapping passes, 1 or 2 (default 1). */
  readonly iterations?: 1 | 2;
}

/**
 * Bootstraps real ciphertexts two at a time (a + i b, times mu, dropped to level 0, bootstrapped,
 * split): returns 2 mu a for every input a (mu = 1 without a multiplier; an odd count bootstraps
 * the last one alone). Disposes the inputs on success (on a throw they stay the caller's).
 */
export function refreshReal(evaluator: Evaluator, bootstrapper: Bootstrapper, cts: readonly Ciphertext[], options: RefreshOptions = {}): Ciphertext[] {
  const { multiplier, iterations = 1 } = options;
  const out: Ciphertext[] = [];
  try {
    for (let i = 0; i < cts.length; i += 2) {
      const a = cts[i]!;
      const b = cts[i + 1];
      using pair = evaluator.copy(a);
      if (b !== undefined) {
        using ib = evaluator.copy(b);
        evaluator.multiplyByIInPlace(ib);
        evaluator.addInPlace(pair, ib);
      }
      if (multiplier !== undefined) {
        evaluator.multiplyConstantInPlace(pair, multiplier);
        evaluator.rescaleInPlace(pair);
      }
      evaluator.dropLevelInPlace(pair, 0);
      using fresh = bootstrapper.bootstrap(pair, { iterations });
      const [re, im] = splitComplex(evaluator, fresh);
      out.push(re);
      if (b === undefined) im.dispose();
      else out.push(im);
    }
    disposeAll(cts);
    return out;
  } catch (error) {
    disposeAll(out);
    throw error;
  }
}

/**
 * One step x' = v^2 g(Σ v^2) of the plan (step `step`) on the doubled inputs v = 2 x, one
 * ciphertext per class (all at one level and scale, at least stepLevels[step] levels). Disposes v
 * on success (on a throw it stays the caller's).
 */
export function squaringStep(
  evaluator: Evaluator, polynomials: PolynomialEvaluator, plan: SquaringSoftArgmaxPlan, step: number, v: readonly Ciphertext[],
): Ciphertext[] {
  const g = plan.inverses[step];
  if (g === undefined || v.length !== plan.classes) throw new FheError("INVALID_ARGUMENT", operation, `step ${step} of ${plan.squarings} on ${v.length} classes (expected ${plan.classes})`);
  const squares: Ciphertext[] = [];
  const out: Ciphertext[] = [];
  try {
    for (const vi of v) {
      const sq = evaluator.multiply(vi, vi);
      squares.push(sq);
      relinearizeRescaleInPlace(evaluator, sq, operation);
    }
    using sum = evaluator.copy(squares[0]!);
    for (const sq of squares.slice(1)) evaluator.addInPlace(sum, sq);
    using inverse = polynomials.evaluate(sum, g.poly);
    for (const sq of squares) {
      evaluator.dropLevelInPlace(sq, inverse.level);
      const x = evaluator.multiply(sq, inverse);
      out.push(x);
      relinearizeRescaleInPlace(evaluator, x, operation);
    }
    disposeAll(squares);
    disposeAll(v);
    return out;
  } catch (error) {
    disposeAll(squares);
    disposeAll(out);
    throw error;
  }
}

/** E = Σ_i i p_i by suffix sums (additions only, no level): one ciphertext. Does not dispose p. */
export function encryptedExpectedIndex(evaluator: Evaluator, p: readonly Ciphertext[]): Ciphertext {
  if (p.length < 2) throw new FheError("INVALID_ARGUMENT", operation, `expected at least 2 classes, got ${p.length}`);
  using suffix = evaluator.copy(p[p.length - 1]!);
  const total = evaluator.copy(suffix);
  try {
    for (let i = p.length - 2; i >= 1; i--) {
      evaluator.addInPlace(suffix, p[i]!);
      evaluator.addInPlace(total, suffix);
    }
    return total;
  } catch (error) {
    total.dispose();
    throw error;
  }
}
