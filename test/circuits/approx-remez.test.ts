// Minimax (Remez) approximation: smaller errors than interpolation, equioscillation, parity,
// several intervals, weights, the fallback, and bad input.

import { describe, expect, it } from "vitest";
import { chebyshevApproximation } from "../../engine/circuits/approx/chebyshev.js";
import { sigmoid as sigmoidPreset } from "../../engine/circuits/approx/functions.js";
import { minimax } from "../../engine/circuits/approx/remez.js";
import type { Interval } from "../../engine/circuits/polynomial.js";
import { expectFheError } from "../helpers/ckks.js";
import { alternations, fineMax } from "./approx-helpers.js";

const op = "compute a minimax approximation";
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

describe("minimax (Remez exchange)", () => {
  it("beats Chebyshev interpolation on sigmoid [-8, 8] and tanh [-4, 4], and equioscillates at degree + 2 points within 1%", () => {
    const cases: [(x: number) => number, Interval, number][] = [
      [sigmoid, [-8, 8], 7],
      [sigmoid, [-8, 8], 15],
      [sigmoid, [-8, 8], 31],
      [Math.tanh, [-4, 4], 7],
      [Math.tanh, [-4, 4], 15],
      [Math.tanh, [-4, 4], 31],
    ];
    for (const [f, interval, degree] of cases) {
      const m = minimax(f, { interval, degree });
      const c = chebyshevApproximation(f, { interval, degree });
      const label = `${f === sigmoid ? "sigmoid" : "tanh"} degree ${degree}`;
      expect(m.method, label).toBe("minimax");
      expect(m.converged, label).toBe(true);
      expect(m.maxError, label).toBeLessThan(c.maxError * 0.8);
      const error = (x: number) => f(x) - m.poly.evaluate(x);
      expect(fineMax(error, [interval]), label).toBeLessThanOrEqual(m.maxError * (1 + 1e-9));
      expect(alternations(error, [interval], m.maxError), label).toBeGreaterThanOrEqual(degree + 2);
    }
  });

  it("sigmoid preset of degree 63 on [-8, 8] is below 2^-25 (about 9e-12) and better than interpolation", () => {
    const m = sigmoidPreset({ interval: [-8, 8], degree: 63 });
    expect(m.degree).toBe(63);
    expect(m.depth).toBe(6);
    expect(m.maxError).toBeLessThan(2 ** -25);
    expect(m.maxError).toBeLessThan(1.2e-11);
    expect(m.maxError).toBeLessThan(chebyshevApproximation(sigmoid, { interval: [-8, 8], degree: 63 }).maxError);
    expect(fineMax((x) => sigmoid(x) - m.poly.evaluate(x), [[-8, 8]])).toBeLessThanOrEqual(m.maxError + 1e-15);
  });

  it("odd functions get exactly odd polynomials (only odd terms fitted); parity can be turned off", () => {
    const odd = minimax(Math.tanh, { interval: [-4, 4], degree: 16 });
    expect(odd.poly.isOdd).toBe(true);
    expect(odd.degree).toBe(15);
    expect(odd.poly.coefficients.every((c, i) => i % 2 === 1 || c === 0)).toBe(true);
    const free = minimax(Math.tanh, { interval: [-4, 4], degree: 15, parity: "none" });
    expect(free.maxError).toBeLessThanOrEqual(odd.maxError * 1.001);
    expect(free.maxError).toBeGreaterThanOrEqual(odd.maxError * 0.999);
    const even = minimax((x) => Math.exp(-((x - 2) ** 2)), { interval: [0, 4], degree: 12 });
    expect(even.poly.isEven).toBe(true);
    expect(even.converged).toBe(true);
  });

  it("sign on [-1, -eps] U [eps, 1]: odd, equioscillating over both intervals, exact errors for known cases", () => {
    for (const [degree, eps] of [[3, 0.5], [7, 0.1], [15, 0.05], [31, 2 ** -6]] as const) {
      const intervals: Interval[] = [[-1, -eps], [eps, 1]];
      const m = minimax(Math.sign, { intervals, degree });
      expect(m.poly.isOdd).toBe(true);
      expect(m.interval).toEqual([-1, 1]);
      expect(m.intervals).toEqual(intervals);
      expect(m.converged).toBe(true);
      const error = (x: number) => Math.sign(x) - m.poly.evaluate(x);
      expect(fineMax(error, intervals)).toBeLessThanOrEqual(m.maxError * (1 + 1e-9));
      expect(alternations(error, intervals, m.maxError)).toBeGreaterThanOrEqual(degree + 2);
    }
    // Degree 1: p = c x with c (1 + eps) = 2, error (1 - eps) / (1 + eps).
    const linear = minimax(Math.sign, { intervals: [[-1, -0.5], [0.5, 1]], degree: 1 });
    expect(linear.maxError).toBeCloseTo(1 / 3, 9);
  });

  it("a weight that is not even about the centre turns automatic parity off (the fit must cover both halves)", () => {
    const intervals: [number, number][] = [[-2, -1], [1, 2]];
    const weight = (x: number) => 3 + x;
    const m = minimax(Math.tanh, { intervals, degree: 5, weight });
    expect(m.poly.isOdd).toBe(false);
    expect(m.converged).toBe(true);
    const error = (x: number) => weight(x) * (Math.tanh(x) - m.poly.evaluate(x));
    expect(fineMax(error, intervals)).toBeLessThanOrEqual(m.maxError * (1 + 1e-9));
    expect(alternations(error, intervals, m.maxError)).toBeGreaterThanOrEqual(7);
    expect(minimax(Math.tanh, { intervals, degree: 5, weight: (x) => 1 + x * x }).poly.isOdd).toBe(true);
  });

  it("intervals that are not symmetric: no parity, still equioscillating; the polynomial lives on the hull", () => {
    const intervals: Interval[] = [[-2, -0.5], [0.25, 3]];
    const f = (x: number) => Math.atan(3 * x);
    const m = minimax(f, { intervals, degree: 9 });
    expect(m.interval).toEqual([-2, 3]);
    expect(m.converged).toBe(true);
    const error = (x: number) => f(x) - m.poly.evaluate(x);
    expect(alternations(error, intervals, m.maxError)).toBeGreaterThanOrEqual(11);
  });

  it("a weight minimizes the relative error: max |x (1/x - p)| levels out and beats the unweighted fit's", () => {
    const interval: Interval = [1, 16];
    const weighted = minimax((x) => 1 / x, { interval, degree: 5, weight: (x) => x });
    const plain = minimax((x) => 1 / x, { interval, degree: 5 });
    const relative = (p: typeof plain) => (x: number) => 1 - x * p.poly.evaluate(x);
    expect(weighted.converged).toBe(true);
    expect(fineMax(relative(weighted), [interval])).toBeLessThan(fineMax(relative(plain), [interval]));
    expect(alternations(relative(weighted), [interval], weighted.maxError)).toBeGreaterThanOrEqual(7);
  });

  it("when the exchange is cut short it says so and returns the better of its iterate and the interpolant", () => {
    const short = minimax(sigmoid, { interval: [-8, 8], degree: 15, maxIterations: 1 });
    expect(short.converged).toBe(false);
    expect(short.iterations).toBe(1);
    expect(short.maxError).toBeLessThanOrEqual(chebyshevApproximation(sigmoid, { interval: [-8, 8], degree: 15 }).maxError);
    // Rounding-level errors cannot be levelled: not converged, yet as good as interpolation.
    const noise = minimax(Math.exp, { interval: [-1, 1], degree: 31 });
    expect(noise.converged).toBe(false);
    expect(noise.maxError).toBeLessThan(1e-14);
  });

  it("bad input gives FheError naming the problem", () => {
    const bad: [unknown, unknown, RegExp][] = [
      [Math.tanh, { interval: [1, -1], degree: 3 }, /a < b/],
      [Math.tanh, { interval: [-1, NaN], degree: 3 }, /finite/],
      [Math.tanh, { degree: 3 }, /exactly one/],
      [Math.tanh, { interval: [-1, 1], intervals: [[-1, 1]], degree: 3 }, /exactly one/],
      [Math.tanh, { intervals: [], degree: 3 }, /non-empty/],
      [Math.tanh, { intervals: [[-1, 0], [0, 1]], degree: 3 }, /overlap/],
      [Math.tanh, { intervals: [[-1, 0.5], [0, 1]], degree: 3 }, /overlap/],
      [Math.tanh, { intervals: [[-1, -0.5], [1, Infinity]], degree: 3 }, /finite/],
      [Math.tanh, { interval: [-1, 1], degree: 256 }, /255/],
      [Math.tanh, { interval: [-1, 1], degree: -1 }, /degree/],
      [Math.tanh, { interval: [-1, 1], degree: NaN }, /degree/],
      [Math.tanh, { intervals: [[-2, -1], [0, 2]], degree: 3, parity: "odd" }, /symmetric/],
      [Math.tanh, { interval: [-1, 1], degree: 3, parity: "odd", weight: (x: number) => 2 + x }, /even weight/],
      [Math.tanh, { interval: [-1, 1], degree: 3, weight: (x: number) => x }, /weight returned .* at x = /],
      [Math.tanh, { interval: [-1, 1], degree: 3, weight: 2 }, /weight must be a function/],
      [Math.tanh, { interval: [-1, 1], degree: 3, maxIterations: 0 }, /maxIterations/],
      [Math.sqrt, { interval: [-1, 1], degree: 3 }, /returned NaN at x = /],
      [() => Infinity, { interval: [-1, 1], degree: 3 }, /returned Infinity/],
      [undefined, { interval: [-1, 1], degree: 3 }, /function/],
      [Math.tanh, 7, /options/],
    ];
    for (const [f, options, message] of bad) {
      const error = expectFheError(() => minimax(f as (x: number) => number, options as never), "INVALID_ARGUMENT", op);
      expect(error.message).toMatch(message);
    }
  });
});
