// CKKS bootstrapping: ModRaise (and, below N/2 slots, the trace to the slots' subring),
// CoeffsToSlots, EvalMod, SlotsToCoeffs.
//
// A ciphertext at level 0 (scale D) decrypts to m, a polynomial whose coefficients are D times
// small numbers. ModRaise reads it over the top-level modulus: t = m + Q_0 I. CoeffsToSlots
// (the inverse special FFT, sparse factors) moves the coefficients into the slots as
// x_k = t_k / (K Q_0) in [-1, 1] (real and imaginary halves split by one conjugation). EvalMod
// computes sin(2 pi K x) ~ 2 pi m_k / Q_0 slot by slot. SlotsToCoeffs (the special FFT) moves
// them back; reading the result at scale 2 pi D / Q_0 times the EvalMod scale gives m / D
// again, at a higher level. Levels, top down: CoeffsToSlots, EvalMod, SlotsToCoeffs.

import "../../ring/dispose-symbols.js";
import { Ciphertext, ciphertextState, type CiphertextState } from "../../ciphertext.js";
import { checkCiphertext } from "../../evaluator/checks.js";
import { droppedModulus, sameScale } from "../../evaluator/alignment.js";
import { Evaluator, evaluatorGaloisKeys } from "../../evaluator/evaluator.js";
import { applyGalois, galoisKeyFor } from "../../evaluator/key-switched.js";
import { OffHeapGaloisKeys } from "../../off-heap-keys.js";
import { conjugationGaloisElement, rotationGaloisElement } from "../../ring/automorphism.js";
import { clone, mulScalar } from "../../ring/arithmetic.js";
import { checkOptions, describe, FheError, isInteger, isPowerOfTwo } from "../../ring/errors.js";
import { galoisKeyBytes, type KeyBytesOptions } from "../bsgs.js";
import { Diagonals } from "../diagonals.js";
import { LinearTransform } from "../lintrans.js";
import { LinearTransformEvaluator } from "../lintrans-eval.js";
import { PolynomialEvaluator } from "../poly-eval.js";
import { planPolynomial, type PolynomialPlan } from "../poly-plan.js";
import type { Polynomial } from "../polynomial.js";
import { relinearizeRescaleInPlace } from "../relinearize-rescale.js";
import { coeffsToSlotsFactors, slotsToCoeffsFactors } from "./dft-factors.js";
import { arcsinePolynomial, evalModError, evalModPolynomial } from "./eval-mod.js";
import { log2FailureProbability, smallestK } from "./failure.js";
import { EncapsulationKeys } from "./encapsulation.js";
import { modRaise } from "./mod-raise.js";
import type { Parameters } from "../../parameters.js";

/** The shape of a bootstrapping circuit. Every field has a default. */
export interface BootstrappingLiteral {
  /**
   * Slots of the ciphertexts bootstrapped: a power of two in [2, N/2] (default N/2). Fewer
   * slots cost log2(N / (2 slots)) more key switches (the trace that clears the coefficients
   * outside the slots' subring) and fewer DFT stages.
   */
  readonly slots?: number;
  /** Levels of CoeffsToSlots: an integer in [1, log2(slots)] (default min(3, log2(slots))). */
  readonly coeffsToSlotsLevels?: number;
  /** Levels of SlotsToCoeffs: an integer in [1, log2(slots)] (default min(3, log2(slots))). */
  readonly slotsToCoeffsLevels?: number;
  /**
   * Bound K on the modulus raise's overflow |I|, an integer in [1, 4096] (default: the smallest
   * K with a failure probability of at most 2^-128 for the secret's Hamming weight).
   */
  readonly k?: number;
  /** Degree of the scaled-cosine interpolant, an integer in [2, 255] (default 30). */
  readonly degree?: number;
  /** Double-angle steps, an integer in [0, 10] (default 3). */
  readonly doubleAngles?: number;
  /**
   * Hamming weight of the ephemeral secret of sparse-secret encapsulation (see
   * encapsulation.ts; 32 is Lattigo's choice): the raise then runs under it, K follows from it,
   * and the bootstrapper needs EncapsulationKeys of this weight. Absent: no encapsulation, K
   * from the main secret's weight (a dense main secret then needs an explicit k).
   */
  readonly ephemeralHammingWeight?: number;
  /**
   * Arcsine correction after the double angles (default false): arcsin(y) ~ y + y^3 / 6, 2 more
   * levels and 2 relinearizations per half. It removes the sine's own error, (2 pi m / Q_0)^2 / 6
   * relative on the coefficients, which matters when Q_0 / scale is small and EvalMod's noise is not
   * what limits the precision.
   */
  readonly arcsine?: boolean;
}

/** The literal with defaults filled in (ephemeralHammingWeight 0: no encapsulation). */
export type BootstrappingShape = Readonly<Required<BootstrappingLiteral>>;

/** Options of the {@link Bootstrapper} constructor. */
export interface BootstrapperOptions {
  /**
   * Galois keys kept outside the heap (OffHeapGaloisKeys.generate with rotationSteps()):
   * each transform loads only its keys, and the encoded diagonals move out of the heap between
   * uses, for rings whose bootstrapping keys do not fit the 4 GiB heap (N = 2^16). Without
   * it the evaluator's own Galois keys are used.
   */
  readonly keys?: OffHeapGaloisKeys;
  /** The keys of sparse-secret encapsulation, required when the shape has ephemeralHammingWeight (of that weight). */
  readonly encapsulation?: EncapsulationKeys;
}

/** What a bootstrapping does, predicted at construction (see {@link Bootstrapper.plan}). */
export interface BootstrappingPlan {
  readonly shape: BootstrappingShape;
  readonly slots: number;
  /** Level of the raised ciphertext (the top level). */
  readonly inputLevel: number;
  /** Level after CoeffsToSlots, after EvalMod, after SlotsToCoeffs (the result's level). */
  readonly afterCoeffsToSlots: number;
  readonly afterEvalMod: number;
  readonly outputLevel: number;
  /** Levels the circuit consumes (inputLevel - outputLevel). */
  readonly depth: number;
  /** The result's scale: the parameters' scale. */
  readonly outputScale: number;
  /** max |EvalMod twin - sin(2 pi K x)| near the integers, or - 2 pi e with the arcsine correction (see evalModError). */
  readonly evalModError: number;
  /** log2 of the failure probability (|I| >= K somewhere), from the secret's Hamming weight. */
  readonly log2FailureProbability: number;
  /** Key switches of one bootstrapping (rotations, the conjugation, relinearizations). */
  readonly keySwitches: number;
  /** Exactly the rotation steps the evaluator needs Galois keys for (plus the conjugation key). */
  readonly rotationSteps: readonly number[];
}

const operation = "bootstrap";

/** The stages of one bootstrapping, in order. */
export type BootstrappingStage = "ModRaise" | "CoeffsToSlots" | "EvalMod" | "SlotsToCoeffs";

/** Options of {@link Bootstrapper.bootstrap}. */
export interface BootstrapOptions {
  /** Called after each stage with its name and its wall-clock seconds (progress reporting). */
  readonly onStage?: (stage: BootstrappingStage, seconds: number) => void;
  /**
   * 1 (default) or 2: two passes (META-BTS, Bossuat et al.) bootstrap the first pass's error
   * again and subtract it, which roughly doubles the precision for twice the time and no extra
   * level; the result then keeps the input's scale instead of the parameters'.
   */
  readonly iterations?: number;
  /** Bits the first pass's error is amplified by before the second pass (integer in [1, 30], default 8). */
  readonly residualBits?: number;
  /**
   * The ciphertext packs M slots (M a power of two, a multiple of plan.slots) whose values repeat
   * with period plan.slots (for example weights replicated over blocks): it is bootstrapped as
   * its first plan.slots values and comes back with M slots, periodic again (default false:
   * the ciphertext must pack exactly plan.slots slots). Periodic values make the plaintext a
   * polynomial of the slots' subring, so this is exact; any noise outside it, the trace removes.
   */
  readonly periodic?: boolean;
}

/** Reads an optional integer field of the literal in [min, max]. */
function field(literal: BootstrappingLiteral, name: keyof BootstrappingLiteral, min: number, max: number, fallback: number): number {
  const value: unknown = literal[name];
  if (value === undefined) return fallback;
  if (!isInteger(value) || value < min || value > max) {
    throw new FheError("INVALID_PARAMETERS", "create bootstrapper", `${name} must be an integer in [${min}, ${max}], got ${describe(value)}`);
  }
  return value;
}

const literalKeys = new Set(["slots", "coeffsToSlotsLevels", "slotsToCoeffsLevels", "k", "degree", "doubleAngles", "ephemeralHammingWeight", "arcsine"]);

/**
 * The filled-in shape of a literal for `params`. Throws INVALID_PARAMETERS for an
 * unknown key, a field out of range, or a dense secret without an explicit K.
 */
export function bootstrappingShape(params: Parameters, literal: BootstrappingLiteral = {}): BootstrappingShape {
  if (literal === null || typeof literal !== "object") {
    throw new FheError("INVALID_PARAMETERS", "create bootstrapper", `the bootstrapping literal must be an object, got ${describe(literal)}`);
  }
  for (const key of Object.keys(literal)) {
    if (!literalKeys.has(key)) throw new FheError("INVALID_PARAMETERS", "create bootstrapper", `unknown bootstrapping field "${key}" (known: ${[...literalKeys].join(", ")})`);
  }
  const ephemeral: unknown = literal.ephemeralHammingWeight;
  if (ephemeral !== undefined && (!isInteger(ephemeral) || ephemeral < 1 || ephemeral > params.n)) {
    throw new FheError("INVALID_PARAMETERS", "create bootstrapper", `ephemeralHammingWeight must be an integer in [1, ${params.n}], got ${describe(ephemeral)}`);
  }
  const raiseWeight = ephemeral ?? params.hammingWeight;
  if (literal.k === undefined && raiseWeight === undefined) {
    throw new FheError("INVALID_PARAMETERS", "create bootstrapper",
      "these parameters use a dense secret (no hammingWeight), for which the default K (from the Hamming weight) does not exist; use sparse-secret encapsulation (ephemeralHammingWeight: 32), give k explicitly (see log2FailureProbability) or use parameters with a sparse secret");
  }
  const slots: unknown = literal.slots ?? params.maxSlots;
  if (!isInteger(slots) || !isPowerOfTwo(slots) || slots < 2 || slots > params.maxSlots) {
    throw new FheError("INVALID_PARAMETERS", "create bootstrapper", `slots must be a power of two in [2, ${params.maxSlots}], got ${describe(slots)}`);
  }
  const logSlots = Math.log2(slots);
  const arcsine: unknown = literal.arcsine ?? false;
  if (typeof arcsine !== "boolean") throw new FheError("INVALID_PARAMETERS", "create bootstrapper", `arcsine must be a boolean, got ${describe(arcsine)}`);
  return Object.freeze({
    slots,
    coeffsToSlotsLevels: field(literal, "coeffsToSlotsLevels", 1, logSlots, Math.min(3, logSlots)),
    slotsToCoeffsLevels: field(literal, "slotsToCoeffsLevels", 1, logSlots, Math.min(3, logSlots)),
    k: field(literal, "k", 1, 4096, Math.min(4096, smallestK(params.logN, raiseWeight, 128))),
    degree: field(literal, "degree", 2, 255, 30),
    doubleAngles: field(literal, "doubleAngles", 0, 10, 3),
    ephemeralHammingWeight: (ephemeral as number | undefined) ?? 0,
    arcsine,
  });
}

/**
 * Bootstraps ciphertexts of one parameter set and slot count (shape.slots, default N/2): a ciphertext at level 0
 * comes back at {@link BootstrappingPlan.outputLevel} with the same values (up to the stated
 * precision) at the parameters' scale. Needs an evaluator with the relinearization key, the
 * conjugation key and Galois keys for exactly {@link rotationSteps} (MISSING_KEY otherwise).
 * Owns the encoded CoeffsToSlots and SlotsToCoeffs diagonals: dispose() frees them.
 */
export class Bootstrapper implements Disposable {
  readonly params: Parameters;
  readonly plan: BootstrappingPlan;
  readonly #coeffsToSlots: LinearTransform[];
  readonly #slotsToCoeffs: LinearTransform[];
  readonly #polynomial: Polynomial;
  readonly #polynomialPlan: PolynomialPlan;
  /** The plan of the arcsine correction, when the shape asks for it. */
  readonly #arcsinePlan: PolynomialPlan | undefined;
  readonly #transforms: LinearTransformEvaluator;
  readonly #polynomials: PolynomialEvaluator;
  readonly #keys: OffHeapGaloisKeys | undefined;
  readonly #encapsulation: EncapsulationKeys | undefined;
  /** Rotation steps n 2^i of the trace for n < N/2 slots (see traceToSlots). */
  readonly #traceSteps: readonly number[];

  constructor(readonly evaluator: Evaluator, literal: BootstrappingLiteral = {}, options: BootstrapperOptions = {}) {
    const construct = "create bootstrapper";
    if (!(evaluator instanceof Evaluator)) throw new FheError("INVALID_ARGUMENT", construct, `expected an Evaluator, got ${describe(evaluator)}`);
    const params = evaluator.params;
    this.params = params;
    checkOptions(options, construct);
    const keys: unknown = options?.keys;
    if (keys !== undefined && !(keys instanceof OffHeapGaloisKeys)) {
      throw new FheError("INVALID_ARGUMENT", construct, `options.keys must be OffHeapGaloisKeys, got ${describe(keys)}`);
    }
    if (keys !== undefined && keys.params !== params) throw new FheError("MISMATCHED_OPERANDS", construct, "the off-heap keys use different parameters");
    this.#keys = keys;
    const shape = bootstrappingShape(params, literal);
    const encapsulation: unknown = options?.encapsulation;
    if (encapsulation !== undefined && !(encapsulation instanceof EncapsulationKeys)) {
      throw new FheError("INVALID_ARGUMENT", construct, `options.encapsulation must be EncapsulationKeys, got ${describe(encapsulation)}`);
    }
    if (encapsulation !== undefined && encapsulation.params !== params) throw new FheError("MISMATCHED_OPERANDS", construct, "the encapsulation keys use different parameters");
    if ((encapsulation?.hammingWeight ?? 0) !== shape.ephemeralHammingWeight) {
      throw new FheError(encapsulation === undefined ? "MISSING_KEY" : "INVALID_ARGUMENT", construct, shape.ephemeralHammingWeight > 0
        ? `the shape uses sparse-secret encapsulation of weight ${shape.ephemeralHammingWeight}: pass EncapsulationKeys.generate(keygen, ${shape.ephemeralHammingWeight}) as options.encapsulation${encapsulation === undefined ? "" : ` (these have weight ${encapsulation.hammingWeight})`}`
        : "encapsulation keys were given but the shape has no ephemeralHammingWeight");
    }
    this.#encapsulation = encapsulation;
    const built = buildCircuit(params, shape);
    if (keys !== undefined) {
      const missing = [...galoisElements(params, built.plan.rotationSteps), conjugationGaloisElement(params.n)].filter((k) => !keys.has(k));
      if (missing.length > 0) {
        for (const t of [...built.coeffsToSlots, ...built.slotsToCoeffs]) t.dispose();
        throw new FheError("MISSING_KEY", construct, `the off-heap keys lack ${missing.length} of the Galois keys bootstrapping needs; generate them with OffHeapGaloisKeys.generate(keygen, Bootstrapper.rotationSteps(params, literal))`);
      }
    }
    this.#coeffsToSlots = built.coeffsToSlots;
    this.#slotsToCoeffs = built.slotsToCoeffs;
    this.#polynomial = built.polynomial;
    this.#polynomialPlan = built.polynomialPlan;
    this.#arcsinePlan = built.arcsinePlan;
    this.#traceSteps = built.traceSteps;
    this.plan = built.plan;
    this.#transforms = new LinearTransformEvaluator(evaluator);
    this.#polynomials = new PolynomialEvaluator(evaluator);
  }

  /** The plan of a bootstrapper of this shape (levels, key switches, rotation steps), without keys or a bootstrapper. */
  static planFor(params: Parameters, literal: BootstrappingLiteral = {}): BootstrappingPlan {
    const built = buildCircuit(params, bootstrappingShape(params, literal));
    for (const t of [...built.coeffsToSlots, ...built.slotsToCoeffs]) t.dispose();
    return built.plan;
  }

  /** The rotation steps a bootstrapper of this shape needs, without building one. */
  static rotationSteps(params: Parameters, literal: BootstrappingLiteral = {}): number[] {
    return [...Bootstrapper.planFor(params, literal).rotationSteps];
  }

  /**
   * Serialized bytes of the Galois keys (rotations and conjugation: serializeGaloisKeys) plus
   * those of the relinearization key (serializeSwitchingKey).
   */
  keyBytes(options: KeyBytesOptions = {}): number {
    checkOptions(options, "compute key size");
    // A lone switching key has the same header, body and CRC as a one-key Galois set, minus its 2-byte key count.
    const relinearizationKeyBytes = galoisKeyBytes(this.params, 1, options) - 2;
    return galoisKeyBytes(this.params, this.plan.rotationSteps.length + 1, options) + relinearizationKeyBytes;
  }

  /**
   * The bootstrapped copy of `ct`: degree 1, level 0, plan.slots slots (FheError otherwise). Returns a
   * new ciphertext at plan.outputLevel and the parameters' scale (the input's scale with
   * `iterations: 2`); `ct` is not modified.
   */
  bootstrap(ct: Ciphertext, options: BootstrapOptions = {}): Ciphertext {
    const { params } = this;
    const state = checkCiphertext(params, ct, operation, 1);
    checkOptions(options, operation);
    const onStage: unknown = options?.onStage;
    if (onStage !== undefined && typeof onStage !== "function") {
      throw new FheError("INVALID_ARGUMENT", operation, `onStage must be a function, got ${describe(onStage)}`);
    }
    const iterations = options?.iterations ?? 1;
    if (iterations !== 1 && iterations !== 2) throw new FheError("INVALID_ARGUMENT", operation, `iterations must be 1 or 2, got ${describe(iterations)}`);
    const residualBits = options?.residualBits ?? 8;
    if (!isInteger(residualBits) || residualBits < 1 || residualBits > 30) {
      throw new FheError("INVALID_ARGUMENT", operation, `residualBits must be an integer in [1, 30], got ${describe(residualBits)}`);
    }
    if (state.level !== 0) {
      throw new FheError("INVALID_ARGUMENT", operation, `the ciphertext is at level ${state.level}; bootstrapping takes ciphertexts at level 0 (drop it there with evaluator.dropLevel(ct, 0))`);
    }
    const periodic: unknown = options?.periodic ?? false;
    if (typeof periodic !== "boolean") throw new FheError("INVALID_ARGUMENT", operation, `periodic must be a boolean, got ${describe(periodic)}`);
    if (periodic ? state.slots % this.plan.slots !== 0 : state.slots !== this.plan.slots) {
      throw new FheError("INVALID_ARGUMENT", operation, `the ciphertext packs ${state.slots} slots; this bootstrapper takes ciphertexts of ${this.plan.slots} slots (its shape's slots)${periodic ? ", or of a multiple of them with periodic values" : " (or periodic values of a multiple of them with { periodic: true })"}`);
    }
    this.checkLive();
    if (state.slots === this.plan.slots) return this.bootstrapChecked(ct, state, iterations, residualBits, onStage as BootstrapOptions["onStage"]);
    using sparse = new Ciphertext(params, state.polys.map((poly) => clone(poly)), 0, state.scale, this.plan.slots);
    const result = this.bootstrapChecked(sparse, ciphertextState(sparse), iterations, residualBits, onStage as BootstrapOptions["onStage"]);
    ciphertextState(result).slots = state.slots;
    return result;
  }

  /** bootstrap() of a checked ciphertext of plan.slots slots. */
  private bootstrapChecked(ct: Ciphertext, state: CiphertextState, iterations: number, residualBits: number, report: BootstrapOptions["onStage"]): Ciphertext {
    const { params, evaluator } = this;
    if (iterations === 1) return this.pass(state, params.scale, report);
    // Two passes (META-BTS): x1 = BTS(ct) at the input's scale D, so that its level-0 copy minus
    // ct is its error e; its polynomial times 2^r (exact at level 0: 2^r e D stays far below
    // Q_0) holds 2^r e, which the second pass returns at scale D / 2^r: read at D, it is e with
    // the second pass's (absolute) error divided by 2^r. No level is lost.
    const first = this.pass(state, state.scale, report);
    try {
      const residual = evaluator.dropLevel(first, 0);
      try {
        evaluator.subInPlace(residual, ct);
        const amplified = ciphertextState(residual);
        for (const poly of amplified.polys) mulScalar(poly, poly, 2 ** residualBits);
        const correction = this.pass(amplified, state.scale / 2 ** residualBits, report);
        ciphertextState(correction).scale = state.scale;
        try {
          evaluator.subInPlace(first, correction);
        } finally {
          correction.dispose();
        }
      } finally {
        residual.dispose();
      }
    } catch (error) {
      first.dispose();
      throw error;
    }
    return first;
  }

  /** One bootstrapping of a checked ciphertext at level 0; the result is read at `outputScale`. */
  private pass(state: CiphertextState, outputScale: number, onStage: BootstrapOptions["onStage"]): Ciphertext {
    const { params, evaluator } = this;
    let started = performance.now();
    const stageDone = (stage: BootstrappingStage): void => {
      const now = performance.now();
      onStage?.(stage, (now - started) / 1000);
      started = now;
    };
    const owned: Ciphertext[] = [];
    const keep = <T extends Ciphertext>(c: T): T => {
      owned.push(c);
      return c;
    };
    try {
      let x: Ciphertext;
      if (this.#encapsulation === undefined) {
        x = keep(modRaise(params, state, params.scale));
      } else {
        const sparse = keep(new Ciphertext(params, state.polys.map((poly) => clone(poly)), 0, state.scale, state.slots));
        this.#encapsulation.switchToEphemeral(ciphertextState(sparse));
        x = keep(modRaise(params, ciphertextState(sparse), params.scale));
        this.#encapsulation.switchToMain(ciphertextState(x));
      }
      this.traceToSlots(x);
      stageDone("ModRaise");
      for (const transform of this.#coeffsToSlots) x = keep(this.applyTransform(x, transform));
      // Real parts t_k / (K Q_0) = x + conj(x), imaginary parts t_(k + N/2) / (K Q_0) = -i (x - conj(x)).
      const conjugate = keep(this.conjugate(x));
      const real = keep(evaluator.add(x, conjugate));
      const imaginary = keep(evaluator.sub(x, conjugate));
      evaluator.multiplyByIInPlace(imaginary, -1);
      stageDone("CoeffsToSlots");
      // EvalMod lands at scale sigma; read at sigma 2 pi D / Q_0 the slots are m / D.
      const q0 = Number(params.basisQ(0).product());
      const target = (outputScale * q0) / (2 * Math.PI * state.scale);
      const [re, im] = [real, imaginary].map((part) => keep(this.evalMod(part, target)));
      evaluator.multiplyByIInPlace(im!, 1);
      let y = keep(evaluator.add(re!, im!));
      const relabelled = ciphertextState(y);
      // Read at sigma 2 pi D / Q_0, that is outputScale up to the float64 rounding of the double
      // angles' scale chain (a relative 1e-15): record it exactly.
      const readAt = (relabelled.scale * 2 * Math.PI * state.scale) / q0;
      if (!sameScale(readAt, outputScale)) {
        throw new FheError("INVALID_ARGUMENT", operation, `internal error: EvalMod landed at scale 2^${Math.log2(readAt).toFixed(3)}, planned 2^${Math.log2(outputScale).toFixed(3)}`);
      }
      relabelled.scale = outputScale;
      stageDone("EvalMod");
      for (const transform of this.#slotsToCoeffs) y = keep(this.applyTransform(y, transform));
      stageDone("SlotsToCoeffs");
      owned.pop();
      if (ciphertextState(y).level !== this.plan.outputLevel) {
        throw new FheError("INVALID_ARGUMENT", operation, `internal error: the result is at level ${ciphertextState(y).level}, planned ${this.plan.outputLevel}`);
      }
      return y;
    } finally {
      for (const c of owned) c.dispose();
    }
  }

  /** transform(x); with off-heap keys, those stream in one at a time and the diagonals move out after. */
  private applyTransform(x: Ciphertext, transform: LinearTransform): Ciphertext {
    if (this.#keys === undefined) return this.#transforms.apply(x, transform);
    try {
      return new LinearTransformEvaluator(this.evaluator, { keys: this.#keys }).apply(x, transform);
    } finally {
      transform.moveOutOfHeap();
    }
  }

  /**
   * For n < N/2 slots, in place: x + tau(x) for the automorphisms X -> X^(5^(n 2^i)),
   * i < log2(N / 2n), which fix Y = X^(N/2n): the coefficients outside Z[Y] (the raise's
   * overflow there) cancel and those in it double at each step (the 1/gap is in CoeffsToSlots).
   */
  private traceToSlots(x: Ciphertext): void {
    const { params } = this;
    for (const step of this.#traceSteps) {
      const element = rotationGaloisElement(params.n, step);
      const rotated = this.evaluator.copy(x);
      try {
        if (this.#keys === undefined) {
          const key = galoisKeyFor(evaluatorGaloisKeys(this.evaluator), element, operation, `{ steps: [${step}] }`);
          applyGalois(params, key, ciphertextState(rotated), element);
        } else {
          using keys = this.#keys.load([element], operation);
          applyGalois(params, keys.get(element)!, ciphertextState(rotated), element);
        }
        this.evaluator.addInPlace(x, rotated);
      } finally {
        rotated.dispose();
      }
    }
  }

  /**
   * conj(x), a new ciphertext, with the conjugation key the bootstrapper uses (the off-heap one
   * if it has off-heap keys, else the evaluator's): bootstrapped values often need splitting into
   * real and imaginary parts.
   */
  conjugate(x: Ciphertext): Ciphertext {
    this.checkLive();
    if (this.#keys === undefined) return this.evaluator.conjugate(x);
    using keys = this.#keys.load([conjugationGaloisElement(this.params.n)], operation);
    return new Evaluator(this.params, { galoisKeys: keys }).conjugate(x);
  }

  /**
   * sin(2 pi K x) slot-wise at scale `target`: the polynomial, then the double angles (and the
   * arcsine correction, whose input is at the parameters' scale as planned).
   */
  private evalMod(x: Ciphertext, target: number): Ciphertext {
    const { params, evaluator } = this;
    const { doubleAngles } = this.plan.shape;
    const levelAfterPolynomial = this.#polynomialPlan.output.level;
    // Backwards: a double angle at level l maps scale s to s^2 / q_l.
    let scale = this.#arcsinePlan === undefined ? target : params.scale;
    for (let i = doubleAngles - 1; i >= 0; i--) scale = Math.sqrt(scale * Number(droppedModulus(params, levelAfterPolynomial - i)));
    let y = this.#polynomials.evaluate(x, this.#polynomial, { targetScale: scale });
    try {
      for (let i = 0; i < doubleAngles; i++) {
        const square = evaluator.square(y);
        y.dispose();
        y = square;
        relinearizeRescaleInPlace(evaluator, y, operation);
        for (const poly of ciphertextState(y).polys) mulScalar(poly, poly, 2);
        evaluator.addConstantInPlace(y, -1);
      }
      if (this.#arcsinePlan !== undefined) {
        const corrected = this.#polynomials.evaluate(y, arcsinePolynomial, { targetScale: target });
        y.dispose();
        y = corrected;
      }
    } catch (error) {
      y.dispose();
      throw error;
    }
    return y;
  }

  #disposed = false;

  private checkLive(): void {
    if (this.#disposed) throw new FheError("DISPOSED", operation, "the bootstrapper was disposed");
  }

  dispose(): void {
    this.#disposed = true;
    for (const t of [...this.#coeffsToSlots, ...this.#slotsToCoeffs]) t.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** The Galois elements of rotations by `steps` (step 0 excluded). */
function galoisElements(params: Parameters, steps: readonly number[]): number[] {
  return steps.map((step) => rotationGaloisElement(params.n, step)).filter((k) => k !== 1);
}

interface Circuit {
  readonly coeffsToSlots: LinearTransform[];
  readonly slotsToCoeffs: LinearTransform[];
  readonly polynomial: Polynomial;
  readonly polynomialPlan: PolynomialPlan;
  readonly arcsinePlan: PolynomialPlan | undefined;
  readonly plan: BootstrappingPlan;
  readonly traceSteps: readonly number[];
}

/** The transforms, the EvalMod polynomial and the plan; throws when the chain is too short. */
function buildCircuit(params: Parameters, shape: BootstrappingShape): Circuit {
  const { slots } = shape;
  const gap = params.maxSlots / slots;
  const traceSteps = Array.from({ length: Math.log2(gap) }, (_, i) => slots * 2 ** i);
  const top = params.maxLevel;
  const { coeffsToSlotsLevels: c, slotsToCoeffsLevels: s, k, doubleAngles } = shape;
  const polynomial = evalModPolynomial(shape);
  const polynomialLevels = polynomial.depth;
  const arcsineLevels = shape.arcsine ? arcsinePolynomial.depth : 0;
  const needed = c + polynomialLevels + doubleAngles + arcsineLevels + s;
  if (needed > top) {
    throw new FheError("INVALID_PARAMETERS", "create bootstrapper",
      `bootstrapping needs ${needed} levels (CoeffsToSlots ${c}, EvalMod ${polynomialLevels + doubleAngles + arcsineLevels}, SlotsToCoeffs ${s}) and these parameters have ${top}; use parameters with more levels or a shape with fewer`);
  }
  const q0 = Number(params.basisQ(0).product());
  // x = t / (K Q_0): the raised ciphertext is read at the parameters' scale.
  const coeffsFactor = params.scale / (2 * slots * q0 * k * gap);
  const coeffsToSlots = coeffsToSlotsFactors(slots, c, coeffsFactor).map((map) => new LinearTransform(params, Diagonals.fromComplexMap(map, slots)));
  const slotsToCoeffs = slotsToCoeffsFactors(slots, s, 1).map((map) => new LinearTransform(params, Diagonals.fromComplexMap(map, slots)));
  const afterCoeffsToSlots = top - c;
  const polynomialPlan = planPolynomial(params, { level: afterCoeffsToSlots, scale: params.scale }, polynomial);
  // The arcsine correction takes the double angles' output at the parameters' scale and returns
  // it at the EvalMod scale of a ciphertext at the parameters' scale (Q_0 / 2 pi; its levels do
  // not depend on that target).
  const arcsinePlan = shape.arcsine
    ? planPolynomial(params, { level: polynomialPlan.output.level - doubleAngles, scale: params.scale }, arcsinePolynomial, { targetScale: q0 / (2 * Math.PI) })
    : undefined;
  const afterEvalMod = (arcsinePlan?.output.level ?? polynomialPlan.output.level - doubleAngles);
  const outputLevel = afterEvalMod - s;
  if (outputLevel < 0) {
    for (const t of [...coeffsToSlots, ...slotsToCoeffs]) t.dispose();
    throw new FheError("INVALID_PARAMETERS", "create bootstrapper", `bootstrapping needs ${top - outputLevel} levels and these parameters have ${top}`);
  }
  const transforms = [...coeffsToSlots, ...slotsToCoeffs];
  const rotationSteps = [...new Set([...transforms.flatMap((t) => t.rotationSteps()), ...traceSteps])].sort((a, b) => a - b);
  const keySwitches = (shape.ephemeralHammingWeight > 0 ? 2 : 0) + traceSteps.length + transforms.reduce((sum, t) => sum + t.keySwitches(), 0) + 1 +
    2 * (polynomialPlan.keySwitches + doubleAngles + (arcsinePlan?.keySwitches ?? 0));
  const plan: BootstrappingPlan = Object.freeze({
    shape, slots, inputLevel: top, afterCoeffsToSlots, afterEvalMod, outputLevel, depth: top - outputLevel,
    outputScale: params.scale,
    evalModError: evalModError(polynomial, shape, undefined, shape.arcsine),
    log2FailureProbability: log2FailureProbability(params.logN, shape.ephemeralHammingWeight > 0 ? shape.ephemeralHammingWeight : params.hammingWeight, k),
    keySwitches,
    rotationSteps: Object.freeze(rotationSteps),
  });
  return { coeffsToSlots, slotsToCoeffs, polynomial, polynomialPlan, arcsinePlan, plan, traceSteps };
}
