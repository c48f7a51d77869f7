// Double hoisting (Bossuat et al., Eurocrypt 2021): the baby-step rotations of an input share
// one decomposition and stay over Q P (not divided by P); each giant step's partial sum of
// plaintext products is divided by P once (only its c_1, to decompose it), key-switched lazily
// and rotated; so are the log-steps of the output windows' sum; the total is divided by P once
// at the end.

import "../ring/dispose-symbols.js";
import type { CiphertextState } from "../ciphertext.js";
import { decompose, switchKeyLazy } from "../key-switching.js";
import type { Parameters } from "../parameters.js";
import { add, clone, mulScalar } from "../ring/arithmetic.js";
import { automorphism } from "../ring/automorphism.js";
import { divideRoundByLastPrimes } from "../ring/divide-round.js";
import { bigMod, shoupCompanion } from "../ring/modular.js";
import { RnsPoly } from "../ring/poly.js";
import type { EncodedLevel, EncodedTerm } from "./lintrans.js";
import { accumulateRotations } from "./hoisted-sum.js";
import type { RotationKeySource } from "./rotation-keys.js";

type Pair = readonly [RnsPoly, RnsPoly];

/** Products of residues below 2^30 that an unsigned 64-bit accumulator sums below 2^64. */
const maxLazyProducts = 16;

function disposePairs(pairs: Iterable<Pair>): void {
  for (const [a, b] of pairs) {
    a.dispose();
    b.dispose();
  }
}

/**
 * The rotations rot_b of one ciphertext (c0, c1) times P, for its baby steps b: for b = 0,
 * (P c0, P c1) over Q; for b != 0, phi_b(P c0 + v0, v1) over Q P, (v0, v1) the lazy key switch
 * of c1 (all b share c1's decomposition). Each divides by P to the rotation itself.
 */
export class HoistedInput implements Disposable {
  private constructor(readonly level: number, readonly rotations: ReadonlyMap<number, Pair>) {}

  static create(params: Parameters, ct: CiphertextState, babies: readonly number[], keys: RotationKeySource): HoistedInput {
    const { ring } = params;
    const { level } = ct;
    const [c0, c1] = ct.polys as [RnsPoly, RnsPoly];
    const pProduct = params.basisP().product();
    const rotations = new Map<number, Pair>();
    try {
      if (babies.includes(0)) {
        const p0 = ring.allocate(c0.basis, { ntt: true, scoped: true });
        const p1 = ring.allocate(c0.basis, { ntt: true, scoped: true });
        rotations.set(0, [p0, p1]);
        mulScalar(p0, c0, pProduct);
        mulScalar(p1, c1, pProduct);
      }
      const nonZero = babies.filter((b) => b !== 0);
      if (nonZero.length > 0) {
        const digits = decompose(params, c1, level);
        try {
          for (const b of nonZero) rotations.set(b, lazyRotation(params, ct, digits, keys.get(b), pProduct));
        } finally {
          for (const digit of digits) digit.dispose();
        }
      }
    } catch (error) {
      disposePairs(rotations.values());
      throw error;
    }
    return new HoistedInput(level, rotations);
  }

  dispose(): void {
    disposePairs(this.rotations.values());
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** phi_k(P c0 + v0, v1) over Q P, (v0, v1) = switchKeyLazy(digits of c1). Scoped results. */
function lazyRotation(
  params: Parameters, ct: CiphertextState, digits: readonly RnsPoly[], { element, key }: ReturnType<RotationKeySource["get"]>, pProduct: bigint,
): Pair {
  const { ring } = params;
  const [v0, v1] = switchKeyLazy(params, digits, key, ct.level);
  try {
    const c0 = ct.polys[0]!;
    const { kernels } = ring.heap;
    c0.basis.moduli.forEach((m, i) => {
      const factor = bigMod(pProduct, m.q);
      kernels.mulAddScalarShoup(v0.limbAddress(i), c0.limbAddress(i), ring.n, m.q, factor, shoupCompanion(factor, m.q));
    });
    const r0 = ring.allocate(v0.basis, { ntt: true, scoped: true });
    const r1 = ring.allocate(v0.basis, { ntt: true, scoped: true });
    automorphism(r0, v0, element);
    automorphism(r1, v1, element);
    return [r0, r1];
  } finally {
    v0.dispose();
    v1.dispose();
  }
}

/**
 * Per giant step g, the sum over its baby steps of diag'_{g+b} * P rot_b(x), over Q P; then the
 * giant rotations and the final division by P.
 */
export class GiantSums implements Disposable {
  readonly #sums = new Map<number, Pair>();

  constructor(private readonly params: Parameters, readonly level: number) {}

  /** Adds the products of `encoded`'s diagonals with the hoisted rotations of its input. */
  add(encoded: EncodedLevel, input: HoistedInput): void {
    const { ring } = this.params;
    for (const [g, terms] of encoded.giants) {
      let sum = this.#sums.get(g);
      if (sum === undefined) {
        const qp = this.params.basisQP(this.level);
        sum = [ring.zero(qp, { ntt: true, scoped: true }), ring.zero(qp, { ntt: true, scoped: true })];
        this.#sums.set(g, sum);
      }
      this.addProducts(sum, terms, input);
    }
  }

  /**
   * sum += the products of `terms` with their rotations, limb by limb: each batch of
   * {@link maxLazyProducts} products (each below 2^60, so a batch sums below 2^64) is summed
   * unreduced in registers and reduced once. rot_0 is over Q only (its P part is 0), so it
   * takes no part in the P limbs.
   */
  private addProducts(sum: Pair, terms: readonly EncodedTerm[], input: HoistedInput): void {
    const { heap, n } = this.params.ring;
    const { moduli } = sum[0].basis;
    const qLimbs = this.params.limbsAt(this.level);
    const tableBytes = 12 * Math.min(terms.length, maxLazyProducts);
    const table = heap.allocate(tableBytes, "apply linear transform");
    try {
      for (let batch = 0; batch < terms.length; batch += maxLazyProducts) {
        const products = terms.slice(batch, batch + maxLazyProducts);
        moduli.forEach((m, t) => {
          const words = heap.u32();
          let count = 0;
          for (const { baby, poly } of products) {
            if (baby === 0 && t >= qLimbs) continue;
            const rotation = input.rotations.get(baby)!;
            const entry = (table >>> 2) + 3 * count++;
            words[entry] = poly.limbAddress(t);
            words[entry + 1] = rotation[0]!.limbAddress(t);
            words[entry + 2] = rotation[1]!.limbAddress(t);
          }
          if (count > 0) {
            heap.kernels.innerProductPair(sum[0].limbAddress(t), sum[1].limbAddress(t), table, count, n, m.q, m.r32, m.r32Shoup, m.oneShoup, 1);
          }
        });
      }
    } finally {
      heap.free(table, tableBytes);
    }
  }

  /**
   * sum_{k < windows} rot_{k stride}(sum_g rot_g(giant sum g)) divided by P: (c0, c1) over Q at
   * the level, NTT form, owned by the caller. Every rotation (giant steps, then the log-steps
   * of the window sum) divides only its c1 by P, to decompose it, and keeps its key switch
   * over Q P, so its noise is divided by P with the rest at the end.
   */
  combine(keys: RotationKeySource, windows: number, stride: number): [RnsPoly, RnsPoly] {
    const { params, level } = this;
    const { ring } = params;
    const qp = params.basisQP(level);
    const out: [RnsPoly, RnsPoly] = [ring.zero(qp, { ntt: true }), ring.zero(qp, { ntt: true })];
    try {
      for (const [g, sum] of this.#sums) addRotated(params, level, out, sum, g === 0 ? undefined : keys.get(g));
      for (let t = 1; t < windows; t *= 2) addRotated(params, level, out, out, keys.get(stride * t));
      for (const poly of out) divideRoundByLastPrimes(poly, params.pPrimes.length);
    } catch (error) {
      for (const poly of out) poly.dispose();
      throw error;
    }
    return out;
  }

  dispose(): void {
    disposePairs(this.#sums.values());
    this.#sums.clear();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/**
 * out += P rot_k(s / P) over Q P for a pair s over Q P (out += s when `rotation` is undefined):
 * phi_k(s0 + v0, v1), (v0, v1) the lazy key switch of c1 = s1 / P (divided by P to decompose it).
 * s may be out itself: s1 is copied and s0 read before out changes.
 */
function addRotated(params: Parameters, level: number, out: Pair, [s0, s1]: Pair, rotation: ReturnType<RotationKeySource["get"]> | undefined): void {
  if (rotation === undefined) {
    add(out[0], out[0], s0);
    add(out[1], out[1], s1);
    return;
  }
  using c1 = clone(s1, { scoped: true });
  divideRoundByLastPrimes(c1, params.pPrimes.length);
  const digits = decompose(params, c1, level);
  try {
    accumulateRotations(params, level, out, s0, digits, [rotation]);
  } finally {
    for (const digit of digits) digit.dispose();
  }
}
