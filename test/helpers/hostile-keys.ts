// Attacks on keys for the hostile-user suite (test/engine/hostile-user-keys.test.ts): a fresh
// key set per run, what a careless or hostile user does to one of its keys, and the public
// calls that use keys, each with what it must produce.

import fc from "fast-check";
import { expect } from "vitest";
import {
  type Ciphertext, Decryptor, dispose, Encoder, Encryptor, Evaluator, FheError, GaloisKeys, KeyGenerator,
  loadGaloisKeys, loadPublicKey, loadSecretKey, loadSwitchingKey, type Parameters, PublicKey, SecretKey,
  serializeGaloisKeys, serializePublicKey, serializeSecretKey, serializeSwitchingKey, SwitchingKey,
} from "../../engine/index.js";
import { type RnsPoly, toCoefficients, toNtt } from "../../engine/ring/index.js";
import { type CkksContext, vconj, vmul, vrotate, type Vec } from "./ckks.js";
import { type Flip, flipArb, flipOffset, flipWithValidCrc, type Garbage, headerBytes, type Meaning, refusedWrite } from "./hostile.js";
import { slots, valuesFrom } from "./hostile-attacks.js";

/** One key set under a fresh secret. Galois keys: rotation by 1 and conjugation. */
export interface KeySet {
  readonly sk: SecretKey;
  readonly pk: PublicKey;
  readonly rlk: SwitchingKey;
  readonly gk: GaloisKeys;
}
export type KeyName = keyof KeySet;

export function makeKeySet(params: Parameters, g: Garbage): KeySet {
  const keygen = new KeyGenerator(params);
  return {
    sk: g.add(keygen.secretKey), pk: g.add(keygen.createPublicKey()), rlk: g.add(keygen.createRelinearizationKey()),
    gk: g.add(keygen.createGaloisKeys({ steps: [1] })),
  };
}

/** Exact identity of a key: its serialization in full form. */
export function keyBytes(keys: KeySet, name: KeyName): Buffer {
  switch (name) {
    case "sk": return Buffer.from(serializeSecretKey(keys.sk));
    case "pk": return Buffer.from(serializePublicKey(keys.pk, { seeded: false }));
    case "rlk": return Buffer.from(serializeSwitchingKey(keys.rlk, { seeded: false }));
    case "gk": return Buffer.from(serializeGaloisKeys(keys.gk, { seeded: false }));
  }
}

// ------------------------------------------------------------------ attacks

const reflections = fc.constantFrom("defineProperty", "setPrototypeOf", "delete", "assign");

export const keyAttack = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ kind: "none" as const }) },
  // Writes to read-only fields.
  fc.record({ kind: fc.constant("write" as const), field: fc.constantFrom("poly", "params", "b", "a", "seed", "digits", "galoisElement", "keys", "elements") }),
  // Changes to what the getters hand out: arrays, maps, digit objects, seed bytes.
  fc.record({
    kind: fc.constant("snapshot" as const),
    how: fc.constantFrom("push", "pop", "assign", "deleteKey", "setKey", "pushElement", "digitPart", "seedByte"),
  }),
  fc.record({ kind: fc.constant("reflect" as const), how: reflections }),
  fc.record({ kind: fc.constant("dispose" as const), part: fc.constantFrom("whole", "twice", "onePoly") }),
  fc.record({ kind: fc.constant("ring" as const), op: fc.constantFrom("coefficients", "coefficientsRoundTrip", "shrink") }),
  fc.record({ kind: fc.constant("foreign" as const), which: fc.constantFrom("otherParams", "foreignHeap") }),
  fc.record({
    kind: fc.constant("forge" as const),
    how: fc.constantFrom("alias", "empty", "doubled", "swapped", "relabelled", "otherParams", "nonPolynomial"),
  }),
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("flip" as const), flip: flipArb }) },
);
export type KeyAttack = typeof keyAttack extends fc.Arbitrary<infer A> ? A : never;

/** What an attacked key means: "valid" (the key as generated), or as for operands (hostile.ts). */
export type KeyMeaning = "valid" | Exclude<Meaning, Vec>;

/** The contexts foreign keys come from, and the run's garbage. */
export interface KeyWorld {
  readonly params: Parameters;
  readonly other: CkksContext;
  readonly foreign: CkksContext;
  readonly g: Garbage;
}

/** Polynomials of the key an attack on it targets: sk.poly, pk.b, the relinearization key's first a, every Galois key's first b. */
function polysOf(keys: KeySet, name: KeyName): RnsPoly[] {
  switch (name) {
    case "sk": return [keys.sk.poly];
    case "pk": return [keys.pk.b];
    case "rlk": return [keys.rlk.digits[0]!.a];
    case "gk": return [...keys.gk.keys.values()].map((key) => key.digits[0]!.b);
  }
}

/** A fresh key of the kind `name` under other parameters or on another heap. */
function foreignKey(on: Parameters, name: KeyName, g: Garbage): KeySet[KeyName] {
  return makeKeySet(on, g)[name];
}

/** A hand-made key of the kind `name` (through the reachable constructors), with its meaning. */
function forgeKey(w: KeyWorld, keys: KeySet, name: KeyName, how: string): { key: KeySet[KeyName]; meaning: KeyMeaning } {
  const { params, g, other } = w;
  const galois = [...keys.gk.keys.values()];
  const switching = (digits: readonly { b: RnsPoly; a: RnsPoly }[], element: number, on: Parameters = params): SwitchingKey =>
    g.add(new SwitchingKey(on, digits, keys.rlk.seed, element));
  if (how === "nonPolynomial") {
    // Something other than a polynomial where one belongs: every call using the key refuses it.
    const part = {} as RnsPoly;
    const digits = keys.rlk.digits.map((digit, j) => (j === 0 ? { b: part, a: digit.a } : digit));
    const made: Record<KeyName, () => KeySet[KeyName]> = {
      sk: () => g.add(new SecretKey(params, part)),
      pk: () => g.add(new PublicKey(params, part, keys.pk.a, keys.pk.seed)),
      rlk: () => switching(digits, 0),
      gk: () => g.add(new GaloisKeys(params, [switching(digits, galois[0]!.galoisElement)])),
    };
    return { key: made[name](), meaning: "invalid" };
  }
  switch (name) {
    case "sk":
      if (how === "alias") return { key: g.add(new SecretKey(params, keys.sk.poly)), meaning: "valid" };
      if (how === "otherParams") return { key: g.add(new SecretKey(other.params, keys.sk.poly)), meaning: "invalid" };
      // Another polynomial of the right shape as the secret: consistent, meaningless.
      return { key: g.add(new SecretKey(params, keys.rlk.digits[0]!.b)), meaning: "unknown" };
    case "pk":
      if (how === "alias") return { key: g.add(new PublicKey(params, keys.pk.b, keys.pk.a, keys.pk.seed)), meaning: "valid" };
      if (how === "otherParams") return { key: g.add(new PublicKey(other.params, keys.pk.b, keys.pk.a, keys.pk.seed)), meaning: "invalid" };
      return { key: g.add(new PublicKey(params, keys.pk.a, keys.pk.b, keys.pk.seed)), meaning: "unknown" };
    case "rlk":
      switch (how) {
        case "alias": return { key: switching(keys.rlk.digits, 0), meaning: "valid" };
        case "empty": return { key: switching([], 0), meaning: "invalid" };
        case "doubled": return { key: switching([...keys.rlk.digits, ...keys.rlk.digits], 0), meaning: "invalid" };
        // A Galois key's digits labelled as the relinearization key: consistent, wrong.
        case "swapped": return { key: switching(galois[0]!.digits, 0), meaning: "unknown" };
        // Labelled as a Galois key: the evaluator refuses it as relinearization key.
        case "relabelled": return { key: switching(keys.rlk.digits, galois[0]!.galoisElement), meaning: "invalid" };
        default: return { key: switching(keys.rlk.digits, 0, other.params), meaning: "invalid" };
      }
    case "gk":
      switch (how) {
        case "alias": return { key: g.add(new GaloisKeys(params, galois)), meaning: "valid" };
        // No keys at all: rotations are refused (MISSING_KEY), which "valid" allows.
        case "empty": return { key: g.add(new GaloisKeys(params, [])), meaning: "valid" };
        // Duplicates and keys of other parameters: the constructor refuses them (see attackKey).
        case "doubled": return { key: g.add(new GaloisKeys(params, [...galois, ...galois])), meaning: "invalid" };
        // The two keys under each other's element: consistent, wrong.
        case "swapped": return { key: g.add(new GaloisKeys(params, [switching(galois[0]!.digits, galois[1]!.galoisElement), switching(galois[1]!.digits, galois[0]!.galoisElement)])), meaning: "unknown" };
        case "relabelled": return { key: g.add(new GaloisKeys(params, [switching(galois[0]!.digits, 3)])), meaning: "unknown" };
        default: return { key: g.add(new GaloisKeys(other.params, galois)), meaning: "invalid" };
      }
  }
}

/**
 * Where a key's own fields end: none for secret and public keys; a switching key's Galois
 * element and digit count; the key count of Galois keys (each key's fields follow in the body).
 */
const keyFieldsEnd: Record<KeyName, number> = { sk: headerBytes, pk: headerBytes, rlk: headerBytes + 6, gk: headerBytes + 2 };

/** Serializes a key, flips a bit (CRC fixed) and loads it: header flips must be refused. */
function flipKey(w: KeyWorld, keys: KeySet, name: KeyName, spec: Flip): { key: KeySet[KeyName]; meaning: KeyMeaning } {
  const { params, g } = w;
  const bytes = {
    sk: () => serializeSecretKey(keys.sk),
    pk: () => serializePublicKey(keys.pk, { seeded: spec.seeded }),
    rlk: () => serializeSwitchingKey(keys.rlk, { seeded: spec.seeded }),
    gk: () => serializeGaloisKeys(keys.gk, { seeded: spec.seeded }),
  }[name]();
  const load = { sk: loadSecretKey, pk: loadPublicKey, rlk: loadSwitchingKey, gk: loadGaloisKeys }[name];
  const offset = flipOffset(spec, bytes.length, keyFieldsEnd[name]);
  let loaded: KeySet[KeyName];
  try {
    loaded = g.add(load(params, flipWithValidCrc(bytes, offset, spec.bit)));
  } catch (error) {
    if (!(error instanceof FheError)) expect.fail(`loading a ${name} with bit ${spec.bit} of byte ${offset} flipped threw ${String(error)}`);
    return { key: keys[name], meaning: "valid" };
  }
  if (offset < headerBytes) expect.fail(`a flip of bit ${spec.bit} in the header (byte ${offset}) of a ${name} was accepted`);
  return { key: loaded, meaning: "unknown" };
}

/**
 * Applies `attack` to key `name` of `keys`; returns the key set to use afterwards (the attacked
 * key replaced when the attack made a new one) and what the attacked key means.
 */
export function attackKey(w: KeyWorld, keys: KeySet, name: KeyName, attack: KeyAttack): { keys: KeySet; meaning: KeyMeaning } {
  const target = keys[name] as unknown as Record<string, unknown>;
  const unchanged = (label: string, before: Buffer): { keys: KeySet; meaning: KeyMeaning } => {
    expect(keyBytes(keys, name).equals(before), `${label}: the ${name} changed`).toBe(true);
    expect(keys[name].params === w.params, `${label}: params`).toBe(true);
    return { keys, meaning: "valid" };
  };
  const replaced = (made: { key: KeySet[KeyName]; meaning: KeyMeaning }): { keys: KeySet; meaning: KeyMeaning } =>
    ({ keys: { ...keys, [name]: made.key }, meaning: made.meaning });
  switch (attack.kind) {
    case "none":
      return { keys, meaning: "valid" };
    case "write": {
      const before = keyBytes(keys, name);
      const values: Record<string, unknown> = {
        poly: polysOf(keys, "rlk")[0], params: w.other.params, b: keys.pk.a, a: keys.pk.b, seed: new Uint8Array(32),
        digits: [], galoisElement: 3, keys: new Map(), elements: [],
      };
      refusedWrite(`write ${name}.${attack.field}`, () => {
        target[attack.field] = values[attack.field];
      });
      return unchanged(`after writing ${name}.${attack.field}`, before);
    }
    case "snapshot": {
      const before = keyBytes(keys, name);
      refusedWrite(`change a snapshot of ${name} (${attack.how})`, () => {
        const digits = keys.rlk.digits as { b: RnsPoly; a: RnsPoly }[];
        const map = keys.gk.keys as Map<number, SwitchingKey>;
        if (attack.how === "push") digits.push(digits[0]!);
        else if (attack.how === "pop") digits.pop();
        else if (attack.how === "assign") digits[0] = { b: digits[0]!.a, a: digits[0]!.b };
        else if (attack.how === "deleteKey") map.clear();
        else if (attack.how === "setKey") map.set(5, keys.rlk);
        else if (attack.how === "pushElement") keys.gk.elements.push(7);
        else if (attack.how === "digitPart") (digits[0] as { b: RnsPoly }).b = digits[0]!.a;
        else for (const seed of [keys.pk.seed, keys.rlk.seed]) seed[0] = seed[0]! ^ 1;
      });
      return unchanged(`after changing a snapshot (${attack.how})`, before);
    }
    case "reflect": {
      const before = keyBytes(keys, name);
      refusedWrite(`reflect ${attack.how} on ${name}`, () => {
        if (attack.how === "defineProperty") Object.defineProperty(target, "params", { value: w.other.params });
        else if (attack.how === "setPrototypeOf") Object.setPrototypeOf(target, Object.prototype);
        else if (attack.how === "delete") delete target.params;
        else Object.assign(target, { params: w.other.params, seed: new Uint8Array(32) });
      });
      return unchanged(`after ${attack.how} on ${name}`, before);
    }
    case "dispose":
      if (attack.part === "onePoly") for (const poly of polysOf(keys, name)) poly.dispose();
      else {
        keys[name].dispose();
        if (attack.part === "twice") keys[name].dispose();
      }
      return { keys, meaning: "invalid" };
    case "ring": {
      for (const poly of polysOf(keys, name)) {
        if (attack.op === "coefficients") toCoefficients(poly);
        else if (attack.op === "coefficientsRoundTrip") {
          toCoefficients(poly);
          toNtt(poly);
        } else {
          // A prefix of the basis: a secret or public key still serves the levels it covers
          // (other calls refuse, which "valid" allows); a switching key must be refused.
          poly.shrinkTo(w.params.basisQ(name === "pk" ? 0 : w.params.maxLevel));
        }
      }
      if (attack.op === "coefficients") return { keys, meaning: "invalid" };
      if (attack.op === "coefficientsRoundTrip") return { keys, meaning: "valid" };
      return { keys, meaning: name === "sk" || name === "pk" ? "valid" : "invalid" };
    }
    case "foreign":
      return { keys: { ...keys, [name]: foreignKey((attack.which === "otherParams" ? w.other : w.foreign).params, name, w.g) }, meaning: "invalid" };
    case "forge": {
      // A constructor may refuse the forgery on the spot: the key set is then unchanged.
      try {
        return replaced(forgeKey(w, keys, name, attack.how));
      } catch (error) {
        if (!(error instanceof FheError)) expect.fail(`forging a ${name} (${attack.how}) threw ${String(error)}`);
        return { keys, meaning: "valid" };
      }
    }
    case "flip":
      return replaced(flipKey(w, keys, name, attack.flip));
  }
}

// ------------------------------------------------------------------ calls that use keys

/** What a key-using call returns: ciphertexts (decrypted under the reference key) or decoded values. */
export type KeyResult = Ciphertext | readonly Ciphertext[] | Vec | undefined;

export interface KeyOperation {
  /** The keys it uses; an invalid one must make it throw FheError. */
  readonly uses: readonly KeyName[];
  /** True when it moves the key through bytes: a key of the same parameters on another heap is then fine. */
  readonly viaBytes?: boolean;
  /** `ct` encrypts x (8 slots) under the original key set; the call must give `expected(x)`. */
  run(keys: KeySet, params: Parameters, ct: Ciphertext, g: Garbage): KeyResult;
  readonly expected?: (x: Vec) => readonly Vec[];
}

/** Decrypts and decodes `ct`. */
export function decode(params: Parameters, decryptor: Decryptor, ct: Ciphertext): Vec {
  using pt = decryptor.decrypt(ct);
  const { re, im } = new Encoder(params).decodeComplex(pt);
  return { re: Array.from(re), im: Array.from(im) };
}

/** Encodes x in 8 slots and encrypts it under `key`. */
export function encryptUnder(params: Parameters, key: PublicKey | SecretKey, x: Vec): Ciphertext {
  using pt = new Encoder(params).encodeComplex(x, { slots });
  return new Encryptor(params, key).encrypt(pt);
}

export const keyOperations: Record<string, KeyOperation> = {
  decrypt: { uses: ["sk"], run: (k, params, ct) => decode(params, new Decryptor(params, k.sk), ct), expected: (x) => [x] },
  encryptSecret: { uses: ["sk"], run: (k, params) => encryptUnder(params, k.sk, valuesFrom(41)), expected: () => [valuesFrom(41)] },
  encryptPublic: { uses: ["pk"], run: (k, params) => encryptUnder(params, k.pk, valuesFrom(42)), expected: () => [valuesFrom(42)] },
  mulRelin: { uses: ["rlk"], run: (k, params, ct) => new Evaluator(params, { relinearizationKey: k.rlk }).mulRelin(ct, ct), expected: (x) => [vmul(x, x)] },
  relinearize: {
    uses: ["rlk"],
    run: (k, params, ct) => {
      const ev = new Evaluator(params, { relinearizationKey: k.rlk });
      using product = ev.multiply(ct, ct);
      return ev.relinearize(product);
    },
    expected: (x) => [vmul(x, x)],
  },
  rotate: { uses: ["gk"], run: (k, params, ct) => new Evaluator(params, { galoisKeys: k.gk }).rotate(ct, 1), expected: (x) => [vrotate(x, 1)] },
  rotateBy9: { uses: ["gk"], run: (k, params, ct) => new Evaluator(params, { galoisKeys: k.gk }).rotate(ct, 9), expected: (x) => [vrotate(x, 9)] },
  conjugate: { uses: ["gk"], run: (k, params, ct) => new Evaluator(params, { galoisKeys: k.gk }).conjugate(ct), expected: (x) => [vconj(x)] },
  rotateHoisted: {
    uses: ["gk"], run: (k, params, ct) => new Evaluator(params, { galoisKeys: k.gk }).rotateHoisted(ct, [1, 0, 8]),
    expected: (x) => [vrotate(x, 1), x, x],
  },
  rotateAndSum: {
    uses: ["gk"], run: (k, params, ct) => new Evaluator(params, { galoisKeys: k.gk }).rotateAndSum(ct, 2),
    expected: (x) => [{ re: x.re.map((v, i) => v + x.re[(i + 1) % slots]!), im: x.im.map((v, i) => v + x.im[(i + 1) % slots]!) }],
  },
  newKeys: {
    // Keys derived from an adopted secret key work with it.
    uses: ["sk"],
    run: (k, params, ct, g) => {
      const keygen = new KeyGenerator(params, k.sk);
      const rlk = g.add(keygen.createRelinearizationKey());
      const pk = g.add(keygen.createPublicKey());
      const product = g.add(new Evaluator(params, { relinearizationKey: rlk }).mulRelin(ct, ct));
      return [product, encryptUnder(params, pk, valuesFrom(43))];
    },
    expected: (x) => [vmul(x, x), valuesFrom(43)],
  },
  serializeSecretKey: {
    viaBytes: true, uses: ["sk"], run: (k, params, ct, g) => decode(params, new Decryptor(params, g.add(loadSecretKey(params, serializeSecretKey(k.sk)))), ct), expected: (x) => [x] },
  serializePublicKey: {
    viaBytes: true,
    uses: ["pk"], run: (k, params, _ct, g) => encryptUnder(params, g.add(loadPublicKey(params, serializePublicKey(k.pk))), valuesFrom(44)),
    expected: () => [valuesFrom(44)],
  },
  serializeSwitchingKey: {
    viaBytes: true,
    uses: ["rlk"],
    run: (k, params, ct, g) => new Evaluator(params, { relinearizationKey: g.add(loadSwitchingKey(params, serializeSwitchingKey(k.rlk, { seeded: false }))) }).mulRelin(ct, ct),
    expected: (x) => [vmul(x, x)],
  },
  serializeGaloisKeys: {
    viaBytes: true,
    uses: ["gk"],
    run: (k, params, ct, g) => new Evaluator(params, { galoisKeys: g.add(loadGaloisKeys(params, serializeGaloisKeys(k.gk))) }).rotate(ct, -7),
    expected: (x) => [vrotate(x, 1)],
  },
  dispose: {
    // Disposing keys in any state, twice, and through the memory scope's dispose(container).
    uses: [],
    run: (k) => {
      k.rlk.dispose();
      k.gk.dispose();
      dispose([k.sk, { pk: k.pk }, new Map([[1, k.gk]])]);
      return undefined;
    },
  },
};

export const keyOperationNames = Object.keys(keyOperations);
