// The prediction of a transform (plan) against what the evaluation does: output level and
// scale exactly, and the number of key switches counted on the key-switching core itself.

import fc from "fast-check";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { BlockedTransform } from "../../engine/circuits/blocked.js";
import { Diagonals } from "../../engine/circuits/diagonals.js";
import { LinearTransform } from "../../engine/circuits/lintrans.js";
import { switchKeyLazy } from "../../engine/key-switching.js";
import { expectFheError, makeContext, testLiterals, type CkksContext } from "../helpers/ckks.js";
import { evaluatorsFor, randomProduct, real } from "./lintrans-helpers.js";

vi.mock("../../engine/key-switching.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../engine/key-switching.js")>();
  return { ...original, switchKeyLazy: vi.fn(original.switchKeyLazy) };
});

describe("LinearTransform.plan and BlockedTransform.plan", () => {
  let c: CkksContext;
  beforeAll(() => {
    c = makeContext(testLiterals.single);
  });

  it("predict the output level, scale and key switches of the evaluation exactly (property)", () => {
    const arb = fc.constantFrom(8, 32, 128).chain((slots) => fc.record({
      slots: fc.constant(slots),
      rows: fc.integer({ min: 1, max: 3 * slots }),
      cols: fc.integer({ min: 1, max: 3 * slots }),
      level: fc.integer({ min: 1, max: 4 }),
      rescale: fc.boolean(),
      sparsity: fc.constantFrom(0, 0.6),
      seed: fc.integer(),
    }));
    fc.assert(fc.property(arb, ({ slots, rows, cols, level, rescale, sparsity, seed }) => {
      const product = randomProduct(rows, cols, seed, sparsity);
      const blocked = rows > slots || cols > slots;
      using transform = blocked
        ? new BlockedTransform(c.params, product.matrix, { rows, cols, slots })
        : new LinearTransform(c.params, Diagonals.fromMatrix(product.matrix, { rows, cols, slots }));
      const { lt, dispose } = evaluatorsFor(c, transform.rotationSteps());
      const packed = transform instanceof BlockedTransform ? transform.packInputs(product.x) : [transform.diagonals.packInput(product.x)];
      const inputs = packed.map((v) => c.encrypt(real(v), { slots, level }));
      try {
        const plan = transform.plan({ level, scale: inputs[0]!.scale }, { rescale });
        // Encode first: the count covers the evaluation only.
        (transform instanceof BlockedTransform ? lt.applyBlocked(inputs, transform, { rescale }) : [lt.apply(inputs[0]!, transform, { rescale })]).forEach((ct) => ct.dispose());
        vi.mocked(switchKeyLazy).mockClear();
        const outputs = transform instanceof BlockedTransform ? lt.applyBlocked(inputs, transform, { rescale }) : [lt.apply(inputs[0]!, transform, { rescale })];
        expect(vi.mocked(switchKeyLazy).mock.calls.length).toBe(plan.keySwitches);
        expect(plan).toMatchObject({ input: { level, scale: inputs[0]!.scale }, levelsUsed: rescale ? 1 : 0, nonScalarProducts: 0, rotations: plan.keySwitches });
        for (const out of outputs) {
          expect({ level: out.level, scale: out.scale }).toEqual(plan.output);
          out.dispose();
        }
      } finally {
        for (const ct of inputs) ct.dispose();
        dispose();
      }
    }), { numRuns: 25 });
  });

  it("refuses inputs the evaluation would refuse", () => {
    using transform = new LinearTransform(c.params, Diagonals.fromMatrix([1, 2, 3, 4], { rows: 2, cols: 2, slots: 2 }));
    expectFheError(() => transform.plan({ level: 0, scale: 2 ** 30 }), "INVALID_ARGUMENT", "plan linear transform");
    expectFheError(() => transform.plan({ level: 1, scale: 2 ** 55 }), "INVALID_ARGUMENT");
    expectFheError(() => transform.plan({ level: 1, scale: NaN }), "INVALID_ARGUMENT");
    expectFheError(() => transform.plan(null as never), "INVALID_ARGUMENT");
    expectFheError(() => transform.plan({ level: 2, scale: 2 ** 30 }, { rescale: 1 as never }), "INVALID_ARGUMENT");
  });
});
