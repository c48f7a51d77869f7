import { Ciphertext } from "../ciphertext.js";
import { decompose } from "../key-switching.js";
import { GaloisKeys, SwitchingKey } from "../keys.js";
import { checkParameters, checkSameParameters, type Parameters } from "../parameters.js";
import type { Plaintext } from "../plaintext.js";
import { add, addScalar, clone, mulCoeffs, mulScalar, neg, squareCoeffs, sub, tensorCoeffs } from "../ring/arithmetic.js";
import { conjugationGaloisElement } from "../ring/automorphism.js";
import { describe, FheError, isInteger } from "../ring/errors.js";
import type { RnsPoly } from "../ring/poly.js";
import {
  alignForAddition, dropToLevel, droppedModulus, rescaledScale, rescaleOperand, viewsAtLevel, type Operand,
} from "./alignment.js";
import {
  checkCiphertext, checkConstant, checkConstantFits, checkKeyLive, checkPlaintext, checkSlots, type Complex, scaleBelowModulus,
} from "./checks.js";
import { constantPoly, imaginaryUnit, roundToBigInt } from "./constants.js";
import { applyGalois, galoisKeyFor, relinearizeWith, rotatedFromDigits } from "./key-switched.js";
import { exactRotationKey, planRotation } from "./rotation-plan.js";

/** Keys the evaluator may need: relinearization for mulRelin/relinearize, Galois keys for rotations. */
export interface EvaluatorKeys {
  readonly relinearizationKey?: SwitchingKey;
  readonly galoisKeys?: GaloisKeys;
}

let galoisKeysOf: (evaluator: Evaluator) => GaloisKeys | undefined;
let relinearizationKeyOf: (evaluator: Evaluator, operation: string) => SwitchingKey;

/**
 * Homomorphic operations on ciphertexts. Every operation has an out-of-place form returning a
 * new ciphertext and an `...InPlace` form that overwrites its first operand. Operands at
 * different levels or scales are aligned automatically (the higher level is dropped; a scale
 * mismatch costs the higher operand one level); when that is impossible the error says why.
 */
export class Evaluator {
  private readonly relinearizationKey: SwitchingKey | undefined;
  private readonly galoisKeys: GaloisKeys | undefined;

  static {
    galoisKeysOf = (evaluator) => evaluator.galoisKeys;
    relinearizationKeyOf = (evaluator, operation) => evaluator.liveRelinearizationKey(operation);
  }

  constructor(readonly params: Parameters, keys: EvaluatorKeys = {}) {
    checkParameters(params, "create evaluator");
    const { relinearizationKey, galoisKeys } = keys ?? {};
    if (relinearizationKey !== undefined) {
      if (!(relinearizationKey instanceof SwitchingKey) || relinearizationKey.galoisElement !== 0) {
        throw new FheError("INVALID_ARGUMENT", "create evaluator", "relinearizationKey must be a relinearization key of these parameters");
      }
      checkSameParameters(params, relinearizationKey.params, "create evaluator", "relinearization key");
    }
    if (galoisKeys !== undefined) {
      if (!(galoisKeys instanceof GaloisKeys)) throw new FheError("INVALID_ARGUMENT", "create evaluator", "galoisKeys must be Galois keys of these parameters");
      checkSameParameters(params, galoisKeys.params, "create evaluator", "Galois keys");
    }
    this.relinearizationKey = relinearizationKey;
    this.galoisKeys = galoisKeys;
  }

  // ---------------------------------------------------------------- copies and levels

  /** True when the evaluator holds a relinearization key (products can be relinearized). */
  get canRelinearize(): boolean {
    return this.relinearizationKey !== undefined;
  }

  /** A deep copy of a ciphertext (same level, scale, slots and seed; independent memory). */
  copy(ciphertext: Ciphertext): Ciphertext {
    return this.outOfPlace(ciphertext, "copy ciphertext", () => undefined);
  }

  /**
   * Drops to a lower level by discarding primes (scale unchanged). The scale must fit the
   * modulus at the target level (log2(scale) < log2(Q_level)), as every ciphertext's must.
   */
  dropLevel(ciphertext: Ciphertext, level: number): Ciphertext {
    return this.outOfPlace(ciphertext, "drop level", (ct) => this.dropLevelInPlace(ct, level));
  }

  /** In-place {@link dropLevel}: `ciphertext` is changed; same preconditions. */
  dropLevelInPlace(ciphertext: Ciphertext, level: number): void {
    const operation = "drop level";
    const ct = checkCiphertext(this.params, ciphertext, operation);
    if (!isInteger(level) || level < 0 || level > ct.level) {
      throw new FheError("INVALID_ARGUMENT", operation, `the target level must be an integer in [0, ${ct.level}], got ${describe(level)}`);
    }
    if (!scaleBelowModulus(this.params, ct.scale, level)) {
      let lowest = level + 1;
      while (!scaleBelowModulus(this.params, ct.scale, lowest)) lowest++;
      throw new FheError("INVALID_ARGUMENT", operation,
        `the scale 2^${Math.log2(ct.scale).toFixed(1)} does not fit the ${this.params.logModulus(level).toFixed(0)}-bit modulus at level ${level}; ` +
        `rescale first, or drop to level ${lowest} or above`);
    }
    dropToLevel(this.params, ct, level);
    ct.seed = undefined;
  }

  /**
   * Divides by the primes of the current level: level - 1, scale / q_level. Refused at level 0
   * and when the scale would drop below 1 (a ciphertext that was not multiplied).
   */
  rescale(ciphertext: Ciphertext): Ciphertext {
    return this.outOfPlace(ciphertext, "rescale", (ct) => this.rescaleInPlace(ct));
  }

  /** In-place {@link rescale}: `ciphertext` is changed; same preconditions. */
  rescaleInPlace(ciphertext: Ciphertext): void {
    const operation = "rescale";
    const ct = checkCiphertext(this.params, ciphertext, operation);
    if (ct.level > 0 && !(rescaledScale(this.params, ct.level, ct.scale) >= 1)) {
      const dropped = Math.log2(Number(droppedModulus(this.params, ct.level)));
      throw new FheError("INVALID_ARGUMENT", operation,
        `the scale 2^${Math.log2(ct.scale).toFixed(1)} would drop below 1 when divided by the primes of level ${ct.level} (${dropped.toFixed(0)} bits); ` +
        `rescale only after a multiplication (which multiplies the scales), or encode at a scale above 2^${dropped.toFixed(0)}`);
    }
    rescaleOperand(this.params, ct, operation);
    ct.seed = undefined;
  }

  // ---------------------------------------------------------------- additions

  /**
   * The slot-wise sum a + b, at the lower of the two levels. Both operands must use these
   * parameters and pack the same number of slots; levels and scales are aligned automatically
   * (see the class comment), and a degree-2 operand gives a degree-2 result.
   */
  add(a: Ciphertext, b: Ciphertext): Ciphertext {
    return this.combine(a, b, "add", add) ?? this.outOfPlace(a, "add", (ct) => this.addInPlace(ct, b));
  }

  /** In-place {@link add}: a becomes a + b (b is unchanged). */
  addInPlace(a: Ciphertext, b: Ciphertext): void {
    this.combineInPlace(a, b, "add", add);
  }

  /** The slot-wise difference a - b; operands and alignment as for {@link add}. */
  sub(a: Ciphertext, b: Ciphertext): Ciphertext {
    return this.combine(a, b, "subtract", sub) ?? this.outOfPlace(a, "subtract", (ct) => this.subInPlace(ct, b));
  }

  /** In-place {@link sub}: a becomes a - b (b is unchanged). */
  subInPlace(a: Ciphertext, b: Ciphertext): void {
    this.combineInPlace(a, b, "subtract", sub);
  }

  /** The slot-wise negation -a (level, scale and slots unchanged; exact, no noise added). */
  negate(a: Ciphertext): Ciphertext {
    return this.outOfPlace(a, "negate", (ct) => this.negateInPlace(ct));
  }

  /** In-place {@link negate}: a becomes -a. */
  negateInPlace(a: Ciphertext): void {
    const ct = checkCiphertext(this.params, a, "negate");
    for (const poly of ct.polys) neg(poly, poly);
    ct.seed = undefined;
  }

  /**
   * The slot-wise sum of a ciphertext and a plaintext (encoded with these parameters and the
   * same slot count); levels and scales are aligned as for {@link add}. Adds no noise.
   */
  addPlain(a: Ciphertext, b: Plaintext): Ciphertext {
    return this.outOfPlace(a, "add plaintext", (ct) => this.addPlainInPlace(ct, b));
  }

  /** In-place {@link addPlain}: a becomes a + b. */
  addPlainInPlace(a: Ciphertext, b: Plaintext): void {
    this.combinePlainInPlace(a, b, "add plaintext", add);
  }

  /** The slot-wise difference of a ciphertext and a plaintext; as {@link addPlain}. */
  subPlain(a: Ciphertext, b: Plaintext): Ciphertext {
    return this.outOfPlace(a, "subtract plaintext", (ct) => this.subPlainInPlace(ct, b));
  }

  /** In-place {@link subPlain}: a becomes a - b. */
  subPlainInPlace(a: Ciphertext, b: Plaintext): void {
    this.combinePlainInPlace(a, b, "subtract plaintext", sub);
  }

  /** Adds a real or complex constant to every slot. */
  addConstant(a: Ciphertext, constant: number | Complex): Ciphertext {
    return this.outOfPlace(a, "add constant", (ct) => this.addConstantInPlace(ct, constant));
  }

  /** In-place {@link addConstant}: every slot of a gains the constant. */
  addConstantInPlace(a: Ciphertext, constant: number | Complex): void {
    const operation = "add constant";
    const ct = checkCiphertext(this.params, a, operation);
    const c = checkConstant(constant, operation);
    checkConstantFits(this.params, Math.hypot(c.re, c.im) * ct.scale, ct.level, operation);
    const c0 = ct.polys[0]!;
    addScalar(c0, c0, roundToBigInt(c.re * ct.scale));
    if (c.im !== 0) {
      using term = this.params.ring.allocate(c0.basis, { ntt: true, scoped: true });
      mulScalar(term, imaginaryUnit(this.params, c0.basis), roundToBigInt(c.im * ct.scale));
      add(c0, c0, term);
    }
    ct.seed = undefined;
  }

  // ---------------------------------------------------------------- multiplications

  /** Ciphertext product of degree 2 (relinearize it, or use {@link mulRelin}); scale multiplies. */
  multiply(a: Ciphertext, b: Ciphertext): Ciphertext {
    const operation = "multiply";
    const x = checkCiphertext(this.params, a, operation, 1);
    const y = checkCiphertext(this.params, b, operation, 1);
    checkSlots(x, y, operation);
    const level = Math.min(x.level, y.level);
    const scale = this.productScale(x.scale, y.scale, level, operation);
    const [x0, x1] = viewsAtLevel(this.params, x, level) as [RnsPoly, RnsPoly];
    const [y0, y1] = viewsAtLevel(this.params, y, level) as [RnsPoly, RnsPoly];
    try {
      const { ring } = this.params;
      const basis = x0.basis;
      const d0 = ring.allocate(basis, { ntt: true });
      const d1 = ring.allocate(basis, { ntt: true });
      const d2 = ring.allocate(basis, { ntt: true });
      tensorCoeffs([d0, d1, d2], [x0, x1], [y0, y1]);
      return new Ciphertext(this.params, [d0, d1, d2], level, scale, x.slots);
    } finally {
      for (const view of [x0, x1, y0, y1]) view.dispose();
    }
  }

  /** The square of a ciphertext, of degree 2. */
  square(a: Ciphertext): Ciphertext {
    const operation = "square";
    const x = checkCiphertext(this.params, a, operation, 1);
    const scale = this.productScale(x.scale, x.scale, x.level, operation);
    const { ring } = this.params;
    const [x0, x1] = x.polys as [RnsPoly, RnsPoly];
    const d0 = ring.allocate(x0.basis, { ntt: true });
    const d1 = ring.allocate(x0.basis, { ntt: true });
    const d2 = ring.allocate(x0.basis, { ntt: true });
    squareCoeffs([d0, d1, d2], [x0, x1]);
    return new Ciphertext(this.params, [d0, d1, d2], x.level, scale, x.slots);
  }

  /** Multiply then relinearize (degree 1 result; rescale separately). */
  mulRelin(a: Ciphertext, b: Ciphertext): Ciphertext {
    const product = this.multiply(a, b);
    try {
      this.relinearizeInPlace(product);
    } catch (error) {
      product.dispose();
      throw error;
    }
    return product;
  }

  /**
   * The slot-wise product of a ciphertext and a plaintext (same parameters and slot count), at
   * the lower of the two levels; the scales multiply, so rescale afterwards as after
   * {@link mulRelin}. The product of the scales must fit the modulus at that level. Needs no key.
   */
  multiplyPlain(a: Ciphertext, b: Plaintext): Ciphertext {
    return this.outOfPlace(a, "multiply by plaintext", (ct) => this.multiplyPlainInPlace(ct, b));
  }

  /** In-place {@link multiplyPlain}: a becomes a · b. */
  multiplyPlainInPlace(a: Ciphertext, b: Plaintext): void {
    const operation = "multiply by plaintext";
    const ct = checkCiphertext(this.params, a, operation);
    const pt = checkPlaintext(this.params, b, operation);
    checkSlots(ct, pt, operation);
    const level = Math.min(ct.level, pt.level);
    const scale = this.productScale(ct.scale, pt.scale, level, operation);
    dropToLevel(this.params, ct, level);
    const [view] = viewsAtLevel(this.params, { polys: [pt.poly], level: pt.level, scale: pt.scale }, level) as [RnsPoly];
    try {
      for (const poly of ct.polys) mulCoeffs(poly, poly, view);
    } finally {
      view.dispose();
    }
    ct.scale = scale;
    ct.seed = undefined;
  }

  /**
   * Multiplies every slot by a real or complex constant. The constant is scaled by the primes
   * of the current level (so a following rescale restores the scale); at level 0 only
   * integer constants are accepted (scale 1).
   */
  multiplyConstant(a: Ciphertext, constant: number | Complex): Ciphertext {
    return this.outOfPlace(a, "multiply by constant", (ct) => this.multiplyConstantInPlace(ct, constant));
  }

  /** In-place {@link multiplyConstant}: every slot of a is multiplied by the constant. */
  multiplyConstantInPlace(a: Ciphertext, constant: number | Complex): void {
    const operation = "multiply by constant";
    const ct = checkCiphertext(this.params, a, operation);
    const c = checkConstant(constant, operation);
    let constantScale = 1;
    if (ct.level > 0) constantScale = Number(droppedModulus(this.params, ct.level));
    else if (!Number.isInteger(c.re) || !Number.isInteger(c.im)) {
      throw new FheError("INVALID_ARGUMENT", operation, "at level 0 only integer constants can be multiplied (no level is left to rescale)");
    }
    const scale = this.productScale(ct.scale, constantScale, ct.level, operation);
    checkConstantFits(this.params, Math.hypot(c.re, c.im) * scale, ct.level, operation);
    const re = roundToBigInt(c.re * constantScale);
    const im = roundToBigInt(c.im * constantScale);
    if (im === 0n) {
      for (const poly of ct.polys) mulScalar(poly, poly, re);
    } else {
      using factor = constantPoly(this.params, ct.polys[0]!.basis, re, im);
      for (const poly of ct.polys) mulCoeffs(poly, poly, factor);
    }
    ct.scale = scale;
    ct.seed = undefined;
  }

  /**
   * Multiplies every slot by i (sign 1) or -i (sign -1) in place: a product by ±X^(N/2), exact,
   * with no change of level or scale (any degree).
   */
  multiplyByIInPlace(a: Ciphertext, sign: 1 | -1 = 1): void {
    const operation = "multiply by i";
    const ct = checkCiphertext(this.params, a, operation);
    if (sign !== 1 && sign !== -1) throw new FheError("INVALID_ARGUMENT", operation, `sign must be 1 or -1, got ${describe(sign)}`);
    const unit = imaginaryUnit(this.params, ct.polys[0]!.basis);
    for (const poly of ct.polys) {
      mulCoeffs(poly, poly, unit);
      if (sign === -1) neg(poly, poly);
    }
    ct.seed = undefined;
  }

  /** Relinearizes a degree-2 ciphertext to degree 1 (needs the relinearization key). */
  relinearize(a: Ciphertext): Ciphertext {
    return this.outOfPlace(a, "relinearize", (ct) => this.relinearizeInPlace(ct));
  }

  /** In-place {@link relinearize}: a becomes degree 1 (a no-op for degree 1). */
  relinearizeInPlace(a: Ciphertext): void {
    const operation = "relinearize";
    const ct = checkCiphertext(this.params, a, operation);
    if (ct.degree < 2) return;
    relinearizeWith(this.params, this.liveRelinearizationKey(operation), ct);
  }

  /** The relinearization key, checked live; MISSING_KEY when the evaluator has none. */
  private liveRelinearizationKey(operation: string): SwitchingKey {
    const key = this.relinearizationKey;
    if (key === undefined) {
      throw new FheError("MISSING_KEY", operation, "the evaluator has no relinearization key: pass { relinearizationKey: keyGenerator.createRelinearizationKey() } to the Evaluator");
    }
    checkKeyLive(key, operation);
    return key;
  }

  // ---------------------------------------------------------------- rotations

  /**
   * Rotates the slots left by `steps` (right for negative steps), cyclically over the
   * ciphertext's slots. Uses the Galois key for `steps`, else a composition of power-of-two
   * keys; a missing key is a MISSING_KEY error naming the createGaloisKeys call that provides it.
   */
  rotate(a: Ciphertext, steps: number): Ciphertext {
    return this.outOfPlace(a, "rotate", (ct) => this.rotateInPlace(ct, steps));
  }

  /** In-place {@link rotate}: the slots of a move by `steps`. */
  rotateInPlace(a: Ciphertext, steps: number): void {
    const operation = "rotate";
    const ct = checkCiphertext(this.params, a, operation, 1);
    if (!isInteger(steps)) throw new FheError("INVALID_ARGUMENT", operation, `steps must be an integer, got ${describe(steps)}`);
    for (const element of planRotation(this.params.n, this.galoisKeys, steps, ct.slots)) {
      applyGalois(this.params, galoisKeyFor(this.galoisKeys, element, operation, `{ steps: [${steps}] }`), ct, element);
    }
  }

  /** Complex conjugation of every slot. */
  conjugate(a: Ciphertext): Ciphertext {
    return this.outOfPlace(a, "conjugate", (ct) => this.conjugateInPlace(ct));
  }

  /** In-place {@link conjugate}: every slot of a is conjugated. */
  conjugateInPlace(a: Ciphertext): void {
    const ct = checkCiphertext(this.params, a, "conjugate", 1);
    const element = conjugationGaloisElement(this.params.n);
    applyGalois(this.params, galoisKeyFor(this.galoisKeys, element, "conjugate", "{ conjugate: true }"), ct, element);
  }

  /**
   * Rotations of one ciphertext by several steps sharing one key-switching decomposition
   * (hoisting). Every step needs its exact Galois key. Returns one ciphertext per step.
   */
  rotateHoisted(a: Ciphertext, steps: readonly number[]): Ciphertext[] {
    const operation = "rotate (hoisted)";
    const ct = checkCiphertext(this.params, a, operation, 1);
    if (!Array.isArray(steps) || steps.some((s) => !isInteger(s))) {
      throw new FheError("INVALID_ARGUMENT", operation, "steps must be an array of integers");
    }
    const elements = steps.map((s) => exactRotationKey(this.params.n, this.galoisKeys, s, ct.slots, operation));
    const keys = elements.map((k, i) => (k === 1 ? undefined : galoisKeyFor(this.galoisKeys, k, operation, `{ steps: [${steps[i]}] }`)));
    const digits = elements.some((k) => k !== 1) ? decompose(this.params, ct.polys[1]!, ct.level) : [];
    try {
      return elements.map((k, i) => {
        const key = keys[i];
        if (key === undefined) return this.copy(a);
        return new Ciphertext(this.params, rotatedFromDigits(this.params, ct, digits, key, k), ct.level, ct.scale, ct.slots);
      });
    } finally {
      for (const digit of digits) digit.dispose();
    }
  }

  /**
   * Sum of the rotations by 0 .. count-1 (count a power of two dividing the slots, default all
   * slots): every slot j receives sum_i v[(j + i) mod slots]. Uses log2(count) rotations.
   */
  rotateAndSum(a: Ciphertext, count?: number): Ciphertext {
    const operation = "rotate and sum";
    const ct = checkCiphertext(this.params, a, operation, 1);
    const total = count ?? ct.slots;
    if (!isInteger(total) || total < 1 || total > ct.slots || (total & (total - 1)) !== 0) {
      throw new FheError("INVALID_ARGUMENT", operation, `count must be a power of two in [1, ${ct.slots}], got ${describe(count)}`);
    }
    const result = this.copy(a);
    try {
      for (let step = 1; step < total; step *= 2) {
        using rotated = this.rotate(result, step);
        this.addInPlace(result, rotated);
      }
    } catch (error) {
      result.dispose();
      throw error;
    }
    return result;
  }

  // ---------------------------------------------------------------- internals

  private outOfPlace(a: Ciphertext, operation: string, operate: (ct: Ciphertext) => void): Ciphertext {
    const ct = checkCiphertext(this.params, a, operation);
    const result = new Ciphertext(this.params, ct.polys.map((p) => clone(p)), ct.level, ct.scale, ct.slots, ct.seed);
    try {
      operate(result);
    } catch (error) {
      result.dispose();
      throw error;
    }
    return result;
  }

  /**
   * a (+/-) b into fresh polynomials when the operands are already aligned (same level, scale
   * and degree), saving the copy of a; undefined otherwise (the caller falls back to copying).
   */
  private combine(a: Ciphertext, b: Ciphertext, operation: string, combine: typeof add): Ciphertext | undefined {
    const x = checkCiphertext(this.params, a, operation);
    const y = checkCiphertext(this.params, b, operation);
    checkSlots(x, y, operation);
    if (x.level !== y.level || x.scale !== y.scale || x.degree !== y.degree) return undefined;
    const polys = x.polys.map((poly, i) => {
      const out = this.params.ring.allocate(poly.basis, { ntt: true });
      combine(out, poly, y.polys[i]!);
      return out;
    });
    return new Ciphertext(this.params, polys, x.level, x.scale, x.slots);
  }

  private combineInPlace(a: Ciphertext, b: Ciphertext, operation: string, combine: typeof add): void {
    const x = checkCiphertext(this.params, a, operation);
    const y = checkCiphertext(this.params, b, operation);
    checkSlots(x, y, operation);
    const aligned = alignForAddition(this.params, x, y, operation);
    try {
      aligned.polys.forEach((poly, i) => {
        const target = x.polys[i];
        if (target !== undefined) {
          combine(target, target, poly);
        } else {
          const extra = clone(poly);
          if (combine === sub) neg(extra, extra);
          x.polys.push(extra);
        }
      });
    } finally {
      aligned.release();
    }
    x.seed = undefined;
  }

  private combinePlainInPlace(a: Ciphertext, b: Plaintext, operation: string, combine: typeof add): void {
    const ct = checkCiphertext(this.params, a, operation);
    const pt = checkPlaintext(this.params, b, operation);
    checkSlots(ct, pt, operation);
    const operand: Operand = { polys: [pt.poly], level: pt.level, scale: pt.scale };
    const aligned = alignForAddition(this.params, ct, operand, operation);
    try {
      combine(ct.polys[0]!, ct.polys[0]!, aligned.polys[0]!);
    } finally {
      aligned.release();
    }
    ct.seed = undefined;
  }

  /** The scale of a product, checked against the modulus at `level`. */
  private productScale(a: number, b: number, level: number, operation: string): number {
    const scale = a * b;
    const logQ = this.params.logModulus(level);
    if (!(Math.log2(scale) < logQ - 1)) {
      const overflow = `the product's scale 2^${Math.log2(scale).toFixed(1)} would overflow the ${logQ.toFixed(0)}-bit modulus at level ${level}`;
      throw new FheError("INVALID_ARGUMENT", operation, level === 0
        ? `the multiplicative depth is exhausted: ${overflow}, and no level is left to rescale by; ` +
          `this computation needs more than the ${this.params.maxLevel} levels these parameters have ` +
          `(depth ${this.params.maxLevel + 1} or more: a preset with a larger depth, or fewer multiplications)`
        : `${overflow}; rescale the operands first (each rescale uses one of the ${level} levels left)`);
    }
    return scale;
  }
}

/**
 * @internal The Galois keys an evaluator holds, for circuits that switch keys themselves
 * (engine/circuits: hoisted linear transforms). Not part of the package's public API.
 */
export function evaluatorGaloisKeys(evaluator: Evaluator): GaloisKeys | undefined {
  return galoisKeysOf(evaluator);
}

/**
 * @internal The evaluator's live relinearization key, for circuits that switch keys themselves
 * (engine/circuits: relinearization fused with rescaling); MISSING_KEY naming `operation` when
 * it has none. Not part of the package's public API.
 */
export function evaluatorRelinearizationKey(evaluator: Evaluator, operation: string): SwitchingKey {
  return relinearizationKeyOf(evaluator, operation);
}
