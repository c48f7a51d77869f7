// A careless or hostile user, as a property: a fresh ciphertext or plaintext is tampered with
// (writes to read-only fields, hand-made objects through the reachable constructors, ring-layer
// operations on its polynomials, disposal, objects of other parameters or another heap, byte
// flips with a fixed CRC), then any public call is made on it. Every call either gives the
// float64 result of what the operands mean or throws FheError (never another exception, never
// a wrong number); an operand whose metadata contradicts its polynomials is always refused;
// inputs a call does not own and bystander ciphertexts (on this heap, under other parameters,
// on another heap) keep their exact residues and decryption; nothing leaks heap memory.
// Keys, serialized keys and the defects found are in hostile-user-keys.test.ts.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Ciphertext, memory, type Plaintext, tidy, WasmHeap } from "../../engine/index.js";
import { makeContext, testLiterals, type Vec, vmul } from "../helpers/ckks.js";
import {
  attempt, Bystander, ciphertextBytes, Garbage, logModulus, magnitude, type Meaning, type Outcome, plaintextBytes, relativeBits, type Subject,
} from "../helpers/hostile.js";
import {
  attackCiphertext, attackPlaintext, ciphertextAttack, plaintextAttack, slots, valuesFrom, type World,
} from "../helpers/hostile-attacks.js";
import { argumentsArb, type Arguments, type Operands, type Result, operationNames, operations } from "../helpers/hostile-operations.js";

const c = makeContext(testLiterals.single, { steps: [1, 2, 4, -1] });
const other = makeContext({ ...testLiterals.single, logScale: 28 });
const foreignHeap = WasmHeap.create();
const foreign = makeContext(testLiterals.single, undefined, foreignHeap);
const heaps = [c.params.heap, foreignHeap];

/**
 * Precision (bits, worst slot, relative to the magnitude) a correct result at `scale` has here
 * (logScale 30, N = 2^11): 10 bits, less when the scale leaves less room above the noise
 * (~2^15 after a product and a rescale), e.g. after rescaling a ciphertext that was no product.
 */
function requiredBits(scale: number): number {
  return Math.min(10, Math.log2(scale) - 20);
}

/** Property runs (the key suite adds 80): about 10 ms each at N = 2^11. */
const numRuns = 220;

/** A bystander encrypted before every property run, checked after each one. */
const longLived = new Bystander(c, valuesFrom(99));

/**
 * Heap use of both heaps, and the number of tables their rings built on first use (NTT tables,
 * bases, automorphism permutations, conversion plans: caches, not leaks). Peeks at the rings'
 * private caches, the only way to tell a table built once from memory a call forgot to free.
 */
function heapUse(): { polynomials: number; bytes: number[]; tables: number[] } {
  const { numPolynomials } = memory();
  const tables = [c.params.ring, foreign.params.ring].map((ring) => {
    const caches = ring as unknown as Record<"moduli" | "bases" | "permutations" | "memos", Map<unknown, unknown>>;
    return caches.moduli.size + caches.bases.size + caches.permutations.size + caches.memos.size;
  });
  return { polynomials: numPolynomials, bytes: heaps.map((heap) => memory({ heap }).numBytes), tables };
}

/** Fails unless nothing created since `before` is still held (tables built meanwhile excepted). */
function expectNoLeak(label: string, before: ReturnType<typeof heapUse>): void {
  const after = heapUse();
  // (Objects are not compared: a hand-made ciphertext without polynomials counts as live until collected.)
  expect(after.polynomials, `${label}: polynomials of library objects left undisposed`).toBe(before.polynomials);
  after.bytes.forEach((bytes, i) => {
    if (after.tables[i] === before.tables[i]) expect(bytes, `${label}: heap ${i} bytes in use after disposing everything`).toBe(before.bytes[i]);
  });
}

/**
 * Decrypts what a call returned (which must decrypt: the library made it), with the scale of
 * each result; decoded values come with the scale of the operand they were decoded from.
 */
function slotValues(label: string, result: Result, decoded: { scale: number; level: number }): { values: Vec; scale: number; level: number }[] {
  if (result === undefined) return [];
  if (!Array.isArray(result) && "re" in result) return [{ values: result as Vec, ...decoded }];
  const list = Array.isArray(result) ? (result as readonly Ciphertext[]) : [result as Ciphertext];
  return list.map((ct, i) => {
    const decrypted = attempt(`${label}: decrypt result ${i}`, () => c.decrypt(ct));
    if (!decrypted.ok) return expect.fail(`${label}: the call returned a ciphertext that does not decrypt: ${decrypted.error.message}`);
    return { values: decrypted.value, scale: ct.scale, level: ct.level };
  });
}

/** Adds every library object of a result to the run's garbage. */
function collect(g: Garbage, result: Result): void {
  if (result === undefined) return;
  if (Array.isArray(result)) g.addAll(result as readonly Ciphertext[]);
  else if (!("re" in result)) g.add(result as Ciphertext);
}

const runArb = fc.constantFrom(...operationNames).chain((op) => {
  const reads = operations[op]!.reads;
  const targets = (reads.length === 0 ? ["a"] : reads) as readonly (keyof Operands)[];
  return fc.record({
    op: fc.constant(op),
    target: fc.constantFrom(...targets),
    ciphertextAttack,
    plaintextAttack,
    args: argumentsArb,
    levels: fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 })),
    secretKey: fc.tuple(fc.boolean(), fc.boolean()),
    seeds: fc.tuple(fc.integer(), fc.integer(), fc.integer()),
    inTidy: fc.boolean(),
  });
});
type Run = typeof runArb extends fc.Arbitrary<infer R> ? R : never;

/** Outcome counts, to show the property exercises both sides. */
const tally = { correct: 0, refusedValid: 0, refusedInvalid: 0, unknown: 0, overflow: 0 };

/** One run of the property: attack, call, and every check. */
function hostileRun(r: Run): void {
  const g = new Garbage();
  const before = heapUse();
  const bystanders = [new Bystander(c, valuesFrom(r.seeds[0] ^ 7)), new Bystander(other, valuesFrom(5)), new Bystander(foreign, valuesFrom(6))];
  const attack = r.target === "p" ? r.plaintextAttack : r.ciphertextAttack;
  const label = `${JSON.stringify(attack)} on ${r.target}, then ${r.op}`;
  try {
    const values = { a: valuesFrom(r.seeds[0]), b: valuesFrom(r.seeds[1]), p: valuesFrom(r.seeds[2]) };
    const fresh = {
      a: g.add(c.encrypt(values.a, { level: r.levels[0], slots, secretKey: r.secretKey[0] })),
      b: g.add(c.encrypt(values.b, { level: r.levels[1], slots, secretKey: r.secretKey[1] })),
      p: g.add(c.encode(values.p, { level: r.levels[2], slots })),
    };
    const subjects: { a: Subject<Ciphertext>; b: Subject<Ciphertext>; p: Subject<Plaintext> } = {
      a: { value: fresh.a, meaning: values.a }, b: { value: fresh.b, meaning: values.b }, p: { value: fresh.p, meaning: values.p },
    };
    const w: World = { c, other, foreign, g, sibling: r.target === "a" ? { value: fresh.b, values: values.b } : { value: fresh.a, values: values.a } };
    if (r.target === "p") subjects.p = attackPlaintext(w, { value: fresh.p, values: values.p }, r.plaintextAttack);
    else subjects[r.target] = attackCiphertext(w, { value: fresh[r.target], values: values[r.target] }, r.ciphertextAttack);
    for (const b of bystanders) b.verify(`${label} (after the attack)`);

    const operation = operations[r.op]!;
    // Bytes carry no heap: an object of these parameters on another heap saves and loads here,
    // a plaintext as itself, a ciphertext as one under another secret key (meaning unknown).
    if (attack.kind === "foreign" && attack.which === "foreignHeap" && operation.viaBytes === true) {
      if (r.target === "p") subjects.p = { value: subjects.p.value, meaning: values.p };
      else subjects[r.target] = { value: subjects[r.target].value, meaning: "unknown" };
    }
    const operands: Operands = { a: subjects.a.value, b: subjects.b.value, p: subjects.p.value };
    const meanings: Meaning[] = operation.reads.map((k) => subjects[k].meaning);
    // Inputs the call must not change: the valid operands it reads and does not write (nor
    // share a polynomial with the operand it writes).
    const written = new Set<unknown>(operation.writesA === true ? operands.a.polys : []);
    const shares = (k: keyof Operands): boolean => (k === "p" ? [operands.p.poly] : operands[k].polys).some((poly) => written.has(poly));
    const untouched = operation.disposes === true ? [] : operation.reads.filter((k) =>
      !(k === "a" && operation.writesA === true) && typeof subjects[k].meaning === "object" && !shares(k));
    const inputBytes = untouched.map((k) => (k === "p" ? plaintextBytes(operands.p) : ciphertextBytes(operands[k])));

    const call = (): Result => operation.run(c, operands, r.args);
    const outcome: Outcome<Result> = attempt(label, () => (r.inTidy ? tidy(call) : call()));
    if (outcome.ok) collect(g, outcome.value);
    checkOutcome(label, outcome, operation.reads, meanings, operation.expected?.bind(operation), subjects, operands, r.args);

    untouched.forEach((k, i) => {
      const after = k === "p" ? plaintextBytes(operands.p) : ciphertextBytes(operands[k]);
      expect(after.equals(inputBytes[i]!), `${label}: the call changed its input ${k}`).toBe(true);
    });
    for (const b of bystanders) b.verify(`${label} (after the call)`);
    longLived.verify(label);
    sanity(label, bystanders[0]!);
  } finally {
    g.dispose();
    for (const b of bystanders) b.dispose();
  }
  expectNoLeak(label, before);
}

function checkOutcome(
  label: string, outcome: Outcome<Result>, reads: readonly (keyof Operands)[], meanings: readonly Meaning[],
  expected: ((v: { a: Vec; b: Vec; p: Vec }, args: Arguments, x: Operands) => readonly Vec[] | "refuse") | undefined,
  subjects: { a: Subject<Ciphertext>; b: Subject<Ciphertext>; p: Subject<Plaintext> }, operands: Operands, args: Arguments,
): void {
  if (meanings.includes("invalid")) {
    if (outcome.ok) expect.fail(`${label}: an inconsistent operand was accepted`);
    tally.refusedInvalid++;
    return;
  }
  if (meanings.includes("unknown") || expected === undefined) {
    if (outcome.ok) slotValues(label, outcome.value, { scale: 1, level: 0 });
    tally.unknown++;
    return;
  }
  const v = { a: subjects.a.meaning as Vec, b: subjects.b.meaning as Vec, p: subjects.p.meaning as Vec };
  const want = expected(v, args, operands);
  if (want === "refuse") {
    if (outcome.ok) expect.fail(`${label}: invalid arguments were accepted`);
    tally.refusedInvalid++;
    return;
  }
  if (!outcome.ok) {
    tally.refusedValid++;
    return;
  }
  // Decoded values (decrypt, decode) carry the scale of the operand decoded.
  const decoded = reads.map((k) => operands[k]).reduce((low, o) => (o.scale < low.scale ? o : low));
  const got = slotValues(label, outcome.value, { scale: decoded.scale, level: decoded.level });
  expect(got.length, `${label}: number of results`).toBe(want.length);
  got.forEach(({ values, scale, level }, i) => {
    // A message times its scale must stay below the modulus (CKKS cannot check this): a product
    // of large messages wraps around, in every CKKS library. Such results are not compared.
    if (!(Math.log2(magnitude(want[i]!) * scale) < logModulus(c.params, level) - 1)) {
      tally.overflow++;
      return;
    }
    const bits = relativeBits(values, want[i]!);
    if (!(bits >= requiredBits(scale))) {
      expect.fail(`${label}: result ${i} is wrong (${bits.toFixed(1)} bits at scale 2^${Math.log2(scale).toFixed(1)}; expected ${JSON.stringify(want[i]!.re.slice(0, 4))}..., got ${JSON.stringify(values.re.slice(0, 4))}...)`);
    }
  });
  tally.correct++;
}

/** After every run the library still computes correctly: a product of the bystander with itself. */
function sanity(label: string, bystander: Bystander): void {
  const values = c.decrypt(bystander.ciphertext);
  using product = c.evaluator.mulRelin(bystander.ciphertext, bystander.ciphertext);
  using rescaled = c.evaluator.rescale(product);
  expect(relativeBits(c.decrypt(rescaled), vmul(values, values)), `${label}: a fresh product afterwards`).toBeGreaterThan(requiredBits(rescaled.scale));
}

describe("a hostile user", () => {
  it("every operation on untampered operands gives the float64 result", () => {
    const args: Arguments = { constant: 0.75, steps: 3, hoisted: [1, 2], level: 0, count: 4, seeded: true };
    for (const name of operationNames) {
      const r = { op: name, levels: [4, 3, 4] as [number, number, number], seeds: [1, 2, 3] as [number, number, number], secretKey: [true, false] as [boolean, boolean], args };
      hostileRun({ ...r, target: "a", ciphertextAttack: { kind: "none" }, plaintextAttack: { kind: "none" }, inTidy: false });
    }
    expect(tally.correct).toBe(operationNames.length - 1); // all but dispose, which has nothing to compare
    expect(tally.refusedValid).toBe(0);
  });

  it("gets the float64 result or an FheError, refused whenever an operand is inconsistent, and never changes a bystander (property)", () => {
    const start = { ...tally };
    fc.assert(fc.property(runArb, hostileRun), { numRuns, seed: 0x5eed_6 });
    const counts = Object.fromEntries(Object.entries(tally).map(([k, n]) => [k, n - start[k as keyof typeof tally]]));
    // Both sides are exercised: correct results and refusals of inconsistent operands.
    expect(counts.correct).toBeGreaterThan(40);
    expect(counts.refusedInvalid).toBeGreaterThan(40);
  });
});
