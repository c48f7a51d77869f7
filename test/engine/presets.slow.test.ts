// Slow suite (npm run test:slow): the N = 2^15 and 2^16 presets end to end, with real keys:
// one mulRelin + rescale meets the precision documented in engine/presets.ts, a rotation meets
// the one-operation bound, and a squaring chain runs down the whole modulus chain without scale
// drift. Keys are freed after each preset: four N = 2^16 key sets do not fit one 4 GiB heap.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { presets, type Ciphertext, type ParametersLiteral } from "../../engine/index.js";
import { makeContext, oneOperationBound, precision, uniformValues, vrotate, type CkksContext, type Vec } from "../helpers/ckks.js";

/** Documented mean precision (bits) after one mulRelin + rescale, from engine/presets.ts. */
const documentedMean: Record<string, number> = { inference15: 14, standard15: 35, inference16: 13, standard16: 42 };

/** x^2, rescaled, disposing the intermediate product. */
function squareAndRescale(c: CkksContext, ct: Ciphertext): Ciphertext {
  using product = c.evaluator.mulRelin(ct, ct);
  return c.evaluator.rescale(product);
}

describe.each(Object.keys(documentedMean))("preset %s end to end", (name) => {
  let c: CkksContext;
  let x: Vec;
  let y: Vec;
  beforeAll(() => {
    c = makeContext(presets[name as keyof typeof presets] as ParametersLiteral, { steps: [1], conjugate: false });
    const slots = c.params.maxSlots;
    x = { re: uniformValues(slots, 1), im: new Array<number>(slots).fill(0) };
    y = { re: uniformValues(slots, 2), im: new Array<number>(slots).fill(0) };
  });
  afterAll(() => {
    for (const key of [c.publicKey, c.relinearizationKey, c.galoisKeys, c.keygen.secretKey]) key?.dispose();
  });

  it("one mulRelin + rescale reaches the documented precision", () => {
    using a = c.encrypt(x);
    using b = c.encrypt(y);
    using product = c.evaluator.mulRelin(a, b);
    using rescaled = c.evaluator.rescale(product);
    const expected: Vec = { re: x.re.map((v, i) => v * y.re[i]!), im: x.im.map(() => 0) };
    expect(precision(c.decrypt(rescaled), expected).mean).toBeGreaterThan(documentedMean[name]! - 1.5);
  });

  it("rotation by one slot meets the one-operation bound", () => {
    using a = c.encrypt(x);
    using rotated = c.evaluator.rotate(a, 1);
    expect(precision(c.decrypt(rotated), vrotate(x, 1)).mean).toBeGreaterThan(oneOperationBound(c.params) - 2);
  });

  it("a squaring chain over the whole depth keeps the scale; values hold while errors stay small", () => {
    const slots = c.params.maxSlots;
    const ones: Vec = { re: Array.from({ length: slots }, (_, i) => (i % 2 === 0 ? 1 : -1)), im: new Array<number>(slots).fill(0) };
    const squaredOnes: Vec = { re: new Array<number>(slots).fill(1), im: new Array<number>(slots).fill(0) };
    // The relative error doubles at each squaring, so values are meaningful for about
    // (precision - a few) squarings; the scale must stay put over the whole depth regardless.
    const checkedSquarings = Math.min(c.params.maxLevel, documentedMean[name]! - 6);
    let ct = c.encrypt(ones);
    for (let k = 1; k <= c.params.maxLevel; k++) {
      const next = squareAndRescale(c, ct);
      ct.dispose();
      ct = next;
      // Measured: within 0.05 bits except the last levels of inference16 (up to 0.73 bits, where
      // the primes nearest 2^29 are used up).
      expect(Math.abs(Math.log2(ct.scale) - c.params.logScale)).toBeLessThan(1);
      if (k === checkedSquarings) {
        expect(precision(c.decrypt(ct), squaredOnes).mean).toBeGreaterThan(documentedMean[name]! - k - 2);
      }
    }
    expect(ct.level).toBe(0);
    ct.dispose();
  });
});
