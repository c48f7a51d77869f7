// Automatic scale alignment: the result is exact to the precision the operands allow, or the
// library's error says why (never a silently wrong number).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FheError } from "../../engine/index.js";
import {
  expectFheError, expectPrecision, makeContext, pad, precision, testLiterals, vadd, vectorArb, vmul, type Vec,
} from "../helpers/ckks.js";

const c = makeContext(testLiterals.single);

const real = (values: number[]): Vec => ({ re: values, im: values.map(() => 0) });

describe("scale alignment", () => {
  it("adds an unrescaled product and a plaintext at a small scale correctly (regression)", () => {
    // Before: the factor round(2^10 / 2^60 * q) was 0 and the product vanished (result ~ y).
    const xs = [0.5, -0.25, 0.75, 0.125];
    const ys = [0.3, 0.6, -0.9, 0.2];
    using x = c.encrypt(real(xs));
    using y = c.encrypt(real(ys));
    using product = c.evaluator.mulRelin(x, y);
    using pt = c.encode(real(ys), { scale: 2 ** 10 });
    using sum = c.evaluator.addPlain(product, pt);
    const expected = vadd(vmul(real(xs), real(ys)), real(ys));
    // 2^10 limits the plaintext to about 10 bits; the product must not be lost.
    expectPrecision(c.decrypt(sum), pad(expected, 4), 6, "product + small-scale plaintext");
  });

  it("refuses a target scale that does not fit the modulus one level down (regression)", () => {
    // Level 1: raising 2^30 to 2^60 would land at level 0 over a ~50-bit modulus (garbage before).
    using a = c.encrypt(real([0.5, 0.25]), { level: 1 });
    using b = c.encrypt(real([0.5, 0.25]), { level: 1 });
    using product = c.evaluator.mulRelin(a, b);
    const error = expectFheError(() => c.evaluator.add(product, a), "INVALID_ARGUMENT", "add");
    expect(error.message).toMatch(/cannot be aligned/);
    expect(error.message).toMatch(/does not fit/);
    expect(error.message).toMatch(/rescale the operand with the larger scale first/);
  });

  it("aligns random scale and level mismatches exactly or says why (property, against float64)", () => {
    const { params } = c;
    let aligned = 0;
    let refused = 0;
    fc.assert(
      fc.property(
        vectorArb(8, false), vectorArb(8, false),
        fc.integer({ min: 0, max: params.maxLevel }), fc.integer({ min: 0, max: params.maxLevel }),
        fc.double({ min: 20, max: 70, noNaN: true }), fc.double({ min: 20, max: 70, noNaN: true }),
        (u, v, levelX, levelY, logX, logY) => {
          const slots = 8;
          const encodeAt = (w: Vec, level: number, logScale: number) => {
            try {
              return c.encrypt(pad(w, slots), { level, scale: 2 ** logScale, slots });
            } catch (error) {
              expect(error).toBeInstanceOf(FheError); // the scale does not fit that level
              return undefined;
            }
          };
          const x = encodeAt(u, levelX, logX);
          const y = encodeAt(v, levelY, logY);
          try {
            if (x === undefined || y === undefined) return;
            let sum;
            try {
              sum = c.evaluator.add(x, y);
            } catch (error) {
              expect(error).toBeInstanceOf(FheError);
              expect((error as FheError).message).toMatch(/cannot be aligned/);
              refused++;
              return;
            }
            using _ = sum;
            aligned++;
            // Alignment may cost about one bit against the less precise input (plus half a bit
            // for adding two noises); never more.
            const inputs = Math.min(precision(c.decrypt(x), pad(u, slots)).mean, precision(c.decrypt(y), pad(v, slots)).mean);
            const p = precision(c.decrypt(sum), vadd(pad(u, slots), pad(v, slots)));
            expect(p.mean, `levels ${levelX}/${levelY}, scales 2^${logX.toFixed(1)}/2^${logY.toFixed(1)}`).toBeGreaterThanOrEqual(Math.min(inputs, params.logScale - params.logN) - 2);
          } finally {
            x?.dispose();
            y?.dispose();
          }
        },
      ),
      { numRuns: 200, seed: 20261201 },
    );
    expect(aligned).toBeGreaterThan(10);
    expect(refused).toBeGreaterThan(0);
  });

  it("multiplying at level 0 says the depth is exhausted and how deep the computation goes", () => {
    using x = c.encrypt(real([0.5, 0.25]), { level: 0 });
    const error = expectFheError(() => c.evaluator.mulRelin(x, x), "INVALID_ARGUMENT", "multiply");
    expect(error.message).toMatch(/multiplicative depth is exhausted/);
    expect(error.message).toMatch(new RegExp(`more than the ${c.params.maxLevel} levels .*depth ${c.params.maxLevel + 1} or more`));
  });

  it("refuses constants that would wrap around the modulus instead of returning garbage", () => {
    using x = c.encrypt(real([0.5, 0.25]), { level: 1 });
    const logQ = c.params.qPrimes.slice(0, c.params.limbsAt(1)).reduce((sum, q) => sum + Math.log2(q), 0);
    const huge = 2 ** (logQ - Math.log2(x.scale) + 1);
    expect(expectFheError(() => c.evaluator.addConstant(x, huge), "INVALID_ARGUMENT", "add constant").message).toMatch(/does not fit/);
    expect(expectFheError(() => c.evaluator.addConstant(x, { re: 0, im: huge }), "INVALID_ARGUMENT", "add constant").message).toMatch(/does not fit/);
    expectFheError(() => c.evaluator.multiplyConstant(x, huge), "INVALID_ARGUMENT", "multiply by constant");
    // A large constant that fits is still exact.
    using shifted = c.evaluator.addConstant(x, 1000);
    expect(c.decrypt(shifted).re[0]).toBeCloseTo(1000.5, 3);
  });
});
