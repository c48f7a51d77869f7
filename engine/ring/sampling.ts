// Samplers for RLWE: uniform residues, ternary secrets and discrete Gaussian errors. Fresh
// samples use the CSPRNG; uniform polynomials may also be expanded from a seeded stream.
// The random words a sampler reads are zeroed as it reads them; the samples it returns are the
// caller's to zero (see polyFromSamples). Note: these samplers are not constant-time.

import type { RnsBasis } from "./basis.js";
import { describe, FheError, isInteger } from "./errors.js";
import { bitLength } from "./modular.js";
import type { RnsPoly } from "./poly.js";
import { checkOperands } from "./operands.js";
import { cryptoRandom, type RandomSource } from "./random.js";
import { Ring } from "./ring.js";
import { toNtt } from "./transforms.js";
import { defaultHeap, WasmHeap } from "./wasm/heap.js";

/** Throws unless n is a valid sample count (an integer in [0, 2^20]). */
function checkCount(n: unknown, operation: string): asserts n is number {
  if (!isInteger(n) || n < 0 || n > 2 ** 20) {
    throw new FheError("INVALID_ARGUMENT", operation, `the sample count must be an integer in [0, 2^20], got ${describe(n)}`);
  }
}

const littleEndianHost = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

let sharedWords = new Uint32Array(0);

/**
 * Reads random u32 words (little-endian on every host) from a source in batches of `batch`
 * words, through one buffer. Every word is zeroed as it is read, since it determines a sample;
 * only words never read (independent of every sample) stay in the buffer.
 */
class WordReader {
  private readonly bytes: Uint8Array;
  private readonly words: Uint32Array;
  private position: number;

  constructor(private readonly source: RandomSource, batch: number, operation: string) {
    if (source === null || typeof source !== "object" || typeof (source as Partial<RandomSource>).fill !== "function") {
      throw new FheError("INVALID_ARGUMENT", operation, `the random source must have a fill(bytes) method, got ${describe(source)}`);
    }
    // One buffer shared by all readers (samplers run to completion one at a time): allocating
    // tens of KiB per draw made garbage collection a large share of encryption time.
    if (sharedWords.length < batch) sharedWords = new Uint32Array(batch);
    this.words = sharedWords.subarray(0, batch);
    this.bytes = new Uint8Array(this.words.buffer, 0, 4 * batch);
    this.position = batch;
  }

  /** Draws a whole batch of words from the source (little-endian on every host). */
  private refill(): void {
    this.source.fill(this.bytes);
    if (!littleEndianHost) {
      const view = new DataView(this.bytes.buffer);
      // In place (bytes and words share memory): each word depends only on its own four bytes.
      for (let i = 0; i < this.words.length; i++) this.words[i] = view.getUint32(this.bytes.byteOffset + 4 * i, true);
    }
    this.position = 0;
  }

  next(): number {
    if (this.position === this.words.length) this.refill();
    const word = this.words[this.position]!;
    this.words[this.position++] = 0;
    return word;
  }

  /**
   * `count` (≤ the batch) fresh words as one view, for tight loops; the caller zeroes them once
   * used (they determine samples). The reader continues after them.
   */
  take(count: number): Uint32Array {
    this.refill();
    this.position = count;
    return this.words.subarray(0, count);
  }

  /** Uniform 53-bit integer in [0, 2^53). */
  next53(): number {
    return this.next() * 2097152 + (this.next() >>> 11);
  }

  /** Uniform integer in [0, bound) by rejection, for 1 <= bound <= 2^32. */
  below(bound: number): number {
    const limit = 4294967296 - (4294967296 % bound);
    for (;;) {
      const word = this.next();
      if (word < limit) return word % bound;
    }
  }
}

/**
 * Fills every limb of `out` with independent uniform residues (uniform mod Q by the CRT),
 * drawn by rejection from `source` (the CSPRNG by default, or a SeededStream). Each residue
 * takes 32-bit little-endian words masked to the prime's bit length until one is below q.
 */
export function fillUniform(out: RnsPoly, source: RandomSource = cryptoRandom): void {
  checkOperands("sample uniform polynomial", [out], "any");
  const { n, heap } = out.ring;
  const reader = new WordReader(source, n, "sample uniform polynomial");
  const limb = new Uint32Array(n);
  try {
    out.basis.moduli.forEach(({ q }, i) => {
      const mask = bitLength(q) === 32 ? 0xffffffff : 2 ** bitLength(q) - 1;
      for (let j = 0; j < n; j++) {
        let value: number;
        do value = reader.next() & mask; while (value >= q);
        limb[j] = value;
      }
      heap.u32().set(limb, out.limbAddress(i) >>> 2);
    });
  } finally {
    limb.fill(0);
  }
}

/** Ternary coefficients in {-1, 0, 1}, each with probability 1/3. */
export function sampleTernary(n: number, source: RandomSource = cryptoRandom): Int32Array {
  checkCount(n, "sample ternary");
  const reader = new WordReader(source, Math.max(16, n >>> 2), "sample ternary");
  const values = new Int32Array(n);
  for (let i = 0; i < n; i++) values[i] = reader.below(3) - 1;
  return values;
}

/**
 * Ternary coefficients with exactly `weight` non-zero entries (each ±1 with probability 1/2).
 * Each non-zero position is drawn uniformly among the positions still zero (by rejection), so
 * the positions form a uniform subset and no list of them exists besides the result. Expected
 * draws: n (H_n - H_(n-weight)), at most 2 weight for weight <= n / 2.
 */
export function sampleTernaryFixedWeight(n: number, weight: number, source: RandomSource = cryptoRandom): Int32Array {
  checkCount(n, "sample ternary");
  if (!isInteger(weight) || weight < 0 || weight > n) {
    throw new FheError("INVALID_ARGUMENT", "sample ternary", `Hamming weight must be an integer in [0, ${n}], got ${describe(weight)}`);
  }
  const reader = new WordReader(source, Math.max(16, 2 * weight), "sample ternary");
  const values = new Int32Array(n);
  for (let i = 0; i < weight; i++) {
    let position: number;
    do position = reader.below(n); while (values[position] !== 0);
    values[position] = (reader.next() & 1) === 0 ? 1 : -1;
  }
  return values;
}

/** Default standard deviation of the error distribution (HE standard). */
export const defaultSigma = 3.19;

/**
 * Discrete Gaussian samples with standard deviation `sigma`, truncated to |x| <= round(6 sigma),
 * by inversion of the cumulative table with 53-bit uniform draws (two words per sample; the
 * per-sample loop runs branch-free in the `sampleCumulative` kernel of `heap`, default the
 * shared heap, whose scratch holding the words and samples is zeroed before it is freed).
 */
export function sampleGaussian(n: number, sigma = defaultSigma, source: RandomSource = cryptoRandom, heap: WasmHeap = defaultHeap()): Int32Array {
  const operation = "sample Gaussian";
  checkCount(n, operation);
  if (typeof sigma !== "number" || !(sigma > 0 && sigma <= 1024)) {
    throw new FheError("INVALID_ARGUMENT", operation, `sigma must be in (0, 1024], got ${describe(sigma)}`);
  }
  if (!(heap instanceof WasmHeap)) throw new FheError("INVALID_ARGUMENT", operation, `heap must be a WasmHeap, got ${describe(heap)}`);
  const bound = Math.round(6 * sigma);
  const cumulative = gaussianTable(sigma, bound);
  const chunk = 2048; // samples per draw of random words (16 KiB)
  const reader = new WordReader(source, 2 * chunk, operation);
  const values = new Int32Array(n);
  // The kernel compares an even number of entries; padding entries of 2 exceed every draw.
  const entries = cumulative.length + (cumulative.length % 2);
  const tableBytes = 8 * entries;
  const scratchBytes = tableBytes + 8 * chunk + 4 * chunk; // table, words, samples
  const scratch = heap.allocate(scratchBytes, operation);
  const [wordsAt, samplesAt] = [scratch + tableBytes, scratch + tableBytes + 8 * chunk];
  try {
    const table = new Float64Array(heap.memory.buffer, scratch, entries);
    table.set(cumulative);
    table.fill(2, cumulative.length);
    for (let start = 0; start < n; start += chunk) {
      const count = Math.min(chunk, n - start);
      const words = reader.take(2 * count);
      try {
        heap.u32().set(words, wordsAt >>> 2);
      } finally {
        words.fill(0);
      }
      heap.kernels.sampleCumulative(samplesAt, wordsAt, count, scratch, entries);
      values.set(heap.i32().subarray(samplesAt >>> 2, (samplesAt >>> 2) + count), start);
    }
  } catch (error) {
    values.fill(0); // the samples drawn so far are secret-equivalent
    throw error;
  } finally {
    heap.zero(scratch, scratchBytes);
    heap.free(scratch, scratchBytes);
  }
  return values;
}

/** Cumulative probabilities of |x| = 0..bound for the folded, truncated Gaussian. */
function gaussianTable(sigma: number, bound: number): Float64Array {
  const weights = Array.from({ length: bound + 1 }, (_, x) => (x === 0 ? 1 : 2) * Math.exp(-(x * x) / (2 * sigma * sigma)));
  const total = weights.reduce((a, b) => a + b, 0);
  const table = new Float64Array(bound + 1);
  let sum = 0;
  weights.forEach((w, x) => {
    sum += w / total;
    table[x] = sum;
  });
  table[bound] = 1;
  return table;
}

/**
 * A polynomial over `basis` whose coefficients are the given small signed integers
 * (|value| < every prime), in NTT form when `ntt` is true. Small coefficients are secret
 * material here (secrets, ephemerals, errors): the heap scratch holding them is zeroed before
 * it is freed; `secret` also zeroes the polynomial when it is freed.
 */
export function polyFromSmall(
  ring: Ring, basis: RnsBasis, values: Int32Array, options: { ntt?: boolean; secret?: boolean } = {},
): RnsPoly {
  const operation = "build polynomial from small coefficients";
  if (!(ring instanceof Ring)) throw new FheError("INVALID_ARGUMENT", operation, `expected a Ring, got ${describe(ring)}`);
  ring.checkBasis(basis, operation);
  if (!(values instanceof Int32Array) || values.length !== ring.n) {
    throw new FheError("INVALID_ARGUMENT", operation, `expected an Int32Array of length ${ring.n}`);
  }
  const smallest = Math.min(...basis.primes);
  for (const v of values) {
    if (Math.abs(v) >= smallest) throw new FheError("INVALID_ARGUMENT", operation, `coefficient ${v} is not below every prime`);
  }
  const secret = options?.secret === true;
  const poly = ring.allocate(basis, { secret });
  const { heap, n } = ring;
  const scratch = heap.allocate(4 * n, operation);
  try {
    heap.i32().set(values, scratch >>> 2);
    basis.moduli.forEach((m, i) => heap.kernels.liftSigned(poly.limbAddress(i), scratch, n, m.q));
  } finally {
    heap.zero(scratch, 4 * n);
    heap.free(scratch, 4 * n);
  }
  if (options?.ntt === true) toNtt(poly);
  return poly;
}

/**
 * {@link polyFromSmall} for freshly drawn secret-equivalent samples (a secret s, an ephemeral
 * u, an error e): `values` is zeroed once lifted, also when lifting fails.
 * @internal For the scheme layer.
 */
export function polyFromSamples(
  ring: Ring, basis: RnsBasis, values: Int32Array, options: { ntt?: boolean; secret?: boolean } = {},
): RnsPoly {
  try {
    return polyFromSmall(ring, basis, values, options);
  } finally {
    values.fill(0);
  }
}

/** Largest standard deviation {@link sampleFloodingGaussian} accepts (wider: engine/ring/wide-gaussian.ts). */
export const maxFloodingBaseSigma = 2 ** 42;

/**
 * Rounded continuous Gaussian samples of standard deviation `sigma` in [1, 2^42], untruncated,
 * for noise flooding. Box-Muller: the radius comes from a 159-bit uniform (three 53-bit draws),
 * so samples reach ~14.8 sigma and the grid of reachable values stays finer than the integers
 * up to ~12.9 sigma (the mass beyond is below 2^-120); the angle from a 53-bit uniform, and both
 * coordinates of each pair are used. Rounding a continuous Gaussian commutes with integer shifts,
 * which is what flooding needs; and for sigma >= 2^40 the result is within ~2^-86 per sample of
 * the discrete Gaussian of the same sigma. Every |value| < 2^46, so the floats are exact integers.
 */
export function sampleFloodingGaussian(n: number, sigma: number, source: RandomSource = cryptoRandom): Float64Array {
  const operation = "sample flooding Gaussian";
  checkCount(n, operation);
  if (typeof sigma !== "number" || !(sigma >= 1 && sigma <= maxFloodingBaseSigma)) {
    throw new FheError("INVALID_ARGUMENT", operation, `sigma must be in [1, 2^42], got ${describe(sigma)}`);
  }
  const reader = new WordReader(source, Math.max(16, 4 * n), operation);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    // u in (0, 1): 159 random bits, so ln u reaches -110 and the tail is not cut at 8.6 sigma.
    const u = (reader.next53() + (reader.next53() + (reader.next53() + 1) / (2 ** 53 + 1)) / 2 ** 53) / 2 ** 53;
    const radius = sigma * Math.sqrt(-2 * Math.log(u));
    const angle = (2 * Math.PI * reader.next53()) / 2 ** 53;
    values[i] = Math.round(radius * Math.cos(angle));
    if (i + 1 < n) values[i + 1] = Math.round(radius * Math.sin(angle));
  }
  return values;
}
