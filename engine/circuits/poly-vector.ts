// A vector of polynomials: a different polynomial per slot (Lattigo's PolynomialVector). The
// baby-step giant-step evaluation is linear in the coefficients, so every polynomial shares the
// power basis and the plan's tree; only the scalar coefficients of the leaves and constants
// become plaintexts (slot s gets the coefficient of polynomial assignment[s]). The plan is that
// of a representative polynomial with generic coefficients on the union of the polynomials'
// supports: same degree, same parity, same levels and key switches.

import { describe, FheError, isInteger } from "../ring/errors.js";
import { cleanCoefficients } from "./chebyshev-split.js";
import { Polynomial } from "./polynomial.js";

const operation = "create polynomial vector";

/**
 * Polynomials on one interval, and for every slot the index of its polynomial (-1: the slot's
 * result is 0). Immutable.
 */
export class PolynomialVector {
  /** The polynomials in the Chebyshev basis, negligible coefficients cleaned as the planner does. */
  readonly coefficients: readonly (readonly number[])[];
  /** The slot count: the length of the assignment. */
  readonly slots: number;
  /** Private: cached encodings of the coefficients depend on it. */
  readonly #assignment: Int32Array;
  /** Generic coefficients on the union of the supports: the polynomial the plan is made for. */
  readonly representative: Polynomial;

  private constructor(readonly polynomials: readonly Polynomial[], assignment: Int32Array) {
    this.coefficients = Object.freeze(polynomials.map((p) => Object.freeze(cleanCoefficients(p.toChebyshev().coefficients))));
    this.#assignment = assignment;
    this.slots = assignment.length;
    const length = Math.max(...this.coefficients.map((c) => c.length));
    // Irrational-looking values in [1, 2): no split of the representative cancels to zero where a polynomial's does not.
    const generic = Array.from({ length }, (_, i) => (this.coefficients.some((c) => (c[i] ?? 0) !== 0) ? 1 + ((i * 0.6180339887498949) % 1) : 0));
    this.representative = Polynomial.chebyshev(generic, polynomials[0]!.interval);
    Object.freeze(this);
  }

  /**
   * `polynomials`: a non-empty array of Polynomials on the same interval (at most 2^16);
   * `assignment`: for each slot (its length is the ciphertexts' slot count) an integer in
   * [-1, polynomials.length). INVALID_ARGUMENT otherwise.
   */
  static create(polynomials: readonly Polynomial[], assignment: ArrayLike<number>): PolynomialVector {
    if (!Array.isArray(polynomials) || polynomials.length === 0 || polynomials.length > 2 ** 16 || !polynomials.every((p) => p instanceof Polynomial)) {
      throw new FheError("INVALID_ARGUMENT", operation, `polynomials must be a non-empty array of Polynomial (at most 65536), got ${describe(polynomials)}`);
    }
    const [a, b] = polynomials[0]!.interval;
    const other = polynomials.findIndex((p) => p.interval[0] !== a || p.interval[1] !== b);
    if (other !== -1) {
      throw new FheError("INVALID_ARGUMENT", operation, `every polynomial must be on the same interval: polynomial 0 is on [${a}, ${b}], polynomial ${other} on [${polynomials[other]!.interval.join(", ")}]; rescale the inputs to one interval`);
    }
    if (polynomials.every((p) => p.toChebyshev().degree < 1)) {
      throw new FheError("INVALID_ARGUMENT", operation, "every polynomial is a constant; add a plaintext with Evaluator.addPlain instead");
    }
    if (assignment === null || typeof assignment !== "object" || typeof assignment.length !== "number" || assignment.length < 1) {
      throw new FheError("INVALID_ARGUMENT", operation, `assignment must be an array with one polynomial index per slot, got ${describe(assignment)}`);
    }
    const indices = Int32Array.from({ length: assignment.length }, (_, s) => {
      const index = assignment[s];
      if (!isInteger(index) || index < -1 || index >= polynomials.length) {
        throw new FheError("INVALID_ARGUMENT", operation, `assignment[${s}] is ${describe(index)}; each slot needs an integer in [-1, ${polynomials.length - 1}] (-1: the result is 0 there)`);
      }
      return index;
    });
    return new PolynomialVector(Object.freeze([...polynomials]), indices);
  }

  /** A copy of the polynomial index of every slot (-1: none). */
  get assignment(): Int32Array {
    return this.#assignment.slice();
  }

  /** p_{assignment[s]}(x[s]) in float64 for every slot (0 where the assignment is -1): the test oracle. */
  evaluate(x: ArrayLike<number>): Float64Array {
    return Float64Array.from({ length: this.slots }, (_, s) => {
      const index = this.#assignment[s]!;
      return index === -1 ? 0 : this.polynomials[index]!.evaluate(x[s]!);
    });
  }

  /** The slot values of coefficient i, given coefficient arrays per polynomial (missing entries 0). */
  slotValues(coefficients: readonly (readonly number[])[], i: number): Float64Array {
    return Float64Array.from(this.#assignment, (index) => (index === -1 ? 0 : coefficients[index]![i] ?? 0));
  }
}
