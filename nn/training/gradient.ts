// The server's work on its share of the encrypted data: the partial gradient h_t of one
// iteration over the sample sets it holds, one ciphertext per feature group. Shards add up: h_t
// is the sum of their results.
//
// Every ciphertext packs two sets of samples, P_j = Z_A,j + i Z_B,j (layout.ts: feature group j
// in blocks of f slots, real and imaginary halves), so one rotation serves two samples. For
// t >= 1, with v_t real and replicated per block (v_t,j for group j):
//   T   = rotate-and-sum_{k < f}(sum_j P_j ⊙ v_j): the last slot of block s holds d_A + i d_B for
//         block s + 1 (the last slot of every block is zero, so the window starting there is block
//         s + 1); the groups' products are added before the one relinearization and the rotations;
//   T+ = T + conj(T) = 2 d_A,  T- = T - conj(T) = 2 i d_B;
//   G   = mask ⊙ conj(q'(d_A) + i q'(d_B)), q' = q - b0 the odd part of the sigmoid factor:
//         -i q'(d_B) = kappa' (-b1 T- / 2 + b3 (T-)^3 / 8) has real coefficients in T-, so both
//         halves are real cubics (2 levels) with the mask and the step in their plaintexts;
//   G   = rotate-and-sum_{k < f}(G) replicates it over block s, rotate(G, -f) moves it to block
//         s + 1, the block of its samples, and + kappa' b0 (1 - i);
//   h_j += G ⊙ P_j (degree 2, one relinearization per group and shard): its real part is
//         kappa' sum (q(d_A) z_A + q(d_B) z_B) over group j; then 4 Re of its sum over the blocks
//         (rotations f, 2f, ..), two groups per sum (realBlockSums), so kappa' = kappa / 4.
// Every key switch acts on a product before its rescale, at scale ~Δ q: a key switch adds noise
// of ~N sigma D / P ~ 2^18 (P is about one digit D here), negligible at 2^54 but ~2^-11 at
// Δ = 2^29. Sums inside blocks and over blocks use hoisted radix-4 stages (sumSlots radix).
// Scales: P is encrypted at scale Δ / 2^a (a = dataScaleBits) and the cubic terms' plaintexts at
// q 2^(4a): the tiny kappa' b3 / 8 (~2^-28) is then encoded with ~21 bits, and h_t still lands at
// ~Δ (a = 4 left it ~17 bits, and weights 2.5 times further from the twin's at N = 2^13).
// For t = 0 (v_0 = 0): h_0,j = kappa b0 sum_i z_i,j = 4 Re(kappa' b0 (1 - i) sum P_j).

import { type Ciphertext, ciphertextState } from "../../engine/ciphertext.js";
import { Encoder } from "../../engine/encoding/encoder.js";
import { droppedModulus } from "../../engine/evaluator/alignment.js";
import type { Complex } from "../../engine/evaluator/checks.js";
import type { Evaluator } from "../../engine/evaluator/evaluator.js";
import type { Parameters } from "../../engine/parameters.js";
import type { Plaintext } from "../../engine/plaintext.js";
import { FheError } from "../../engine/ring/errors.js";
import { sumSlots } from "../../engine/circuits/slots.js";
import { blockEndMask, type TrainingLayout } from "./layout.js";
import type { IterationStep, SigmoidChoice } from "./schedule.js";

/** a: the data is encrypted at scale Δ / 2^a (logistic regression: see dataScaleBitsFor). */
export const dataScaleBits = 5;

/**
 * a for logistic-regression data at `params`: 5, or less when the cubic term's plaintext scale
 * q 2^(4a) would exceed 2^62 (the encoder's limit is 2^63): 3 at scales of 2^50.
 */
export function dataScaleBitsFor(params: Parameters): number {
  return Math.max(0, Math.min(dataScaleBits, Math.floor((62 - Math.ceil(Math.log2(params.scale))) / 4)));
}

/** One encrypted sample set: its index in the packing and its ciphertexts, one per feature group. */
export interface DataSet {
  readonly index: number;
  readonly ciphertexts: readonly Ciphertext[];
}

/** Reads `ct` at `scale` in place (its message is multiplied by old / new scale): a scalar factor that costs nothing. */
function readAtScale(ct: Ciphertext, scale: number): void {
  ciphertextState(ct).scale = scale;
}

/** Radix of the hoisted rotate-and-sum stages (hoisted-sum.ts: fastest at N = 2^16, 2 digits). */
export const sumRadix = 4;

/** The plaintexts of one iteration's sigmoid (for T+ and T-), encoded once the first ciphertext gives the scales. */
interface SigmoidPlaintexts {
  readonly plus: CubicPlaintexts;
  readonly minus: CubicPlaintexts;
  dispose(): void;
}

/** c3 x^3 + c1 x as a plaintext of the cubic term's factor and one of the linear term. */
interface CubicPlaintexts {
  readonly cubic: Plaintext;
  readonly linear: Plaintext;
}

const operation = "compute gradient";

/**
 * Computes partial gradients over sample sets. Needs an evaluator with the relinearization key,
 * the Galois keys of plan.galoisSteps and the conjugation key. Owns neither the data nor the keys.
 */
export class GradientShard {
  readonly #encoder: Encoder;

  /** Throws INVALID_ARGUMENT when a set does not hold one ciphertext per feature group of `layout`. */
  constructor(readonly evaluator: Evaluator, readonly layout: TrainingLayout, readonly data: readonly DataSet[]) {
    for (const set of data) {
      if (set.ciphertexts.length !== layout.groups) {
        throw new FheError("INVALID_ARGUMENT", "load training data", `sample set ${set.index} has ${set.ciphertexts.length} ciphertexts and the layout has ${layout.groups} feature groups (one ciphertext each)`);
      }
    }
    this.#encoder = new Encoder(evaluator.params);
    this.#dataBits = dataScaleBitsFor(evaluator.params);
  }

  /** a of this shard's data (dataScaleBitsFor). */
  readonly #dataBits: number;

  /**
   * h_t over this shard's sample sets that `step` uses (v_t undefined at t = 0), new ciphertexts,
   * one per feature group; undefined when the step uses none of them.
   */
  gradient(v: readonly Ciphertext[] | undefined, step: IterationStep, sigmoid: SigmoidChoice): Ciphertext[] | undefined {
    const used = this.data.filter((d) => step.sets.includes(d.index));
    if (used.length === 0) return undefined;
    const quarter = step.kappa / 4;
    if (v === undefined) return this.firstGradient(used, quarter * sigmoid.coefficients[0]);
    if (step.t === 0) throw new FheError("INVALID_ARGUMENT", operation, "iteration 0 starts from v_0 = 0 and takes no weights");
    if (v.length !== this.layout.groups) throw new FheError("INVALID_ARGUMENT", operation, `expected ${this.layout.groups} weight ciphertexts (one per feature group), got ${v.length}`);
    const ev = this.evaluator;
    let plaintexts: SigmoidPlaintexts | undefined;
    const sums: Ciphertext[] = [];
    // The constant term kappa' b0 (1 - i): the block-end mask replicated over every block is 1 everywhere.
    const constant = { re: quarter * sigmoid.coefficients[0], im: -quarter * sigmoid.coefficients[0] };
    try {
      for (const { ciphertexts: z } of used) {
        const [plus, minus] = this.innerProducts(z, v);
        try {
          plaintexts ??= this.encodeSigmoid(plus, z[0]!.scale, quarter, sigmoid);
          using factor = this.sigmoidFactor(plus, minus, plaintexts);
          using spread = sumSlots(ev, factor, { count: this.layout.blockSize, radix: sumRadix });
          if (this.layout.blocksPerCiphertext > 1) ev.rotateInPlace(spread, -this.layout.blockSize);
          ev.rescaleInPlace(spread);
          ev.addConstantInPlace(spread, constant);
          z.forEach((zj, group) => {
            if (sums[group] === undefined) sums[group] = ev.multiply(spread, zj);
            else {
              using product = ev.multiply(spread, zj);
              ev.addInPlace(sums[group], product);
            }
          });
        } finally {
          plus.dispose();
          minus.dispose();
        }
      }
      for (const sum of sums) ev.relinearizeInPlace(sum);
      return realBlockSums(ev, this.layout, sums, sumRadix);
    } finally {
      plaintexts?.dispose();
      sums.forEach((ct) => ct.dispose());
    }
  }

  /**
   * Per group j: kappa b0 sum_i z_i,j over `used` (factor = kappa' b0) = 4 Re(factor (1 - i) sum P_j),
   * one level below the data, at the data's scale times 2^dataScaleBits (Δ for data encrypted by the clients).
   */
  private firstGradient(used: readonly DataSet[], factor: number): Ciphertext[] {
    const ev = this.evaluator;
    const scaled: Ciphertext[] = [];
    try {
      for (let group = 0; group < this.layout.groups; group++) scaled.push(scaledSum(ev, used.map((d) => d.ciphertexts[group]!), { re: factor, im: -factor }, this.#dataBits));
      const result = realBlockSums(ev, this.layout, scaled, sumRadix);
      for (const ct of result) readAtScale(ct, ciphertextState(ct).scale * 2 ** this.#dataBits);
      return result;
    } finally {
      scaled.forEach((ct) => ct.dispose());
    }
  }

  /** [T+, T-] = T ± conj(T), T the rotate-and-sum of sum_j P_j ⊙ v_j inside the blocks, one level below v (the caller disposes both). */
  private innerProducts(z: readonly Ciphertext[], v: readonly Ciphertext[]): [Ciphertext, Ciphertext] {
    const ev = this.evaluator;
    using product = ev.multiply(z[0]!, v[0]!);
    for (let group = 1; group < z.length; group++) {
      using term = ev.multiply(z[group]!, v[group]!);
      ev.addInPlace(product, term);
    }
    ev.relinearizeInPlace(product);
    using sums = sumSlots(ev, product, { count: this.layout.blockSize, radix: sumRadix });
    using conjugate = ev.conjugate(sums);
    const plus = ev.add(sums, conjugate);
    try {
      const minus = ev.sub(sums, conjugate);
      ev.rescaleInPlace(plus);
      ev.rescaleInPlace(minus);
      return [plus, minus];
    } catch (error) {
      plus.dispose();
      throw error;
    }
  }

  /**
   * The sigmoid's plaintexts for T+ and T- (all of a shard's share the level and scale of `t`)
   * and data at scale `zScale`; `factor` = kappa' = kappa / 4. The cubic terms' plaintext scale is solved for
   * so that h_t lands exactly at the parameters' scale: the scale of h_t is cubic in that of v_t,
   * so any excess would triple with every iteration.
   */
  private encodeSigmoid(t: Ciphertext, zScale: number, factor: number, sigmoid: SigmoidChoice): SigmoidPlaintexts {
    const { params } = this.evaluator;
    const [, b1, b3] = sigmoid.coefficients;
    const level = t.level;
    const [q0, q1, q2] = [level, level - 1, level - 2].map((l) => Number(droppedModulus(params, l))) as [number, number, number];
    const factorScale = (params.scale * q2) / zScale; // G, so that G ⊙ P rescaled is at params.scale
    const productScale = factorScale * q1; // B = A T^2 + linear term, before its rescale
    const squareScale = (t.scale * t.scale) / q0;
    const cubicScale = ((productScale / squareScale) * q0) / t.scale; // ~ q 2^(4a)
    const encode = (value: number, at: number, scale: number): Plaintext =>
      this.#encoder.encode(blockEndMask(this.layout, value), { level: at, scale, slots: params.maxSlots });
    // kappa' (b1 T+ / 2 + b3 (T+)^3 / 8) and kappa' (-b1 T- / 2 + b3 (T-)^3 / 8): one cubic plaintext.
    const cubic = encode((factor * b3) / 8, level, cubicScale);
    const plus = { cubic, linear: encode((factor * b1) / 2, level - 1, productScale / t.scale) };
    const minus = { cubic, linear: encode((-factor * b1) / 2, level - 1, productScale / t.scale) };
    return { plus, minus, dispose: () => [cubic, plus.linear, minus.linear].forEach((p) => p.dispose()) };
  }

  /** mask ⊙ (cubic(T+) + cubic(T-)) = G, relinearized, one level below T± and not yet rescaled. */
  private sigmoidFactor(plus: Ciphertext, minus: Ciphertext, p: SigmoidPlaintexts): Ciphertext {
    const result = this.oddCubic(plus, p.plus);
    try {
      using other = this.oddCubic(minus, p.minus);
      this.evaluator.addInPlace(result, other);
      this.evaluator.relinearizeInPlace(result);
    } catch (error) {
      result.dispose();
      throw error;
    }
    return result;
  }

  /** c3 t^3 + c1 t with the plaintexts' masks, degree 2, one level below t and not yet rescaled. */
  private oddCubic(t: Ciphertext, p: CubicPlaintexts): Ciphertext {
    const ev = this.evaluator;
    using a = ev.multiplyPlain(t, p.cubic);
    ev.rescaleInPlace(a);
    using square = ev.square(t);
    ev.relinearizeInPlace(square);
    ev.rescaleInPlace(square);
    const result = ev.multiply(a, square);
    try {
      using linear = ev.multiplyPlain(t, p.linear);
      ev.addInPlace(result, linear);
    } catch (error) {
      result.dispose();
      throw error;
    }
    return result;
  }
}

/** The sum over the blocks of a ciphertext, in every block (sumSlots of that radix); a new ciphertext. */
export function sumBlocks(evaluator: Evaluator, layout: TrainingLayout, ct: Ciphertext, radix = 2): Ciphertext {
  const { blocksPerCiphertext, blockSize } = layout;
  return blocksPerCiphertext > 1 ? sumSlots(evaluator, ct, { stride: blockSize, count: blocksPerCiphertext, radix }) : evaluator.copy(ct);
}

/**
 * 4 Re(sum over the blocks of h) for each h of `hs` (degree 1, one level and scale), rescaled:
 * new ciphertexts, in order. Conjugation commutes with rotations, so two at a time share one
 * sum over the blocks: S = sum(2 Re(h_a) + 2i Re(h_b)) gives S + conj(S) and -i (S - conj(S));
 * an odd last one is 2 (S + conj(S)) with S its own sum. `radix` is that of the block sums.
 */
export function realBlockSums(evaluator: Evaluator, layout: TrainingLayout, hs: readonly Ciphertext[], radix = 2): Ciphertext[] {
  const ev = evaluator;
  const result: Ciphertext[] = [];
  const twiceReal = (h: Ciphertext): Ciphertext => {
    using conjugate = ev.conjugate(h);
    return ev.add(h, conjugate);
  };
  try {
    for (let k = 0; k < hs.length; k += 2) {
      const [a, b] = [hs[k]!, hs[k + 1]];
      if (b === undefined) {
        const total = sumBlocks(ev, layout, a, radix);
        result.push(total);
        using conjugate = ev.conjugate(total);
        ev.addInPlace(total, conjugate);
        ev.addInPlace(total, total);
        continue;
      }
      using packed = twiceReal(a);
      using imaginary = twiceReal(b);
      ev.multiplyByIInPlace(imaginary, 1);
      ev.addInPlace(packed, imaginary);
      using total = sumBlocks(ev, layout, packed, radix);
      using conjugate = ev.conjugate(total);
      result.push(ev.add(total, conjugate));
      const second = ev.sub(total, conjugate);
      result.push(second);
      ev.multiplyByIInPlace(second, -1);
    }
    for (const ct of result) ev.rescaleInPlace(ct);
  } catch (error) {
    result.forEach((ct) => ct.dispose());
    throw error;
  }
  return result;
}

/** factor 2^bits sum_k data[k] (data at scale Δ / 2^bits), not rescaled: read it 2^bits higher after its rescale. */
function scaledSum(evaluator: Evaluator, data: readonly Ciphertext[], factor: number | Complex, bits: number): Ciphertext {
  using sum = evaluator.copy(data[0]!);
  for (const ct of data.slice(1)) evaluator.addInPlace(sum, ct);
  // factor 2^a, then read at scale 2^a higher: factor's precision is that of a level's primes times 2^a.
  const { re, im } = typeof factor === "number" ? { re: factor, im: 0 } : factor;
  return evaluator.multiplyConstant(sum, { re: re * 2 ** bits, im: im * 2 ** bits });
}

/**
 * factor sum_k (sum over the blocks of data[k]) for data at scale Δ / 2^dataScaleBits: one level
 * below the data, at the data's scale times 2^dataScaleBits (Δ for data encrypted by the clients).
 * `radix` is that of the block sum.
 */
export function scaledBlockSum(evaluator: Evaluator, layout: TrainingLayout, data: readonly Ciphertext[], factor: number, radix = 2): Ciphertext {
  using scaled = scaledSum(evaluator, data, factor, dataScaleBits);
  const result = sumBlocks(evaluator, layout, scaled, radix);
  try {
    evaluator.rescaleInPlace(result);
  } catch (error) {
    result.dispose();
    throw error;
  }
  readAtScale(result, ciphertextState(result).scale * 2 ** dataScaleBits);
  return result;
}
