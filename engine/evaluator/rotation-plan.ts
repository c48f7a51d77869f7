import type { GaloisKeys } from "../keys.js";
import { rotationGaloisElement } from "../ring/automorphism.js";
import { FheError } from "../ring/errors.js";

const stepTables = new Map<number, Map<number, number>>();

/** The rotation step t in [0, N/2) with 5^t = element mod 2N, or undefined (e.g. conjugation). */
function stepOf(n: number, element: number): number | undefined {
  let table = stepTables.get(n);
  if (table === undefined) {
    table = new Map();
    const twoN = 2 * n;
    for (let t = 0, power = 1; t < n / 2; t++, power = (power * 5) % twoN) table.set(power, t);
    stepTables.set(n, table);
  }
  return table.get(element);
}

/** Galois elements of the available keys, grouped by the rotation they perform on `slots` slots. */
export function keysByRotation(n: number, keys: GaloisKeys | undefined, slots: number): Map<number, number> {
  return elementsByRotation(n, keys?.elements ?? [], slots);
}

/** The first of `elements` performing each rotation of `slots` slots, by rotation step in [0, slots). */
export function elementsByRotation(n: number, elements: Iterable<number>, slots: number): Map<number, number> {
  const byRotation = new Map<number, number>();
  for (const element of elements) {
    const step = stepOf(n, element);
    if (step !== undefined && !byRotation.has(step % slots)) byRotation.set(step % slots, element);
  }
  return byRotation;
}

/** Binary decomposition of r > 0 into powers of two. */
function powersOfTwo(r: number): number[] {
  const parts: number[] = [];
  for (let bit = 1; bit <= r; bit *= 2) if ((r & bit) !== 0) parts.push(bit);
  return parts;
}

/**
 * Plans a rotation by `steps` slots (left for positive) of a vector packed in `slots` slots as
 * the Galois elements of available keys: a key whose rotation is the same modulo `slots`
 * (with sparse packing, rotations by t and t + slots agree), else power-of-two keys, left or
 * right, the shorter complete plan. Returns [] for a rotation by a multiple of `slots`.
 */
export function planRotation(n: number, keys: GaloisKeys | undefined, steps: number, slots: number): number[] {
  const r = ((steps % slots) + slots) % slots;
  if (r === 0) return [];
  const byRotation = keysByRotation(n, keys, slots);
  const exact = byRotation.get(r);
  if (exact !== undefined) return [exact];
  const plans = [
    powersOfTwo(r).map((p) => byRotation.get(p % slots)),
    powersOfTwo(slots - r).map((p) => byRotation.get((slots - p) % slots)),
  ].filter((plan): plan is number[] => plan.every((element) => element !== undefined));
  plans.sort((a, b) => a.length - b.length);
  if (plans[0] !== undefined) return plans[0];
  const missing = powersOfTwo(r).filter((p) => !byRotation.has(p % slots));
  const available = keys === undefined ? "the evaluator was given no Galois keys" : `the power-of-two keys for steps ${missing.join(", ")} are missing too`;
  throw new FheError("MISSING_KEY", "rotate",
    `no Galois key for step ${r} (Galois element ${rotationGaloisElement(n, r)}), and ${available}; ` +
    `create it with keyGenerator.createGaloisKeys({ steps: [${r}] })` +
    (missing.length > 1 || missing[0] !== r ? ` or the power-of-two steps with createGaloisKeys({ steps: [${missing.join(", ")}] })` : "") +
    " and pass the keys to the Evaluator");
}

/**
 * The Galois element of an available key that rotates `slots` slots by `steps` exactly (1 for
 * a rotation by a multiple of `slots`), or an error naming the missing key.
 */
export function exactRotationKey(n: number, keys: GaloisKeys | undefined, steps: number, slots: number, operation: string): number {
  const r = ((steps % slots) + slots) % slots;
  if (r === 0) return 1;
  const element = keysByRotation(n, keys, slots).get(r);
  if (element === undefined) {
    throw new FheError("MISSING_KEY", operation,
      `no Galois key for step ${steps} (Galois element ${rotationGaloisElement(n, r)}; hoisted rotations need the exact key): ` +
      `create it with keyGenerator.createGaloisKeys({ steps: [${r}] }) and pass the keys to the Evaluator`);
  }
  return element;
}
