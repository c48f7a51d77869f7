// Chebyshev interpolation: exactness on polynomials, the measured max error against
// independent measurements, parity, and bad input.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chebyshevApproximation } from "../../engine/circuits/approx/chebyshev.js";
import { Polynomial } from "../../engine/circuits/polynomial.js";
import { expectFheError } from "../helpers/ckks.js";
import { fineMax, randomPoints } from "./approx-helpers.js";

const op = "approximate by Chebyshev interpolation";
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Intervals whose width is at least 1% of their magnitude (narrower ones lose the map x -> t to rounding). */
const intervalArb = fc
  .tuple(fc.double({ min: -10, max: 10, noNaN: true }), fc.double({ min: 0.1, max: 20, noNaN: true }))
  .map(([a, w]) => [a, a + w] as const);

describe("Chebyshev interpolation", () => {
  it("recovers the Chebyshev coefficients of any polynomial of degree <= d (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 20 }),
        intervalArb,
        (coefficients, extra, interval) => {
          const p = Polynomial.chebyshev(coefficients, interval);
          const degree = Math.max(1, p.degree + extra);
          const a = chebyshevApproximation((x) => p.evaluate(x), { interval, degree, parity: "none" });
          const got = a.poly.coefficients;
          for (let i = 0; i <= degree; i++) expect(Math.abs((got[i] ?? 0) - (p.coefficients[i] ?? 0))).toBeLessThan(1e-12);
          expect(a.maxError).toBeLessThan(1e-12);
          expect(a.poly.interval).toEqual(interval);
        },
      ),
      { numRuns: 60, seed: 20261201 },
    );
  });

  it("recovers a monomial-basis polynomial too (its values, converted)", () => {
    const p = Polynomial.monomial([0.5, -1, 0.25, 2, -0.75], [-2, 3]);
    const a = chebyshevApproximation((x) => p.evaluate(x), { interval: [-2, 3], degree: 4 });
    expect(a.degree).toBe(4);
    a.poly.coefficients.forEach((c, i) => expect(c).toBeCloseTo(p.toChebyshev().coefficients[i]!, 12));
  });

  it("maxError bounds the error at random points and is within 0.1% of a fine-grid maximum (property, errors above rounding noise)", () => {
    fc.assert(
      fc.property(
        intervalArb,
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0.1, max: 3, noNaN: true }),
        fc.double({ min: -3, max: 3, noNaN: true }),
        fc.integer({ min: 1, max: 2 ** 30 }),
        (interval, degree, omega, phase, seed) => {
          const width = interval[1] - interval[0];
          const f = (x: number) => Math.sin((omega * 6 * (x - interval[0])) / width + phase) * Math.exp((x - interval[0]) / width);
          const a = chebyshevApproximation(f, { interval, degree });
          fc.pre(a.maxError > 1e-10);
          const error = (x: number) => f(x) - a.poly.evaluate(x);
          for (const x of randomPoints(interval, 200, seed)) expect(Math.abs(error(x))).toBeLessThanOrEqual(a.maxError + 1e-13);
          const fine = fineMax(error, [interval], 20_001);
          expect(fine).toBeLessThanOrEqual(a.maxError + 1e-13);
          expect(a.maxError).toBeLessThanOrEqual(fine * 1.001);
        },
      ),
      { numRuns: 25, seed: 20261201 },
    );
  });

  it("sigmoid on [-8, 8]: error shrinks with the degree; degree 63 is below 2^-25 (about 1.4e-11)", () => {
    const errors = [7, 15, 31, 63].map((degree) => chebyshevApproximation(sigmoid, { interval: [-8, 8], degree }));
    errors.forEach((a, i) => {
      expect(a.degree).toBe([7, 15, 31, 63][i]);
      expect(a.depth).toBe([3, 4, 5, 6][i]);
      expect(a.method).toBe("chebyshev");
      if (i > 0) expect(a.maxError).toBeLessThan(errors[i - 1]!.maxError / 10);
    });
    expect(errors[3]!.maxError).toBeLessThan(2 ** -25);
    expect(errors[3]!.maxError).toBeLessThan(1e-10);
  });

  it("odd and even functions give exactly odd and even polynomials (automatic parity)", () => {
    const odd = chebyshevApproximation(Math.tanh, { interval: [-4, 4], degree: 16 });
    expect(odd.poly.isOdd).toBe(true);
    expect(odd.degree).toBe(15);
    const even = chebyshevApproximation((x) => Math.cos(x - 1), { interval: [-1, 3], degree: 9 });
    expect(even.poly.isEven).toBe(true);
    expect(chebyshevApproximation(sigmoid, { interval: [-8, 8], degree: 9 }).poly.isOdd).toBe(false);
    expect(chebyshevApproximation(Math.tanh, { interval: [-4, 4], degree: 15, parity: "none" }).poly.isOdd).toBe(false);
  });

  it("bad input gives FheError naming the problem", () => {
    const bad: [unknown, unknown, RegExp][] = [
      [Math.tanh, { interval: [1, 1], degree: 3 }, /a < b/],
      [Math.tanh, { interval: [2, -2], degree: 3 }, /a < b/],
      [Math.tanh, { interval: [NaN, 1], degree: 3 }, /finite/],
      [Math.tanh, { interval: [0, Infinity], degree: 3 }, /finite/],
      [Math.tanh, { interval: [0, 1, 2], degree: 3 }, /pair/],
      [Math.tanh, { interval: [0, 1], degree: 0 }, /degree/],
      [Math.tanh, { interval: [0, 1], degree: 2.5 }, /degree/],
      [Math.tanh, { interval: [0, 1], degree: 1025 }, /1024/],
      [Math.tanh, { interval: [0, 1], degree: "7" }, /degree/],
      [Math.tanh, { degree: 3 }, /interval/],
      [Math.tanh, { interval: [-1, 1], degree: 3, parity: "sideways" }, /parity/],
      [Math.log, { interval: [-1, 1], degree: 3 }, /returned NaN at x = /],
      [(x: number) => 1 / x, { interval: [0, 1], degree: 4 }, /returned Infinity at x = 0/],
      [(x: number) => (x > 0.5 ? NaN : x), { interval: [0, 1], degree: 8 }, /returned NaN/],
      ["tanh", { interval: [0, 1], degree: 3 }, /function/],
      [Math.tanh, null, /options/],
    ];
    for (const [f, options, message] of bad) {
      const error = expectFheError(() => chebyshevApproximation(f as (x: number) => number, options as never), "INVALID_ARGUMENT", op);
      expect(error.message).toMatch(message);
    }
  });
});
