// The server's work on its share of the encrypted data: the partial gradient h_t of one
// iteration over the ciphertexts it holds. Shards add up: h_t is the sum of their results.
//
// Every ciphertext packs two sets of samples, P = Z_A + i Z_B (layout.ts: blocks of f slots,
// real and imaginary halves), so one rotation serves two samples. For t >= 1, with v_t real and
// replicated per block:
//   T   = rotate-and-sum_{k < f}(P ⊙ v): the last slot of block s holds d_A + i d_B for block
//         s + 1 (the last slot of every block is zero, so the window starting there is block s + 1);
//   T+ = T + conj(T) = 2 d_A,  T- = T - conj(T) = 2 i d_B;
//   G   = mask ⊙ conj(q'(d_A) + i q'(d_B)), q' = q - b0 the odd part of the sigmoid factor:
//         -i q'(d_B) = kappa' (-b1 T- / 2 + b3 (T-)^3 / 8) has real coefficients in T-, so both
//         halves are real cubics (2 levels) with the mask and the step in their plaintexts;
//   G   = rotate-and-sum_{k < f}(G) replicates it over block s, rotate(G, -f) moves it to block
//         s + 1, the block of its samples, and + kappa' b0 (1 - i);
//   h  += G ⊙ P (degree 2, one relinearization per shard): its real part is
//         kappa' sum (q(d_A) z_A + q(d_B) z_B); then the sum over the blocks by rotations
//         f, 2f, .., and h + conj(h) keeps twice the real part (kappa' = kappa / 2).
// Every key switch acts on a product before its rescale, at scale ~Δ q: a key switch adds noise
// of ~N sigma D / P ~ 2^18 (P is about one digit D here), negligible at 2^54 but ~2^-11 at
// Δ = 2^29. Sums inside blocks and over blocks use hoisted radix-4 stages (sumSlots radix).
// Scales: P is encrypted at scale Δ / 2^a (a = dataScaleBits) and the cubic terms' plaintexts at
// q 2^(4a): the tiny kappa' b3 / 8 (~2^-28) is then encoded with ~21 bits, and h_t still lands at
// ~Δ (a = 4 left it ~17 bits, and weights 2.5 times further from the twin's at N = 2^13).
// For t = 0 (v_0 = 0): h_0 = kappa b0 sum_i z_i = 2 Re(kappa' b0 (1 - i) sum P).

import { type Ciphertext, ciphertextState } from "../../engine/ciphertext.js";
import { Encoder } from "../../engine/encoding/encoder.js";
import { droppedModulus } from "../../engine/evaluator/alignment.js";
import type { Complex } from "../../engine/evaluator/checks.js";
import type { Evaluator } from "../../engine/evaluator/evaluator.js";
import type { Plaintext } from "../../engine/plaintext.js";
import { FheError } from "../../engine/ring/errors.js";
import { sumSlots } from "../../engine/circuits/slots.js";
import { blockEndMask, type TrainingLayout } from "./layout.js";
import type { IterationStep, SigmoidChoice } from "./schedule.js";

/** a: the data is encrypted at scale Δ / 2^a. */
export const dataScaleBits = 5;

/** One encrypted data ciphertext and its index in the packing. */
export interface DataCiphertext {
  readonly index: number;
  readonly ciphertext: Ciphertext;
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

/**
 * Computes partial gradients over a set of data ciphertexts. Needs an evaluator with the
 * relinearization key, the Galois keys of plan.galoisSteps and the conjugation key. Owns neither
 * the data nor the keys.
 */
export class GradientShard {
  readonly #encoder: Encoder;

  constructor(readonly evaluator: Evaluator, readonly layout: TrainingLayout, readonly data: readonly DataCiphertext[]) {
    this.#encoder = new Encoder(evaluator.params);
  }

  /**
   * h_t over this shard's ciphertexts that `step` uses (v_t undefined at t = 0), a new ciphertext;
   * undefined when the step uses none of them.
   */
  gradient(v: Ciphertext | undefined, step: IterationStep, sigmoid: SigmoidChoice): Ciphertext | undefined {
    const used = this.data.filter((d) => step.ciphertexts.includes(d.index));
    if (used.length === 0) return undefined;
    const half = step.kappa / 2;
    if (v === undefined) return this.firstGradient(used, half * sigmoid.coefficients[0]);
    if (step.t === 0) throw new FheError("INVALID_ARGUMENT", "compute gradient", "iteration 0 starts from v_0 = 0 and takes no weights");
    const ev = this.evaluator;
    let plaintexts: SigmoidPlaintexts | undefined;
    let sum: Ciphertext | undefined;
    try {
      for (const { ciphertext: z } of used) {
        const [plus, minus] = this.innerProducts(z, v);
        try {
          plaintexts ??= this.encodeSigmoid(plus, z.scale, half, sigmoid);
          using factor = this.sigmoidFactor(plus, minus, plaintexts);
          using spread = sumSlots(ev, factor, { count: this.layout.blockSize, radix: sumRadix });
          if (this.layout.blocksPerCiphertext > 1) ev.rotateInPlace(spread, -this.layout.blockSize);
          ev.rescaleInPlace(spread);
          // The constant term: the block-end mask replicated over every block is 1 everywhere.
          const constant = half * sigmoid.coefficients[0];
          ev.addConstantInPlace(spread, { re: constant, im: -constant });
          using product = ev.multiply(spread, z);
          if (sum === undefined) sum = ev.copy(product);
          else ev.addInPlace(sum, product);
        } finally {
          plus.dispose();
          minus.dispose();
        }
      }
      ev.relinearizeInPlace(sum!);
      return rescaleBlockSum(ev, this.sumBlocks(sum!), true);
    } finally {
      plaintexts?.dispose();
      sum?.dispose();
    }
  }

  /** kappa b0 sum_i z_i over `used` (factor = kappa' b0) = 2 Re(factor (1 - i) sum P), one level below the data. */
  private firstGradient(used: readonly DataCiphertext[], factor: number): Ciphertext {
    return scaledBlockSum(this.evaluator, this.layout, used.map((d) => d.ciphertext), { re: factor, im: -factor }, { radix: sumRadix, realPart: true });
  }

  /** The sum over the blocks of a ciphertext, in hoisted radix-4 stages; a new ciphertext. */
  private sumBlocks(ct: Ciphertext): Ciphertext {
    return sumBlocks(this.evaluator, this.layout, ct, sumRadix);
  }

  /** [T+, T-] = T ± conj(T), T the rotate-and-sum of P ⊙ v inside the blocks, one level below v (the caller disposes both). */
  private innerProducts(z: Ciphertext, v: Ciphertext): [Ciphertext, Ciphertext] {
    const ev = this.evaluator;
    using product = ev.mulRelin(z, v);
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
   * and data at scale `zScale`; `half` = kappa / 2. The cubic terms' plaintext scale is solved for
   * so that h_t lands exactly at the parameters' scale: the scale of h_t is cubic in that of v_t,
   * so any excess would triple with every iteration.
   */
  private encodeSigmoid(t: Ciphertext, zScale: number, half: number, sigmoid: SigmoidChoice): SigmoidPlaintexts {
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
    const cubic = encode((half * b3) / 8, level, cubicScale);
    const plus = { cubic, linear: encode((half * b1) / 2, level - 1, productScale / t.scale) };
    const minus = { cubic, linear: encode((-half * b1) / 2, level - 1, productScale / t.scale) };
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

/** ct (ct + conj(ct), twice the real part, with `realPart`) rescaled in place; disposes ct on error. */
function rescaleBlockSum(evaluator: Evaluator, ct: Ciphertext, realPart: boolean): Ciphertext {
  try {
    if (realPart) {
      using conjugate = evaluator.conjugate(ct);
      evaluator.addInPlace(ct, conjugate);
    }
    evaluator.rescaleInPlace(ct);
  } catch (error) {
    ct.dispose();
    throw error;
  }
  return ct;
}

/**
 * factor sum_k (sum over the blocks of data[k]) for data at scale Δ / 2^dataScaleBits: one level
 * below the data, at the data's scale times 2^dataScaleBits (Δ for data encrypted by the clients).
 * `radix` is that of the block sum; `realPart: true` keeps twice the real part (needs the
 * conjugation key).
 */
export function scaledBlockSum(
  evaluator: Evaluator, layout: TrainingLayout, data: readonly Ciphertext[], factor: number | Complex,
  options: { readonly radix?: number; readonly realPart?: boolean } = {},
): Ciphertext {
  using sum = evaluator.copy(data[0]!);
  for (const ct of data.slice(1)) evaluator.addInPlace(sum, ct);
  // factor 2^a, then read at scale 2^a higher: factor's precision is that of a level's primes times 2^a.
  const { re, im } = typeof factor === "number" ? { re: factor, im: 0 } : factor;
  using scaled = evaluator.multiplyConstant(sum, { re: re * 2 ** dataScaleBits, im: im * 2 ** dataScaleBits });
  const result = rescaleBlockSum(evaluator, sumBlocks(evaluator, layout, scaled, options.radix), options.realPart === true);
  readAtScale(result, ciphertextState(result).scale * 2 ** dataScaleBits);
  return result;
}
