// Plaintext polynomials in the Chebyshev or monomial basis, with their float64 evaluation (the
// test oracle of the encrypted evaluation) and the degree and depth the evaluator gives them.

import { describe, FheError } from "../ring/errors.js";

/** Basis of a polynomial's coefficients. */
export type PolynomialBasis = "chebyshev" | "monomial";

/** A closed interval [a, b] with a < b. */
export type Interval = readonly [number, number];

const operation = "create polynomial";

function checkCoefficients(coefficients: unknown): number[] {
  if (!(Array.isArray(coefficients) || coefficients instanceof Float64Array) || coefficients.length === 0) {
    throw new FheError("INVALID_ARGUMENT", operation, `coefficients must be a non-empty array of finite numbers, got ${describe(coefficients)}`);
  }
  const values = Array.from(coefficients as ArrayLike<unknown>, (c, i) => {
    if (typeof c !== "number" || !Number.isFinite(c)) {
      throw new FheError("INVALID_ARGUMENT", operation, `coefficient ${i} is ${describe(c)}; every coefficient must be a finite number`);
    }
    return c;
  });
  let length = values.length;
  while (length > 1 && values[length - 1] === 0) length--;
  return values.slice(0, length);
}

/** Validates an interval: two finite numbers a < b. */
export function checkInterval(interval: unknown, op: string): Interval {
  if (!Array.isArray(interval) || interval.length !== 2) {
    throw new FheError("INVALID_ARGUMENT", op, `the interval must be a pair [a, b], got ${describe(interval)}`);
  }
  const [a, b] = interval as unknown[];
  if (typeof a !== "number" || typeof b !== "number" || !Number.isFinite(a) || !Number.isFinite(b) || !(a < b)) {
    throw new FheError("INVALID_ARGUMENT", op, `the interval [a, b] needs finite numbers with a < b, got [${describe(a)}, ${describe(b)}]`);
  }
  return Object.freeze([a, b]) as Interval;
}

/** The Chebyshev nodes of the first kind x_k = cos(pi (k + 1/2) / count), k = 0..count-1, in [-1, 1]. */
export function chebyshevNodes(count: number): number[] {
  return Array.from({ length: count }, (_, k) => Math.cos((Math.PI * (k + 0.5)) / count));
}

/**
 * Chebyshev coefficients c_0..c_{count-1} (plain convention: f ~ sum c_j T_j, c_0 not halved)
 * of the interpolant of `values` given at {@link chebyshevNodes}(count): exact for polynomials of
 * degree < count.
 */
export function chebyshevFromNodeValues(values: readonly number[]): number[] {
  const count = values.length;
  return Array.from({ length: count }, (_, j) => {
    let sum = 0;
    for (let k = 0; k < count; k++) sum += values[k]! * Math.cos((Math.PI * j * (k + 0.5)) / count);
    return ((j === 0 ? 1 : 2) * sum) / count;
  });
}

/**
 * An immutable polynomial on an interval [a, b]: in the Chebyshev basis p(x) = sum c_i T_i(t)
 * with t = (2x - a - b) / (b - a) the affine map of [a, b] onto [-1, 1] (the encrypted
 * evaluator folds that map into its first level, so it costs no extra level), or in the
 * monomial basis p(x) = sum c_i x^i (the interval then only says where the polynomial is used:
 * it is converted to the Chebyshev basis on it for evaluation).
 *
 * Trailing zero coefficients are dropped: `degree` is the index of the last non-zero
 * coefficient (0 for constants) and `depth` = ceil(log2(degree + 1)) the number of levels the
 * encrypted evaluation consumes.
 */
export class Polynomial {
  readonly coefficients: readonly number[];
  readonly interval: Interval;

  private constructor(readonly basis: PolynomialBasis, coefficients: unknown, interval: unknown) {
    this.coefficients = Object.freeze(checkCoefficients(coefficients));
    this.interval = checkInterval(interval, operation);
    Object.freeze(this);
  }

  /** sum c_i T_i(t) on [a, b] (default [-1, 1]); c_0 is not halved. */
  static chebyshev(coefficients: readonly number[], interval: Interval = [-1, 1]): Polynomial {
    return new Polynomial("chebyshev", coefficients, interval);
  }

  /** sum c_i x^i, to be evaluated on `interval` (default [-1, 1]). */
  static monomial(coefficients: readonly number[], interval: Interval = [-1, 1]): Polynomial {
    return new Polynomial("monomial", coefficients, interval);
  }

  get degree(): number {
    return this.coefficients.length - 1;
  }

  /** Levels consumed by the encrypted evaluation: ceil(log2(degree + 1)). */
  get depth(): number {
    return Math.ceil(Math.log2(this.degree + 1));
  }

  /** True when only odd-index coefficients are non-zero (p(-t) = -p(t) in the mapped variable). */
  get isOdd(): boolean {
    return this.degree > 0 && this.coefficients.every((c, i) => i % 2 === 1 || c === 0);
  }

  /** True when only even-index coefficients are non-zero. */
  get isEven(): boolean {
    return this.coefficients.every((c, i) => i % 2 === 0 || c === 0);
  }

  /** The affine map t = scale x + shift of the interval onto [-1, 1]. */
  get change(): { readonly scale: number; readonly shift: number } {
    const [a, b] = this.interval;
    return { scale: 2 / (b - a), shift: -(a + b) / (b - a) };
  }

  /** p(x) in float64 (Clenshaw's recurrence for the Chebyshev basis, Horner for monomials). */
  evaluate(x: number): number {
    const c = this.coefficients;
    if (this.basis === "monomial") {
      let acc = 0;
      for (let i = c.length - 1; i >= 0; i--) acc = acc * x + c[i]!;
      return acc;
    }
    const { scale, shift } = this.change;
    const t = scale * x + shift;
    let b1 = 0;
    let b2 = 0;
    for (let i = c.length - 1; i >= 1; i--) {
      const next = 2 * t * b1 - b2 + c[i]!;
      b2 = b1;
      b1 = next;
    }
    return t * b1 - b2 + c[0]!;
  }

  /** The same polynomial in the Chebyshev basis on its interval (itself when it already is). */
  toChebyshev(): Polynomial {
    if (this.basis === "chebyshev") return this;
    const [a, b] = this.interval;
    const values = chebyshevNodes(this.degree + 1).map((t) => this.evaluate(((b - a) * t + a + b) / 2));
    return Polynomial.chebyshev(chebyshevFromNodeValues(values), this.interval);
  }
}
