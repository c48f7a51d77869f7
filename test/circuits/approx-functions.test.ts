// Activation presets (sigmoid, tanh, relu, gelu, exp) and the error function behind GELU.

import { describe, expect, it } from "vitest";
import type { Approximation } from "../../engine/circuits/approx/approximation.js";
import { erf } from "../../engine/circuits/approx/erf.js";
import { exp, gelu, geluFunction, relu, sigmoid, tanh, type ActivationOptions } from "../../engine/circuits/approx/functions.js";
import type { Interval } from "../../engine/circuits/polynomial.js";
import { expectFheError } from "../helpers/ckks.js";
import { fineMax, randomPoints } from "./approx-helpers.js";

/** 2/sqrt(pi) times the integral of e^(-t^2) from 0 to x, by composite Simpson (an independent erf). */
function simpsonErf(x: number, steps = 2000): number {
  const h = x / steps;
  let sum = 1 + Math.exp(-x * x);
  for (let i = 1; i < steps; i++) sum += (i % 2 === 1 ? 4 : 2) * Math.exp(-((i * h) ** 2));
  return ((2 / Math.sqrt(Math.PI)) * h * sum) / 3;
}

describe("erf", () => {
  it("matches tabulated values and Simpson integration to ~1e-15; odd; 1 beyond 6", () => {
    const table: [number, number][] = [
      [0.5, 0.5204998778130465], [1, 0.8427007929497149], [2, 0.9953222650189527], [3, 0.9999779095030014], [5, 0.9999999999984626],
    ];
    for (const [x, v] of table) expect(Math.abs(erf(x) - v)).toBeLessThan(4e-16);
    for (const x of randomPoints([-6, 6], 200, 7)) {
      expect(Math.abs(erf(x) - simpsonErf(x))).toBeLessThan(1e-14);
      expect(erf(-x)).toBe(-erf(x));
    }
    expect(erf(0)).toBe(0);
    expect(erf(7)).toBe(1);
    expect(erf(-30)).toBe(-1);
    expect(erf(NaN)).toBeNaN();
  });

  it("GELU is the exact x Phi(x), within 1e-3 of its tanh approximation", () => {
    for (const x of randomPoints([-8, 8], 200, 3)) {
      const tanhForm = 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
      expect(Math.abs(geluFunction(x) - tanhForm)).toBeLessThan(1e-3);
      expect(Math.abs(geluFunction(x) - (x * (1 + simpsonErf(x / Math.SQRT2))) / 2)).toBeLessThan(1e-13);
    }
  });
});

describe("activation presets", () => {
  const sigmoidF = (x: number) => 1 / (1 + Math.exp(-x));
  const cases: [string, (o: ActivationOptions) => Approximation, (x: number) => number, Interval, number][] = [
    ["sigmoid", sigmoid, sigmoidF, [-8, 8], 31],
    ["tanh", tanh, Math.tanh, [-4, 4], 31],
    ["relu", relu, (x) => Math.max(0, x), [-1, 1], 15],
    ["gelu", gelu, geluFunction, [-8, 8], 31],
    ["exp", exp, Math.exp, [-8, 0], 15],
  ];

  it("each returns {poly, interval, degree, depth, maxError}, with maxError the true max error, minimax below interpolation", () => {
    for (const [name, preset, f, interval, degree] of cases) {
      const m = preset({ interval, degree });
      const c = preset({ interval, degree, method: "chebyshev" });
      expect(m.method, name).toBe("minimax");
      expect(c.method, name).toBe("chebyshev");
      expect(m.interval, name).toEqual(interval);
      expect(m.poly.interval, name).toEqual(interval);
      expect(m.degree, name).toBe(degree);
      expect(m.depth, name).toBe(Math.ceil(Math.log2(degree + 1)));
      for (const a of [m, c]) {
        const fine = fineMax((x) => f(x) - a.poly.evaluate(x), [interval]);
        expect(fine, name).toBeLessThanOrEqual(a.maxError * (1 + 1e-6) + 1e-15);
        expect(a.maxError, name).toBeLessThanOrEqual(fine * 1.001 + 1e-15);
      }
      expect(m.maxError, name).toBeLessThan(c.maxError);
    }
  });

  it("tanh on a symmetric interval is odd; sigmoid, relu, gelu, exp are not", () => {
    expect(tanh({ interval: [-3, 3], degree: 15 }).poly.isOdd).toBe(true);
    for (const [name, preset, , interval] of cases.filter(([name]) => name !== "tanh")) {
      expect(preset({ interval, degree: 7 }).poly.isOdd, name).toBe(false);
    }
  });

  it("relu's direct minimax error falls like 1 / degree (about 0.14 / degree on [-1, 1])", () => {
    for (const degree of [7, 15, 31]) {
      const e = relu({ interval: [-1, 1], degree }).maxError;
      expect(e * degree).toBeGreaterThan(0.13);
      expect(e * degree).toBeLessThan(0.17);
    }
  });

  it("bad input gives FheError naming the function", () => {
    expectFheError(() => sigmoid({ interval: [8, -8], degree: 7 }), "INVALID_ARGUMENT", "approximate sigmoid");
    expectFheError(() => gelu({ interval: [-8, 8], degree: 0 }), "INVALID_ARGUMENT");
    expectFheError(() => exp({ interval: [-8, 0], degree: 2000, method: "chebyshev" }), "INVALID_ARGUMENT", "approximate by Chebyshev interpolation");
    expect(expectFheError(() => tanh({ interval: [-1, 1], degree: 7, method: "taylor" as never }), "INVALID_ARGUMENT", "approximate tanh").message).toMatch(/method/);
    expect(expectFheError(() => relu(undefined as never), "INVALID_ARGUMENT", "approximate relu").message).toMatch(/interval/);
  });
});
