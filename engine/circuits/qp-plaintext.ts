// Extending an encoded plaintext from Q_level to Q_level P exactly, so that it can multiply
// rotations kept over Q P before their division by P (double hoisting). The encoder's
// coefficients are integers below 2^63, so a few primes of Q determine them: fast base
// conversion from those primes gives x + u B, and u = round(sum_i y_i / b_i) (the
// Halevi-Polyakov-Shoup estimate) removes the overflow exactly.

import type { Parameters } from "../parameters.js";
import { BasisConverter } from "../ring/basis-conversion.js";
import type { RnsBasis } from "../ring/basis.js";
import { clone } from "../ring/arithmetic.js";
import { bigMod, invMod, shoupCompanion } from "../ring/modular.js";
import { RnsPoly } from "../ring/poly.js";
import type { Ring } from "../ring/ring.js";
import { nttLimb, toCoefficients } from "../ring/transforms.js";

/** Bits of the sub-basis B: |x| < 2^63 must be far below B / 2 for the estimate of u. */
const subBasisBits = 66;

class LiftPlan {
  readonly converter: BasisConverter;
  /** (B / b_i)^-1 mod b_i with Shoup companions. */
  readonly hatInverse: number[];
  readonly hatInverseShoup: number[];
  /** B mod p_j. */
  readonly productModP: number[];

  constructor(ring: Ring, readonly sub: RnsBasis, p: RnsBasis) {
    this.converter = BasisConverter.of(ring, sub, p);
    const product = sub.product();
    this.hatInverse = sub.primes.map((b) => invMod(bigMod(product / BigInt(b), b), b));
    this.hatInverseShoup = sub.primes.map((b, i) => shoupCompanion(this.hatInverse[i]!, b));
    this.productModP = p.primes.map((q) => bigMod(product, q));
  }
}

/**
 * The plaintext polynomial `poly` (NTT form over Q at `level`, integer coefficients of
 * magnitude below 2^63 and below half the product of Q's first primes, as the encoder makes
 * them) over Q_level P, NTT form: the same integers reduced mod every prime. A new polynomial
 * owned by the caller.
 */
export function liftToQP(params: Parameters, poly: RnsPoly, level: number): RnsPoly {
  const { ring } = params;
  const { heap, n } = ring;
  const qLimbs = params.limbsAt(level);
  let limbs = 0;
  for (let bits = 0; limbs < qLimbs && bits < subBasisBits; limbs++) bits += Math.log2(params.qPrimes[limbs]!);
  const sub = ring.basis(params.qPrimes.slice(0, limbs));
  const pBasis = params.basisP();
  const plan = ring.memo(`lift-qp:${sub.key}|${pBasis.key}`, () => new LiftPlan(ring, sub, pBasis));

  using prefix = RnsPoly.prefixView(poly, sub);
  using coefficients = clone(prefix, { scoped: true });
  toCoefficients(coefficients);
  const out = ring.allocate(params.basisQP(level), { ntt: true });
  const scratchBytes = 4 * n * limbs;
  const scratch = heap.allocate(scratchBytes, "lift plaintext to Q P");
  try {
    heap.kernels.copyWords(out.limbAddress(0), poly.limbAddress(0), n * qLimbs);
    sub.moduli.forEach((m, i) => heap.kernels.mulScalarShoup(
      scratch + 4 * n * i, coefficients.limbAddress(i), n, m.q, plan.hatInverse[i]!, plan.hatInverseShoup[i]!));
    const firstP = out.limbAddress(qLimbs);
    plan.converter.convertLimbs(firstP, coefficients.limbAddress(0));
    const words = heap.u32();
    const y = scratch >>> 2;
    const target = firstP >>> 2;
    const primes = sub.primes;
    const pPrimes = pBasis.primes;
    for (let c = 0; c < n; c++) {
      let v = 0;
      for (let i = 0; i < limbs; i++) v += words[y + n * i + c]! / primes[i]!;
      const u = Math.round(v);
      if (u === 0) continue;
      for (let j = 0; j < pPrimes.length; j++) {
        const p = pPrimes[j]!;
        const index = target + n * j + c;
        const r = words[index]! - ((u * plan.productModP[j]!) % p);
        words[index] = r < 0 ? r + p : r;
      }
    }
    pBasis.moduli.forEach((m, j) => nttLimb(m, firstP + 4 * n * j));
  } catch (error) {
    out.dispose();
    throw error;
  } finally {
    heap.free(scratch, scratchBytes);
  }
  return out;
}
