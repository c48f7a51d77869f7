// The arcsine correction of EvalMod: at a small Q_0 / scale (2^2 here), where the sine's own
// error (2 pi m / Q_0)^2 / 6 limits the precision of a bootstrapping, arcsin(y) ~ y + y^3 / 6
// removes it; the plan counts its 2 levels and 4 key switches exactly.

import { beforeAll, describe, expect, it } from "vitest";
import { Bootstrapper, bootstrappingShape } from "../../engine/circuits/bootstrapping/bootstrapper.js";
import { arcsinePolynomial, evalModError, evalModPolynomial, evalModTwin } from "../../engine/circuits/bootstrapping/eval-mod.js";
import { Parameters } from "../../engine/index.js";
import { expectFheError, makeContext, precision, randomVec, type CkksContext } from "../helpers/ckks.js";

const literal = { logN: 10, logScale: 50, depth: 16, logBaseModulus: 52, hammingWeight: 40, allowInsecureParametersForTesting: true } as const;

let c: CkksContext;
let plain: Bootstrapper;
let corrected: Bootstrapper;

beforeAll(() => {
  const params = Parameters.create(literal);
  c = makeContext(literal, { steps: Bootstrapper.rotationSteps(params, {}) });
  plain = new Bootstrapper(c.evaluator, {});
  corrected = new Bootstrapper(c.evaluator, { arcsine: true });
});

describe("EvalMod with the arcsine correction", () => {
  it("its twin returns 2 pi e near every integer, closer than the sine does", () => {
    const shape = bootstrappingShape(c.params, {});
    const polynomial = evalModPolynomial(shape);
    // Against 2 pi e, the corrected twin is off by about the cosine interpolant's own error
    // (against the sine); what is left of the sine's, (3 / 40) (2 pi 2^-8)^5 ~ 2^-30, adds little.
    const withArcsine = evalModError(polynomial, shape, 257, true);
    expect(withArcsine).toBeLessThan(1.1 * evalModError(polynomial, shape) + 2 ** -28);
    // Against 2 pi e, the plain sine is off by (2 pi e)^3 / 6 at |e| = 2^-8.
    const e = 2 ** -8;
    const x = (3 + e) / shape.k;
    expect(Math.abs(evalModTwin(polynomial, shape.doubleAngles, x) - 2 * Math.PI * e)).toBeGreaterThan(((2 * Math.PI * e) ** 3 / 6) * 0.9);
    expect(Math.abs(evalModTwin(polynomial, shape.doubleAngles, x, true) - 2 * Math.PI * e)).toBeLessThan(1.1 * evalModError(polynomial, shape) + 2 ** -28);
    expect(arcsinePolynomial.depth).toBe(2);
  });

  it("plans 2 more levels and 2 relinearizations per half, and the run lands there", () => {
    expect(corrected.plan.afterEvalMod).toBe(plain.plan.afterEvalMod - 2);
    expect(corrected.plan.outputLevel).toBe(plain.plan.outputLevel - 2);
    expect(corrected.plan.keySwitches).toBe(plain.plan.keySwitches + 4);
    expect(corrected.plan.shape.arcsine).toBe(true);
    expect(plain.plan.shape.arcsine).toBe(false);
    using ct = c.encrypt(randomVec(c.params.maxSlots, 1), { level: 0 });
    using out = corrected.bootstrap(ct);
    expect({ level: out.level, scale: out.scale }).toEqual({ level: corrected.plan.outputLevel, scale: c.params.scale });
  });

  it("gains at least 2 bits of mean precision at Q_0 / scale = 4, in one pass and in two", () => {
    for (const seed of [2, 3]) {
      const v = randomVec(c.params.maxSlots, seed);
      using ct = c.encrypt(v, { level: 0 });
      for (const iterations of [1, 2] as const) {
        using a = plain.bootstrap(ct, { iterations });
        using b = corrected.bootstrap(ct, { iterations });
        const [pa, pb] = [precision(c.decrypt(a), v), precision(c.decrypt(b), v)];
        expect(pb.mean).toBeGreaterThan(pa.mean + 2);
      }
    }
  });

  it("refuses a non-boolean arcsine and a chain without its 2 levels (INVALID_PARAMETERS)", () => {
    expectFheError(() => bootstrappingShape(c.params, { arcsine: 1 as never }), "INVALID_PARAMETERS", "create bootstrapper");
    expectFheError(() => new Bootstrapper(c.evaluator, { arcsine: true, doubleAngles: 4 }), "INVALID_PARAMETERS", "create bootstrapper");
  });
});
