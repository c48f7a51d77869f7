// Rotate-and-sum in hoisted radix-r stages (double hoisting, Bossuat et al. Eurocrypt 2021):
// sum_{k < count} rot_{k stride}(x) = prod over stages of (sum_{m < r} rot_{m span stride}),
// span = r^s. A stage decomposes its input's c_1 once and reuses the digits for its r - 1
// rotations; every stage stays over Q P (times P, key-switch noise not yet divided), so only
// c_1 is divided by P between stages and both polynomials once at the end. Against log2(count)
// sequential rotations (each a decomposition, a key switch and a division of both polynomials
// by P), radix 4 at N = 2^16 with 2 digits takes about two thirds of the time.

import { Ciphertext, type CiphertextState } from "../ciphertext.js";
import { decompose, switchKeyLazy } from "../key-switching.js";
import type { Parameters } from "../parameters.js";
import { add, clone, mulScalar } from "../ring/arithmetic.js";
import { automorphism } from "../ring/automorphism.js";
import { divideRoundByLastPrimes } from "../ring/divide-round.js";
import { RnsPoly } from "../ring/poly.js";
import type { RotationKeySource } from "./rotation-keys.js";

type Pair = [RnsPoly, RnsPoly];

/** The rotation steps of each stage: m span stride for 0 < m < r, span = the product of the earlier radices. */
export function hoistedSumStages(count: number, stride: number, radix: number): number[][] {
  const stages: number[][] = [];
  let span = 1;
  while (span < count) {
    const r = Math.min(radix, count / span);
    stages.push(Array.from({ length: r - 1 }, (_, m) => (m + 1) * span * stride));
    span *= r;
  }
  return stages;
}

function disposePair(pair: Pair | undefined): void {
  pair?.[0].dispose();
  pair?.[1].dispose();
}

/**
 * Slot j of the result holds sum_{k < count} v[j + k stride] (indices mod slots) for the
 * degree-1 ciphertext `ct`, at its level and scale; `stages` from {@link hoistedSumStages} and
 * `keys` holding the exact key of each step. Preconditions checked by the caller (sumSlots).
 */
export function hoistedSum(params: Parameters, ct: CiphertextState, stages: readonly (readonly number[])[], keys: RotationKeySource): Ciphertext {
  const { ring } = params;
  const { level } = ct;
  const qp = params.basisQP(level);
  const qBasis = params.basisQ(level);
  const pProduct = params.basisP().product();
  let sum: Pair | undefined;
  let stageC1: RnsPoly | undefined;
  try {
    // P x over Q P (its P limbs are 0); its c_1 divided by P is ct's own c_1.
    sum = [ring.zero(qp, { ntt: true, scoped: true }), ring.zero(qp, { ntt: true, scoped: true })];
    for (let i = 0; i < 2; i++) {
      using view = RnsPoly.prefixView(sum[i]!, qBasis);
      mulScalar(view, ct.polys[i]!, pProduct);
    }
    for (const [index, steps] of stages.entries()) {
      const next = addHoistedRotations(params, level, sum, stageC1 ?? ct.polys[1]!, steps, keys);
      disposePair(sum);
      stageC1?.dispose();
      stageC1 = undefined;
      sum = next;
      if (index + 1 < stages.length) {
        stageC1 = clone(sum[1], { scoped: true });
        divideRoundByLastPrimes(stageC1, params.pPrimes.length);
      }
    }
    const polys = sum.map((poly) => {
      const result = clone(poly);
      divideRoundByLastPrimes(result, params.pPrimes.length);
      return result;
    });
    return new Ciphertext(params, polys, level, ct.scale, ct.slots);
  } finally {
    disposePair(sum);
    stageC1?.dispose();
  }
}

/**
 * s + sum over `steps` of P rot_step(s / P), over Q P, with c1 = s_1 / P over Q decomposed once
 * for all steps. A new scoped pair.
 */
function addHoistedRotations(params: Parameters, level: number, s: Pair, c1: RnsPoly, steps: readonly number[], keys: RotationKeySource): Pair {
  const out: Pair = [clone(s[0], { scoped: true }), clone(s[1], { scoped: true })];
  try {
    const digits = decompose(params, c1, level);
    try {
      accumulateRotations(params, level, out, s[0], digits, steps.map((step) => keys.get(step)));
    } finally {
      for (const digit of digits) digit.dispose();
    }
  } catch (error) {
    disposePair(out);
    throw error;
  }
  return out;
}

/**
 * out += phi_k(s_0 + v_0, v_1) over Q P for each rotation (element k, key), (v_0, v_1) the lazy
 * key switch of the digits of c_1 = s_1 / P: P rot_k(s / P) plus key-switch noise still
 * multiplied by P. s_0 is read before out changes, so out may be s for a single rotation.
 */
export function accumulateRotations(
  params: Parameters, level: number, out: readonly [RnsPoly, RnsPoly], s0: RnsPoly, digits: readonly RnsPoly[],
  rotations: readonly ReturnType<RotationKeySource["get"]>[],
): void {
  using rotated = params.ring.allocate(s0.basis, { ntt: true, scoped: true });
  for (const { element, key } of rotations) {
    const [v0, v1] = switchKeyLazy(params, digits, key, level);
    try {
      add(v0, v0, s0);
      automorphism(rotated, v0, element);
      add(out[0], out[0], rotated);
      automorphism(rotated, v1, element);
      add(out[1], out[1], rotated);
    } finally {
      v0.dispose();
      v1.dispose();
    }
  }
}
