// What a careless or hostile user does to a ciphertext or a plaintext, as fast-check
// descriptions, and what the object means afterwards (test/helpers/hostile.ts, Meaning).
// Attacks are applied to fresh objects; an attack the library refuses on the spot (FheError,
// or TypeError for a write to a read-only field) must leave the object exactly as it was.

import fc from "fast-check";
import { expect } from "vitest";
import {
  Ciphertext, loadCiphertext, loadPlaintext, Plaintext, serializeCiphertext, serializePlaintext,
} from "../../engine/index.js";
import { mulScalar, neg, add, type RnsPoly, toCoefficients, toNtt } from "../../engine/ring/index.js";
import { type CkksContext, uniformValues, type Vec } from "./ckks.js";
import {
  attempt, ciphertextBytes, type Flip, flipArb, flipOffset, flipWithValidCrc, type Garbage, headerBytes, logModulus, type Meaning, plaintextBytes,
  refusedWrite, type Subject, tile, vscale,
} from "./hostile.js";

/** The contexts attacks draw foreign objects from, and the run's garbage. */
export interface World {
  /** The context under attack (its evaluator, encoder, encryptors and decryptor are used). */
  readonly c: CkksContext;
  /** Other parameters on the same heap. */
  readonly other: CkksContext;
  /** The same literal as `c` on another WasmHeap. */
  readonly foreign: CkksContext;
  readonly g: Garbage;
  /** The other fresh ciphertext operand (b when a is attacked, a when b is). */
  readonly sibling: Fresh<Ciphertext>;
}

/** A fresh operand: the object and the vector it holds (8 slots). */
export interface Fresh<T> {
  readonly value: T;
  readonly values: Vec;
}

export const slots = 8;

/** 8 complex values in [-1, 1] from a seed. */
export function valuesFrom(seed: number): Vec {
  return { re: uniformValues(slots, seed), im: uniformValues(slots, seed ^ 0x2545f491) };
}

// ------------------------------------------------------------------ descriptions

/**
 * Scales a hand-made object may claim: relative to the true one (2^k) or absolute. A claimed
 * scale 2^k smaller multiplies the message by 2^k: k >= -3 keeps it within the magnitude
 * (about 1) CKKS arithmetic assumes, which the library cannot check.
 */
const forgedScale = fc.oneof(
  fc.integer({ min: -3, max: 8 }).filter((k) => k !== 0).map((k) => ({ relative: k })),
  fc.constantFrom<unknown>(Number.NaN, 0, -1, 0.5, Infinity, -Infinity, 2 ** 1000, 2 ** 200, 2 ** 60, 2 ** 90, 2 ** 120, 2 ** 160, 1e308, "1", null)
    .map((absolute) => ({ absolute })),
);
const forgedSlots = fc.constantFrom<unknown>(16, 32, 1024, 4, 2, 1, 0, 3, 12, 2048, Number.NaN, -8, 8.5, Infinity, "8");
const forgedLevel = fc.oneof(fc.integer({ min: 0, max: 4 }), fc.constantFrom<unknown>(Number.NaN, -1, 5, 1.5, 99, "0"));

/** Writes to read-only fields of a ciphertext, with the values written. */
const ciphertextWrites = fc.constantFrom(
  ["level", 0], ["level", 99], ["level", Number.NaN], ["scale", 2], ["scale", Number.NaN], ["scale", Infinity],
  ["slots", 1], ["slots", 3], ["slots", 16], ["polys", []], ["polys", "reversed"], ["seed", "zeros"], ["seed", undefined],
  ["params", "other"], ["degree", 5],
) as fc.Arbitrary<[string, unknown]>;

const plaintextWrites = fc.constantFrom(
  ["level", 0], ["level", 99], ["scale", 2], ["scale", Number.NaN], ["slots", 16], ["slots", 3], ["poly", "other"], ["params", "other"],
) as fc.Arbitrary<[string, unknown]>;

/** Changes through reflection (frozen objects refuse all of them). */
const reflections = fc.constantFrom("defineProperty", "setPrototypeOf", "delete", "assign", "preventExtensions");

export const ciphertextAttack = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ kind: "none" as const }) },
  fc.record({ kind: fc.constant("write" as const), write: ciphertextWrites }),
  fc.record({ kind: fc.constant("snapshot" as const), how: fc.constantFrom("push", "pop", "assign", "reverse", "seedByte") }),
  fc.record({ kind: fc.constant("reflect" as const), how: reflections }),
  fc.record({ kind: fc.constant("forgeScale" as const), scale: forgedScale }),
  fc.record({ kind: fc.constant("forgeSlots" as const), slots: forgedSlots }),
  fc.record({ kind: fc.constant("forgeLevel" as const), level: forgedLevel }),
  fc.record({
    kind: fc.constant("forgePolys" as const),
    polys: fc.constantFrom("alias", "degree0", "empty", "degree2zero", "degree3", "duplicate", "mixed", "otherLevel",
      "otherParams", "foreignHeap", "disposed", "object", "null", "number"),
  }),
  fc.record({ kind: fc.constant("forgeParams" as const), params: fc.constantFrom("other", "foreign", "null", "object") }),
  // A second handle on the other operand's polynomials (scale times k): the operands share memory.
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("sibling" as const), k: fc.constantFrom(1, 0.5, 2) }) },
  fc.record({
    kind: fc.constant("ring" as const),
    op: fc.constantFrom("shrinkOne", "shrinkAll", "shrinkAllForge", "coefficientsOne", "coefficientsAll", "coefficientsRoundTrip",
      "disposeOne", "neg", "mulScalar", "addPlain", "notNtt", "nttLie", "shrinkNotPrefix"),
    k: fc.integer({ min: -3, max: 3 }),
  }),
  fc.record({ kind: fc.constant("dispose" as const), twice: fc.boolean() }),
  fc.record({ kind: fc.constant("foreign" as const), which: fc.constantFrom("otherParams", "foreignHeap") }),
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("flip" as const), flip: flipArb }) },
);
export type CiphertextAttack = typeof ciphertextAttack extends fc.Arbitrary<infer A> ? A : never;

export const plaintextAttack = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ kind: "none" as const }) },
  fc.record({ kind: fc.constant("write" as const), write: plaintextWrites }),
  fc.record({ kind: fc.constant("reflect" as const), how: reflections }),
  fc.record({ kind: fc.constant("forgeScale" as const), scale: forgedScale }),
  fc.record({ kind: fc.constant("forgeSlots" as const), slots: forgedSlots }),
  fc.record({ kind: fc.constant("forgeLevel" as const), level: forgedLevel }),
  fc.record({
    kind: fc.constant("forgePoly" as const),
    poly: fc.constantFrom("alias", "otherLevel", "otherParams", "foreignHeap", "disposed", "ciphertextPoly", "object", "null"),
  }),
  fc.record({ kind: fc.constant("forgeParams" as const), params: fc.constantFrom("other", "foreign", "null", "object") }),
  fc.record({
    kind: fc.constant("ring" as const),
    op: fc.constantFrom("shrink", "coefficients", "coefficientsRoundTrip", "dispose", "neg", "notNtt", "shrinkNotPrefix"),
  }),
  fc.record({ kind: fc.constant("dispose" as const), twice: fc.boolean() }),
  fc.record({ kind: fc.constant("foreign" as const), which: fc.constantFrom("otherParams", "foreignHeap") }),
  fc.record({ kind: fc.constant("flip" as const), flip: flipArb }),
);
export type PlaintextAttack = typeof plaintextAttack extends fc.Arbitrary<infer A> ? A : never;

// ------------------------------------------------------------------ shared rules

/** What an object claiming `scale` at `level` over polynomials encoding v at `trueScale` means. */
function scaleMeaning(w: World, v: Vec, level: number, trueScale: number, scale: unknown): Meaning {
  if (typeof scale !== "number" || !(scale >= 1 && scale < Infinity) || !(Math.log2(scale) < logModulus(w.c.params, level))) return "invalid";
  return vscale(v, trueScale / scale);
}

/** What an object packing v in 8 slots means when it claims `count` slots. */
function slotsMeaning(w: World, v: Vec, count: unknown): Meaning {
  if (typeof count !== "number" || !Number.isSafeInteger(count) || count < 1 || count > w.c.params.maxSlots || (count & (count - 1)) !== 0) {
    return "invalid";
  }
  // Claiming more slots reads the repeated vector; fewer slots is a packing it is not in.
  return count >= v.re.length ? tile(v, count) : "unknown";
}

function resolveScale(spec: { relative: number } | { absolute: unknown }, scale: number): unknown {
  return "relative" in spec ? scale * 2 ** spec.relative : spec.absolute;
}

function writeValue(w: World, target: Ciphertext | Plaintext, field: string, value: unknown): unknown {
  if (value === "other") return field === "params" ? w.other.params : w.g.add(w.c.encode(valuesFrom(1))).poly;
  if (value === "reversed") return [...(target as Ciphertext).polys].reverse();
  if (value === "zeros") return new Uint8Array(32);
  return value;
}

function reflect(target: object, how: string): void {
  const record = target as Record<string, unknown>;
  if (how === "defineProperty") Object.defineProperty(target, "level", { value: 0 });
  else if (how === "setPrototypeOf") Object.setPrototypeOf(target, Object.prototype);
  else if (how === "delete") delete record.params;
  else if (how === "assign") Object.assign(target, { level: 0, scale: 2, slots: 1 });
  else Object.preventExtensions(target);
}

/** Runs an attack step the library may refuse (FheError); the caller checks nothing changed then. */
function refusable(label: string, step: () => void): boolean {
  return attempt(label, step).ok;
}

/**
 * Loads `bytes` with one bit flipped (CRC fixed). Flips in the header, the level or the
 * polynomial count must be refused; an accepted flip of the slot count or the scale means what
 * those metadata say; an accepted flip of a residue or a seed means something unknown.
 * `layout` gives the offsets of the level, slots, scale and (ciphertexts) count fields.
 */
function loadFlipped<T extends Ciphertext | Plaintext>(
  w: World, fresh: Fresh<T>, bytes: Uint8Array, spec: Flip, load: (data: Uint8Array) => T, countOffset: number | undefined,
): Subject<T> {
  const offset = flipOffset(spec, bytes.length, countOffset === undefined ? 30 : countOffset + 1);
  const loaded = attempt(`load with bit ${spec.bit} of byte ${offset} flipped`, () => load(flipWithValidCrc(bytes, offset, spec.bit)));
  if (!loaded.ok) return { value: fresh.value, meaning: fresh.values };
  const value = w.g.add(loaded.value);
  const field = offset < headerBytes ? "header" : offset < 18 ? "level" : offset < 22 ? "slots" : offset < 30 ? "scale" : offset === countOffset ? "count" : "data";
  if (field === "header" || field === "level" || field === "count") {
    return expect.fail(`a flip of bit ${spec.bit} in the ${field} (byte ${offset}) was accepted by the loader`);
  }
  if (field === "slots") return { value, meaning: slotsMeaning(w, fresh.values, value.slots) };
  if (field === "scale") return { value, meaning: scaleMeaning(w, fresh.values, value.level, fresh.value.scale, value.scale) };
  return { value, meaning: "unknown" };
}

// ------------------------------------------------------------------ ciphertexts

/** A zero polynomial over the basis of `level` (NTT form). */
function zeroPoly(w: World, level: number): RnsPoly {
  return w.g.add(w.c.params.ring.zero(w.c.params.basisQ(level), { ntt: true }));
}

/** Applies `attack` to a fresh ciphertext; returns the attacked object and its meaning. */
export function attackCiphertext(w: World, fresh: Fresh<Ciphertext>, attack: CiphertextAttack): Subject<Ciphertext> {
  const { c, other, foreign, g } = w;
  const ct = fresh.value;
  const x = fresh.values;
  const { level, scale } = ct;
  const intact = { value: ct, meaning: x } as const;
  const forge = (polys: unknown, meaning: Meaning, params: unknown = c.params, lvl: unknown = level, s: unknown = scale, n: unknown = ct.slots): Subject<Ciphertext> =>
    ({ value: g.add(new Ciphertext(params as typeof c.params, polys as RnsPoly[], lvl as number, s as number, n as number)), meaning });
  /** Checks the object is exactly as it was (after a write or a refused step). */
  const unchanged = (label: string, before: { level: number; scale: number; slots: number; degree: number; bytes: Buffer }): Subject<Ciphertext> => {
    expect({ level: ct.level, scale: ct.scale, slots: ct.slots, degree: ct.degree, params: ct.params === c.params }, label)
      .toEqual({ level: before.level, scale: before.scale, slots: before.slots, degree: before.degree, params: true });
    expect(ciphertextBytes(ct).equals(before.bytes), `${label}: the residues changed`).toBe(true);
    expect(ct).toBeInstanceOf(Ciphertext);
    return intact;
  };
  const snapshot = (): { level: number; scale: number; slots: number; degree: number; bytes: Buffer } =>
    ({ level: ct.level, scale: ct.scale, slots: ct.slots, degree: ct.degree, bytes: ciphertextBytes(ct) });

  switch (attack.kind) {
    case "none":
      return intact;
    case "write": {
      const before = snapshot();
      const [field, value] = attack.write;
      refusedWrite(`write ${field}`, () => {
        (ct as unknown as Record<string, unknown>)[field] = writeValue(w, ct, field, value);
      });
      return unchanged(`after writing ${field}`, before);
    }
    case "snapshot": {
      const before = snapshot();
      refusedWrite(`change the polys snapshot (${attack.how})`, () => {
        const polys = ct.polys as unknown as RnsPoly[];
        if (attack.how === "push") polys.push(zeroPoly(w, level));
        else if (attack.how === "pop") polys.pop();
        else if (attack.how === "assign") polys[0] = polys[1]!;
        else if (attack.how === "reverse") polys.reverse();
        else {
          const seed = ct.seed;
          if (seed !== undefined) seed[0] = seed[0]! ^ 1;
        }
      });
      return unchanged(`after changing the polys snapshot (${attack.how})`, before);
    }
    case "reflect": {
      const before = snapshot();
      refusedWrite(`reflect ${attack.how}`, () => reflect(ct, attack.how));
      return unchanged(`after ${attack.how}`, before);
    }
    case "forgeScale": {
      const forged = resolveScale(attack.scale, scale);
      return forge(ct.polys, scaleMeaning(w, x, level, scale, forged), c.params, level, forged);
    }
    case "forgeSlots":
      return forge(ct.polys, slotsMeaning(w, x, attack.slots), c.params, level, scale, attack.slots);
    case "forgeLevel":
      return forge(ct.polys, attack.level === level ? x : "invalid", c.params, attack.level);
    case "forgePolys": {
      const [c0, c1] = ct.polys as [RnsPoly, RnsPoly];
      switch (attack.polys) {
        case "alias": return forge(ct.polys, x);
        // The other operand's polynomials under a second handle: both operands share memory.
        case "degree0": return forge([c0], "invalid");
        case "empty": return forge([], "invalid");
        case "degree2zero": return forge([c0, c1, zeroPoly(w, level)], x);
        case "degree3": return forge([c0, c1, zeroPoly(w, level), zeroPoly(w, level)], "invalid");
        case "duplicate": return forge([c0, c0], "invalid");
        case "mixed": return forge([c0, g.add(c.encrypt(valuesFrom(2), { level, slots })).polys[1]], "unknown");
        case "otherLevel": return forge(g.add(c.encrypt(x, { level: level === 0 ? 1 : level - 1, slots })).polys, "invalid");
        case "otherParams": return forge(g.add(other.encrypt(x, { level, slots })).polys, "invalid");
        case "foreignHeap": return forge(g.add(foreign.encrypt(x, { level, slots })).polys, "invalid");
        case "disposed": {
          const victim = g.add(c.encrypt(x, { level, slots }));
          victim.polys[1]!.dispose();
          return forge(victim.polys, "invalid");
        }
        // Something other than a polynomial where c_1 belongs.
        case "object": return forge([c0, {}], "invalid");
        case "null": return forge([c0, null], "invalid");
        case "number": return forge([c0, 7], "invalid");
      }
      break;
    }
    case "forgeParams": {
      const params = { other: other.params, foreign: foreign.params, null: null, object: {} }[attack.params];
      return forge(ct.polys, "invalid", params);
    }
    case "sibling": {
      const { value, values } = w.sibling;
      return { value: g.add(new Ciphertext(c.params, value.polys, value.level, value.scale * attack.k, value.slots)), meaning: vscale(values, 1 / attack.k) };
    }
    case "ring":
      return ringAttackCiphertext(w, fresh, attack.op, attack.k, unchanged, snapshot, forge);
    case "dispose":
      ct.dispose();
      if (attack.twice) ct.dispose();
      return { value: ct, meaning: "invalid" };
    case "foreign":
      return { value: g.add((attack.which === "otherParams" ? other : foreign).encrypt(x, { level, slots })), meaning: "invalid" };
    case "flip": {
      const bytes = serializeCiphertext(ct, { seeded: attack.flip.seeded });
      return loadFlipped(w, fresh, bytes, attack.flip, (data) => loadCiphertext(c.params, data), 30);
    }
  }
  return expect.fail(`unknown attack ${JSON.stringify(attack)}`);
}

type Forge = (polys: unknown, meaning: Meaning, params?: unknown, level?: unknown, scale?: unknown) => Subject<Ciphertext>;
type Snapshot = { level: number; scale: number; slots: number; degree: number; bytes: Buffer };

/** Public ring-layer operations on a ciphertext's polynomials. */
function ringAttackCiphertext(
  w: World, fresh: Fresh<Ciphertext>, op: string, k: number,
  unchanged: (label: string, before: Snapshot) => Subject<Ciphertext>, snapshot: () => Snapshot, forge: Forge,
): Subject<Ciphertext> {
  const { c, other, g } = w;
  const ct = fresh.value;
  const x = fresh.values;
  const { level } = ct;
  const polys = ct.polys;
  const lower = c.params.basisQ(Math.max(0, level - 1));
  // At level 0 there is no lower basis: shrinking to the same basis changes nothing.
  const shrinkMeaning: Meaning = level === 0 ? x : "invalid";
  switch (op) {
    case "shrinkOne":
      polys[1]!.shrinkTo(lower);
      return { value: ct, meaning: shrinkMeaning };
    case "shrinkAll":
      for (const poly of polys) poly.shrinkTo(lower);
      return { value: ct, meaning: shrinkMeaning };
    case "shrinkAllForge":
      // Shrinking every polynomial and recording the lower level is a level drop done by hand.
      for (const poly of polys) poly.shrinkTo(lower);
      return forge(polys, x, c.params, Math.max(0, level - 1));
    case "coefficientsOne":
      toCoefficients(polys[0]!);
      return { value: ct, meaning: "invalid" };
    case "coefficientsAll":
      for (const poly of polys) toCoefficients(poly);
      return { value: ct, meaning: "invalid" };
    case "coefficientsRoundTrip":
      for (const poly of polys) {
        toCoefficients(poly);
        toNtt(poly);
      }
      return { value: ct, meaning: x };
    case "disposeOne":
      polys[1]!.dispose();
      return { value: ct, meaning: "invalid" };
    case "neg":
      for (const poly of polys) neg(poly, poly);
      return { value: ct, meaning: vscale(x, -1) };
    case "mulScalar":
      for (const poly of polys) mulScalar(poly, poly, k);
      return { value: ct, meaning: vscale(x, k) };
    case "addPlain": {
      const y = valuesFrom(3);
      const pt = g.add(c.encode(y, { level, scale: ct.scale, slots }));
      add(polys[0]!, polys[0]!, pt.poly);
      return { value: ct, meaning: { re: x.re.map((v, i) => v + y.re[i]!), im: x.im.map((v, i) => v + y.im[i]!) } };
    }
    case "notNtt": {
      // The form is read-only: the write is refused and changes nothing.
      const before = snapshot();
      refusedWrite("write isNtt", () => {
        (polys[0] as unknown as { isNtt: boolean }).isNtt = false;
      });
      return unchanged("after writing isNtt", before);
    }
    case "nttLie":
      // Coefficients relabelled as NTT evaluations: the relabelling is refused, so the
      // polynomial stays in coefficient form, which every call refuses.
      toCoefficients(polys[0]!);
      refusedWrite("write isNtt", () => {
        (polys[0] as unknown as { isNtt: boolean }).isNtt = true;
      });
      return { value: ct, meaning: "invalid" };
    case "shrinkNotPrefix": {
      const before = snapshot();
      expect(refusable("shrink to a basis that is not a prefix", () => polys[0]!.shrinkTo(other.params.basisQ(0)))).toBe(false);
      return unchanged("after a refused shrinkTo", before);
    }
  }
  return expect.fail(`unknown ring attack ${op}`);
}

// ------------------------------------------------------------------ plaintexts

/** Applies `attack` to a fresh plaintext; returns the attacked object and its meaning. */
export function attackPlaintext(w: World, fresh: Fresh<Plaintext>, attack: PlaintextAttack): Subject<Plaintext> {
  const { c, other, foreign, g } = w;
  const pt = fresh.value;
  const v = fresh.values;
  const { level, scale } = pt;
  const intact = { value: pt, meaning: v } as const;
  const forge = (poly: unknown, meaning: Meaning, params: unknown = c.params, lvl: unknown = level, s: unknown = scale, n: unknown = pt.slots): Subject<Plaintext> =>
    ({ value: g.add(new Plaintext(params as typeof c.params, poly as RnsPoly, lvl as number, s as number, n as number)), meaning });
  const before = { level, scale, slots: pt.slots, bytes: plaintextBytes(pt) };
  const unchanged = (label: string): Subject<Plaintext> => {
    expect({ level: pt.level, scale: pt.scale, slots: pt.slots, params: pt.params === c.params }, label)
      .toEqual({ level: before.level, scale: before.scale, slots: before.slots, params: true });
    expect(plaintextBytes(pt).equals(before.bytes), `${label}: the residues changed`).toBe(true);
    expect(pt).toBeInstanceOf(Plaintext);
    return intact;
  };
  switch (attack.kind) {
    case "none":
      return intact;
    case "write": {
      const [field, value] = attack.write;
      refusedWrite(`write ${field}`, () => {
        (pt as unknown as Record<string, unknown>)[field] = writeValue(w, pt, field, value);
      });
      return unchanged(`after writing ${field}`);
    }
    case "reflect":
      refusedWrite(`reflect ${attack.how}`, () => reflect(pt, attack.how));
      return unchanged(`after ${attack.how}`);
    case "forgeScale": {
      const forged = resolveScale(attack.scale, scale);
      return forge(pt.poly, scaleMeaning(w, v, level, scale, forged), c.params, level, forged);
    }
    case "forgeSlots":
      return forge(pt.poly, slotsMeaning(w, v, attack.slots), c.params, level, scale, attack.slots);
    case "forgeLevel":
      return forge(pt.poly, attack.level === level ? v : "invalid", c.params, attack.level);
    case "forgePoly":
      switch (attack.poly) {
        case "alias": return forge(pt.poly, v);
        case "otherLevel": return forge(g.add(c.encode(v, { level: level === 0 ? 1 : level - 1, slots })).poly, "invalid");
        case "otherParams": return forge(g.add(other.encode(v, { level, slots })).poly, "invalid");
        case "foreignHeap": return forge(g.add(foreign.encode(v, { level, slots })).poly, "invalid");
        case "disposed": {
          const victim = g.add(c.encode(v, { level, slots }));
          victim.dispose();
          return forge(victim.poly, "invalid");
        }
        // c_0 of a ciphertext is a consistent polynomial of that level: its value is unknown.
        case "ciphertextPoly": return forge(g.add(c.encrypt(v, { level, slots })).polys[0], "unknown");
        // Something other than a polynomial.
        case "object": return forge({}, "invalid");
        case "null": return forge(null, "invalid");
      }
      break;
    case "forgeParams":
      return forge(pt.poly, "invalid", { other: other.params, foreign: foreign.params, null: null, object: {} }[attack.params]);
    case "ring":
      switch (attack.op) {
        case "shrink":
          pt.poly.shrinkTo(c.params.basisQ(Math.max(0, level - 1)));
          return { value: pt, meaning: level === 0 ? v : "invalid" };
        case "coefficients":
          toCoefficients(pt.poly);
          return { value: pt, meaning: "invalid" };
        case "coefficientsRoundTrip":
          toCoefficients(pt.poly);
          toNtt(pt.poly);
          return intact;
        case "dispose":
          pt.poly.dispose();
          return { value: pt, meaning: "invalid" };
        case "neg":
          neg(pt.poly, pt.poly);
          return { value: pt, meaning: vscale(v, -1) };
        case "notNtt":
          // The form is read-only: the write is refused and changes nothing.
          refusedWrite("write isNtt", () => {
            (pt.poly as unknown as { isNtt: boolean }).isNtt = false;
          });
          return unchanged("after writing isNtt");
        case "shrinkNotPrefix":
          expect(refusable("shrink to a basis that is not a prefix", () => pt.poly.shrinkTo(other.params.basisQ(0)))).toBe(false);
          return unchanged("after a refused shrinkTo");
      }
      break;
    case "dispose":
      pt.dispose();
      if (attack.twice) pt.dispose();
      return { value: pt, meaning: "invalid" };
    case "foreign":
      return { value: g.add((attack.which === "otherParams" ? other : foreign).encode(v, { level, slots })), meaning: "invalid" };
    case "flip":
      return loadFlipped(w, fresh, serializePlaintext(pt), attack.flip, (data) => loadPlaintext(c.params, data), undefined);
  }
  return expect.fail(`unknown attack ${JSON.stringify(attack)}`);
}
