// A careless or hostile user of keys, as a property (writes to read-only fields, snapshots,
// reflection, disposal, ring-layer operations on key polynomials, keys of other parameters or
// another heap, hand-made keys, byte flips with a fixed CRC), then a call that uses the key:
// the float64 result or FheError, and bystanders on every heap unchanged. Then each defect the
// hostile-user suites found (all fixed), as a minimal reproduction through the public API that
// asserts the correct behaviour.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  Ciphertext, Decryptor, Encryptor, Evaluator, FheError, GaloisKeys, KeyGenerator, loadCiphertext, loadPublicKey,
  loadSecretKey, loadSwitchingKey, memory, Parameters, Plaintext, serializeCiphertext, serializePlaintext,
  serializePublicKey, serializeSecretKey, serializeSwitchingKey, setMemoryWarning, WasmHeap,
} from "../../engine/index.js";
import { neg, toCoefficients } from "../../engine/ring/index.js";
import { expectFheError, makeContext, testLiterals, type Vec, vmul } from "../helpers/ckks.js";
import { attempt, Bystander, Garbage, relativeBits } from "../helpers/hostile.js";
import { slots, valuesFrom } from "../helpers/hostile-attacks.js";
import {
  attackKey, decode, encryptUnder, keyAttack, type KeyName, keyOperationNames, keyOperations, type KeyResult, makeKeySet,
} from "../helpers/hostile-keys.js";

const c = makeContext(testLiterals.single);
const other = makeContext({ ...testLiterals.single, logScale: 28 }, { steps: [1] });
const foreign = makeContext(testLiterals.single, { steps: [1] }, WasmHeap.create());
const { params } = c;

/** Property runs (hostile-user.test.ts makes 220 more). */
const numRuns = 80;

/** Bits (worst slot, relative) a fresh encryption, a product or a rotation keeps here. */
const requiredBits = 10;

const runArb = fc.constantFrom(...keyOperationNames).chain((op) => {
  const uses = keyOperations[op]!.uses;
  return fc.record({
    op: fc.constant(op),
    target: fc.constantFrom<KeyName>(...(uses.length === 0 ? (["sk", "pk", "rlk", "gk"] as const) : uses)),
    attack: keyAttack,
    seed: fc.integer(),
  });
});

const tally = { correct: 0, refusedValid: 0, refusedInvalid: 0, unknown: 0 };

/** Decrypts results under the reference copy of the secret key. */
function resultValues(label: string, result: KeyResult, reference: Decryptor): Vec[] {
  if (result === undefined) return [];
  if (!Array.isArray(result) && "re" in result) return [result as Vec];
  const list = Array.isArray(result) ? (result as readonly Ciphertext[]) : [result as Ciphertext];
  return list.map((ct, i) => {
    const decrypted = attempt(`${label}: decrypt result ${i}`, () => decode(params, reference, ct));
    if (!decrypted.ok) return expect.fail(`${label}: the call returned a ciphertext that does not decrypt: ${decrypted.error.message}`);
    return decrypted.value;
  });
}

function keyRun(r: typeof runArb extends fc.Arbitrary<infer R> ? R : never): void {
  const g = new Garbage();
  const label = `${JSON.stringify(r.attack)} on ${r.target}, then ${r.op}`;
  const bystanders = [new Bystander(c, valuesFrom(r.seed ^ 3)), new Bystander(other, valuesFrom(4)), new Bystander(foreign, valuesFrom(5))];
  try {
    const original = makeKeySet(params, g);
    const x = valuesFrom(r.seed);
    const ct = g.add(encryptUnder(params, original.sk, x));
    const reference = new Decryptor(params, g.add(loadSecretKey(params, serializeSecretKey(original.sk))));
    const attacked = attackKey({ params, other, foreign, g }, original, r.target, r.attack);
    const { keys } = attacked;
    const operation = keyOperations[r.op]!;
    // Bytes carry no heap: a key of these parameters on another heap saves and loads here, as
    // a key of another secret (consistent, but not the victim's).
    const sameLiteral = r.attack.kind === "foreign" && r.attack.which === "foreignHeap" && operation.viaBytes === true;
    const meaning = sameLiteral ? "unknown" : attacked.meaning;
    for (const b of bystanders) b.verify(`${label} (after the attack)`);

    const outcome = attempt(label, () => operation.run(keys, params, ct, g));
    if (outcome.ok && outcome.value !== undefined && !("re" in outcome.value)) {
      if (Array.isArray(outcome.value)) g.addAll(outcome.value as readonly Ciphertext[]);
      else g.add(outcome.value as Ciphertext);
    }
    const used = operation.uses.includes(r.target);
    if (used && meaning === "invalid") {
      if (outcome.ok) expect.fail(`${label}: an invalid key was accepted`);
      tally.refusedInvalid++;
    } else if ((used && meaning === "unknown") || operation.expected === undefined) {
      if (outcome.ok) resultValues(label, outcome.value, reference);
      tally.unknown++;
    } else if (!outcome.ok) {
      tally.refusedValid++;
    } else {
      const want = operation.expected(x);
      const got = resultValues(label, outcome.value, reference);
      expect(got.length, label).toBe(want.length);
      got.forEach((values, i) => {
        const bits = relativeBits(values, want[i]!);
        if (!(bits >= requiredBits)) expect.fail(`${label}: result ${i} is wrong (${bits.toFixed(1)} bits)`);
      });
      tally.correct++;
    }
    for (const b of bystanders) b.verify(`${label} (after the call)`);
    // The secret key under attack never changes what the reference copy decrypts.
    expect(relativeBits(decode(params, reference, ct), x), `${label}: the victim ciphertext`).toBeGreaterThan(requiredBits);
  } finally {
    g.dispose();
    for (const b of bystanders) b.dispose();
  }
}

describe("a hostile user of keys", () => {
  it("every call on untampered keys gives the float64 result", () => {
    for (const op of keyOperationNames) keyRun({ op, target: "sk", attack: { kind: "none" }, seed: 1 });
    expect(tally.correct).toBe(keyOperationNames.length - 1); // all but dispose
    expect(tally.refusedValid).toBe(0);
  });

  it("gets the float64 result or an FheError, refused whenever a key is inconsistent, and never changes a bystander (property)", () => {
    const start = { ...tally };
    fc.assert(fc.property(runArb, keyRun), { numRuns, seed: 0x6b657973 });
    const counts = Object.fromEntries(Object.entries(tally).map(([k, n]) => [k, n - start[k as keyof typeof tally]]));
    expect(counts.correct).toBeGreaterThan(15);
    expect(counts.refusedInvalid).toBeGreaterThan(10);
  });

  it("keys of other parameters or another heap are refused by every constructor", () => {
    for (const ctx of [other, foreign]) {
      expectFheError(() => new Evaluator(params, { relinearizationKey: ctx.relinearizationKey }), "MISMATCHED_OPERANDS", "create evaluator");
      expectFheError(() => new Evaluator(params, { galoisKeys: ctx.galoisKeys! }), "MISMATCHED_OPERANDS", "create evaluator");
      expectFheError(() => new Encryptor(params, ctx.publicKey), "MISMATCHED_OPERANDS", "create encryptor");
      expectFheError(() => new Encryptor(params, ctx.keygen.secretKey), "MISMATCHED_OPERANDS", "create encryptor");
      expectFheError(() => new Decryptor(params, ctx.keygen.secretKey), "MISMATCHED_OPERANDS", "create decryptor");
      expectFheError(() => new KeyGenerator(params, ctx.keygen.secretKey), "MISMATCHED_OPERANDS", "create key generator");
      const key = ctx.galoisKeys!.get(ctx.galoisKeys!.elements[0]!)!;
      expectFheError(() => new GaloisKeys(params, [key]), "MISMATCHED_OPERANDS", "create Galois keys");
    }
    // Objects that are no keys at all.
    expectFheError(() => new Evaluator(params, { relinearizationKey: c.publicKey as never }), "INVALID_ARGUMENT", "create evaluator");
    expectFheError(() => new Encryptor(params, c.relinearizationKey as never), "INVALID_ARGUMENT", "create encryptor");
    expectFheError(() => new Decryptor(params, c.publicKey as never), "INVALID_ARGUMENT", "create decryptor");
  });
});

// ------------------------------------------------------------------ defects found

const real = (values: number[]): Vec => ({ re: values, im: values.map(() => 0) });
const x = real([0.5, -0.25, 0.125, 0.75]);

describe("defects found by the hostile-user suites, fixed (each reproduction asserts the correct behaviour)", () => {
  // poly.ring was a plain field: pointing a ciphertext's polynomials at the ring of another
  // heap made negateInPlace run that heap's kernels on this heap's addresses, overwriting a
  // ciphertext on the other heap. The ring is read-only now (and polynomials frozen).
  it("writing a polynomial's ring is refused, and never corrupts a ciphertext on another heap", () => {
    const mine = makeContext(testLiterals.single, undefined, WasmHeap.create());
    const theirs = makeContext(testLiterals.single, undefined, WasmHeap.create());
    using bystander = theirs.encrypt(x);
    const before = Buffer.from(serializeCiphertext(bystander, { seeded: false }));
    using ct = mine.encrypt(x);
    for (const poly of ct.polys) {
      expect(() => {
        (poly as unknown as { ring: unknown }).ring = theirs.params.ring;
      }).toThrow(TypeError);
      expect(() => Object.defineProperty(poly, "ring", { value: theirs.params.ring })).toThrow(TypeError);
      expect(poly.ring).toBe(mine.params.ring);
    }
    mine.evaluator.negateInPlace(ct);
    expect(relativeBits(mine.decrypt(ct), { re: x.re.map((v) => -v), im: x.im })).toBeGreaterThan(10);
    expect(Buffer.from(serializeCiphertext(bystander, { seeded: false })).equals(before)).toBe(true);
  });

  // RnsBasis (and Modulus, Ring, WasmHeap) were not frozen. A basis is shared by every
  // polynomial of its level: giving the level-0 basis the moduli of the top level made
  // negateInPlace on a level-0 ciphertext write six limbs into each one-limb block, over the
  // level-0 ciphertext allocated next to it.
  it("writing a polynomial's basis moduli is refused, and never corrupts a neighbour", () => {
    const own = makeContext(testLiterals.single, undefined, WasmHeap.create());
    using ct = own.encrypt(x, { level: 0 });
    using neighbour = own.encrypt(x, { level: 0 });
    const before = own.decrypt(neighbour);
    const basis = ct.polys[0]!.basis as unknown as { moduli: unknown };
    const moduli = basis.moduli;
    expect(() => {
      basis.moduli = own.params.basisQ(own.params.maxLevel).moduli;
    }).toThrow(TypeError);
    expect(() => (moduli as unknown[]).push(own.params.basisQ(1).moduli[1])).toThrow(TypeError);
    expect(basis.moduli).toBe(moduli);
    own.evaluator.negateInPlace(ct);
    expect(own.decrypt(neighbour)).toEqual(before);
  });

  it("the ring's moduli, the ring and the heap are frozen (their constants and addresses cannot be replaced)", () => {
    const own = makeContext(testLiterals.single, undefined, WasmHeap.create());
    const { ring } = own.params;
    const basis = own.params.basisQ(own.params.maxLevel);
    for (const frozen of [ring, ring.heap, basis, basis.moduli, basis.primes, ...basis.moduli]) expect(Object.isFrozen(frozen)).toBe(true);
    const writes: [object, string, unknown][] = [
      [basis.moduli[0]!, "tables", 64], [basis.moduli[0]!, "q", 17], [ring, "heap", c.params.heap], [ring, "n", 8],
      [ring.heap, "kernels", c.params.heap.kernels], [ring.heap, "memory", c.params.heap.memory],
    ];
    for (const [target, field, value] of writes) {
      expect(() => {
        (target as Record<string, unknown>)[field] = value;
      }, field).toThrow(TypeError);
    }
    // The allocator's state is private: nothing a user can reach moves the next block.
    expect(Object.keys(ring.heap)).toEqual(["memory", "kernels", "build"]);
    using ct = own.encrypt(x);
    expect(relativeBits(own.decrypt(ct), x)).toBeGreaterThan(10);
  });

  // isNtt was a plain field, so coefficients marked as NTT evaluations passed every metadata
  // check and decrypted to garbage (~1e23) without an error. The form is read-only now.
  it("a coefficient-form polynomial cannot be relabelled as NTT form, and is refused", () => {
    using ct = c.encrypt(x);
    toCoefficients(ct.polys[0]!);
    expect(() => {
      (ct.polys[0] as unknown as { isNtt: boolean }).isNtt = true;
    }).toThrow(TypeError);
    expect(ct.polys[0]!.isNtt).toBe(false);
    expectFheError(() => c.decrypt(ct), "INVALID_ARGUMENT", "decrypt");
  });

  // SwitchingKey froze its digits array but not the digit objects { b, a }: replacing digit
  // 0's b by another key's made mulRelin silently wrong.
  it("the digits of a switching key cannot be replaced", () => {
    const keygen = new KeyGenerator(params);
    using rlk = keygen.createRelinearizationKey();
    using spare = keygen.createRelinearizationKey();
    expect(() => {
      (rlk.digits[0] as { b: unknown }).b = spare.digits[0]!.a;
    }).toThrow(TypeError);
    expect(rlk.digits[0]!.b === spare.digits[0]!.a).toBe(false); // (a boolean: printing polynomials is slow)
    using ct = encryptUnder(params, keygen.secretKey, x);
    using product = new Evaluator(params, { relinearizationKey: rlk }).mulRelin(ct, ct);
    const x8 = { re: [...x.re, 0, 0, 0, 0], im: new Array(slots).fill(0) };
    expect(relativeBits(decode(params, new Decryptor(params, keygen.secretKey), product), vmul(x8, x8))).toBeGreaterThan(10);
  });

  // PublicKey.seed and SwitchingKey.seed were the key's own Uint8Array: changing a byte changed
  // what the seeded form stores, and the loaded key was another key (public-key encryptions
  // under it decrypted to garbage, without an error). The getters return copies now.
  it("changing the bytes of a key's seed does not change the key it saves", () => {
    const keygen = new KeyGenerator(params);
    using pk = keygen.createPublicKey();
    pk.seed[0] = pk.seed[0]! ^ 1;
    using loaded = loadPublicKey(params, serializePublicKey(pk));
    using ct = encryptUnder(params, loaded, x);
    expect(relativeBits(decode(params, new Decryptor(params, keygen.secretKey), ct), { re: [...x.re, 0, 0, 0, 0], im: new Array(slots).fill(0) })).toBeGreaterThan(10);
  });

  it("changing the bytes of a switching key's seed does not change the key it saves", () => {
    const keygen = new KeyGenerator(params);
    using rlk = keygen.createRelinearizationKey();
    rlk.seed[0] = rlk.seed[0]! ^ 1;
    using loaded = loadSwitchingKey(params, serializeSwitchingKey(rlk));
    using ct = encryptUnder(params, keygen.secretKey, x);
    using product = new Evaluator(params, { relinearizationKey: loaded }).mulRelin(ct, ct);
    const x8 = { re: [...x.re, 0, 0, 0, 0], im: new Array(slots).fill(0) };
    expect(relativeBits(decode(params, new Decryptor(params, keygen.secretKey), product), vmul(x8, x8))).toBeGreaterThan(10);
  });

  // Ring-layer operations on the polynomials of a fresh secret-key encryption kept its seed;
  // the seeded form then stored c_1 as that seed, so the loaded ciphertext was not the one
  // saved (here -x saved, ~1e23 loaded). Serialization now checks the seed against c_1.
  it("a secret-key ciphertext changed through the ring layer saves and loads as itself", () => {
    using ct = c.encrypt(x, { secretKey: true });
    const seededSize = serializeCiphertext(ct).length;
    for (const poly of ct.polys) neg(poly, poly);
    const bytes = serializeCiphertext(ct);
    expect(bytes.length).toBe(serializeCiphertext(ct, { seeded: false }).length);
    expect(bytes.length).toBeGreaterThan(seededSize);
    expect(ct.seed).toBeUndefined(); // the stale seed is dropped
    using loaded = loadCiphertext(params, bytes);
    expect(c.decrypt(loaded)).toEqual(c.decrypt(ct));
  });

  // serializeCiphertext, serializePlaintext and the key serializers checked only that the
  // polynomials were live, not the metadata every other entry checks: a coefficient-form
  // polynomial was saved as NTT form and loaded as another object (garbage, no error), and a
  // hand-made ciphertext whose params is {} made serializeCiphertext throw TypeError.
  it("serializeCiphertext refuses a ciphertext whose polynomial left NTT form", () => {
    using ct = c.encrypt(x);
    toCoefficients(ct.polys[0]!);
    expectFheError(() => serializeCiphertext(ct), "INVALID_ARGUMENT", "serialize ciphertext");
  });

  it("serializePublicKey refuses a public key whose polynomial left NTT form", () => {
    const keygen = new KeyGenerator(params);
    using pk = keygen.createPublicKey();
    toCoefficients(pk.b);
    expectFheError(() => serializePublicKey(pk), "INVALID_ARGUMENT", "serialize public key");
  });

  it("serializeSecretKey refuses a secret key whose polynomial left NTT form", () => {
    const keygen = new KeyGenerator(params);
    toCoefficients(keygen.secretKey.poly);
    expectFheError(() => serializeSecretKey(keygen.secretKey), "INVALID_ARGUMENT", "serialize secret key");
    keygen.secretKey.dispose();
  });

  it("serializePlaintext refuses a plaintext whose polynomial left NTT form", () => {
    using pt = c.encode(x);
    toCoefficients(pt.poly);
    expectFheError(() => serializePlaintext(pt), "INVALID_ARGUMENT", "serialize plaintext");
  });

  it("serializeCiphertext of a hand-made ciphertext with params {} throws FheError", () => {
    using ct = c.encrypt(x);
    expectFheError(() => serializeCiphertext(new Ciphertext({} as Parameters, ct.polys, ct.level, ct.scale, ct.slots)), "INVALID_ARGUMENT", "serialize ciphertext");
  });

  // rescale divided the scale by the dropped prime without checking the result: a fresh
  // level-1 ciphertext at scale 2^29 rescaled to scale ~0.5, which decrypt (and every other
  // entry) then refused as "not made by this library". Refused before any change now.
  it("rescale refuses when the scale would drop below 1, and leaves the ciphertext as it was", () => {
    using ct = c.encrypt(x, { level: 1, scale: 2 ** 29 });
    const before = Buffer.from(serializeCiphertext(ct, { seeded: false }));
    expectFheError(() => c.evaluator.rescale(ct), "INVALID_ARGUMENT", "rescale");
    expectFheError(() => c.evaluator.rescaleInPlace(ct), "INVALID_ARGUMENT", "rescale");
    expect(Buffer.from(serializeCiphertext(ct, { seeded: false })).equals(before)).toBe(true);
  });

  // dropLevel kept the scale whatever the target level: x^3 (scale 2^90, level 4) dropped to
  // level 1 (80-bit modulus) was a ciphertext every entry refused ("scale 2^90.0 exceeds the
  // 80-bit modulus of level 1").
  it("dropLevel refuses a level whose modulus cannot hold the scale, naming the lowest one that can", () => {
    using ct = c.encrypt(x);
    using square = c.evaluator.mulRelin(ct, ct);
    using cube = c.evaluator.mulRelin(square, ct);
    const error = expectFheError(() => c.evaluator.dropLevel(cube, 1), "INVALID_ARGUMENT", "drop level");
    const lowest = [...Array(c.params.maxLevel + 1).keys()].find((l) => Math.log2(cube.scale) < c.params.basisQ(l).primes.reduce((sum, q) => sum + Math.log2(q), 0))!;
    expect(error.message).toContain(`drop to level ${lowest} or above`);
    using dropped = c.evaluator.dropLevel(cube, lowest);
    expect(relativeBits(c.decrypt(dropped), c.decrypt(cube))).toBeGreaterThan(10);
  });

  // x^4 without rescaling (scale 2^120 at level 4) minus a level-0 ciphertext: the two-step
  // factor of planScaleAdjustment (scale-adjustment.ts, factorSteps) rounded its first factor
  // to 0, divided by it and called BigInt(Infinity): a RangeError.
  it("subtracting operands of very different scales gives the result (plain rescales first), never a RangeError", () => {
    using ct = c.encrypt(x);
    using square = c.evaluator.mulRelin(ct, ct);
    using fourth = c.evaluator.mulRelin(square, square);
    using low = c.encrypt(x, { level: 0 });
    const outcome = attempt("subtract", () => c.evaluator.sub(fourth, low));
    expect(outcome.ok).toBe(true);
    using difference = outcome.ok ? outcome.value : undefined;
    expect(relativeBits(c.decrypt(difference!), { re: x.re.map((v) => v ** 4 - v), im: x.im })).toBeGreaterThan(10);
  });

  // A second handle on a ciphertext's polynomials with another scale (new Ciphertext(params,
  // a.polys, a.level, 2 * a.scale, a.slots), consistent by every check) as the other operand
  // of addInPlace: aligning a in place changed that operand too, and a became 2x (scaled)
  // instead of x + x/2, without an error. The operand is copied before a changes now.
  it("an in-place addition whose operand shares the destination's polynomials is exact", () => {
    using a = c.encrypt(x);
    const b = new Ciphertext(params, a.polys, a.level, 2 * a.scale, a.slots);
    c.evaluator.addInPlace(a, b);
    expect(relativeBits(c.decrypt(a), { re: x.re.map((v) => 1.5 * v), im: x.im })).toBeGreaterThan(10);
  });

  it("an in-place plaintext addition whose plaintext shares the destination's polynomial is exact", () => {
    using a = c.encrypt(x);
    const p = new Plaintext(params, a.polys[0]!, a.level, 2 * a.scale, a.slots);
    const c0 = c.encoder.decodeComplex(p); // what p means: c_0 of a at twice the scale
    c.evaluator.subPlainInPlace(a, p);
    const want = { re: x.re.map((v, i) => v - c0.re[i]!), im: x.im.map((v, i) => v - c0.im[i]!) };
    expect(relativeBits(c.decrypt(a), want)).toBeGreaterThan(10);
  });

  // checkSameParameters read actual.fingerprint without checking it is a Parameters: a
  // hand-made ciphertext with params null made negate throw TypeError.
  it("an operand whose params is null is refused with FheError", () => {
    using ct = c.encrypt(x);
    expectFheError(() => c.evaluator.negate(new Ciphertext(null as unknown as Parameters, ct.polys, ct.level, ct.scale, ct.slots)), "INVALID_ARGUMENT", "negate");
  });

  // checkMetadata called poly.assertLive without checking that the part is an RnsPoly, and
  // dispose() called poly.dispose: a hand-made ciphertext or plaintext holding {} (or null, a
  // number) made add, encrypt, decode and dispose throw TypeError.
  it("hand-made objects holding a non-polynomial are refused with FheError, and dispose without a crash", () => {
    for (const part of [{}, null, 7, "poly"]) {
      using ct = c.encrypt(x);
      const forged = new Ciphertext(params, [ct.polys[0]!, part as never], ct.level, ct.scale, ct.slots);
      const plain = new Plaintext(params, part as never, ct.level, ct.scale, ct.slots);
      expectFheError(() => c.evaluator.add(forged, ct), "INVALID_ARGUMENT", "add");
      expectFheError(() => c.encryptor.encrypt(plain), "INVALID_ARGUMENT", "encrypt");
      expectFheError(() => c.encoder.decode(plain), "INVALID_ARGUMENT");
      expectFheError(() => serializeCiphertext(forged), "INVALID_ARGUMENT", "serialize ciphertext");
      expect(() => forged.dispose()).not.toThrow();
      expect(() => plain.dispose()).not.toThrow();
      expect(ct.polys[0]!.disposed).toBe(true); // the forged object's dispose freed the polynomial it did hold
    }
  });

  // While a hand-made ciphertext holding null was live, memory() threw TypeError, and so did
  // every library constructor once the memory warning's census ran (after `threshold`
  // objects; here 1): encoding anything failed until it was collected.
  it("a hand-made ciphertext holding null does not break memory() or later constructors", () => {
    using ct = c.encrypt(x);
    const forged = new Ciphertext(params, [ct.polys[0]!, null as never], ct.level, ct.scale, ct.slots);
    const previous = setMemoryWarning({ threshold: 1, warn: () => undefined });
    try {
      const before = memory();
      expect(() => c.encode(x).dispose()).not.toThrow();
      expect(memory().numPolynomials).toBe(before.numPolynomials);
    } finally {
      setMemoryWarning(previous);
      expect(forged.slots).toBe(ct.slots); // keeps the forged object alive to here
    }
  });
});
