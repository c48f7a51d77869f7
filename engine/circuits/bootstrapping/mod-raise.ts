// ModRaise: a ciphertext at level 0 (modulus Q_0, the base primes) read over the whole chain.
// Each coefficient is lifted exactly to its centered representative in (-Q_0/2, Q_0/2] and
// reduced modulo every prime of Q at the top level, so the result decrypts to m + Q_0 I with
// I a polynomial of small integers (|I_k| <= (h + 1) / 2 for a secret of Hamming weight h).

import { Ciphertext } from "../../ciphertext.js";
import type { CiphertextState } from "../../ciphertext.js";
import type { Parameters } from "../../parameters.js";
import { clone } from "../../ring/arithmetic.js";
import { readLimb, writeLimb } from "../../ring/crt.js";
import { invMod } from "../../ring/modular.js";
import { toCoefficients, toNtt } from "../../ring/transforms.js";
import type { RnsPoly } from "../../ring/poly.js";

/** a b mod p for integers a, b in [0, 2^30) and a prime p < 2^31 (exact in float64). */
export function mulMod(a: number, b: number, p: number): number {
  const high = Math.floor(b / 32768);
  const low = b - high * 32768;
  return (((a * high) % p) * 32768 + a * low) % p;
}

/** Constants of the exact centered lift from the base primes to another prime. */
class LiftTable {
  /** inverse[i][l] = q_l^-1 mod q_i, l < i (Garner). */
  readonly inverse: number[][];
  /** Mixed-radix digits of floor(Q_0 / 2), most significant last. */
  readonly halfDigits: number[];

  constructor(readonly base: readonly number[]) {
    this.inverse = base.map((qi, i) => base.slice(0, i).map((ql) => invMod(ql % qi, qi)));
    let rest = base.reduce((acc, q) => acc * BigInt(q), 1n) / 2n;
    this.halfDigits = base.map((q) => {
      const digit = Number(rest % BigInt(q));
      rest /= BigInt(q);
      return digit;
    });
  }

  /** (prod_(l < i) q_l mod p for each i, Q_0 mod p). */
  weights(p: number): { radix: number[]; product: number } {
    let running = 1n;
    const radix = this.base.map((q) => {
      const weight = Number(running % BigInt(p));
      running *= BigInt(q);
      return weight;
    });
    return { radix, product: Number(running % BigInt(p)) };
  }
}

/**
 * Lifts `poly` (NTT form over the base primes) to a new polynomial over the top-level basis
 * (NTT form) holding the centered representatives of its coefficients.
 */
function liftPoly(params: Parameters, poly: RnsPoly, table: LiftTable): RnsPoly {
  const { n } = params;
  const k = params.basePrimeCount;
  using coefficients = clone(poly, { scoped: true });
  toCoefficients(coefficients);
  const residues = Array.from({ length: k }, (_, i) => readLimb(coefficients, i));
  // Mixed-radix digits d_0 + d_1 q_0 + d_2 q_0 q_1 + ... of each coefficient in [0, Q_0).
  const digits = residues.map((r) => Float64Array.from(r));
  for (let i = 1; i < k; i++) {
    const qi = table.base[i]!;
    for (let l = 0; l < i; l++) {
      const inverse = table.inverse[i]![l]!;
      const dl = digits[l]!;
      const di = digits[i]!;
      for (let j = 0; j < n; j++) di[j] = mulMod((di[j]! - (dl[j]! % qi) + qi) % qi, inverse, qi);
    }
  }
  const negative = new Uint8Array(n);
  for (let j = 0; j < n; j++) {
    // x > floor(Q_0 / 2): compare digits from the most significant.
    let i = k - 1;
    while (i > 0 && digits[i]![j] === table.halfDigits[i]) i--;
    negative[j] = digits[i]![j]! > table.halfDigits[i]! ? 1 : 0;
  }
  const top = params.basisQ(params.maxLevel);
  const out = params.ring.allocate(top);
  try {
    top.primes.forEach((p, index) => {
      if (index < k) {
        writeLimb(out, index, residues[index]!);
        return;
      }
      const { radix, product } = table.weights(p);
      const limb = new Uint32Array(n);
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let i = 0; i < k; i++) acc = (acc + mulMod(digits[i]![j]! % p, radix[i]!, p)) % p;
        if (negative[j] === 1) acc = (acc - product + p) % p;
        limb[j] = acc;
      }
      writeLimb(out, index, limb);
    });
    toNtt(out);
  } catch (error) {
    out.dispose();
    throw error;
  }
  return out;
}

/**
 * The ciphertext `ct` (degree 1 at level 0) over the top-level modulus, with the scale
 * `scale` recorded (the caller's choice: the raised polynomial m + Q_0 I is read at it).
 */
export function modRaise(params: Parameters, ct: CiphertextState, scale: number): Ciphertext {
  const table = params.ring.memo(`mod-raise:${params.fingerprint}`, () => new LiftTable(params.qPrimes.slice(0, params.basePrimeCount)));
  const polys: RnsPoly[] = [];
  try {
    for (const poly of ct.polys) polys.push(liftPoly(params, poly, table));
  } catch (error) {
    for (const poly of polys) poly.dispose();
    throw error;
  }
  return new Ciphertext(params, polys, params.maxLevel, scale, ct.slots);
}
