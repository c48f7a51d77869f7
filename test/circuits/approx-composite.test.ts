// Composite minimax sign and comparison: requested precision reached on [eps, 1], depth
// accounting, the fewest-levels search, and bad input.

import { describe, expect, it } from "vitest";
import { comparisonComposite, evaluateComposite, signComposite } from "../../engine/circuits/approx/composite.js";
import { expectFheError } from "../helpers/ckks.js";
import { fineMax, randomPoints } from "./approx-helpers.js";

const op = "approximate sign by a composite polynomial";

describe("composite sign (Lee, Lee, Kim, No)", () => {
  const alpha = 20;
  const eps = 2 ** -8;
  const sign = signComposite({ alpha, eps });
  const intervals = [[-1, -eps], [eps, 1]] as const;

  it("reaches 2^-alpha on [-1, -eps] U [eps, 1] with odd stages; depth and degree add up", () => {
    expect(sign.maxError).toBeLessThanOrEqual(2 ** -alpha);
    expect(sign.errorBound).toBeLessThanOrEqual(2 ** -alpha);
    expect(sign.maxError).toBeLessThanOrEqual(sign.errorBound);
    const error = (x: number) => evaluateComposite(sign.stages, x) - Math.sign(x);
    expect(fineMax(error, intervals, 400_001)).toBeLessThanOrEqual(sign.errorBound);
    for (const x of randomPoints([eps, 1], 2000, 11)) {
      expect(Math.abs(error(x))).toBeLessThanOrEqual(2 ** -alpha);
      expect(Math.abs(error(-x))).toBeLessThanOrEqual(2 ** -alpha);
    }
    expect(sign.stages.every((p) => p.isOdd)).toBe(true);
    expect(sign.degrees).toEqual(sign.stages.map((p) => p.degree));
    expect(sign.depth).toBe(sign.stages.reduce((s, p) => s + Math.ceil(Math.log2(p.degree + 1)), 0));
    expect(sign.degree).toBe(sign.degrees.reduce((s, d) => s * d, 1));
    expect(sign.interval).toEqual([-1, 1]);
    expect(sign.intervals).toEqual(intervals);
    // Each stage lives on the previous one's output range: stage 0 on [-1, 1], then +-(1 + delta).
    expect(sign.stages[0]!.interval).toEqual([-1, 1]);
    for (const p of sign.stages.slice(1)) expect(p.interval[1]).toBeGreaterThan(1);
  });

  it("uses no more levels than given degree sequences reaching the same precision", () => {
    for (const degrees of [[15, 15, 15, 15], [7, 7, 7, 7, 7, 7], [15, 15, 15, 7], [3, 3, 3, 3, 3, 3, 3, 3, 3, 3]]) {
      const forced = signComposite({ alpha, eps, degrees });
      expect(forced.degrees).toEqual(degrees);
      expect(forced.maxError).toBeLessThanOrEqual(2 ** -alpha);
      expect(sign.depth).toBeLessThanOrEqual(forced.depth);
    }
  });

  it("comparison (1 + sign) / 2: same depth, half the error", () => {
    const cmp = comparisonComposite({ alpha: 12, eps: 2 ** -6 });
    expect(cmp.maxError).toBeLessThanOrEqual(2 ** -13);
    const half = signComposite({ alpha: 12, eps: 2 ** -6 });
    expect(cmp.depth).toBe(half.depth);
    for (const x of randomPoints([2 ** -6, 1], 500, 5)) {
      expect(Math.abs(evaluateComposite(cmp.stages, x) - 1)).toBeLessThanOrEqual(2 ** -13);
      expect(Math.abs(evaluateComposite(cmp.stages, -x))).toBeLessThanOrEqual(2 ** -13);
    }
  });

  it("bad input gives FheError naming the problem", () => {
    const bad: [unknown, RegExp][] = [
      [{ alpha: 0, eps: 0.1 }, /alpha/],
      [{ alpha: 41, eps: 0.1 }, /alpha/],
      [{ alpha: NaN, eps: 0.1 }, /alpha/],
      [{ alpha: 10, eps: 0 }, /eps/],
      [{ alpha: 10, eps: 1 }, /eps/],
      [{ alpha: 10, eps: 2 ** -31 }, /eps/],
      [{ alpha: 10, eps: 0.1, degrees: [4] }, /odd/],
      [{ alpha: 10, eps: 0.1, degrees: [] }, /non-empty/],
      [{ alpha: 10, eps: 0.1, degrees: [257] }, /255/],
      [{ alpha: 30, eps: 0.1, degrees: [3, 3] }, /above 2\^-30/],
      [{ eps: 0.1 }, /alpha/],
      [null, /options/],
    ];
    for (const [options, message] of bad) {
      expect(expectFheError(() => signComposite(options as never), "INVALID_ARGUMENT", op).message).toMatch(message);
    }
  });
});
