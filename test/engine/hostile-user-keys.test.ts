// A careless or hostile user of keys, as a property (writes to read-only fields, snapshots,
// reflection, disposal, ring-layer operations on key polynomials, keys of other parameters or
// another heap, hand-made keys, byte flips with a fixed CRC), then a call that uses the key:
// the float64 result or FheError, and bystanders on every heap unchanged. Then each defect the
// hostile-user suites found, as a minimal `it.fails` (marked DEFECT) that asserts the correct
// behaviour: remove `.fails` when it is fixed.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  Ciphertext, Decryptor, Encryptor, Evaluator, FheError, GaloisKeys, KeyGenerator, loadCiphertext, loadPublicKey, loadSecretKey,
  loadSwitchingKey, memory, neg, Parameters, Plaintext, serializeCiphertext, serializePlaintext, serializePublicKey,
  serializeSecretKey, serializeSwitchingKey, setMemoryWarning, toCoefficients, WasmHeap,
} from "../../engine/index.js";
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

const tally = { correct: 0, refusedValid: 0, refusedInvalid: 0, unknown: 0, skipped: 0 };

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
    // DEFECT (serialize unchecked), for keys: serializeSecretKey and serializePublicKey check
    // liveness only, so a key polynomial in coefficient form saves and loads as another key.
    if (used && meaning === "invalid" && outcome.ok && (r.op === "serializeSecretKey" || r.op === "serializePublicKey")) {
      tally.skipped++;
      return fc.pre(false);
    }
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

describe("defects found by the hostile-user suites (each it.fails asserts the correct behaviour)", () => {
  // DEFECT (poly.ring writable): RnsPoly.ring is a plain field. Pointing a ciphertext's
  // polynomials at the ring of another heap makes negateInPlace run that heap's kernels on
  // this heap's addresses: a ciphertext on the other heap is overwritten.
  it.fails("writing a polynomial's ring is refused, and never corrupts a ciphertext on another heap", () => {
    const mine = makeContext(testLiterals.single, undefined, WasmHeap.create());
    const theirs = makeContext(testLiterals.single, undefined, WasmHeap.create());
    using bystander = theirs.encrypt(x);
    const before = Buffer.from(serializeCiphertext(bystander, { seeded: false }));
    using ct = mine.encrypt(x);
    for (const poly of ct.polys) {
      try {
        (poly as unknown as { ring: unknown }).ring = theirs.params.ring;
      } catch (error) {
        expect(error).toBeInstanceOf(TypeError);
      }
    }
    try {
      mine.evaluator.negateInPlace(ct);
    } catch (error) {
      expect(error).toBeInstanceOf(FheError);
    }
    expect(Buffer.from(serializeCiphertext(bystander, { seeded: false })).equals(before)).toBe(true);
  });

  // DEFECT (basis writable): RnsBasis (and Modulus, Ring) are not frozen. A basis is shared by
  // every polynomial of its level: giving the level-0 basis the moduli of the top level makes
  // negateInPlace on a level-0 ciphertext write six limbs into each one-limb block, over the
  // level-0 ciphertext allocated next to it (seen with the basis restored afterwards).
  it.fails("writing a polynomial's basis moduli is refused, and never corrupts a neighbour", () => {
    const own = makeContext(testLiterals.single, undefined, WasmHeap.create());
    using ct = own.encrypt(x, { level: 0 });
    using neighbour = own.encrypt(x, { level: 0 });
    const before = own.decrypt(neighbour);
    const basis = ct.polys[0]!.basis as unknown as { moduli: unknown };
    const moduli = basis.moduli;
    try {
      basis.moduli = own.params.basisQ(own.params.maxLevel).moduli;
    } catch (error) {
      expect(error).toBeInstanceOf(TypeError);
    }
    try {
      own.evaluator.negateInPlace(ct);
    } catch (error) {
      expect(error).toBeInstanceOf(FheError);
    } finally {
      if (basis.moduli !== moduli) basis.moduli = moduli;
    }
    expect(own.decrypt(neighbour)).toEqual(before);
  });

  // DEFECT (isNtt writable): RnsPoly.isNtt is a plain field, so coefficients marked as NTT
  // evaluations pass every metadata check and decrypt to garbage (~1e23) without an error.
  it.fails("a coefficient-form polynomial relabelled as NTT form is refused (or the relabelling is)", () => {
    using ct = c.encrypt(x);
    toCoefficients(ct.polys[0]!);
    try {
      ct.polys[0]!.isNtt = true;
    } catch (error) {
      expect(error).toBeInstanceOf(TypeError);
    }
    expectFheError(() => c.decrypt(ct));
  });

  // DEFECT (writable key parts): SwitchingKey freezes its digits array but not the digit
  // objects { b, a }: replacing digit 0's b by another key's makes mulRelin silently wrong.
  it.fails("the digits of a switching key cannot be replaced", () => {
    const keygen = new KeyGenerator(params);
    using rlk = keygen.createRelinearizationKey();
    using spare = keygen.createRelinearizationKey();
    try {
      (rlk.digits[0] as { b: unknown }).b = spare.digits[0]!.a;
    } catch (error) {
      expect(error).toBeInstanceOf(TypeError);
    }
    expect(rlk.digits[0]!.b === spare.digits[0]!.a).toBe(false); // (a boolean: printing polynomials is slow)
  });

  // DEFECT (writable key parts): PublicKey.seed and SwitchingKey.seed are the key's own
  // Uint8Array: changing a byte changes what the seeded form stores, and the loaded key is
  // another key (public-key encryptions under it decrypt to garbage, without an error).
  it.fails("changing the bytes of a key's seed does not change the key it saves", () => {
    const keygen = new KeyGenerator(params);
    using pk = keygen.createPublicKey();
    pk.seed[0] = pk.seed[0]! ^ 1;
    using loaded = loadPublicKey(params, serializePublicKey(pk));
    using ct = encryptUnder(params, loaded, x);
    expect(relativeBits(decode(params, new Decryptor(params, keygen.secretKey), ct), { re: [...x.re, 0, 0, 0, 0], im: new Array(slots).fill(0) })).toBeGreaterThan(10);
  });

  // DEFECT (writable key parts), for switching keys: the same through the relinearization key.
  it.fails("changing the bytes of a switching key's seed does not change the key it saves", () => {
    const keygen = new KeyGenerator(params);
    using rlk = keygen.createRelinearizationKey();
    rlk.seed[0] = rlk.seed[0]! ^ 1;
    using loaded = loadSwitchingKey(params, serializeSwitchingKey(rlk));
    using ct = encryptUnder(params, keygen.secretKey, x);
    using product = new Evaluator(params, { relinearizationKey: loaded }).mulRelin(ct, ct);
    const x8 = { re: [...x.re, 0, 0, 0, 0], im: new Array(slots).fill(0) };
    expect(relativeBits(decode(params, new Decryptor(params, keygen.secretKey), product), vmul(x8, x8))).toBeGreaterThan(10);
  });

  // DEFECT (stale seed): ring-layer operations on the polynomials of a fresh secret-key
  // encryption keep its seed; the seeded form then stores c_1 as that seed, so the loaded
  // ciphertext is not the one saved (here -x saved, ~1e23 loaded).
  it.fails("a secret-key ciphertext changed through the ring layer saves and loads as itself", () => {
    using ct = c.encrypt(x, { secretKey: true });
    for (const poly of ct.polys) neg(poly, poly);
    using loaded = loadCiphertext(params, serializeCiphertext(ct));
    expect(c.decrypt(loaded)).toEqual(c.decrypt(ct));
  });

  // DEFECT (serialize unchecked): serializeCiphertext and serializePlaintext check only that
  // the polynomials are live, not the metadata every other entry checks: a coefficient-form
  // polynomial is saved as NTT form and loads as another ciphertext (garbage, no error), and a
  // hand-made ciphertext whose params is {} makes serializeCiphertext throw TypeError.
  it.fails("serializeCiphertext refuses a ciphertext whose polynomial left NTT form", () => {
    using ct = c.encrypt(x);
    toCoefficients(ct.polys[0]!);
    expectFheError(() => serializeCiphertext(ct), undefined, "serialize ciphertext");
  });

  it.fails("serializePublicKey refuses a public key whose polynomial left NTT form", () => {
    const keygen = new KeyGenerator(params);
    using pk = keygen.createPublicKey();
    toCoefficients(pk.b);
    expectFheError(() => serializePublicKey(pk), undefined, "serialize public key");
  });

  it.fails("serializeSecretKey refuses a secret key whose polynomial left NTT form", () => {
    const keygen = new KeyGenerator(params);
    toCoefficients(keygen.secretKey.poly);
    expectFheError(() => serializeSecretKey(keygen.secretKey), undefined, "serialize secret key");
    keygen.secretKey.dispose();
  });

  it.fails("serializePlaintext refuses a plaintext whose polynomial left NTT form", () => {
    using pt = c.encode(x);
    toCoefficients(pt.poly);
    expectFheError(() => serializePlaintext(pt), undefined, "serialize plaintext");
  });

  it.fails("serializeCiphertext of a hand-made ciphertext with params {} throws FheError", () => {
    using ct = c.encrypt(x);
    expectFheError(() => serializeCiphertext(new Ciphertext({} as Parameters, ct.polys, ct.level, ct.scale, ct.slots)));
  });

  // DEFECT (rescale below scale 1): rescale divides the scale by the dropped prime without
  // checking the result: a fresh level-1 ciphertext at scale 2^29 rescales to scale ~0.5,
  // which decrypt (and every other entry) then refuses as "not made by this library".
  it.fails("rescale refuses (or gives a usable ciphertext) when the scale would drop below 1", () => {
    using ct = c.encrypt(x, { level: 1, scale: 2 ** 29 });
    const rescaled = attempt("rescale", () => c.evaluator.rescale(ct));
    if (rescaled.ok) {
      using result = rescaled.value;
      expect(() => c.decrypt(result)).not.toThrow();
    }
  });

  // DEFECT (dropLevel unfit scale): dropLevel keeps the scale whatever the target level: x^3
  // (scale 2^90, level 4) dropped to level 1 (80-bit modulus) is a ciphertext every entry
  // refuses ("scale 2^90.0 exceeds the 80-bit modulus of level 1").
  it.fails("dropLevel refuses a level whose modulus cannot hold the scale", () => {
    using ct = c.encrypt(x);
    using square = c.evaluator.mulRelin(ct, ct);
    using cube = c.evaluator.mulRelin(square, ct);
    expectFheError(() => c.evaluator.dropLevel(cube, 1), "INVALID_ARGUMENT", "drop level");
  });

  // DEFECT (alignment RangeError): x^4 without rescaling (scale 2^120 at level 4) minus a
  // level-0 ciphertext: the two-step factor of planScaleAdjustment (scale-adjustment.ts,
  // factorSteps) rounds its first factor to 0, divides by it and calls BigInt(Infinity).
  it.fails("subtracting operands of very different scales gives the result or an FheError, never a RangeError", () => {
    using ct = c.encrypt(x);
    using square = c.evaluator.mulRelin(ct, ct);
    using fourth = c.evaluator.mulRelin(square, square);
    using low = c.encrypt(x, { level: 0 });
    const outcome = attempt("subtract", () => c.evaluator.sub(fourth, low));
    if (outcome.ok) outcome.value.dispose();
  });

  // DEFECT (aliased operands): a second handle on a ciphertext's polynomials with another
  // scale (new Ciphertext(params, a.polys, a.level, 2 * a.scale, a.slots), consistent by every
  // check) as the other operand of addInPlace: aligning a in place changes that operand too,
  // and a becomes 2x (scaled) instead of x + x/2, without an error.
  it.fails("an in-place addition whose operand shares the destination's polynomials is exact or refused", () => {
    using a = c.encrypt(x);
    const b = new Ciphertext(params, a.polys, a.level, 2 * a.scale, a.slots);
    const outcome = attempt("add in place", () => c.evaluator.addInPlace(a, b));
    if (outcome.ok) {
      expect(relativeBits(c.decrypt(a), { re: x.re.map((v) => 1.5 * v), im: x.im })).toBeGreaterThan(10);
    }
  });

  // DEFECT (params null): checkSameParameters reads actual.fingerprint without checking it is
  // a Parameters: a hand-made ciphertext with params null makes negate throw TypeError.
  it.fails("an operand whose params is null is refused with FheError", () => {
    using ct = c.encrypt(x);
    expectFheError(() => c.evaluator.negate(new Ciphertext(null as unknown as Parameters, ct.polys, ct.level, ct.scale, ct.slots)));
  });

  // DEFECT (non-polynomial parts): checkMetadata calls poly.assertLive without checking that
  // the part is an RnsPoly, and dispose() calls poly.dispose: a hand-made ciphertext or
  // plaintext holding {} (or null, a number) makes add, encrypt, decode and dispose throw TypeError.
  it.fails("hand-made objects holding a non-polynomial are refused with FheError, and dispose without a crash", () => {
    using ct = c.encrypt(x);
    const forged = new Ciphertext(params, [ct.polys[0]!, {} as never], ct.level, ct.scale, ct.slots);
    const plain = new Plaintext(params, {} as never, ct.level, ct.scale, ct.slots);
    expectFheError(() => c.evaluator.add(forged, ct));
    expectFheError(() => c.encryptor.encrypt(plain));
    expectFheError(() => c.encoder.decode(plain));
    expect(() => forged.dispose()).not.toThrow();
    expect(() => plain.dispose()).not.toThrow();
  });

  // DEFECT (census poisoned): while a hand-made ciphertext holding null is live, memory()
  // throws TypeError, and so does every library constructor once the memory warning's census
  // runs (after `threshold` objects; here 1): encoding anything fails until it is collected.
  it.fails("a hand-made ciphertext holding null does not break memory() or later constructors", () => {
    using ct = c.encrypt(x);
    const forged = new Ciphertext(params, [ct.polys[0]!, null as never], ct.level, ct.scale, ct.slots);
    const previous = setMemoryWarning({ threshold: 1, warn: () => undefined });
    try {
      expect(() => memory()).not.toThrow();
      expect(() => c.encode(x).dispose()).not.toThrow();
    } finally {
      setMemoryWarning(previous);
      expect(forged.slots).toBe(ct.slots); // keeps the forged object alive to here
    }
  });
});
