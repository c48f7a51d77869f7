// linearCombine (the combine kernel, asm/combine.ts) against a BigInt reference over the whole
// RNS modulus: sparse and dense matrices, rows sharing their columns, empty rows, rows longer
// than the reduction batches (16 terms scalar, 64 SIMD), residues and inputs near q - 1, rings
// below 16 coefficients (scalar tiles in both builds) and larger than one coefficient block,
// enough inputs to shrink the block; plus the error cases and the heap accounting of
// EncodedMatrix.

import { expectFheError } from "../helpers/ckks.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FheError, WasmHeap, type FheErrorCode, type KernelBuild } from "../../engine/index.js";
import {
  EncodedMatrix, Ring, RnsPoly, fillUniform, generateNttPrimes, linearCombine, polyFromBigInts, polyToBigInts,
  toCoefficients, toNtt, type RnsBasis, type SparseMatrix,
} from "../../engine/ring/index.js";
import { kernelBuilds } from "../helpers/builds.js";
import { watchFrees } from "../helpers/heap-watch.js";
import { crtBig, mod } from "../helpers/reference.js";
import { ringFor } from "../helpers/rings.js";

// Primes 1 mod 2^10 (every N up to 2^9): two just below 2^30 (the largest products), 26 and 17 bits.
const pool: readonly number[] = [
  ...generateNttPrimes({ logN: 9, bits: 30, count: 2 }),
  ...generateNttPrimes({ logN: 9, bits: 26, count: 1 }),
  ...generateNttPrimes({ logN: 9, bits: 17, count: 1 }),
];

/** A matrix given row by row: the (column, integer weight) terms of each row. */
type Rows = readonly (readonly (readonly [number, number])[])[];

function sparseMatrix(rows: Rows, cols: number): SparseMatrix {
  const rowStart = new Int32Array(rows.length + 1);
  rows.forEach((row, j) => { rowStart[j + 1] = rowStart[j]! + row.length; });
  const terms = rows.flat();
  return {
    rows: rows.length, cols, rowStart,
    columns: Int32Array.from(terms, ([c]) => c), values: Float64Array.from(terms, ([, w]) => w),
  };
}

interface Case {
  readonly logN: number;
  readonly primes: readonly number[];
  readonly cols: number;
  readonly rows: Rows;
  readonly factor: bigint;
  readonly inputs: readonly (readonly bigint[])[];
  readonly ntt: boolean;
}

/** Integer weights: small, -1 and -2 (residues q - 1, q - 2) and large ones (exact and BigInt encodings). */
const weightArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: -3, max: 3 }) },
  { weight: 2, arbitrary: fc.constantFrom(-1, -2) },
  { weight: 2, arbitrary: fc.integer({ min: -(2 ** 50), max: 2 ** 50 }) },
);

const factorArb: fc.Arbitrary<bigint> = fc.constantFrom(1n, 1n, 7n, 2n ** 30n, 2n ** 70n + 1n);

function termsArb(cols: number, length: fc.Arbitrary<number>): fc.Arbitrary<[number, number][]> {
  if (cols === 0) return fc.constant([]);
  return length.chain((n) => fc.array(fc.tuple(fc.integer({ min: 0, max: cols - 1 }), weightArb), { minLength: n, maxLength: n }));
}

/**
 * Rows of three kinds: fresh random terms (repeated columns allowed), empty, or the shared
 * column list with fresh weights, so that row groups of every size occur.
 */
function rowsArb(cols: number, count: fc.Arbitrary<number>, length: fc.Arbitrary<number>): fc.Arbitrary<Rows> {
  return fc.tuple(termsArb(cols, length).map((terms) => terms.map(([c]) => c)), count).chain(([shared, rows]) => {
    const sharedRow = fc.array(weightArb, { minLength: shared.length, maxLength: shared.length })
      .map((ws) => ws.map((w, t) => [shared[t]!, w] as [number, number]));
    const row = fc.oneof(
      { weight: 2, arbitrary: termsArb(cols, length) },
      { weight: 1, arbitrary: fc.constant([] as [number, number][]) },
      { weight: 4, arbitrary: sharedRow },
    );
    return fc.array(row, { minLength: rows, maxLength: rows });
  });
}

/** Coefficients in [0, Q) with edges 0, 1, Q - 1 (q - 1 in every limb); a whole input may be Q - 1. */
function inputArb(q: bigint, n: number): fc.Arbitrary<bigint[]> {
  const coefficient = fc.oneof(
    { weight: 3, arbitrary: fc.bigInt({ min: 0n, max: q - 1n }) },
    { weight: 1, arbitrary: fc.constantFrom(0n, 1n, q - 1n) },
  );
  return fc.oneof(
    { weight: 4, arbitrary: fc.array(coefficient, { minLength: n, maxLength: n }) },
    { weight: 1, arbitrary: fc.constant(new Array<bigint>(n).fill(q - 1n)) },
  );
}

function caseArb(options: { logN: fc.Arbitrary<number>; cols: fc.Arbitrary<number>; rows: fc.Arbitrary<number>; length: fc.Arbitrary<number> }): fc.Arbitrary<Case> {
  return fc.record({
    logN: options.logN,
    primes: fc.shuffledSubarray([...pool], { minLength: 1, maxLength: 3 }),
    cols: options.cols,
    factor: factorArb,
    ntt: fc.boolean(),
  }).chain((base) => {
    const q = base.primes.reduce((acc, p) => acc * BigInt(p), 1n);
    return fc.record({
      rows: rowsArb(base.cols, options.rows, options.length),
      inputs: fc.array(inputArb(q, 2 ** base.logN), { minLength: base.cols, maxLength: base.cols }),
    }).map((rest) => ({ ...base, ...rest }));
  });
}

/** out_j = Σ_t w_t · factor · x_{c_t} mod Q, coefficient by coefficient. */
function reference(c: Case, q: bigint): bigint[][] {
  const n = 2 ** c.logN;
  return c.rows.map((row) => Array.from({ length: n }, (_, i) =>
    mod(row.reduce((sum, [col, w]) => sum + BigInt(w) * c.factor * c.inputs[col]![i]!, 0n), q)));
}

/** Runs linearCombine on the case (outputs start with random contents) and checks it against the reference. */
function checkCase(build: KernelBuild, c: Case): void {
  const ring = ringFor(build, c.logN);
  const basis = ring.basis(c.primes);
  const q = basis.product();
  using matrix = new EncodedMatrix(basis, sparseMatrix(c.rows, c.cols), c.factor);
  const inputs = c.inputs.map((values) => polyFromBigInts(ring, basis, values));
  const outputs = c.rows.map(() => ring.allocate(basis));
  const bystander = ring.allocate(basis);
  try {
    for (const p of [...outputs, bystander]) fillUniform(p);
    const bystanderBefore = polyToBigInts(bystander);
    const inputsBefore = inputs.map((x) => polyToBigInts(x));
    if (c.ntt) for (const x of inputs) toNtt(x);
    linearCombine(outputs, inputs, matrix);
    if (c.ntt) for (const x of inputs) toCoefficients(x);
    expect(inputs.map((x) => polyToBigInts(x))).toEqual(inputsBefore);
    expect(polyToBigInts(bystander)).toEqual(bystanderBefore);
    for (const out of outputs) {
      expect(out.isNtt).toBe(c.cols === 0 ? true : c.ntt);
      if (out.isNtt) toCoefficients(out);
    }
    expect(outputs.map((out) => polyToBigInts(out))).toEqual(reference(c, q));
  } finally {
    for (const p of [...inputs, ...outputs, bystander]) p.dispose();
  }
}

describe.each(kernelBuilds)("linearCombine matches a BigInt reference (%s kernels)", (build) => {
  it("sparse and shared-column rows, empty rows, N = 2 .. 2^9", () => {
    const arb = caseArb({
      logN: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.constant(9)),
      cols: fc.integer({ min: 0, max: 8 }),
      rows: fc.integer({ min: 0, max: 11 }),
      length: fc.integer({ min: 0, max: 12 }),
    });
    fc.assert(fc.property(arb, (c) => checkCase(build, c)), { numRuns: 120 });
  });

  it("dense rows (every row uses every input)", () => {
    const arb = fc.record({
      logN: fc.integer({ min: 2, max: 6 }),
      primes: fc.shuffledSubarray([...pool], { minLength: 1, maxLength: 3 }),
      cols: fc.integer({ min: 1, max: 20 }),
      rows: fc.integer({ min: 1, max: 11 }),
      factor: factorArb,
      ntt: fc.boolean(),
    }).chain((base) => {
      const q = base.primes.reduce((acc, p) => acc * BigInt(p), 1n);
      const row = fc.array(weightArb, { minLength: base.cols, maxLength: base.cols })
        .map((ws) => ws.map((w, c) => [c, w] as [number, number]));
      return fc.record({
        rows: fc.array(row, { minLength: base.rows, maxLength: base.rows }),
        inputs: fc.array(inputArb(q, 2 ** base.logN), { minLength: base.cols, maxLength: base.cols }),
      }).map((rest) => ({ ...base, ...rest }));
    });
    fc.assert(fc.property(arb, (c) => checkCase(build, c)), { numRuns: 60 });
  });

  it("rows longer than 16, 64 and 1000 terms, around the reduction batches", () => {
    const arb = caseArb({
      logN: fc.constantFrom(1, 2, 3, 4, 5, 6),
      cols: fc.integer({ min: 1, max: 5 }),
      rows: fc.integer({ min: 1, max: 6 }),
      length: fc.constantFrom(15, 16, 17, 31, 32, 33, 63, 64, 65, 128, 129, 1000, 1001),
    });
    fc.assert(fc.property(arb, (c) => checkCase(build, c)), { numRuns: 25 });
  });

  it("1100 inputs (blocks of 64 coefficients at N = 2^9), sparse rows of up to 100 terms", () => {
    const logN = 9;
    const n = 2 ** logN;
    const cols = 1100;
    const arb = fc.record({
      primes: fc.shuffledSubarray([...pool], { minLength: 1, maxLength: 2 }),
      seed: fc.integer(),
      rows: fc.array(termsArb(cols, fc.integer({ min: 0, max: 100 })), { minLength: 1, maxLength: 5 }),
    });
    fc.assert(fc.property(arb, ({ primes, seed, rows }) => {
      const q = primes.reduce((acc, p) => acc * BigInt(p), 1n);
      let state = BigInt(seed) & 0xffffffffn;
      const next = (): bigint => { state = (state * 6364136223846793005n + 1442695040888963407n) % 2n ** 64n; return state; };
      const inputs = Array.from({ length: cols }, () => Array.from({ length: n }, () => next() % q));
      checkCase(build, { logN, primes, cols, rows, factor: 1n, inputs, ntt: false });
    }), { numRuns: 3 });
  });

  it("the largest sums: residues q - 1 times the input with the largest 15-bit halves, 1001 terms per row, N = 2^9", () => {
    // Per prime, x = 2^15 h + 2^15 - 1 < q with h as large as possible: x_lo = 2^15 - 1 and
    // x_hi = h. With c = q - 1 (weight -1) and c' = 2^15 c mod q = q - 2^15, every 10-bit digit
    // of c and c' is 1023 for these 30-bit primes, so 65 terms of one SIMD digit sum exceed 2^32
    // and 17 scalar products exceed 2^64.
    const logN = 9;
    const primes = pool.slice(0, 2);
    const q = primes.reduce((acc, p) => acc * BigInt(p), 1n);
    const n = 2 ** logN;
    const cols = 3;
    const x = crtBig(primes.map((p) => BigInt(Math.floor((p - 2 ** 15) / 2 ** 15) * 2 ** 15 + 2 ** 15 - 1)), primes);
    const rows: Rows = Array.from({ length: 7 }, () => Array.from({ length: 1001 }, (_, t) => [t % cols, -1] as const));
    const inputs = Array.from({ length: cols }, () => new Array<bigint>(n).fill(x));
    checkCase(build, { logN, primes, cols, rows, factor: 1n, inputs, ntt: false });
  });
});

/** Requires an FheError with `code` from linearCombine or the matrix encoder, matching `pattern`. */
function expectCombineError(f: () => unknown, code: FheErrorCode, pattern?: RegExp): void {
  const error = expectFheError(f, code);
  expect(error.message).toMatch(/^cannot (combine polynomials|encode matrix): /);
  if (pattern !== undefined) expect(error.message).toMatch(pattern);
}

describe.each(kernelBuilds)("linearCombine refuses bad operands (%s kernels)", (build) => {
  const setup = (): { ring: Ring; basis: RnsBasis; other: RnsBasis; wide: RnsBasis; matrix: EncodedMatrix } => {
    const ring = ringFor(build, 4);
    const basis = ring.basis(pool.slice(0, 2));
    // one row of two terms over two inputs
    const matrix = new EncodedMatrix(basis, sparseMatrix([[[0, 3], [1, -1]]], 2), 1n);
    return { ring, basis, other: ring.basis(pool.slice(1, 3)), wide: ring.basis(pool.slice(0, 3)), matrix };
  };

  it("an output that is an input", () => {
    const { ring, basis, matrix } = setup();
    const [x, y] = [ring.zero(basis), ring.zero(basis)];
    expectCombineError(() => linearCombine([x], [x, y], matrix), "INVALID_ARGUMENT", /an output aliases an input/);
    // inputs may repeat
    const out = ring.zero(basis);
    expect(() => linearCombine([out], [x, x], matrix)).not.toThrow();
    for (const p of [x, y, out]) p.dispose();
    matrix.dispose();
  });

  it("regression: an output sharing an input's memory through another handle (a view)", () => {
    const { ring, basis, wide, matrix } = setup();
    const parent = ring.zero(wide);
    const input = RnsPoly.prefixView(parent, basis);
    const output = RnsPoly.prefixView(parent, basis);
    const y = ring.zero(basis);
    expectCombineError(() => linearCombine([output], [input, y], matrix), "INVALID_ARGUMENT", /an output aliases an input/);
    for (const p of [input, output, parent, y]) p.dispose();
    matrix.dispose();
  });

  it("regression: the same output for two rows", () => {
    const { ring, basis } = setup();
    const two = new EncodedMatrix(basis, sparseMatrix([[[0, 1]], [[1, 1]]], 2), 1n);
    const [x, y, out] = [ring.zero(basis), ring.zero(basis), ring.zero(basis)];
    expectCombineError(() => linearCombine([out, out], [x, y], two), "INVALID_ARGUMENT", /two outputs share memory/);
    for (const p of [x, y, out]) p.dispose();
    two.dispose();
  });

  it("wrong counts, bases, forms, disposed operands and wrong types", () => {
    const { ring, basis, other, matrix } = setup();
    const [x, y, out] = [ring.zero(basis), ring.zero(basis), ring.zero(basis)];
    expectCombineError(() => linearCombine([out], [x], matrix), "INVALID_ARGUMENT", /expected 1 outputs and 2 inputs, got 1 and 1/);
    expectCombineError(() => linearCombine([], [x, y], matrix), "INVALID_ARGUMENT", /expected 1 outputs/);
    const foreign = ring.zero(other);
    expectCombineError(() => linearCombine([out], [x, foreign], matrix), "MISMATCHED_OPERANDS");
    expectCombineError(() => linearCombine([foreign], [x, y], matrix), "MISMATCHED_OPERANDS", /basis the matrix was encoded for/);
    const nttInput = ring.zero(basis, { ntt: true });
    expectCombineError(() => linearCombine([out], [x, nttInput], matrix), "MISMATCHED_OPERANDS", /mix NTT and coefficient form/);
    const otherRing = ringFor(build, 5).zero(ringFor(build, 5).basis(pool.slice(0, 2)));
    expectCombineError(() => linearCombine([out], [x, otherRing], matrix), "MISMATCHED_OPERANDS");
    const gone = ring.zero(basis);
    gone.dispose();
    expectCombineError(() => linearCombine([out], [x, gone], matrix), "DISPOSED");
    expectCombineError(() => linearCombine([gone], [x, y], matrix), "DISPOSED");
    expectCombineError(() => linearCombine([out], [x, y], {} as EncodedMatrix), "INVALID_ARGUMENT", /expected an EncodedMatrix/);
    expectCombineError(() => linearCombine(null as unknown as RnsPoly[], [x, y], matrix), "INVALID_ARGUMENT");
    expectCombineError(() => linearCombine([out], [x, 3 as unknown as RnsPoly], matrix), "INVALID_ARGUMENT");
    matrix.dispose();
    expect(matrix.disposed).toBe(true);
    expectCombineError(() => linearCombine([out], [x, y], matrix), "DISPOSED", /the encoded matrix was disposed/);
    for (const p of [x, y, out, foreign, nttInput, otherRing]) p.dispose();
  });

  it("bad matrices, bases and factors at encoding", () => {
    const { basis } = setup();
    const good = sparseMatrix([[[0, 1]]], 1);
    expectCombineError(() => new EncodedMatrix({} as RnsBasis, good, 1n), "INVALID_ARGUMENT", /expected an RnsBasis/);
    expectCombineError(() => new EncodedMatrix(basis, good, 0n), "INVALID_ARGUMENT", /scaling factor/);
    expectCombineError(() => new EncodedMatrix(basis, good, 1 as unknown as bigint), "INVALID_ARGUMENT", /scaling factor/);
    expectCombineError(() => new EncodedMatrix(basis, { ...good, columns: Int32Array.of(1) }, 1n), "INVALID_ARGUMENT", /outside \[0, 1\)/);
    expectCombineError(() => new EncodedMatrix(basis, { ...good, values: Float64Array.of(NaN) }, 1n), "INVALID_ARGUMENT", /finite/);
  });
});

describe.each(kernelBuilds)("EncodedMatrix memory (%s kernels)", (build) => {
  const gc = (globalThis as { gc?: () => void }).gc;

  function freshBasis(): { ring: Ring; basis: RnsBasis; heap: WasmHeap } {
    const heap = WasmHeap.create({ build, warmUp: false });
    const ring = new Ring({ logN: 5, heap });
    return { ring, basis: ring.basis(pool.slice(0, 3)), heap };
  }

  it("linearCombine frees its scratch; dispose frees the heap tables", () => {
    const { ring, basis, heap } = freshBasis();
    const before = heap.bytesInUse;
    const matrix = new EncodedMatrix(basis, sparseMatrix([[[0, 1], [1, 2]], [], [[1, 5]]], 2), 1n);
    expect(heap.bytesInUse).toBeGreaterThan(before);
    const inputs = [ring.zero(basis), ring.zero(basis)];
    const outputs = [ring.allocate(basis), ring.allocate(basis), ring.allocate(basis)];
    const withPolys = heap.bytesInUse;
    linearCombine(outputs, inputs, matrix);
    expect(heap.bytesInUse).toBe(withPolys);
    for (const p of [...inputs, ...outputs]) p.dispose();
    matrix.dispose();
    matrix.dispose();
    expect(heap.bytesInUse).toBe(before);
  });

  it("zeroes its scratch (copies of the inputs) when an input is secret", () => {
    const { ring, basis, heap } = freshBasis();
    using matrix = new EncodedMatrix(basis, sparseMatrix([[[0, 1], [1, 2]]], 2), 1n);
    const secret = ring.allocate(basis, { secret: true });
    const other = ring.allocate(basis);
    const out = ring.allocate(basis);
    for (const p of [secret, other]) fillUniform(p);
    const watch = watchFrees(heap);
    linearCombine([out], [other, secret], matrix);
    watch.stop();
    expect(watch.freed()).toBe(1);
    expect(watch.dirty).toEqual([]);
    for (const p of [secret, other, out]) p.dispose();
  });

  it("a forgotten matrix is freed after garbage collection", async () => {
    const { basis, heap } = freshBasis();
    const before = heap.bytesInUse;
    const blocks = heap.blocksInUse;
    (() => {
      for (let i = 0; i < 20; i++) void new EncodedMatrix(basis, sparseMatrix([[[0, 1]]], 1), 1n);
    })();
    expect(heap.blocksInUse).toBe(blocks + 20);
    for (let i = 0; i < 30 && heap.bytesInUse !== before; i++) {
      gc!();
      await new Promise<void>((resolve) => setImmediate(resolve));
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
    }
    expect(heap.bytesInUse).toBe(before);
  });

  it("regression: keeps the encoding when the matrix is changed afterwards", () => {
    const { ring, basis } = freshBasis();
    const m = sparseMatrix([[[0, 2], [1, 3]]], 2);
    const matrix = new EncodedMatrix(basis, m, 1n);
    m.columns[1] = 0;
    m.values[0] = 100;
    const x = polyFromBigInts(ring, basis, new Array<bigint>(32).fill(1n));
    const y = polyFromBigInts(ring, basis, new Array<bigint>(32).fill(10n));
    const out = ring.allocate(basis);
    linearCombine([out], [x, y], matrix);
    expect(polyToBigInts(out)).toEqual(new Array<bigint>(32).fill(32n));
    for (const p of [x, y, out]) p.dispose();
    matrix.dispose();
  });
});
