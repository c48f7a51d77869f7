// Encrypted linear transforms against float64 on random matrices of random shapes (square,
// rectangular, 1 x n, n x 1, sparse; replicated and padded inputs; any input level), with
// exactly the Galois keys rotationSteps() lists.
//
// Stated bound: entries in [-1/cols, 1/cols] and inputs in [-1, 1] (|M x| <= 1); the result
// (rescaled once) has a mean precision of at least log2(scale) - (logN + 2) bits over every
// slot against the float64 twin, and over slots 0 .. rows-1 against the plain matrix product:
// Lattigo's one-operation criterion. Every key switch (baby, giant and window-sum steps) is
// divided by P and by the level's primes with the product, so none of them costs precision.

import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { Diagonals } from "../../engine/circuits/diagonals.js";
import { LinearTransform } from "../../engine/circuits/lintrans.js";
import { LinearTransformEvaluator } from "../../engine/circuits/lintrans-eval.js";
import {
  Evaluator, GaloisKeys, Parameters, serializeCiphertext, serializeGaloisKeys, type Ciphertext, type SwitchingKey,
} from "../../engine/index.js";
import { rotationGaloisElement } from "../../engine/ring/index.js";
import {
  expectFheError, expectPrecision, makeContext, oneOperationBound, testLiterals, type CkksContext,
} from "../helpers/ckks.js";
import { evaluatorsFor, matVec, randomProduct, real, shapeArb } from "./lintrans-helpers.js";

/** Galois keys for `steps` built from individually generated keys (so subsets share them). */
function keysFrom(c: CkksContext, keys: readonly SwitchingKey[]): LinearTransformEvaluator {
  return new LinearTransformEvaluator(new Evaluator(c.params, { galoisKeys: new GaloisKeys(c.params, keys) }));
}

function encryptInput(c: CkksContext, diagonals: Diagonals, x: ArrayLike<number>, level?: number): Ciphertext {
  return c.encrypt(real(diagonals.packInput(x)), { slots: diagonals.slots, ...(level === undefined ? {} : { level }) });
}

describe("LinearTransform (single 30-bit primes)", () => {
  let c: CkksContext;
  let bound: number;
  beforeAll(() => {
    c = makeContext(testLiterals.single);
    bound = oneOperationBound(c.params);
  });

  it("matches the float64 twin and M x with exactly rotationSteps(); each missing step is named (property)", () => {
    fc.assert(fc.property(
      shapeArb(0, 8), fc.constantFrom("replicated", "padded" as const), fc.constantFrom(0, 0, 0.5, 0.95), fc.integer({ min: 1, max: 4 }), fc.integer(), fc.nat(),
      ({ rows, cols, slots }, input, sparsity, level, seed, drop) => {
        const product = randomProduct(rows, cols, seed, sparsity);
        const diagonals = Diagonals.fromMatrix(product.matrix, { rows, cols, slots, input });
        using transform = new LinearTransform(c.params, diagonals);
        const steps = transform.rotationSteps();
        if (sparsity === 0) expect(LinearTransform.rotationSteps(c.params, { rows, cols, slots, input })).toEqual(steps);
        const keys = steps.map((s) => c.keygen.galoisKey(rotationGaloisElement(c.params.n, s)));
        try {
          using ct = encryptInput(c, diagonals, product.x, level);
          using y = keysFrom(c, keys).apply(ct, transform);
          expect({ level: y.level, scale: y.scale, slots: y.slots }).toEqual({ level: level - 1, scale: ct.scale, slots });
          const decrypted = c.decrypt(y);
          expectPrecision(decrypted, real(diagonals.apply(product.x)), bound, "against the twin");
          expectPrecision({ re: decrypted.re.slice(0, rows), im: decrypted.im.slice(0, rows) }, real(matVec(product)), bound, "against M x");
          if (steps.length > 0) {
            const missing = steps[drop % steps.length]!;
            const error = expectFheError(() => keysFrom(c, keys.filter((_, i) => i !== drop % steps.length)).apply(ct, transform), "MISSING_KEY", "apply linear transform");
            expect(error.message).toContain(`createGaloisKeys({ steps: [${missing}] })`);
          }
        } finally {
          for (const key of keys) key.dispose();
        }
      }), { numRuns: 60 });
  });

  it("full-width shapes: 1 x 1024, 1024 x 1 and 32 x 1024 over all 1024 slots", () => {
    for (const [rows, cols] of [[1, 1024], [1024, 1], [32, 1024]] as const) {
      const product = randomProduct(rows, cols, rows + cols);
      const diagonals = Diagonals.fromMatrix(product.matrix, { rows, cols, slots: 1024 });
      using transform = new LinearTransform(c.params, diagonals);
      const { lt, dispose } = evaluatorsFor(c, transform.rotationSteps());
      try {
        using ct = encryptInput(c, diagonals, product.x);
        using y = lt.apply(ct, transform);
        // 1 x 1024 sums 1024 output windows: the window sums' key switches must not cost precision.
        expectPrecision({ re: c.decrypt(y).re.slice(0, rows), im: new Array<number>(rows).fill(0) }, real(matVec(product)), bound, `${rows} x ${cols}`);
      } finally {
        dispose();
      }
    }
  });

  it("keyBytes() is the serialized size of exactly those Galois keys, seeded and full", () => {
    const product = randomProduct(20, 30, 5);
    using transform = new LinearTransform(c.params, Diagonals.fromMatrix(product.matrix, { rows: 20, cols: 30, slots: 256 }));
    const keys = c.keygen.createGaloisKeys({ steps: transform.rotationSteps(), conjugate: false });
    try {
      expect(transform.keyBytes()).toBe(serializeGaloisKeys(keys).length);
      expect(transform.keyBytes({ seeded: false })).toBe(serializeGaloisKeys(keys, { seeded: false }).length);
      expect(LinearTransform.keyBytes(c.params, { rows: 20, cols: 30, slots: 256 })).toBe(transform.keyBytes());
    } finally {
      keys.dispose();
    }
  });

  it("rescale: false leaves the product at the input level and scale * q_level; rescaling it gives the same values", () => {
    const product = randomProduct(9, 14, 6);
    const diagonals = Diagonals.fromMatrix(product.matrix, { rows: 9, cols: 14, slots: 64 });
    using transform = new LinearTransform(c.params, diagonals);
    const { lt, evaluator, dispose } = evaluatorsFor(c, transform.rotationSteps());
    try {
      using ct = encryptInput(c, diagonals, product.x);
      using raw = lt.apply(ct, transform, { rescale: false });
      const q = c.params.qPrimes[c.params.limbsAt(ct.level) - 1]!;
      expect({ level: raw.level, scale: raw.scale }).toEqual({ level: ct.level, scale: ct.scale * q });
      using rescaled = evaluator.rescale(raw);
      expectPrecision(c.decrypt(rescaled), real(diagonals.apply(product.x)), bound);
    } finally {
      dispose();
    }
  });

  it("applyMany shares one input between transforms of different shapes and agrees with apply", () => {
    const slots = 128;
    const cols = 40;
    const a = randomProduct(10, cols, 7);
    const b = randomProduct(cols, cols, 8);
    const x = a.x;
    const da = Diagonals.fromMatrix(a.matrix, { rows: 10, cols, slots });
    const db = Diagonals.fromMatrix(b.matrix, { rows: cols, cols, slots });
    using ta = new LinearTransform(c.params, da);
    using tb = new LinearTransform(c.params, db);
    const { lt, dispose } = evaluatorsFor(c, [...new Set([...ta.rotationSteps(), ...tb.rotationSteps()])]);
    try {
      using ct = encryptInput(c, da, x);
      const before = serializeCiphertext(ct, { seeded: false });
      const [ya, yb] = lt.applyMany(ct, [ta, tb]);
      expectPrecision(c.decrypt(ya!), real(da.apply(x)), bound, "first");
      expectPrecision(c.decrypt(yb!), real(db.apply(x)), bound, "second");
      expect(Buffer.from(serializeCiphertext(ct, { seeded: false })).equals(Buffer.from(before))).toBe(true);
      ya!.dispose();
      yb!.dispose();
    } finally {
      dispose();
    }
  });

  it("encodes once per level (cached) and refuses use after dispose", () => {
    const product = randomProduct(5, 5, 9);
    const diagonals = Diagonals.fromMatrix(product.matrix, { rows: 5, cols: 5, slots: 8 });
    const transform = new LinearTransform(c.params, diagonals);
    const { lt, dispose } = evaluatorsFor(c, transform.rotationSteps());
    try {
      expect(transform.encodedLevels).toEqual([]);
      transform.encode(2);
      using top = encryptInput(c, diagonals, product.x);
      lt.apply(top, transform).dispose();
      lt.apply(top, transform).dispose();
      expect(transform.encodedLevels).toEqual([2, c.params.maxLevel]);
      transform.dispose();
      expect(transform.encodedLevels).toEqual([]);
      expectFheError(() => lt.apply(top, transform), "DISPOSED", "apply linear transform");
    } finally {
      dispose();
    }
  });

  it("refuses bad input with FheError: level 0, slot or parameter mismatch, degree 2, wrong types, scale overflow", () => {
    const product = randomProduct(4, 4, 10);
    const diagonals = Diagonals.fromMatrix(product.matrix, { rows: 4, cols: 4, slots: 4 });
    using transform = new LinearTransform(c.params, diagonals);
    const { lt, evaluator, dispose } = evaluatorsFor(c, transform.rotationSteps());
    try {
      using ct = encryptInput(c, diagonals, product.x);
      using bottom = encryptInput(c, diagonals, product.x, 0);
      expect(expectFheError(() => lt.apply(bottom, transform), "INVALID_ARGUMENT").message).toContain("level in [1, 4]");
      using wide = c.encrypt(real(new Float64Array(8)), { slots: 8 });
      expect(expectFheError(() => lt.apply(wide, transform), "MISMATCHED_OPERANDS").message).toContain("slots: 4");
      using squared = evaluator.multiply(ct, ct);
      expect(expectFheError(() => lt.apply(squared, transform)).message).toContain("relinearize");
      using large = c.encrypt(real(new Float64Array(4)), { slots: 4, level: 1, scale: 2 ** 55 });
      expect(expectFheError(() => lt.apply(large, transform), "INVALID_ARGUMENT").message).toContain("overflow");
      const other = Parameters.create(testLiterals.composite);
      expectFheError(() => lt.apply(ct, new LinearTransform(other, diagonals)), "MISMATCHED_OPERANDS");
      expectFheError(() => lt.apply(ct, diagonals as never), "INVALID_ARGUMENT");
      expectFheError(() => lt.apply("ct" as never, transform), "INVALID_ARGUMENT");
      expectFheError(() => lt.applyMany(ct, []), "INVALID_ARGUMENT");
      expectFheError(() => lt.apply(ct, transform, null as never), "INVALID_ARGUMENT");
      expectFheError(() => lt.apply(ct, transform, { rescale: "no" as never }), "INVALID_ARGUMENT");
      expectFheError(() => Diagonals.fromMatrix(product.matrix, { rows: 4, cols: 4, slots: 4, babyStep: 8 }), "INVALID_ARGUMENT", "create diagonals");
      expectFheError(() => new LinearTransformEvaluator({} as never), "INVALID_ARGUMENT");
      expectFheError(() => new LinearTransform(c.params, {} as never), "INVALID_ARGUMENT");
      expectFheError(() => new LinearTransform(c.params, diagonals, { babyStep: 0 }), "INVALID_ARGUMENT");
      expectFheError(() => new LinearTransform(c.params, Diagonals.fromMatrix([1], { rows: 1, cols: 1, slots: 2048 })), "INVALID_ARGUMENT");
      expectFheError(() => transform.encode(0), "INVALID_ARGUMENT");
      expectFheError(() => transform.encode(5), "INVALID_ARGUMENT");
      // No Galois keys at all: every step is named.
      const bare = new LinearTransformEvaluator(new Evaluator(c.params));
      expect(expectFheError(() => bare.apply(ct, transform), "MISSING_KEY").message).toContain(`steps: [${transform.rotationSteps().join(", ")}]`);
    } finally {
      dispose();
    }
  });
});

describe("LinearTransform of a zero matrix", () => {
  it("needs no rotation key and gives an encryption of zero at the input scale", () => {
    const c = makeContext(testLiterals.single);
    const diagonals = Diagonals.fromMatrix(new Float64Array(6), { rows: 2, cols: 3, slots: 8 });
    using transform = new LinearTransform(c.params, diagonals);
    expect(transform.rotationSteps()).toEqual([]);
    expect(transform.keySwitches()).toBe(0);
    using ct = encryptInput(c, diagonals, [1, 2, 3]);
    using y = new LinearTransformEvaluator(new Evaluator(c.params)).apply(ct, transform);
    expect({ level: y.level, scale: y.scale }).toEqual({ level: ct.level - 1, scale: ct.scale });
    expect(c.decrypt(y).re.every((v) => v === 0)).toBe(true);
  });
});

describe("LinearTransform (composite scaling: two primes per level)", () => {
  it("lands on the input scale after one rescale by the level's two primes", () => {
    const c = makeContext(testLiterals.composite);
    const product = randomProduct(48, 64, 11);
    const diagonals = Diagonals.fromMatrix(product.matrix, { rows: 48, cols: 64, slots: 512 });
    using transform = new LinearTransform(c.params, diagonals);
    const { lt, dispose } = evaluatorsFor(c, transform.rotationSteps());
    try {
      using ct = encryptInput(c, diagonals, product.x);
      using y = lt.apply(ct, transform);
      expect({ level: y.level, scale: y.scale }).toEqual({ level: ct.level - 1, scale: ct.scale });
      expectPrecision(c.decrypt(y), real(diagonals.apply(product.x)), oneOperationBound(c.params));
    } finally {
      dispose();
    }
  });
});
