// Where each matrix entry goes in the diagonal method over `slots` slots. The input x (cols
// values) is packed with period P (a power of two >= cols, dividing the slots): slot t holds
// x[t mod P], or 0 when t mod P >= cols. The output y = M x is computed as
//
//   u = sum_a p_a * rot_a(v),   z = sum_{k < K} rot_{k R}(u)   (log2 K rotations)
//
// so z[i] = y[i] for i < rows. Entry M[i][j] sits in plaintext p_a at slot i + k R, where its
// offset j - i = k R + a (mod P): window k of the output (slots [k R, k R + rows)) reads the
// input offset by k R, so K windows let one rotation a serve K generalised diagonals, and
// about P / K plaintexts (rotations) replace P (the hybrid / block-diagonal method of GAZELLE,
// generalised). The windows must not overlap: R >= rows and K R <= slots.

import { bsgsCost, planBsgs, stepCosts } from "./bsgs.js";
import { describe, FheError, isInteger, isPowerOfTwo } from "../ring/errors.js";

/** How the input vector is packed: replicated with period P = nextPow2(cols), or once, zero-padded. */
export type InputPacking = "replicated" | "padded";

/** The shape of a matrix-vector product over a ciphertext of `slots` slots. */
export interface MatrixShape {
  readonly rows: number;
  readonly cols: number;
  /** Slots of the input ciphertext: a power of two >= rows, cols. */
  readonly slots: number;
  /** Input packing (default "replicated": fewest rotations). */
  readonly input?: InputPacking;
  /**
   * Output windows K summed by log-steps (a power of two). Default: the count that minimises
   * the estimated cost. 1 is the plain diagonal method: the slots from `rows` on come out 0;
   * with K > 1 they hold partial sums (mask them if they matter).
   */
  readonly windows?: number;
  /** Baby step of the BSGS split (default: the power of two that minimises the cost). */
  readonly babyStep?: number;
}

/** The smallest power of two >= n (n >= 1). */
export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** How offsets are assigned to (window, rotation). */
type Strategy =
  | { readonly kind: "plain" }
  /** R odd: offset d goes to window k = (d R^-1 mod P) mod K, rotation a multiple of K (times R). */
  | { readonly kind: "modular"; readonly inverse: number }
  /** R = c mod P: offsets start + [0, K c) cut into K runs of c consecutive rotations. */
  | { readonly kind: "interval"; readonly start: number; readonly width: number };

/** A validated shape with its input period. */
export interface CheckedShape {
  readonly rows: number;
  readonly cols: number;
  readonly slots: number;
  readonly input: InputPacking;
  readonly period: number;
}

/** Validates a shape (FheError naming `operation`) and derives the input period. */
export function checkShape(shape: unknown, operation: string): CheckedShape & Pick<MatrixShape, "windows" | "babyStep"> {
  if (shape === null || typeof shape !== "object") {
    throw new FheError("INVALID_ARGUMENT", operation, `expected a shape { rows, cols, slots }, got ${describe(shape)}`);
  }
  const { rows, cols, slots, input = "replicated", windows, babyStep } = shape as Partial<MatrixShape>;
  if (!(slots === 1 || isPowerOfTwo(slots))) {
    throw new FheError("INVALID_ARGUMENT", operation, `slots must be a power of two, got ${describe(slots)}`);
  }
  for (const [name, value] of [["rows", rows], ["cols", cols]] as const) {
    if (!isInteger(value) || value < 1) throw new FheError("INVALID_ARGUMENT", operation, `${name} must be a positive integer, got ${describe(value)}`);
    if (value > slots) {
      throw new FheError("INVALID_ARGUMENT", operation,
        `${name} (${value}) exceeds the ${slots} slots: use BlockedTransform for matrices larger than the slot count`);
    }
  }
  if (input !== "replicated" && input !== "padded") {
    throw new FheError("INVALID_ARGUMENT", operation, `input must be "replicated" or "padded", got ${describe(input)}`);
  }
  if (windows !== undefined && !(windows === 1 || isPowerOfTwo(windows))) {
    throw new FheError("INVALID_ARGUMENT", operation, `windows must be a power of two, got ${describe(windows)}`);
  }
  if (babyStep !== undefined && (!isInteger(babyStep) || babyStep < 1 || babyStep > slots)) {
    throw new FheError("INVALID_ARGUMENT", operation, `babyStep must be an integer in [1, ${slots}], got ${describe(babyStep)}`);
  }
  const period = input === "replicated" ? nextPowerOfTwo(cols!) : slots;
  return { rows: rows!, cols: cols!, slots, input, period, windows, babyStep };
}

/** The offsets (j - i) mod P of every entry of a dense rows x cols matrix. */
export function denseOffsets(shape: CheckedShape): number[] {
  const offsets = new Set<number>();
  for (let d = -(shape.rows - 1); d < shape.cols; d++) offsets.add(((d % shape.period) + shape.period) % shape.period);
  return [...offsets];
}

/** The output windows, their stride and where each offset goes. */
export class DiagonalLayout {
  private constructor(
    readonly shape: CheckedShape,
    /** Output windows K summed at the end (1: none). */
    readonly windows: number,
    /** Slots between windows R (0 when windows = 1). */
    readonly stride: number,
    private readonly strategy: Strategy,
  ) {
    Object.freeze(this);
  }

  /** [window k, rotation a in [0, P)] of an offset d in [0, P): k R + a = d (mod P). */
  assign(offset: number): [number, number] {
    const { period } = this.shape;
    const s = this.strategy;
    if (s.kind === "plain") return [0, offset];
    if (s.kind === "modular") {
      const t = (offset * s.inverse) % period;
      const k = t % this.windows;
      return [k, ((t - k) * this.stride) % period];
    }
    const e = (((offset - s.start) % period) + period) % period;
    return [Math.floor(e / s.width), (s.start + (e % s.width)) % period];
  }

  /** The rotations the given offsets need, increasing. */
  rotations(offsets: readonly number[]): number[] {
    return [...new Set(offsets.map((d) => this.assign(d)[1]))].sort((a, b) => a - b);
  }

  /** Estimated cost in full rotations: BSGS steps, products, log-step sums. */
  cost(offsets: readonly number[], babyStep?: number): number {
    const rotations = this.rotations(offsets);
    const plan = planBsgs(rotations, this.shape.slots, babyStep);
    return bsgsCost(plan) + rotations.length * stepCosts.product + Math.log2(this.windows) * stepCosts.rotation;
  }

  /**
   * The cheapest layout for the given offsets (those of the non-zero entries), with
   * `shape.windows` windows when given (an error if that many do not fit).
   */
  static plan(shape: CheckedShape & Pick<MatrixShape, "windows" | "babyStep">, offsets: readonly number[], operation: string): DiagonalLayout {
    const candidates: DiagonalLayout[] = [];
    for (let k = 1; k <= shape.slots; k *= 2) {
      if (shape.windows === undefined || shape.windows === k) candidates.push(...DiagonalLayout.candidates(shape, k, offsets));
    }
    if (candidates.length === 0) {
      throw new FheError("INVALID_ARGUMENT", operation,
        `${shape.windows} output windows of ${shape.rows} rows do not fit ${shape.slots} slots (need windows * stride <= slots); use fewer windows`);
    }
    let best = candidates[0]!;
    let bestCost = best.cost(offsets, shape.babyStep);
    for (const layout of candidates.slice(1)) {
      const cost = layout.cost(offsets, shape.babyStep);
      if (cost < bestCost) [best, bestCost] = [layout, cost];
    }
    return best;
  }

  /** Layouts with `windows` windows that fit the slots. */
  private static candidates(shape: CheckedShape, windows: number, offsets: readonly number[]): DiagonalLayout[] {
    const { rows, slots, period } = shape;
    if (windows === 1) return [new DiagonalLayout(shape, 1, 0, { kind: "plain" })];
    if (windows > period || offsets.length === 0) return [];
    const fits = (stride: number): boolean => stride >= rows && windows * stride <= slots;
    const layouts: DiagonalLayout[] = [];
    const odd = rows % 2 === 1 ? rows : rows + 1;
    if (fits(odd)) layouts.push(new DiagonalLayout(shape, windows, odd, { kind: "modular", inverse: inverseOdd(odd, period) }));
    const { start, length } = coveringInterval(offsets, period);
    const narrow = Math.ceil(length / windows);
    for (const width of new Set([narrow, Math.max(narrow, rows)])) {
      const stride = width >= rows ? width : width + period * Math.ceil((rows - width) / period);
      if (fits(stride)) layouts.push(new DiagonalLayout(shape, windows, stride, { kind: "interval", start, width }));
    }
    return layouts;
  }
}

/** The shortest cyclic interval [start, start + length) of Z_period holding every offset. */
function coveringInterval(offsets: readonly number[], period: number): { start: number; length: number } {
  const sorted = [...new Set(offsets)].sort((a, b) => a - b);
  let gap = sorted[0]! + period - sorted[sorted.length - 1]!;
  let start = sorted[0]!;
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]! - sorted[i - 1]! > gap) [gap, start] = [sorted[i]! - sorted[i - 1]!, sorted[i]!];
  }
  return { start, length: period - gap + 1 };
}

/** r^-1 mod m for odd r and m a power of two (Newton iteration). */
function inverseOdd(r: number, m: number): number {
  let x = 1;
  for (let i = 0; i < 6; i++) x = (x * (2 - ((r * x) % m))) % m;
  return ((x % m) + m) % m;
}
