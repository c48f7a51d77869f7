// Matrices larger than the slot count, split over several input and output ciphertexts,
// against the float64 matrix product, with exactly the Galois keys rotationSteps() lists.
// Stated bound: as test/circuits/lintrans.test.ts (entries in [-1/cols, 1/cols], |M x| <= 1):
// log2(scale) - (logN + 2) bits, the partial sums of the input blocks included.

import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { BlockedTransform } from "../../engine/circuits/blocked.js";
import { serializeGaloisKeys, type Ciphertext } from "../../engine/index.js";
import { expectFheError, expectPrecision, makeContext, oneOperationBound, testLiterals, type CkksContext } from "../helpers/ckks.js";
import { evaluatorsFor, matVec, randomProduct, real } from "./lintrans-helpers.js";

describe("BlockedTransform", () => {
  let c: CkksContext;
  let bound: number;
  beforeAll(() => {
    c = makeContext(testLiterals.single);
    bound = oneOperationBound(c.params);
  });

  function encryptInputs(blocked: BlockedTransform, x: Float64Array, level?: number): Ciphertext[] {
    return blocked.packInputs(x).map((v) => c.encrypt(real(v), { slots: blocked.slots, ...(level === undefined ? {} : { level }) }));
  }

  it("matches M x for random shapes up to 4 x the slots, with exactly rotationSteps() (property)", () => {
    const arb = fc.integer({ min: 2, max: 6 }).chain((log) => fc.record({
      slots: fc.constant(2 ** log),
      rows: fc.integer({ min: 1, max: 4 * 2 ** log }),
      cols: fc.integer({ min: 1, max: 4 * 2 ** log }),
      input: fc.constantFrom("replicated", "padded" as const),
      sparsity: fc.constantFrom(0, 0, 0.7),
      seed: fc.integer(),
    }));
    fc.assert(fc.property(arb, ({ slots, rows, cols, input, sparsity, seed }) => {
      const product = randomProduct(rows, cols, seed, sparsity);
      using blocked = new BlockedTransform(c.params, product.matrix, { rows, cols, slots, input });
      expect(blocked.inputBlocks).toBe(Math.ceil(cols / Math.min(cols, slots)));
      expect(blocked.outputBlocks).toBe(Math.ceil(rows / Math.min(rows, slots)));
      const steps = blocked.rotationSteps();
      if (sparsity === 0) expect(BlockedTransform.rotationSteps(c.params, { rows, cols, slots, input })).toEqual(steps);
      const { lt, dispose } = evaluatorsFor(c, steps);
      const inputs = encryptInputs(blocked, product.x);
      try {
        const outputs = lt.applyBlocked(inputs, blocked);
        const twin = blocked.apply(product.x);
        const y = matVec(product);
        outputs.forEach((out, i) => {
          const decrypted = c.decrypt(out);
          expect({ level: out.level, scale: out.scale }).toEqual({ level: inputs[0]!.level - 1, scale: inputs[0]!.scale });
          expectPrecision(decrypted, real(twin[i]!), bound, `output block ${i} against the twin`);
          const rowsHere = blocked.outputRows(i);
          const expected = y.subarray(i * blocked.blockRows, i * blocked.blockRows + rowsHere);
          expectPrecision({ re: decrypted.re.slice(0, rowsHere), im: new Array<number>(rowsHere).fill(0) }, real(expected), bound, `output block ${i} against M x`);
          out.dispose();
        });
      } finally {
        for (const ct of inputs) ct.dispose();
        dispose();
      }
    }), { numRuns: 40 });
  });

  it("keyBytes() is the serialized size of its Galois keys; a missing step is named", () => {
    const product = randomProduct(40, 70, 3);
    using blocked = new BlockedTransform(c.params, product.matrix, { rows: 40, cols: 70, slots: 32 });
    const steps = blocked.rotationSteps();
    const keys = c.keygen.createGaloisKeys({ steps, conjugate: false });
    try {
      expect(blocked.keyBytes()).toBe(serializeGaloisKeys(keys).length);
      expect(BlockedTransform.keyBytes(c.params, { rows: 40, cols: 70, slots: 32 }, { seeded: false })).toBe(serializeGaloisKeys(keys, { seeded: false }).length);
    } finally {
      keys.dispose();
    }
    const { lt, dispose } = evaluatorsFor(c, steps.slice(1));
    const inputs = encryptInputs(blocked, product.x);
    try {
      expect(expectFheError(() => lt.applyBlocked(inputs, blocked), "MISSING_KEY", "apply blocked transform").message).toContain(`steps: [${steps[0]}]`);
    } finally {
      for (const ct of inputs) ct.dispose();
      dispose();
    }
  });

  it("refuses bad input with FheError", () => {
    const product = randomProduct(20, 20, 4);
    using blocked = new BlockedTransform(c.params, product.matrix, { rows: 20, cols: 20, slots: 8 });
    const { lt, dispose } = evaluatorsFor(c, blocked.rotationSteps());
    const inputs = encryptInputs(blocked, product.x);
    try {
      expect(expectFheError(() => lt.applyBlocked(inputs.slice(1), blocked), "INVALID_ARGUMENT").message).toContain("3 ciphertexts");
      using lower = c.encrypt(real(new Float64Array(8)), { slots: 8, level: 2 });
      expectFheError(() => lt.applyBlocked([inputs[0]!, inputs[1]!, lower], blocked), "MISMATCHED_OPERANDS");
      expectFheError(() => lt.applyBlocked(inputs, {} as never), "INVALID_ARGUMENT");
      expectFheError(() => new BlockedTransform(c.params, product.matrix, { rows: 21, cols: 20, slots: 8 }), "INVALID_ARGUMENT");
      expectFheError(() => new BlockedTransform(c.params, product.matrix, { rows: 20, cols: 20, slots: 4096 }), "INVALID_ARGUMENT");
      expectFheError(() => new BlockedTransform(c.params, product.matrix, { rows: 0, cols: 20, slots: 8 }), "INVALID_ARGUMENT");
      expectFheError(() => blocked.packInputs(new Float64Array(19)), "INVALID_ARGUMENT");
      blocked.dispose();
      expectFheError(() => lt.applyBlocked(inputs, blocked), "DISPOSED");
    } finally {
      for (const ct of inputs) ct.dispose();
      dispose();
    }
  });
});
