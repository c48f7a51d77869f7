// Public material kept outside the WebAssembly heap, at N = 2^10 with the bootstrapping
// parameters of bootstrapping.test.ts (logScale 50, 16 levels over a 60-bit Q_0, h = 40) and
// one set of off-heap Galois keys for Bootstrapper.rotationSteps({ doubleAngles: 4 }) shared
// through beforeAll. The on-heap twins use the same keys (OffHeapGaloisKeys.load), so every
// off-heap evaluation is compared bit for bit with the on-heap one.
//
// - OffHeapPoly: residues restored bit-identical (coefficient and NTT form, Q and Q P bases of
//   every level), an independent copy both ways, bytes = 4 n limbs, secrets refused.
// - OffHeapGaloisKeys: elements (dedup mod N/2, step 0 dropped, conjugation unless told),
//   onKey progress, load() bit-identical to the keys the key generator made (captured before
//   generate() freed them), rotations through loaded keys within Lattigo's one-operation
//   bound (log2(scale) - (logN + 2) = 38 bits), MISSING_KEY naming the absent elements, the
//   heap back to its level after load + dispose.
// - Streamed keys (LinearTransformEvaluator { keys }): the same ciphertext as the on-heap
//   evaluator (so within 2^-30 of it), one loaded key alive at a time, one element per load,
//   nothing left in the heap; MISSING_KEY / MISMATCHED_OPERANDS / INVALID_ARGUMENT.
// - LinearTransform.moveOutOfHeap: the heap drops by exactly the encoded diagonals' bytes, the
//   next apply restores them and gives the identical ciphertext, DISPOSED after dispose().
// - Bootstrapper { keys } with an evaluator holding only the relinearization key: the same
//   ciphertext as the on-heap bootstrapper (one and two passes; so the same precision, 0 bits
//   apart), measured 19.6-21.4 bits mean / 17.9-18.9 worst over 35 key sets, and once 18.8 / 17.7
//   in ~80 runs (real parts; imaginary 20.5): asserted mean >= 18, worst >= 15 (a bit below
//   bootstrapping.test.ts's 19 / 16); two passes (residualBits 14) asserted >= 30 / 28; the
//   heap back to its level after each bootstrap (the on-heap bootstrapper keeps ~15 MiB of
//   encoded diagonals in the heap).
// About 6 s.

import fc from "fast-check";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { Bootstrapper, type BootstrappingLiteral } from "../../engine/circuits/bootstrapping/index.js";
import { Diagonals } from "../../engine/circuits/diagonals.js";
import { LinearTransform } from "../../engine/circuits/lintrans.js";
import { LinearTransformEvaluator } from "../../engine/circuits/lintrans-eval.js";
import { OffHeapGaloisKeys } from "../../engine/off-heap-keys.js";
import {
  Evaluator, GaloisKeys, KeyGenerator, Parameters, serializeSwitchingKey, type Ciphertext, type SwitchingKey, type WasmHeap,
} from "../../engine/index.js";
import {
  conjugationGaloisElement, fillUniform, readLimb, rotationGaloisElement, toNtt, writeLimb, type RnsBasis, type RnsPoly,
} from "../../engine/ring/index.js";
import { OffHeapPoly } from "../../engine/ring/off-heap.js";
import {
  expectFheError, expectPrecision, expectSameCiphertext, makeContext, oneOperationBound, precision, prng, uniformValues, vconj, vrotate,
  type CkksContext, type Precision, type Vec,
} from "../helpers/ckks.js";

const literal = { logN: 10, logScale: 50, depth: 16, logBaseModulus: 60, hammingWeight: 40, allowInsecureParametersForTesting: true } as const;
const otherLiteral = { logN: 10, logScale: 40, depth: 2, allowInsecureParametersForTesting: true } as const;
const shape: BootstrappingLiteral = { doubleAngles: 4 };

let c: CkksContext;
let heap: WasmHeap;
/** Bootstrapper.rotationSteps(params, shape). */
let steps: number[];
/** Off-heap keys for `steps` and the conjugation. */
let keys: OffHeapGaloisKeys;
/** Every key of `keys`, loaded once into the heap (the on-heap twins use them). */
let heapKeys: GaloisKeys;
/** An evaluator with the relinearization key and no Galois key. */
let relinOnly: Evaluator;
/** An evaluator with the relinearization key and `heapKeys`. */
let onHeap: Evaluator;
/** Off-heap keys of other parameters. */
let otherKeys: OffHeapGaloisKeys;

beforeAll(() => {
  c = makeContext(literal);
  heap = c.params.heap;
  steps = Bootstrapper.rotationSteps(c.params, shape);
  keys = OffHeapGaloisKeys.generate(c.keygen, steps);
  heapKeys = keys.load(keys.elements, "load test keys");
  relinOnly = new Evaluator(c.params, { relinearizationKey: c.relinearizationKey });
  onHeap = new Evaluator(c.params, { relinearizationKey: c.relinearizationKey, galoisKeys: heapKeys });
  otherKeys = OffHeapGaloisKeys.generate(new KeyGenerator(Parameters.create(otherLiteral)), [1]);
});

afterEach(() => {
  vi.restoreAllMocks();
});

function randomVec(seed: number, slots = c.params.maxSlots): Vec {
  return { re: uniformValues(slots, seed), im: uniformValues(slots, seed ^ 0x5bd1e995) };
}

function decryptionsClose(a: Ciphertext, b: Ciphertext, tolerance: number): void {
  const x = c.decrypt(a);
  const y = c.decrypt(b);
  let worst = 0;
  for (let i = 0; i < x.re.length; i++) worst = Math.max(worst, Math.abs(x.re[i]! - y.re[i]!), Math.abs(x.im[i]! - y.im[i]!));
  expect(worst, "largest slot difference").toBeLessThanOrEqual(tolerance);
}

function expectBits(actual: Vec, expected: Vec, mean: number, worst: number, label: string): Precision {
  const p = expectPrecision(actual, expected, mean, label);
  expect(p.min, `${label}: worst slot ${p.min.toFixed(2)} bits (mean ${p.mean.toFixed(2)})`).toBeGreaterThanOrEqual(worst);
  return p;
}

/** The Galois elements of rotations by `rotationSteps` (step 0 mod N/2 dropped), each once. */
function elementsOf(rotationSteps: readonly number[]): number[] {
  return [...new Set(rotationSteps.map((s) => rotationGaloisElement(c.params.n, s)).filter((k) => k !== 1))];
}

/** Bytes of the heap copies of a key set's polynomials (each block is 4 n limbs, a multiple of 64). */
function keyBytes(galoisKeys: GaloisKeys): number {
  let total = 0;
  for (const key of galoisKeys.keys.values()) for (const { a, b } of key.digits) total += 4 * c.params.n * (a.basis.size + b.basis.size);
  return total;
}

/**
 * Records every OffHeapGaloisKeys.load while it runs: the elements of each call, and the most
 * loaded key sets alive at once (a load adds one, its dispose removes it).
 */
function watchLoads(): { calls: number[][]; maxAlive: () => number; alive: () => number } {
  const alive = new Set<GaloisKeys>();
  let max = 0;
  const calls: number[][] = [];
  const load = OffHeapGaloisKeys.prototype.load;
  vi.spyOn(OffHeapGaloisKeys.prototype, "load").mockImplementation(function (this: OffHeapGaloisKeys, elements: Iterable<number>, operation: string) {
    const list = [...elements];
    calls.push(list);
    const loaded = load.call(this, list, operation);
    alive.add(loaded);
    max = Math.max(max, alive.size);
    return loaded;
  });
  const dispose = GaloisKeys.prototype.dispose;
  vi.spyOn(GaloisKeys.prototype, "dispose").mockImplementation(function (this: GaloisKeys) {
    alive.delete(this);
    dispose.call(this);
  });
  return { calls, maxAlive: () => max, alive: () => alive.size };
}

/** Heap bytes of a transform's diagonals encoded at `level`: over Q for baby step 0, over Q P otherwise. */
function encodedBytesOf(transform: LinearTransform, level: number): number {
  let total = 0;
  for (const babies of transform.bsgs.giants.values()) {
    for (const baby of babies) total += 4 * c.params.n * (baby === 0 ? c.params.basisQ(level).size : c.params.basisQP(level).size);
  }
  return total;
}

// ------------------------------------------------------------------ OffHeapPoly

describe("OffHeapPoly", () => {
  /** A polynomial of random residues over `basis` (NTT form flag as given). */
  function randomPoly(basis: RnsBasis, ntt: boolean): RnsPoly {
    const poly = c.params.ring.allocate(basis, { ntt });
    fillUniform(poly);
    return poly;
  }

  function limbs(poly: RnsPoly): Uint32Array[] {
    return Array.from({ length: poly.basis.size }, (_, i) => readLimb(poly, i));
  }

  it("restore() gives the same residues, basis, ring and form, bit for bit; bytes = 4 n limbs (property)", () => {
    const { params } = c;
    fc.assert(fc.property(fc.integer({ min: 0, max: params.maxLevel }), fc.boolean(), fc.boolean(), (level, overQP, ntt) => {
      const basis = overQP ? params.basisQP(level) : params.basisQ(level);
      using poly = randomPoly(basis, ntt);
      const stored = OffHeapPoly.of(poly);
      expect(stored.bytes).toBe(4 * params.n * basis.size);
      expect({ ring: stored.ring, basis: stored.basis, isNtt: stored.isNtt }).toEqual({ ring: params.ring, basis, isNtt: ntt });
      const before = heap.bytesInUse;
      using restored = stored.restore();
      // A new heap block of exactly the polynomial's size (4 n limbs is a multiple of 64 bytes).
      expect(heap.bytesInUse - before).toBe(stored.bytes);
      expect(restored).not.toBe(poly);
      expect(restored.basis).toBe(basis);
      expect(restored.ring).toBe(params.ring);
      expect(restored.isNtt).toBe(ntt);
      expect(restored.secret).toBe(false);
      expect(limbs(restored)).toEqual(limbs(poly));
    }), { numRuns: 12 });
  });

  it("round-trips real NTT-form data (a transformed polynomial) and the polynomial is unchanged by of()", () => {
    const basis = c.params.basisQ(3);
    using poly = randomPoly(basis, false);
    toNtt(poly);
    const snapshot = limbs(poly);
    const stored = OffHeapPoly.of(poly);
    expect(limbs(poly)).toEqual(snapshot);
    expect(poly.isNtt).toBe(true);
    using restored = stored.restore();
    expect(restored.isNtt).toBe(true);
    expect(limbs(restored)).toEqual(snapshot);
  });

  it("is an independent copy: changing the original, a restored copy, or freeing them changes neither the others nor later restores", () => {
    const basis = c.params.basisQP(2);
    const poly = randomPoly(basis, true);
    const snapshot = limbs(poly);
    const stored = OffHeapPoly.of(poly);
    const restored = stored.restore();
    try {
      const next = prng(5);
      const noise = (): Uint32Array => Uint32Array.from({ length: c.params.n }, () => Math.floor(next() * 1000));
      // Mutate the original: the restored copy and later restores keep the values of the time of of().
      writeLimb(poly, 0, noise());
      writeLimb(poly, basis.size - 1, noise());
      expect(limbs(restored)).toEqual(snapshot);
      {
        using again = stored.restore();
        expect(limbs(again)).toEqual(snapshot);
      }
      // Mutate the restored copy: the original and later restores do not see it.
      const changed = limbs(poly);
      writeLimb(restored, 1, noise());
      expect(limbs(poly)).toEqual(changed);
      {
        using again = stored.restore();
        expect(limbs(again)).toEqual(snapshot);
      }
      // Freeing both (the heap may reuse their blocks) leaves the off-heap copy intact.
      poly.dispose();
      restored.dispose();
      using scribble = c.params.ring.allocate(basis, { ntt: true });
      fillUniform(scribble);
      using last = stored.restore();
      expect(limbs(last)).toEqual(snapshot);
      expect(Object.isFrozen(stored)).toBe(true);
    } finally {
      poly.dispose();
      restored.dispose();
    }
  });

  it("refuses secret polynomials (INVALID_ARGUMENT), the secret key's included; a disposed polynomial is DISPOSED", () => {
    const basis = c.params.basisQ(1);
    using secret = c.params.ring.allocate(basis, { ntt: true, secret: true });
    expect(expectFheError(() => OffHeapPoly.of(secret), "INVALID_ARGUMENT", "move polynomial out of the heap").message).toContain("secret");
    expectFheError(() => OffHeapPoly.of(c.keygen.secretKey.poly), "INVALID_ARGUMENT", "move polynomial out of the heap");
    const gone = c.params.ring.allocate(basis);
    gone.dispose();
    expectFheError(() => OffHeapPoly.of(gone), "DISPOSED");
  });
});

// ------------------------------------------------------------------ OffHeapGaloisKeys

describe("OffHeapGaloisKeys", () => {
  it("elements: one per distinct rotation mod N/2 (step 0 dropped), in generation order, then the conjugation unless conjugate: false; onKey reports (done, total)", () => {
    const { n } = c.params;
    const progress: [number, number][] = [];
    // 513 = 1 mod 512 and 512 = 0 mod 512: they add nothing.
    const some = OffHeapGaloisKeys.generate(c.keygen, [3, -1, 0, 1, 513, 512], { onKey: (done, total) => progress.push([done, total]) });
    const expected = [rotationGaloisElement(n, 3), rotationGaloisElement(n, -1), rotationGaloisElement(n, 1), conjugationGaloisElement(n)];
    expect(some.elements).toEqual(expected);
    expect(progress).toEqual([[1, 4], [2, 4], [3, 4], [4, 4]]);
    for (const k of expected) expect(some.has(k)).toBe(true);
    for (const k of [1, rotationGaloisElement(n, 2), 2 * n + 3]) expect(some.has(k)).toBe(false);
    // elements is a copy; the set is frozen.
    some.elements.pop();
    expect(some.elements).toEqual(expected);
    expect(Object.isFrozen(some)).toBe(true);

    const noConjugate = OffHeapGaloisKeys.generate(c.keygen, [2], { conjugate: false });
    expect(noConjugate.elements).toEqual([rotationGaloisElement(n, 2)]);
    expect(noConjugate.has(conjugationGaloisElement(n))).toBe(false);
    const onlyConjugate = OffHeapGaloisKeys.generate(c.keygen, []);
    expect(onlyConjugate.elements).toEqual([conjugationGaloisElement(n)]);
    const none = OffHeapGaloisKeys.generate(c.keygen, [0], { conjugate: false });
    expect(none.elements).toEqual([]);
    expect(none.bytes).toBe(0);

    // The shared set: the bootstrapping steps' elements, then the conjugation.
    expect(keys.elements).toEqual([...elementsOf(steps), conjugationGaloisElement(n)]);
  });

  it("generate() leaves nothing in the heap; load() adds exactly .bytes (the keys' polynomials) and dispose() frees them; bytes = the loaded keys' size", () => {
    const before = heap.bytesInUse;
    const some = OffHeapGaloisKeys.generate(c.keygen, [1, 2, 5]);
    expect(heap.bytesInUse).toBe(before);
    const loaded = some.load(some.elements, "test load");
    try {
      expect(heap.bytesInUse - before).toBe(some.bytes);
      expect(keyBytes(loaded)).toBe(some.bytes);
      expect(loaded.elements).toEqual(some.elements);
      // One key: its digits over Q P at the top level, b and a.
      const one = loaded.get(some.elements[0]!)!;
      expect(some.bytes).toBe(4 * one.digits.length * 2 * 4 * c.params.n * c.params.basisQP(c.params.maxLevel).size);
    } finally {
      loaded.dispose();
    }
    expect(heap.bytesInUse).toBe(before);
    // Loading twice gives two independent sets; the same element twice is loaded once.
    using twice = some.load([some.elements[1]!, some.elements[1]!], "test load");
    expect(twice.elements).toEqual([some.elements[1]]);
  });

  it("load() gives keys bit-identical to those the key generator made (seed, element and every digit)", () => {
    const made = new Map<number, Uint8Array>();
    const galoisKey = KeyGenerator.prototype.galoisKey;
    vi.spyOn(KeyGenerator.prototype, "galoisKey").mockImplementation(function (this: KeyGenerator, k: number): SwitchingKey {
      const key = galoisKey.call(this, k);
      made.set(k, serializeSwitchingKey(key, { seeded: false }));
      return key;
    });
    const some = OffHeapGaloisKeys.generate(c.keygen, [7, -3]);
    vi.restoreAllMocks();
    expect([...made.keys()]).toEqual(some.elements);
    using loaded = some.load(some.elements, "test load");
    for (const [k, bytes] of made) {
      const key = loaded.get(k)!;
      expect(key.galoisElement).toBe(k);
      expect(Buffer.from(serializeSwitchingKey(key, { seeded: false })).equals(Buffer.from(bytes)), `key ${k}`).toBe(true);
    }
    // A second load is bit-identical too (the off-heap copy is not consumed).
    using again = some.load(some.elements, "test load");
    for (const k of some.elements) {
      expect(Buffer.from(serializeSwitchingKey(again.get(k)!, { seeded: false })).equals(Buffer.from(serializeSwitchingKey(loaded.get(k)!, { seeded: false })))).toBe(true);
    }
  });

  it("loaded keys rotate and conjugate through an Evaluator within the one-operation bound (property)", () => {
    const bound = oneOperationBound(c.params);
    // Steps the shared keys hold (Bootstrapper.rotationSteps): 1..8, multiples of 8 up to 64, -8, -64, 128, 192, 256.
    const rotations = [1, 5, -8, 64, -64, 256];
    for (const s of rotations) expect(steps).toContain(s);
    fc.assert(fc.property(fc.integer(), fc.subarray(rotations, { minLength: 1 }), (seed, chosen) => {
      using loaded = keys.load([...elementsOf(chosen), conjugationGaloisElement(c.params.n)], "test load");
      const evaluator = new Evaluator(c.params, { galoisKeys: loaded });
      const v = randomVec(seed);
      using ct = c.encrypt(v, { level: 3 });
      for (const step of chosen) {
        using rotated = evaluator.rotate(ct, step);
        expectPrecision(c.decrypt(rotated), vrotate(v, step), bound, `rotation by ${step}`);
      }
      using conjugated = evaluator.conjugate(ct);
      expectPrecision(c.decrypt(conjugated), vconj(v), bound, "conjugation");
      // A rotation with no loaded key (nor power-of-two keys composing it: 9 = 8 + 1, 9 - 512 = -(256 + ... + 1)) is refused.
      expectFheError(() => evaluator.rotate(ct, 9), "MISSING_KEY");
    }), { numRuns: 4 });
  });

  it("load() of absent elements is MISSING_KEY naming each of them (and only them), and loads nothing", () => {
    const absent = rotationGaloisElement(c.params.n, 9);
    const alsoAbsent = rotationGaloisElement(c.params.n, 10);
    expect(keys.has(absent)).toBe(false);
    const before = heap.bytesInUse;
    const error = expectFheError(() => keys.load([keys.elements[0]!, absent], "load some keys"), "MISSING_KEY", "load some keys");
    expect(error.message).toContain(`${absent}`);
    expect(error.message).not.toContain(`${keys.elements[0]!}`);
    const both = expectFheError(() => keys.load([alsoAbsent, keys.elements[1]!, absent], "load some keys"), "MISSING_KEY").message;
    expect(both).toContain(`${absent}`);
    expect(both).toContain(`${alsoAbsent}`);
    expect(heap.bytesInUse).toBe(before);
  });

  it("the heap returns to its level after repeated load + dispose (no leak)", () => {
    const before = heap.bytesInUse;
    for (let i = 0; i < 3; i++) {
      const loaded = keys.load(keys.elements.slice(i, i + 5), "test load");
      expect(heap.bytesInUse).toBeGreaterThan(before);
      loaded.dispose();
      expect(heap.bytesInUse).toBe(before);
    }
  });

  it("bad arguments to generate(): not a KeyGenerator, steps not an array of integers, options or onKey of the wrong type (INVALID_ARGUMENT)", () => {
    for (const value of [undefined, null, {}, c.params, c.evaluator]) {
      expectFheError(() => OffHeapGaloisKeys.generate(value as unknown as KeyGenerator, [1]), "INVALID_ARGUMENT", "create off-heap Galois keys");
    }
    for (const value of [undefined, null, 1, "1", [1.5], [Number.NaN], ["1"], [1, Infinity]]) {
      expectFheError(() => OffHeapGaloisKeys.generate(c.keygen, value as unknown as number[]), "INVALID_ARGUMENT", "create off-heap Galois keys");
    }
    for (const value of ["options", 5, null, { conjugate: "no" }, { conjugate: 0 }]) {
      expectFheError(() => OffHeapGaloisKeys.generate(c.keygen, [1], value as unknown as { conjugate?: boolean }), "INVALID_ARGUMENT", "create off-heap Galois keys");
    }
    for (const onKey of [5, "progress", {}]) {
      expectFheError(() => OffHeapGaloisKeys.generate(c.keygen, [1], { onKey: onKey as unknown as () => void }), "INVALID_ARGUMENT", "create off-heap Galois keys");
    }
  });
});

// ------------------------------------------------------------------ streamed keys

describe("LinearTransformEvaluator with off-heap keys (streamed)", () => {
  /** Random diagonals at random indices (some above slots / 2: negative signed steps). */
  function randomDiagonals(seed: number, count: number, slots: number): Diagonals {
    const next = prng(seed);
    const map = new Map<number, Float64Array>();
    while (map.size < count) map.set(Math.floor(next() * slots), Float64Array.from({ length: slots }, () => (2 * next() - 1) / count));
    return Diagonals.fromMap(map, slots);
  }

  it("gives the same ciphertext as the on-heap evaluator, one key in the heap at a time, one element per load, nothing left behind (property)", () => {
    const { params } = c;
    const slots = params.maxSlots;
    const bound = oneOperationBound(params);
    fc.assert(fc.property(fc.integer(), fc.integer({ min: 2, max: 10 }), fc.constantFrom(4, 8, 16), fc.integer({ min: 1, max: params.maxLevel }), (seed, count, babyStep, level) => {
      const diagonals = randomDiagonals(seed, count, slots);
      using transform = new LinearTransform(params, diagonals, { babyStep });
      expect([...transform.bsgs.giants.keys()].some((g) => g !== 0)).toBe(true);
      const rotationSteps = transform.rotationSteps();
      const some = OffHeapGaloisKeys.generate(c.keygen, rotationSteps, { conjugate: false });
      using loaded = some.load(some.elements, "test load");
      const onHeapLt = new LinearTransformEvaluator(new Evaluator(params, { galoisKeys: loaded }));
      const streamed = new LinearTransformEvaluator(relinOnly, { keys: some });
      const x = randomVec(seed);
      using ct = c.encrypt(x, { level });
      using expected = onHeapLt.apply(ct, transform);
      // Decrypting at the result's level builds the decryptor's tables for it: warm them first.
      c.decrypt(expected);
      const before = heap.bytesInUse;
      const watch = watchLoads();
      const y = streamed.apply(ct, transform);
      vi.restoreAllMocks();
      try {
        expectSameCiphertext(y, expected);
        decryptionsClose(y, expected, 2 ** -30);
        const want = diagonals.apply(x.re);
        const wantIm = diagonals.apply(x.im);
        expectPrecision(c.decrypt(y), { re: Array.from(want), im: Array.from(wantIm) }, bound, `${count} diagonals, baby step ${babyStep}, level ${level}`);
        // One element per load, every key the transform needs loaded, never two alive at once, all freed.
        expect(watch.calls.every((call) => call.length === 1)).toBe(true);
        expect(new Set(watch.calls.flat())).toEqual(new Set(elementsOf(rotationSteps)));
        expect(watch.calls.length).toBeLessThanOrEqual(transform.keySwitches());
        expect(watch.maxAlive()).toBe(1);
        expect(watch.alive()).toBe(0);
        // Only the result stays in the heap.
        const size = 2 * 4 * params.n * params.limbsAt(y.level);
        expect(heap.bytesInUse - before).toBeGreaterThanOrEqual(size);
      } finally {
        y.dispose();
      }
      expect(heap.bytesInUse).toBe(before);
    }), { numRuns: 3 });
  });

  it("Diagonals.fromMatrix with output windows (window-sum steps streamed too) and applyMany match the on-heap evaluator", () => {
    const { params } = c;
    const slots = params.maxSlots;
    const next = prng(21);
    const rows = 4;
    const matrix = Float64Array.from({ length: rows * slots }, () => (2 * next() - 1) / slots);
    const windowed = Diagonals.fromMatrix(matrix, { rows, cols: slots, slots });
    expect(windowed.windows).toBeGreaterThan(1);
    using a = new LinearTransform(params, windowed);
    using b = new LinearTransform(params, randomDiagonals(22, 5, slots), { babyStep: 8 });
    const all = [...new Set([...a.rotationSteps(), ...b.rotationSteps()])];
    const some = OffHeapGaloisKeys.generate(c.keygen, all, { conjugate: false });
    using loaded = some.load(some.elements, "test load");
    const onHeapLt = new LinearTransformEvaluator(new Evaluator(params, { galoisKeys: loaded }));
    const streamed = new LinearTransformEvaluator(relinOnly, { keys: some });
    using ct = c.encrypt(randomVec(23), { level: 5 });
    using y = streamed.apply(ct, a);
    using z = onHeapLt.apply(ct, a);
    expectSameCiphertext(y, z);
    const many = streamed.applyMany(ct, [a, b]);
    const manyOnHeap = onHeapLt.applyMany(ct, [a, b]);
    try {
      expectSameCiphertext(many[0]!, manyOnHeap[0]!);
      expectSameCiphertext(many[1]!, manyOnHeap[1]!);
    } finally {
      for (const ct2 of [...many, ...manyOnHeap]) ct2.dispose();
    }
  });

  it("sparse slots: off-heap keys generated for rotationSteps() (signed steps, some negative) serve a 64-slot transform as on-heap keys do", () => {
    const { params } = c;
    const slots = 64;
    // Indices above slots / 2 give negative signed steps (giant 40 -> -24, 56 -> -8).
    const next = prng(31);
    const map = new Map<number, Float64Array>();
    for (const d of [1, 3, 42, 57]) map.set(d, Float64Array.from({ length: slots }, () => (2 * next() - 1) / 4));
    const diagonals = Diagonals.fromMap(map, slots);
    using transform = new LinearTransform(params, diagonals, { babyStep: 8 });
    const rotationSteps = transform.rotationSteps();
    expect(rotationSteps.some((s) => s < 0)).toBe(true);
    const some = OffHeapGaloisKeys.generate(c.keygen, rotationSteps, { conjugate: false });
    // The same keys in the heap serve the on-heap evaluator (a key for -24 rotates 64 slots by 40).
    using loaded = some.load(some.elements, "test load");
    const x = randomVec(32, slots);
    using ct = c.encrypt(x, { level: 2, slots });
    using expected = new LinearTransformEvaluator(new Evaluator(params, { galoisKeys: loaded })).apply(ct, transform);
    const want = diagonals.applyComplex(x);
    expectPrecision(c.decrypt(expected), { re: Array.from(want.re), im: Array.from(want.im) }, oneOperationBound(params), "on-heap, 64 slots");
    using y = new LinearTransformEvaluator(relinOnly, { keys: some }).apply(ct, transform);
    expectSameCiphertext(y, expected);
  });

  it("a missing step is MISSING_KEY naming it (nothing loaded, nothing left in the heap); keys of other parameters are MISMATCHED_OPERANDS; keys that are not OffHeapGaloisKeys are INVALID_ARGUMENT", () => {
    const { params } = c;
    using transform = new LinearTransform(params, randomDiagonals(41, 6, params.maxSlots), { babyStep: 4 });
    const rotationSteps = transform.rotationSteps();
    const dropped = rotationSteps[rotationSteps.length - 1]!;
    const some = OffHeapGaloisKeys.generate(c.keygen, rotationSteps.filter((s) => s !== dropped), { conjugate: false });
    using ct = c.encrypt(randomVec(42), { level: 4 });
    transform.encode(4);
    const before = heap.bytesInUse;
    const watch = watchLoads();
    const message = expectFheError(() => new LinearTransformEvaluator(relinOnly, { keys: some }).apply(ct, transform), "MISSING_KEY", "apply linear transform").message;
    expect(message).toContain(`${dropped}`);
    expect(watch.calls).toEqual([]);
    expect(heap.bytesInUse).toBe(before);
    vi.restoreAllMocks();

    expectFheError(() => new LinearTransformEvaluator(relinOnly, { keys: otherKeys }), "MISMATCHED_OPERANDS", "create linear transform evaluator");
    for (const value of [heapKeys, null, {}, "keys", 1, [keys]]) {
      expectFheError(() => new LinearTransformEvaluator(relinOnly, { keys: value as unknown as OffHeapGaloisKeys }), "INVALID_ARGUMENT", "create linear transform evaluator");
    }
    expectFheError(() => new LinearTransformEvaluator(relinOnly, "keys" as unknown as { keys?: OffHeapGaloisKeys }), "INVALID_ARGUMENT", "create linear transform evaluator");
    // Without options.keys the evaluator's own keys are used: it has none.
    expectFheError(() => new LinearTransformEvaluator(relinOnly).apply(ct, transform), "MISSING_KEY", "apply linear transform");
  });
});

// ------------------------------------------------------------------ LinearTransform.moveOutOfHeap

describe("LinearTransform.moveOutOfHeap", () => {
  it("frees exactly the encoded diagonals' bytes; the next apply restores them and gives the identical ciphertext; encodedLevels is unchanged", () => {
    const { params } = c;
    const slots = params.maxSlots;
    const next = prng(51);
    const map = new Map<number, Float64Array>();
    for (const d of [0, 1, 5, 17, 300, 511]) map.set(d, Float64Array.from({ length: slots }, () => (2 * next() - 1) / 6));
    const diagonals = Diagonals.fromMap(map, slots);
    const transform = new LinearTransform(params, diagonals, { babyStep: 4 });
    const some = OffHeapGaloisKeys.generate(c.keygen, transform.rotationSteps(), { conjugate: false });
    using loaded = some.load(some.elements, "test load");
    const lt = new LinearTransformEvaluator(new Evaluator(params, { galoisKeys: loaded }));
    const level = 6;
    using ct = c.encrypt(randomVec(52), { level });
    // Nothing encoded yet: moving is a no-op.
    transform.moveOutOfHeap();
    expect(transform.encodedLevels).toEqual([]);
    using first = lt.apply(ct, transform);
    expect(transform.encodedLevels).toEqual([level]);
    const size = encodedBytesOf(transform, level);
    const before = heap.bytesInUse;
    transform.moveOutOfHeap();
    expect(before - heap.bytesInUse).toBe(size);
    expect(transform.encodedLevels).toEqual([level]);
    // A second move has nothing left in the heap to move.
    const out = heap.bytesInUse;
    transform.moveOutOfHeap();
    expect(heap.bytesInUse).toBe(out);
    using second = lt.apply(ct, transform);
    expect(transform.encodedLevels).toEqual([level]);
    expectSameCiphertext(second, first);
    decryptionsClose(second, first, 1e-12);
    // Restored into the heap: the apply added the diagonals and the result.
    expect(heap.bytesInUse - out).toBeGreaterThanOrEqual(size + 2 * 4 * params.n * params.limbsAt(level - 1));
    transform.moveOutOfHeap();
    // Several levels: each moved out, each restored on its own.
    transform.encode(level + 2);
    expect(transform.encodedLevels).toEqual([level, level + 2]);
    const two = heap.bytesInUse;
    transform.moveOutOfHeap();
    expect(two - heap.bytesInUse).toBe(encodedBytesOf(transform, level + 2));
    expect(transform.encodedLevels).toEqual([level, level + 2]);
    using high = c.encrypt(randomVec(53), { level: level + 2 });
    using third = lt.apply(high, transform);
    expect(transform.encodedLevels).toEqual([level, level + 2]);
    const x = randomVec(53);
    expectPrecision(c.decrypt(third), { re: Array.from(diagonals.applyComplex(x).re), im: Array.from(diagonals.applyComplex(x).im) }, oneOperationBound(params), "restored at a second level");
    // dispose() frees the restored level; the off-heap ones go with the transform.
    const beforeDispose = heap.bytesInUse;
    transform.dispose();
    expect(beforeDispose - heap.bytesInUse).toBe(encodedBytesOf(transform, level + 2));
    expect(expectFheError(() => transform.moveOutOfHeap(), "DISPOSED", "move linear transform out of the heap").message).toContain("disposed");
    expectFheError(() => lt.apply(ct, transform), "DISPOSED", "apply linear transform");
  });

  it("moving out between streamed applies (as the bootstrapper does) leaves only the result in the heap", () => {
    const { params } = c;
    using transform = new LinearTransform(params, Diagonals.fromMap(new Map([[0, new Float64Array(params.maxSlots).fill(0.5)], [64, new Float64Array(params.maxSlots).fill(0.25)]]), params.maxSlots));
    const streamed = new LinearTransformEvaluator(relinOnly, { keys });
    using ct = c.encrypt(randomVec(54), { level: 9 });
    // Warm-up: the first application builds the heap's per-element tables.
    using warm = streamed.apply(ct, transform);
    transform.moveOutOfHeap();
    const before = heap.bytesInUse;
    const y = streamed.apply(ct, transform);
    transform.moveOutOfHeap();
    // Only the result is left (two polynomials of at least limbsAt(8) limbs: their blocks are
    // those of the Q P sums, 4 n (limbsAt(9) + |P|) bytes each).
    expect(heap.bytesInUse - before).toBeGreaterThanOrEqual(2 * 4 * params.n * params.limbsAt(8));
    expect(heap.bytesInUse - before).toBeLessThanOrEqual(2 * 4 * params.n * params.basisQP(9).size);
    expectSameCiphertext(y, warm);
    y.dispose();
    expect(heap.bytesInUse).toBe(before);
  });
});

// ------------------------------------------------------------------ Bootstrapper with off-heap keys

describe("Bootstrapper with off-heap keys", () => {
  let offBoot: Bootstrapper;
  let onBoot: Bootstrapper;
  beforeAll(() => {
    offBoot = new Bootstrapper(relinOnly, shape, { keys });
    onBoot = new Bootstrapper(onHeap, shape);
  });

  it("an evaluator with only the relinearization key bootstraps to the on-heap bootstrapper's ciphertext: mean >= 18, worst >= 15 bits (property)", () => {
    fc.assert(fc.property(fc.integer(), (seed) => {
      const v = randomVec(seed);
      using ct = c.encrypt(v, { level: 0 });
      using off = offBoot.bootstrap(ct);
      using on = onBoot.bootstrap(ct);
      expect({ level: off.level, scale: off.scale, slots: off.slots }).toEqual({ level: offBoot.plan.outputLevel, scale: c.params.scale, slots: c.params.maxSlots });
      expectSameCiphertext(off, on);
      const pOff = expectBits(c.decrypt(off), v, 18, 15, `off-heap bootstrap (seed ${seed})`);
      const pOn = precision(c.decrypt(on), v);
      expect(Math.abs(pOff.mean - pOn.mean)).toBeLessThanOrEqual(1);
      expect(Math.abs(pOff.min - pOn.min)).toBeLessThanOrEqual(1);
    }), { numRuns: 2 });
  });

  it("two passes (META-BTS) off the heap give the on-heap result too", () => {
    const v = randomVec(61);
    using ct = c.encrypt(v, { level: 0 });
    using off = offBoot.bootstrap(ct, { iterations: 2, residualBits: 14 });
    using on = onBoot.bootstrap(ct, { iterations: 2, residualBits: 14 });
    expectSameCiphertext(off, on);
    expectBits(c.decrypt(off), v, 30, 28, "off-heap META-BTS");
  });

  it("streams one key at a time (every element, the conjugation once per pass), moves every transform's diagonals out after use and leaves the heap at its level", () => {
    using ct = c.encrypt(randomVec(62), { level: 0 });
    // Warm-up (diagonals encoded, per-element tables built).
    offBoot.bootstrap(ct).dispose();
    const moved = new Set<LinearTransform>();
    let moves = 0;
    const move = LinearTransform.prototype.moveOutOfHeap;
    const before = heap.bytesInUse;
    const watch = watchLoads();
    vi.spyOn(LinearTransform.prototype, "moveOutOfHeap").mockImplementation(function (this: LinearTransform) {
      moves++;
      moved.add(this);
      move.call(this);
    });
    const out = offBoot.bootstrap(ct);
    vi.restoreAllMocks();
    const { coeffsToSlotsLevels, slotsToCoeffsLevels } = offBoot.plan.shape;
    expect(moves).toBe(coeffsToSlotsLevels + slotsToCoeffsLevels);
    expect(moved.size).toBe(coeffsToSlotsLevels + slotsToCoeffsLevels);
    expect(watch.calls.every((call) => call.length === 1)).toBe(true);
    expect(new Set(watch.calls.flat())).toEqual(new Set(keys.elements));
    expect(watch.calls.filter(([k]) => k === conjugationGaloisElement(c.params.n)).length).toBe(1);
    expect(watch.maxAlive()).toBe(1);
    expect(watch.alive()).toBe(0);
    // The diagonals are outside the heap: moving them again frees nothing.
    for (const t of moved) {
      expect(t.encodedLevels.length).toBe(1);
      const bytes = heap.bytesInUse;
      t.moveOutOfHeap();
      expect(heap.bytesInUse).toBe(bytes);
    }
    out.dispose();
    expect(heap.bytesInUse).toBe(before);
    // Two passes leave nothing either.
    offBoot.bootstrap(ct, { iterations: 2 }).dispose();
    expect(heap.bytesInUse).toBe(before);
  });

  it("the on-heap bootstrapper keeps its diagonals (megabytes) in the heap; the off-heap one keeps none", () => {
    using ct = c.encrypt(randomVec(63), { level: 0 });
    const before = heap.bytesInUse;
    {
      using fresh = new Bootstrapper(onHeap, shape);
      fresh.bootstrap(ct).dispose();
      expect(heap.bytesInUse - before).toBeGreaterThan(4 * 2 ** 20);
    }
    expect(heap.bytesInUse).toBe(before);
    {
      using fresh = new Bootstrapper(relinOnly, shape, { keys });
      fresh.bootstrap(ct).dispose();
      expect(heap.bytesInUse).toBe(before);
    }
  });

  it("construction: off-heap keys lacking a rotation step or the conjugation are MISSING_KEY; of other parameters MISMATCHED_OPERANDS; not OffHeapGaloisKeys INVALID_ARGUMENT", () => {
    const before = heap.bytesInUse;
    const dropped = steps[Math.floor(steps.length / 2)]!;
    const lacking = OffHeapGaloisKeys.generate(c.keygen, steps.filter((s) => s !== dropped));
    expect(expectFheError(() => new Bootstrapper(relinOnly, shape, { keys: lacking }), "MISSING_KEY", "create bootstrapper").message).toContain("1 of the Galois keys");
    const noConjugate = OffHeapGaloisKeys.generate(c.keygen, steps, { conjugate: false });
    expectFheError(() => new Bootstrapper(relinOnly, shape, { keys: noConjugate }), "MISSING_KEY", "create bootstrapper");
    expect(heap.bytesInUse).toBe(before);
    expectFheError(() => new Bootstrapper(relinOnly, shape, { keys: otherKeys }), "MISMATCHED_OPERANDS", "create bootstrapper");
    for (const value of [heapKeys, null, {}, "keys"]) {
      expectFheError(() => new Bootstrapper(relinOnly, shape, { keys: value as unknown as OffHeapGaloisKeys }), "INVALID_ARGUMENT", "create bootstrapper");
    }
    // Without the relinearization key, bootstrapping (not construction) fails.
    using noRelin = new Bootstrapper(new Evaluator(c.params), shape, { keys });
    using ct = c.encrypt(randomVec(64), { level: 0 });
    expect(expectFheError(() => noRelin.bootstrap(ct), "MISSING_KEY").message).toContain("relinearization key");
    // A disposed off-heap bootstrapper is DISPOSED.
    const gone = new Bootstrapper(relinOnly, shape, { keys });
    gone.dispose();
    expectFheError(() => gone.bootstrap(ct), "DISPOSED", "bootstrap");
  });
});
