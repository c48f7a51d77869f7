// The server's work on its share of the encrypted data: the partial gradient h_t of one
// iteration over the ciphertexts it holds. Shards add up: h_t is the sum of their results.
//
// For t >= 1 and each ciphertext Z (samples in blocks of f slots) with v_t replicated per block:
//   T  = rotate-and-sum_{1, 2, .., f/2}(Z ⊙ v): the last slot of block s holds d = z_{s+1} . v
//        (the last slot of every block is zero, so the window starting there is block s + 1);
//   G  = mask ⊙ (kappa b1 T + kappa b3 T^3): the sigmoid factor q(d) = p(-d) with the block-end
//        mask and the step kappa folded into its plaintext coefficients (2 levels);
//   G  = rotate-and-sum_{1, .., f/2}(G) replicates it over block s, rotate(G, -f) moves it to
//        block s + 1, the block of its sample, and + kappa b0 (the replicated mask is all ones);
//   h += G ⊙ Z (degree 2, one relinearization per shard), then a sum over the blocks by
//        rotations f, 2f, .., slots/2 leaves h_t = kappa sum_i q(z_i . v) z_i in every block.
// Every rotation acts on a product before its rescale, at scale ~Δ q: a key switch adds noise of
// ~N sigma D / P ~ 2^18 (P is about one digit D here), negligible at 2^54 but ~2^-11 at Δ = 2^29.
// Scales: Z is encrypted at scale Δ / 2^a (a = dataScaleBits) and the cubic term's plaintext at
// q 2^(4a): the tiny kappa b3 (~2^-24) is then encoded with ~23 bits, and h_t still lands at ~Δ.
// For t = 0 (v_0 = 0): h_0 = kappa b0 sum_i z_i.

import { type Ciphertext, ciphertextState } from "../../engine/ciphertext.js";
import { Encoder } from "../../engine/encoding/encoder.js";
import { droppedModulus } from "../../engine/evaluator/alignment.js";
import type { Evaluator } from "../../engine/evaluator/evaluator.js";
import type { Plaintext } from "../../engine/plaintext.js";
import { FheError } from "../../engine/ring/errors.js";
import { sumSlots } from "../../engine/circuits/slots.js";
import { blockEndMask, type TrainingLayout } from "./layout.js";
import type { IterationStep, SigmoidChoice } from "./schedule.js";

/** a: the data is encrypted at scale Δ / 2^a. */
export const dataScaleBits = 4;

/** One encrypted data ciphertext and its index in the packing. */
export interface DataCiphertext {
  readonly index: number;
  readonly ciphertext: Ciphertext;
}

/** Reads `ct` at `scale` in place (its message is multiplied by old / new scale): a scalar factor that costs nothing. */
function readAtScale(ct: Ciphertext, scale: number): void {
  ciphertextState(ct).scale = scale;
}

/** The plaintexts of one iteration's sigmoid, encoded once the first ciphertext gives the scales. */
interface SigmoidPlaintexts {
  readonly cubic: Plaintext;
  readonly linear: Plaintext;
  dispose(): void;
}

/**
 * Computes partial gradients over a set of data ciphertexts. Needs an evaluator with the
 * relinearization key and the Galois keys of plan.galoisSteps. Owns neither the data nor the keys.
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
    if (v === undefined) return this.firstGradient(used, step.kappa * sigmoid.coefficients[0]);
    if (step.t === 0) throw new FheError("INVALID_ARGUMENT", "compute gradient", "iteration 0 starts from v_0 = 0 and takes no weights");
    const ev = this.evaluator;
    let plaintexts: SigmoidPlaintexts | undefined;
    let sum: Ciphertext | undefined;
    try {
      for (const { ciphertext: z } of used) {
        using inner = this.innerProducts(z, v);
        plaintexts ??= this.encodeSigmoid(inner, z.scale, step.kappa, sigmoid);
        using factor = this.sigmoidFactor(inner, plaintexts);
        using spread = sumSlots(ev, factor, { count: this.layout.blockSize });
        if (this.layout.samplesPerCiphertext > 1) ev.rotateInPlace(spread, -this.layout.blockSize);
        ev.rescaleInPlace(spread);
        // The constant term: the block-end mask replicated over every block is 1 everywhere.
        ev.addConstantInPlace(spread, step.kappa * sigmoid.coefficients[0]);
        using product = ev.multiply(spread, z);
        if (sum === undefined) sum = ev.copy(product);
        else ev.addInPlace(sum, product);
      }
      ev.relinearizeInPlace(sum!);
      const total = sumBlocks(this.evaluator, this.layout, sum!);
      ev.rescaleInPlace(total);
      return total;
    } finally {
      plaintexts?.dispose();
      sum?.dispose();
    }
  }

  /** kappa b0 sum_i z_i over `used`, one level below the data. */
  private firstGradient(used: readonly DataCiphertext[], factor: number): Ciphertext {
    return scaledBlockSum(this.evaluator, this.layout, used.map((d) => d.ciphertext), factor);
  }

  /** T: rotate-and-sum of z ⊙ v inside the blocks, one level below v. */
  private innerProducts(z: Ciphertext, v: Ciphertext): Ciphertext {
    const ev = this.evaluator;
    using product = ev.mulRelin(z, v);
    const sums = sumSlots(ev, product, { count: this.layout.blockSize });
    ev.rescaleInPlace(sums);
    return sums;
  }

  /**
   * The sigmoid's plaintexts for inner products `t` (all of a shard's share the level and scale)
   * and data at scale `zScale`. The cubic term's plaintext scale is solved for so that h_t lands
   * exactly at the parameters' scale: the scale of h_t is cubic in that of v_t, so any excess
   * would triple with every iteration.
   */
  private encodeSigmoid(t: Ciphertext, zScale: number, kappa: number, sigmoid: SigmoidChoice): SigmoidPlaintexts {
    const { params } = this.evaluator;
    const [, b1, b3] = sigmoid.coefficients;
    const level = t.level;
    const [q0, q1, q2] = [level, level - 1, level - 2].map((l) => Number(droppedModulus(params, l))) as [number, number, number];
    const factorScale = (params.scale * q2) / zScale; // G, so that G ⊙ Z rescaled is at params.scale
    const productScale = factorScale * q1; // B = A T^2 + linear term, before its rescale
    const squareScale = (t.scale * t.scale) / q0;
    const cubicScale = ((productScale / squareScale) * q0) / t.scale; // ~ q 2^(4a)
    const encode = (value: number, at: number, scale: number): Plaintext =>
      this.#encoder.encode(blockEndMask(this.layout, value), { level: at, scale, slots: params.maxSlots });
    const cubic = encode(kappa * b3, level, cubicScale);
    const linear = encode(kappa * b1, level - 1, productScale / t.scale);
    return { cubic, linear, dispose: () => [cubic, linear].forEach((p) => p.dispose()) };
  }

  /** mask ⊙ kappa (b1 T + b3 T^3), relinearized, one level below T and not yet rescaled. */
  private sigmoidFactor(t: Ciphertext, p: SigmoidPlaintexts): Ciphertext {
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
      ev.relinearizeInPlace(result);
    } catch (error) {
      result.dispose();
      throw error;
    }
    return result;
  }
}

/** The sum over the blocks (samples) of a ciphertext, in every block; a new ciphertext. */
export function sumBlocks(evaluator: Evaluator, layout: TrainingLayout, ct: Ciphertext): Ciphertext {
  const { samplesPerCiphertext, blockSize } = layout;
  return samplesPerCiphertext > 1 ? sumSlots(evaluator, ct, { stride: blockSize, count: samplesPerCiphertext }) : evaluator.copy(ct);
}

/**
 * factor sum_k (sum over the blocks of data[k]) for data at scale Δ / 2^dataScaleBits: one level
 * below the data, at the data's scale times 2^dataScaleBits (Δ for data encrypted by the clients).
 */
export function scaledBlockSum(evaluator: Evaluator, layout: TrainingLayout, data: readonly Ciphertext[], factor: number): Ciphertext {
  using sum = evaluator.copy(data[0]!);
  for (const ct of data.slice(1)) evaluator.addInPlace(sum, ct);
  // factor 2^a, then read at scale 2^a higher: factor's precision is that of a level's primes times 2^a.
  using scaled = evaluator.multiplyConstant(sum, factor * 2 ** dataScaleBits);
  const result = sumBlocks(evaluator, layout, scaled);
  evaluator.rescaleInPlace(result);
  readAtScale(result, ciphertextState(result).scale * 2 ** dataScaleBits);
  return result;
}
