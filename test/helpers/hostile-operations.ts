// Every public call of the hostile-user suite with its float64 twin: what it reads, and the
// slot vectors it must produce from the meanings of its operands (or "refuse" when its
// arguments are invalid whatever the operands are).

import fc from "fast-check";
import {
  type Ciphertext, dispose, loadCiphertext, loadPlaintext, type Plaintext, serializeCiphertext, serializePlaintext,
} from "../../engine/index.js";
import { type CkksContext, vadd, vconj, vmul, vmulConst, vneg, vrotate, vsub, vaddConst, type Vec } from "./ckks.js";

/** The operands of a call: two ciphertexts and a plaintext, any of them attacked. */
export interface Operands {
  readonly a: Ciphertext;
  readonly b: Ciphertext;
  readonly p: Plaintext;
}

/** The meanings of the operands the call reads (all slot vectors when it gets here). */
export interface Values {
  readonly a: Vec;
  readonly b: Vec;
  readonly p: Vec;
}

/** Arguments other than operands, drawn whatever the operation (each uses what it needs). */
export interface Arguments {
  readonly constant: unknown;
  readonly steps: unknown;
  readonly hoisted: unknown;
  readonly level: unknown;
  readonly count: unknown;
  readonly seeded: boolean;
}

/** What a call returns: ciphertexts to decrypt, decoded values, or nothing (dispose). */
export type Result = Ciphertext | readonly Ciphertext[] | Vec | undefined;

export interface Operation {
  /** The operands it reads; an invalid one must make it throw FheError. */
  readonly reads: readonly (keyof Operands)[];
  /** True when it overwrites `a` (the InPlace forms). */
  readonly writesA?: boolean;
  /** True when it disposes its operands. */
  readonly disposes?: boolean;
  /** True when it moves its operand through bytes (which carry no heap). */
  readonly viaBytes?: boolean;
  run(c: CkksContext, x: Operands, args: Arguments): Result;
  /** The slot vectors of the result, or "refuse" for invalid arguments. Undefined: nothing to compare. */
  expected?(v: Values, args: Arguments, x: Operands): readonly Vec[] | "refuse";
}

// ------------------------------------------------------------------ arguments

/** Constants: ordinary, complex, large, and what no constant can be. */
const constantArb = fc.oneof(
  fc.double({ min: -2, max: 2, noNaN: true }),
  fc.record({ re: fc.double({ min: -2, max: 2, noNaN: true }), im: fc.double({ min: -2, max: 2, noNaN: true }) }),
  fc.integer({ min: -5, max: 5 }),
  fc.constantFrom<unknown>(2 ** 20, -(2 ** 40), 2 ** 45, 1e-300, 5e-324, -0, Number.NaN, Infinity, -Infinity, 1e300, Number.MAX_VALUE,
    { re: Number.NaN, im: 0 }, { re: 1 }, { re: 0, im: Infinity }, "1", null, undefined, [1], 10n),
);
const stepsArb = fc.oneof(
  fc.integer({ min: -20, max: 20 }),
  fc.constantFrom<unknown>(2 ** 31 + 1, -(2 ** 40) - 3, 2 ** 53, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 60, 1.5, -0.5,
    Number.NaN, Infinity, -Infinity, -0, "1", null, 1n),
);
export const argumentsArb: fc.Arbitrary<Arguments> = fc.record({
  constant: constantArb,
  steps: stepsArb,
  hoisted: fc.oneof(fc.array(stepsArb, { maxLength: 4 }), fc.constantFrom<unknown>("1", null, 1)),
  level: fc.oneof(fc.integer({ min: -1, max: 5 }), fc.constantFrom<unknown>(Number.NaN, 1.5, "0", Infinity)),
  count: fc.oneof(fc.constantFrom<unknown>(undefined, 1, 2, 4, 8, 16, 3, 0, -2, Number.NaN, 1.5, "8"), fc.integer({ min: 1, max: 1024 })),
  seeded: fc.boolean(),
});

/** The constant as a complex pair, or undefined when no constant is valid. */
function constantOf(value: unknown): { re: number; im: number } | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? { re: value, im: 0 } : undefined;
  if (value === null || typeof value !== "object") return undefined;
  const { re, im } = value as { re?: unknown; im?: unknown };
  return typeof re === "number" && typeof im === "number" && Number.isFinite(re) && Number.isFinite(im) ? { re, im } : undefined;
}

const isStep = (s: unknown): s is number => typeof s === "number" && Number.isSafeInteger(s);

/** Operands of a binary operation must pack the same slot count. */
function sameSlots(u: Vec, w: Vec): boolean {
  return u.re.length === w.re.length;
}

function binary(f: (u: Vec, w: Vec) => Vec): (v: Values) => readonly Vec[] | "refuse" {
  return (v) => (sameSlots(v.a, v.b) ? [f(v.a, v.b)] : "refuse");
}

function withPlain(f: (u: Vec, w: Vec) => Vec): (v: Values) => readonly Vec[] | "refuse" {
  return (v) => (sameSlots(v.a, v.p) ? [f(v.a, v.p)] : "refuse");
}

function withConstant(f: (u: Vec, k: { re: number; im: number }) => Vec): (v: Values, args: Arguments) => readonly Vec[] | "refuse" {
  return (v, args) => {
    const k = constantOf(args.constant);
    return k === undefined ? "refuse" : [f(v.a, k)];
  };
}

/** Sum of the rotations by 0 .. count-1 of u. */
function rotateAndSum(u: Vec, count: number): Vec {
  let sum: Vec = { re: u.re.map(() => 0), im: u.im.map(() => 0) };
  for (let i = 0; i < count; i++) sum = vadd(sum, vrotate(u, i));
  return sum;
}

/** The operation `name` applied in place to a, returning a. */
function inPlace(apply: (c: CkksContext, x: Operands, args: Arguments) => void): Operation["run"] {
  return (c, x, args) => {
    apply(c, x, args);
    return x.a;
  };
}

// ------------------------------------------------------------------ the operations

const ev = (c: CkksContext): CkksContext["evaluator"] => c.evaluator;

export const operations: Record<string, Operation> = {
  add: { reads: ["a", "b"], run: (c, x) => ev(c).add(x.a, x.b), expected: binary(vadd) },
  addInPlace: { reads: ["a", "b"], writesA: true, run: inPlace((c, x) => ev(c).addInPlace(x.a, x.b)), expected: binary(vadd) },
  sub: { reads: ["a", "b"], run: (c, x) => ev(c).sub(x.a, x.b), expected: binary(vsub) },
  subInPlace: { reads: ["a", "b"], writesA: true, run: inPlace((c, x) => ev(c).subInPlace(x.a, x.b)), expected: binary(vsub) },
  negate: { reads: ["a"], run: (c, x) => ev(c).negate(x.a), expected: (v) => [vneg(v.a)] },
  negateInPlace: { reads: ["a"], writesA: true, run: inPlace((c, x) => ev(c).negateInPlace(x.a)), expected: (v) => [vneg(v.a)] },
  addPlain: { reads: ["a", "p"], run: (c, x) => ev(c).addPlain(x.a, x.p), expected: withPlain(vadd) },
  addPlainInPlace: { reads: ["a", "p"], writesA: true, run: inPlace((c, x) => ev(c).addPlainInPlace(x.a, x.p)), expected: withPlain(vadd) },
  subPlain: { reads: ["a", "p"], run: (c, x) => ev(c).subPlain(x.a, x.p), expected: withPlain(vsub) },
  subPlainInPlace: { reads: ["a", "p"], writesA: true, run: inPlace((c, x) => ev(c).subPlainInPlace(x.a, x.p)), expected: withPlain(vsub) },
  addConstant: { reads: ["a"], run: (c, x, args) => ev(c).addConstant(x.a, args.constant as number), expected: withConstant(vaddConst) },
  addConstantInPlace: {
    reads: ["a"], writesA: true, run: inPlace((c, x, args) => ev(c).addConstantInPlace(x.a, args.constant as number)), expected: withConstant(vaddConst),
  },
  multiply: { reads: ["a", "b"], run: (c, x) => ev(c).multiply(x.a, x.b), expected: binary(vmul) },
  square: { reads: ["a"], run: (c, x) => ev(c).square(x.a), expected: (v) => [vmul(v.a, v.a)] },
  mulRelin: { reads: ["a", "b"], run: (c, x) => ev(c).mulRelin(x.a, x.b), expected: binary(vmul) },
  mulRelinRescale: {
    reads: ["a", "b"],
    run: (c, x) => {
      using product = ev(c).mulRelin(x.a, x.b);
      return ev(c).rescale(product);
    },
    expected: binary(vmul),
  },
  multiplyPlain: { reads: ["a", "p"], run: (c, x) => ev(c).multiplyPlain(x.a, x.p), expected: withPlain(vmul) },
  multiplyPlainInPlace: { reads: ["a", "p"], writesA: true, run: inPlace((c, x) => ev(c).multiplyPlainInPlace(x.a, x.p)), expected: withPlain(vmul) },
  multiplyConstant: { reads: ["a"], run: (c, x, args) => ev(c).multiplyConstant(x.a, args.constant as number), expected: withConstant(vmulConst) },
  multiplyConstantInPlace: {
    reads: ["a"], writesA: true, run: inPlace((c, x, args) => ev(c).multiplyConstantInPlace(x.a, args.constant as number)), expected: withConstant(vmulConst),
  },
  relinearize: { reads: ["a"], run: (c, x) => ev(c).relinearize(x.a), expected: (v) => [v.a] },
  relinearizeInPlace: { reads: ["a"], writesA: true, run: inPlace((c, x) => ev(c).relinearizeInPlace(x.a)), expected: (v) => [v.a] },
  rescale: { reads: ["a"], run: (c, x) => ev(c).rescale(x.a), expected: (v) => [v.a] },
  rescaleInPlace: { reads: ["a"], writesA: true, run: inPlace((c, x) => ev(c).rescaleInPlace(x.a)), expected: (v) => [v.a] },
  dropLevel: {
    reads: ["a"],
    run: (c, x, args) => ev(c).dropLevel(x.a, args.level as number),
    expected: (v, args, x) => (isStep(args.level) && args.level >= 0 && args.level <= x.a.level ? [v.a] : "refuse"),
  },
  dropLevelInPlace: {
    reads: ["a"], writesA: true,
    run: inPlace((c, x, args) => ev(c).dropLevelInPlace(x.a, args.level as number)),
    expected: (v, args, x) => (isStep(args.level) && args.level >= 0 && args.level <= x.a.level ? [v.a] : "refuse"),
  },
  copy: { reads: ["a"], run: (c, x) => ev(c).copy(x.a), expected: (v) => [v.a] },
  rotate: {
    reads: ["a"], run: (c, x, args) => ev(c).rotate(x.a, args.steps as number),
    expected: (v, args) => (isStep(args.steps) ? [vrotate(v.a, args.steps)] : "refuse"),
  },
  rotateInPlace: {
    reads: ["a"], writesA: true, run: inPlace((c, x, args) => ev(c).rotateInPlace(x.a, args.steps as number)),
    expected: (v, args) => (isStep(args.steps) ? [vrotate(v.a, args.steps)] : "refuse"),
  },
  conjugate: { reads: ["a"], run: (c, x) => ev(c).conjugate(x.a), expected: (v) => [vconj(v.a)] },
  conjugateInPlace: { reads: ["a"], writesA: true, run: inPlace((c, x) => ev(c).conjugateInPlace(x.a)), expected: (v) => [vconj(v.a)] },
  rotateHoisted: {
    reads: ["a"], run: (c, x, args) => ev(c).rotateHoisted(x.a, args.hoisted as number[]),
    expected: (v, args) => (Array.isArray(args.hoisted) && args.hoisted.every(isStep) ? args.hoisted.map((s: number) => vrotate(v.a, s)) : "refuse"),
  },
  rotateAndSum: {
    reads: ["a"], run: (c, x, args) => ev(c).rotateAndSum(x.a, args.count as number | undefined),
    expected: (v, args) => {
      const count = args.count ?? v.a.re.length;
      const valid = isStep(count) && count >= 1 && count <= v.a.re.length && (count & (count - 1)) === 0;
      return valid ? [rotateAndSum(v.a, count)] : "refuse";
    },
  },
  decrypt: {
    reads: ["a"],
    run: (c, x) => {
      using pt = c.decryptor.decrypt(x.a);
      const { re, im } = c.encoder.decodeComplex(pt);
      return { re: Array.from(re), im: Array.from(im) };
    },
    expected: (v) => [v.a],
  },
  encryptPublic: { reads: ["p"], run: (c, x) => c.encryptor.encrypt(x.p), expected: (v) => [v.p] },
  encryptSecret: { reads: ["p"], run: (c, x) => c.skEncryptor.encrypt(x.p), expected: (v) => [v.p] },
  decode: {
    reads: ["p"],
    run: (c, x) => {
      const re = Array.from(c.encoder.decode(x.p));
      return { re, im: re.map(() => 0) };
    },
    expected: (v) => [{ re: v.p.re, im: v.p.re.map(() => 0) }],
  },
  decodeComplex: {
    reads: ["p"],
    run: (c, x) => {
      const { re, im } = c.encoder.decodeComplex(x.p);
      return { re: Array.from(re), im: Array.from(im) };
    },
    expected: (v) => [v.p],
  },
  serializeCiphertext: {
    reads: ["a"], viaBytes: true, run: (c, x, args) => loadCiphertext(c.params, serializeCiphertext(x.a, { seeded: args.seeded })), expected: (v) => [v.a],
  },
  serializePlaintext: {
    reads: ["p"], viaBytes: true,
    run: (c, x) => {
      using pt = loadPlaintext(c.params, serializePlaintext(x.p));
      const { re, im } = c.encoder.decodeComplex(pt);
      return { re: Array.from(re), im: Array.from(im) };
    },
    expected: (v) => [v.p],
  },
  dispose: {
    // dispose() of anything, twice, and the memory scope's dispose(container): never a crash.
    reads: [], disposes: true,
    run: (_c, x) => {
      x.a.dispose();
      x.a.dispose();
      dispose([x.p, { b: x.b }]);
      return undefined;
    },
  },
};

export const operationNames = Object.keys(operations);
