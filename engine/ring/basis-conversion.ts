// Fast (approximate) RNS base conversion, the core of ModUp / ModDown in hybrid key switching
// and of dividing by several primes at once.

import type { RnsBasis } from "./basis.js";
import { FheError } from "./errors.js";
import { bigMod, invMod, mulMod, shoupCompanion } from "./modular.js";
import { checkOperands } from "./operands.js";
import { type RnsPoly, setNttForm } from "./poly.js";
import type { Ring } from "./ring.js";

/**
 * Precomputed constants for converting residues from basis `from` = {q_i} (product Q) to
 * basis `to` = {p_j}: y_j = sum_i [x_i (Q/q_i)^-1]_{q_i} (Q/q_i) mod p_j, which equals
 * x + u Q mod p_j for some integer 0 <= u < from.size (x the residues' CRT value in [0, Q)).
 */
export class BasisConverter {
  private readonly qHatInverse: number[];
  private readonly qHatInverseShoup: number[];
  /** Per source prime: the inverse NTT's last-stage constants (N^-1 and its last twiddle) times (Q/q_i)^-1, with Shoup companions. */
  private readonly scaledInverseNtt: { nInv: number; nInvShoup: number; lastTw: number; lastTwShoup: number }[];
  /** Heap block: nOut primes, then the nOut x nIn table of (Q/q_i mod p_j, Shoup) pairs. */
  private readonly constants: number;

  private constructor(readonly ring: Ring, readonly from: RnsBasis, readonly to: RnsBasis) {
    const product = from.product();
    this.qHatInverse = from.primes.map((q) => invMod(bigMod(product / BigInt(q), q), q));
    this.qHatInverseShoup = from.primes.map((q, i) => shoupCompanion(this.qHatInverse[i]!, q));
    this.scaledInverseNtt = from.moduli.map((m, i) => {
      const nInv = mulMod(m.nInv, this.qHatInverse[i]!, m.q);
      const lastTw = mulMod(m.lastTw, this.qHatInverse[i]!, m.q);
      return { nInv, nInvShoup: shoupCompanion(nInv, m.q), lastTw, lastTwShoup: shoupCompanion(lastTw, m.q) };
    });
    const nIn = from.size;
    const nOut = to.size;
    this.constants = ring.heap.allocate(4 * (nOut + 2 * nIn * nOut), "build base converter");
    const words = ring.heap.u32();
    const base = this.constants >>> 2;
    to.primes.forEach((p, j) => {
      words[base + j] = p;
      from.primes.forEach((q, i) => {
        const qHat = bigMod(product / BigInt(q), p);
        words[base + nOut + 2 * (j * nIn + i)] = qHat;
        words[base + nOut + 2 * (j * nIn + i) + 1] = shoupCompanion(qHat, p);
      });
    });
  }

  /** The converter between two bases of `ring` (cached). */
  static of(ring: Ring, from: RnsBasis, to: RnsBasis): BasisConverter {
    return ring.memo(`convert:${from.key}|${to.key}`, () => new BasisConverter(ring, from, to));
  }

  /** value (Q/q_i)^-1 mod q_i, the conversion's first step on a constant of source limb i. */
  scaledByInverse(i: number, value: number): number {
    return mulMod(value, this.qHatInverse[i]!, this.from.primes[i]!);
  }

  /**
   * Inverse NTT, in place, of `from.size` contiguous NTT-form limbs at `input` (values in
   * [0, 2q_i)) straight to the conversion's first step, x_i (Q/q_i)^-1 mod q_i in [0, q_i):
   * the multiplication is folded into the transform's last stage. Then {@link convertScaledLimbs}.
   */
  inverseNttScaled(input: number): void {
    const { heap, n } = this.ring;
    this.from.moduli.forEach((m, i) => {
      const c = this.scaledInverseNtt[i]!;
      heap.kernels.nttInverse(input + 4 * n * i, n, m.q, m.itw, m.itwShoup, c.nInv, c.nInvShoup, c.lastTw, c.lastTwShoup);
    });
  }

  /**
   * convertLimbs for limbs already multiplied by (Q/q_i)^-1 (by {@link inverseNttScaled}): the
   * `to.size` output limbs at `output`, fully reduced. The regions must not overlap.
   */
  convertScaledLimbs(output: number, scaled: number): void {
    this.ring.heap.kernels.baseConvertSum(output, scaled, this.ring.n, this.from.size, this.to.size, this.constants, this.constants + 4 * this.to.size);
  }

  /**
   * Converts `from.size` contiguous coefficient-form limbs at `input` into `to.size` contiguous
   * limbs at `output` (fully reduced). The regions must not overlap. With `secret`, the
   * scratch memory is zeroed before it is freed.
   */
  convertLimbs(output: number, input: number, secret = false): void {
    const { heap, n } = this.ring;
    const nIn = this.from.size;
    const scratchBytes = 4 * n * nIn;
    const scratch = heap.allocate(scratchBytes, "convert basis");
    try {
      this.from.moduli.forEach((m, i) => heap.kernels.mulScalarShoup(
        scratch + 4 * n * i, input + 4 * n * i, n, m.q, this.qHatInverse[i]!, this.qHatInverseShoup[i]!));
      this.convertScaledLimbs(output, scratch);
    } finally {
      if (secret) heap.zero(scratch, scratchBytes);
      heap.free(scratch, scratchBytes);
    }
  }
}

/**
 * out = fast base conversion of `a` (coefficient form, basis `from`) into `out`'s basis: each
 * coefficient becomes x + u Q for an integer 0 <= u < a.basis.size, reduced mod each p_j.
 */
export function convertBasis(out: RnsPoly, a: RnsPoly): void {
  const operation = "convert basis";
  checkOperands(operation, [a], "coefficient");
  checkOperands(operation, [out], "any");
  if (out.ring !== a.ring) throw new FheError("MISMATCHED_OPERANDS", operation, "operands belong to different rings");
  if (out.basis.primes.some((p) => a.basis.primes.includes(p))) {
    throw new FheError("INVALID_ARGUMENT", operation, "source and target bases must not share primes");
  }
  BasisConverter.of(a.ring, a.basis, out.basis).convertLimbs(out.limbAddress(0), a.limbAddress(0), a.secret);
  setNttForm(out, false);
}
