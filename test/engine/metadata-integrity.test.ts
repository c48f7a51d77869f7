// Read-only metadata and the checks every public entry makes before touching memory: a
// ciphertext whose polynomials do not match its level is refused, and nothing a user does to
// one object changes another.

import { describe, expect, it } from "vitest";
import { Ciphertext, GaloisKeys, Parameters, Plaintext, SwitchingKey } from "../../engine/index.js";
import { divideRoundByLastPrimes, toCoefficients } from "../../engine/ring/index.js";
import { expectFheError, makeContext, testLiterals, type Vec } from "../helpers/ckks.js";

const c = makeContext(testLiterals.single, { steps: [1] });
const ev = c.evaluator;
const real = (values: number[]): Vec => ({ re: values, im: values.map(() => 0) });
const values = [0.5, -0.25, 0.125, 1];

/** Runs f with a bystander ciphertext and asserts its decryption did not change. */
function withBystander(f: () => void): void {
  using bystander = c.encrypt(real([0.75, 0.5, -0.5, 0.25]));
  const before = c.decrypt(bystander);
  f();
  expect(c.decrypt(bystander)).toEqual(before);
}

describe("ciphertext and plaintext metadata", () => {
  it("cannot be written (regression: ct.level = 4 on a level-0 ciphertext corrupted a neighbour)", () => {
    withBystander(() => {
      using ct = c.encrypt(real(values), { level: 1 });
      expect(() => {
        (ct as { level: number }).level = 4;
      }).toThrow(TypeError);
      expect(() => {
        (ct as { scale: number }).scale = 2;
      }).toThrow(TypeError);
      expect(() => {
        (ct as unknown as { slots: number }).slots = 1;
      }).toThrow(TypeError);
      expect(() => (ct.polys as unknown as unknown[]).push(ct.polys[0])).toThrow(TypeError);
      expect(ct.level).toBe(1);
      using pt = c.encode(real(values), { level: 1 });
      using product = ev.multiplyPlain(ct, pt);
      expect(product.level).toBe(1);
      expect(() => {
        (pt as { level: number }).level = 3;
      }).toThrow(TypeError);
    });
  });

  it("are checked against the polynomials at every entry (hand-made and shrunk objects)", () => {
    withBystander(() => {
      using low = c.encrypt(real(values), { level: 0 });
      using top = c.encrypt(real(values));
      // A hand-made ciphertext claiming level 4 over level-0 polynomials.
      const forged = new Ciphertext(c.params, low.polys, 4, low.scale, low.slots);
      using pt = c.encode(real(values));
      for (const f of [
        () => ev.multiplyPlain(forged, pt), () => ev.add(top, forged), () => ev.rescale(forged),
        () => ev.rotate(forged, 1), () => ev.mulRelin(forged, top), () => ev.square(forged),
      ]) {
        expect(expectFheError(f, "INVALID_ARGUMENT").message).toMatch(/inconsistent/);
      }
      // Shrinking a polynomial behind the ciphertext's back.
      using victim = c.encrypt(real(values));
      victim.polys[1]!.shrinkTo(c.params.basisQ(1));
      expectFheError(() => ev.rotate(victim, 1), "INVALID_ARGUMENT", "rotate");
      expectFheError(() => ev.addInPlace(top, victim), "INVALID_ARGUMENT", "add");
      // Leaving NTT form behind its back.
      using coefficients = c.encrypt(real(values));
      toCoefficients(coefficients.polys[0]!);
      expectFheError(() => ev.negate(coefficients), "INVALID_ARGUMENT", "negate");
      // Bad scales and slot counts in hand-made objects.
      for (const scale of [Number.NaN, -1, 0.5, Infinity]) {
        expectFheError(() => ev.negate(new Ciphertext(c.params, top.polys, top.level, scale, top.slots)), "INVALID_ARGUMENT");
        expectFheError(() => ev.addPlain(top, new Plaintext(c.params, pt.poly, pt.level, scale, pt.slots)), "INVALID_ARGUMENT");
      }
      expectFheError(() => ev.negate(new Ciphertext(c.params, top.polys, top.level, top.scale, 3)), "INVALID_ARGUMENT");
      expectFheError(() => ev.negate(new Ciphertext(c.params, [top.polys[0]!, top.polys[0]!], top.level, top.scale, top.slots)), "INVALID_ARGUMENT");
    });
  });

  it("decryption and rescaling still work through the read-only accessors", () => {
    using ct = c.encrypt(real(values));
    using product = ev.mulRelin(ct, ct);
    using rescaled = ev.rescale(product);
    expect(rescaled.level).toBe(c.params.maxLevel - 1);
    const { re } = c.decrypt(rescaled);
    values.forEach((v, i) => expect(re[i]).toBeCloseTo(v * v, 4));
  });
});

describe("polynomial handles", () => {
  it("shrinkTo accepts only a true prefix of the basis", () => {
    using ct = c.encrypt(real(values));
    const poly = ct.polys[0]!;
    const other = Parameters.create({ ...testLiterals.single, logScale: 28 });
    expectFheError(() => poly.shrinkTo(other.basisQ(1)), "MISMATCHED_OPERANDS", "shrink polynomial");
    expectFheError(() => poly.shrinkTo(c.params.ring.basis([...c.params.qPrimes].reverse())), "MISMATCHED_OPERANDS");
    expect(poly.basis).toBe(c.params.basisQ(c.params.maxLevel));
  });

  it("limbAddress is bounds-checked", () => {
    using ct = c.encrypt(real(values), { level: 1 });
    const poly = ct.polys[0]!;
    for (const i of [-1, poly.basis.size, 1.5, Number.NaN]) expectFheError(() => poly.limbAddress(i), "INVALID_ARGUMENT", "access polynomial");
    expect(() => poly.limbAddress(poly.basis.size - 1)).not.toThrow();
  });

  it("divide-and-round refuses to drop more primes than the polynomial has", () => {
    using ct = c.encrypt(real(values), { level: 1 });
    expectFheError(() => divideRoundByLastPrimes(ct.polys[0]!, 99));
  });
});

describe("keys", () => {
  it("GaloisKeys refuse duplicates, relinearization keys and keys of other parameters", () => {
    const key = c.galoisKeys!.get(c.galoisKeys!.elements[0]!)!;
    expectFheError(() => new GaloisKeys(c.params, [key, key]), "INVALID_ARGUMENT", "create Galois keys");
    expectFheError(() => new GaloisKeys(c.params, [c.relinearizationKey]), "INVALID_ARGUMENT", "create Galois keys");
    const other = Parameters.create({ ...testLiterals.single, logScale: 28 });
    expectFheError(() => new GaloisKeys(other, [key]), "MISMATCHED_OPERANDS", "create Galois keys");
    expectFheError(() => new GaloisKeys(c.params, null as unknown as SwitchingKey[]), "INVALID_ARGUMENT");
  });

  it("the set of Galois keys and a key's digits cannot be changed", () => {
    const keys = c.galoisKeys!;
    const count = keys.elements.length;
    (keys.keys as Map<number, SwitchingKey>).delete(keys.elements[0]!);
    expect(keys.elements.length).toBe(count);
    const key = keys.get(keys.elements[0]!)!;
    expect(() => (key.digits as unknown as unknown[]).pop()).toThrow(TypeError);
  });

  it("a switching key whose polynomials were shrunk is refused before key switching", () => {
    const literal = { ...testLiterals.single, depth: 2 };
    const local = makeContext(literal, { steps: [1] });
    using ct = local.encrypt(real(values));
    const key = local.galoisKeys!.get(local.galoisKeys!.elements[0]!)!;
    key.digits[0]!.a.shrinkTo(local.params.basisQ(0));
    expectFheError(() => local.evaluator.rotate(ct, 1), "INVALID_ARGUMENT", "rotate");
  });
});
