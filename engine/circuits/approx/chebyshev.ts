// Chebyshev interpolation of any real function on [a, b], with its error measured on a grid.

import { checkOptions } from "../../ring/errors.js";
import { chebyshevFromNodeValues, chebyshevNodes, checkInterval, type Interval, Polynomial } from "../polynomial.js";
import {
  type Approximation, approximation, checkDegree, checkFunction, finiteSampler, maxChebyshevDegree, type RealFunction,
} from "./approximation.js";
import { measureMaxError } from "./grid.js";
import { type Parity, type ParityOption, resolveParity, termAllowed } from "./parity.js";

export interface ChebyshevOptions {
  /** [a, b], finite, a < b. */
  readonly interval: Interval;
  /** 1..1024: the interpolant uses degree + 1 Chebyshev nodes. */
  readonly degree: number;
  /**
   * "auto" (default): an odd/even f about (a + b) / 2 gets an exactly odd/even polynomial (the
   * interpolant of an odd function is odd; only rounding noise is dropped).
   */
  readonly parity?: ParityOption;
}

const operation = "approximate by Chebyshev interpolation";

/**
 * The Chebyshev interpolant of f (values at chebyshevNodes(degree + 1) mapped onto [a, b]),
 * with the terms the parity excludes set to zero.
 */
export function interpolate(f: RealFunction, interval: Interval, degree: number, parity: Parity): Polynomial {
  const [a, b] = interval;
  const coefficients = chebyshevFromNodeValues(chebyshevNodes(degree + 1).map((t) => f(((b - a) * t + a + b) / 2)));
  return Polynomial.chebyshev(coefficients.map((c, i) => (termAllowed(parity, i) ? c : 0)), interval);
}

/**
 * Interpolates f at the degree + 1 Chebyshev nodes of [a, b] (exact for polynomials of degree
 * <= degree, near-minimax for smooth f) and measures max |f - p| on the grid of
 * {@link measureMaxError}. f must be finite on [a, b].
 */
export function chebyshevApproximation(f: RealFunction, options: ChebyshevOptions): Approximation {
  checkFunction(f, operation);
  checkOptions(options, operation);
  const interval = checkInterval(options?.interval, operation);
  const degree = checkDegree(options.degree, maxChebyshevDegree, operation);
  const g = finiteSampler(f, operation);
  const parity = resolveParity(options.parity, g, [interval], operation);
  const poly = interpolate(g, interval, degree, parity);
  return approximation(poly, [interval], measureMaxError((x) => g(x) - poly.evaluate(x), [interval], degree), "chebyshev");
}
