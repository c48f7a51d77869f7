import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FheError, Parameters, maxLogQP128, presets, type ParametersLiteral } from "../../engine/index.js";
import { expectFheError, stringifiable } from "../helpers/ckks.js";

/** Trial-division primality (independent of the engine's Miller-Rabin); n < 2^31. */
function isPrimeSlow(n: number): boolean {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

const log2Product = (primes: readonly number[]): number => primes.reduce((sum, q) => sum + Math.log2(q), 0);

/** Primes rescaling at `level` divides by. */
function levelPrimes(p: Parameters, level: number): number[] {
  const limbs = p.limbsAt(level);
  return p.qPrimes.slice(limbs - p.primesPerLevel, limbs);
}

describe("security bound (HE standard, 128 bits)", () => {
  it("has the documented table of maximal log QP", () => {
    expect({ ...maxLogQP128 }).toEqual({ 10: 27, 11: 54, 12: 109, 13: 218, 14: 438, 15: 881, 16: 1747, 17: 3523 });
  });

  it("rejects {logN: 13, logScale: 30, depth: 5} and accepts it with the insecure flag", () => {
    const literal = { logN: 13, logScale: 30, depth: 5 };
    const error = expectFheError(() => Parameters.create(literal), "INVALID_PARAMETERS", "create parameters");
    expect(error.message).toMatch(/128-bit security/);
    const insecure = Parameters.create({ ...literal, allowInsecureParametersForTesting: true });
    expect(insecure.insecure).toBe(true);
    expect(insecure.logQP).toBeGreaterThan(maxLogQP128[13]!);
    expect(insecure.maxLevel).toBe(5);
  });

  it("rejects too large a modulus at every ring degree", () => {
    for (let logN = 10; logN <= 17; logN++) {
      // Far more depth than the bound allows (30 bits per level).
      const depth = Math.ceil(maxLogQP128[logN]! / 30) + 1;
      expectFheError(() => Parameters.create({ logN, logScale: 30, depth }), "INVALID_PARAMETERS", "create parameters");
    }
  });

  it("accepted secure literals always satisfy log QP <= the bound (property)", () => {
    fc.assert(fc.property(
      fc.integer({ min: 11, max: 17 }), fc.integer({ min: 20, max: 60 }), fc.integer({ min: 0, max: 60 }),
      (logN, logScale, depth) => {
        let params: Parameters;
        try {
          params = Parameters.create({ logN, logScale, depth });
        } catch (error) {
          expect(error).toBeInstanceOf(FheError);
          expect((error as FheError).code).toBe("INVALID_PARAMETERS");
          return;
        }
        expect(params.insecure).toBe(false);
        expect(params.logQP).toBeLessThanOrEqual(maxLogQP128[logN]!);
        expect(params.logQP).toBeCloseTo(log2Product(params.qPrimes) + log2Product(params.pPrimes), 9);
      },
    ), { numRuns: 60 });
  });
});

/** The figures documented in engine/presets.ts: log QP, special primes k, digits. */
const documented: Record<keyof typeof presets, { logQP: number; k: number; digits: number }> = {
  inference13: { logQP: 195.0, k: 1, digits: 6 },
  inference13Deep: { logQP: 215.0, k: 1, digits: 7 },
  standard13: { logQP: 190.0, k: 1, digits: 6 },
  inference14: { logQP: 427.0, k: 1, digits: 14 },
  inference14Fast: { logQP: 343.0, k: 4, digits: 2 },
  flooding14: { logQP: 434.0, k: 2, digits: 7 },
  standard14: { logQP: 420.0, k: 2, digits: 7 },
  inference15: { logQP: 864.0, k: 3, digits: 9 },
  standard15: { logQP: 880.0, k: 4, digits: 8 },
  inference16: { logQP: 1736.8, k: 6, digits: 9 },
  standard16: { logQP: 1735.9, k: 5, digits: 11 },
};

describe("presets", () => {
  it("documents every preset", () => {
    expect(Object.keys(presets).sort()).toEqual(Object.keys(documented).sort());
  });

  for (const [name, literal] of Object.entries(presets) as [keyof typeof presets, ParametersLiteral][]) {
    it(`${name} is secure and has its documented depth, scale and key-switching split`, () => {
      const p = Parameters.create(literal);
      expect(p.insecure).toBe(false);
      expect(p.logN).toBe(literal.logN);
      expect(p.maxSlots).toBe(2 ** (literal.logN - 1));
      expect(p.maxLevel).toBe(literal.depth);
      expect(p.logScale).toBe(literal.logScale);
      expect(p.scale).toBe(2 ** literal.logScale);
      expect(p.logQP).toBeLessThanOrEqual(maxLogQP128[literal.logN]!);
      const doc = documented[name];
      expect(Number(p.logQP.toFixed(1))).toBeCloseTo(doc.logQP, 1);
      expect(p.pPrimes.length).toBe(doc.k);
      expect(p.digits).toBe(doc.digits);
      expect(p.qPrimes.length).toBe(p.limbsAt(p.maxLevel));
      expect(p.primesPerLevel).toBe(Math.ceil(literal.logScale / 30));
    });
  }
});

describe("primes", () => {
  const literals: ParametersLiteral[] = [
    ...Object.values(presets),
    { logN: 10, logScale: 25, depth: 6, allowInsecureParametersForTesting: true },
    { logN: 12, logScale: 45, depth: 4, logBaseModulus: 55, specialPrimes: 2, allowInsecureParametersForTesting: true },
  ];

  it.each(literals.map((l) => [JSON.stringify(l), l] as const))("%s: distinct NTT-friendly primes below 2^30", (_, literal) => {
    const p = Parameters.create(literal);
    const all = [...p.qPrimes, ...p.pPrimes];
    expect(new Set(all).size).toBe(all.length);
    for (const q of all) {
      expect(Number.isInteger(q)).toBe(true);
      expect(q).toBeLessThan(2 ** 30);
      expect(q % (2 * p.n)).toBe(1);
      expect(isPrimeSlow(q)).toBe(true);
    }
    expect(p.logQ).toBeCloseTo(log2Product(p.qPrimes), 9);
    // The base modulus has the requested size; levels multiply to about the scale.
    expect(Math.abs(log2Product(p.qPrimes.slice(0, p.basePrimeCount)) - p.literal.logBaseModulus)).toBeLessThan(0.25);
    for (let level = 1; level <= p.maxLevel; level++) {
      expect(Math.abs(log2Product(levelPrimes(p, level)) - p.logScale)).toBeLessThan(0.25);
    }
    // The largest key-switching digit fits under P (hybrid key switching needs P >= digit).
    for (let j = 0; j < p.digits; j++) {
      const digit = p.qPrimes.slice(j * p.digitSize, (j + 1) * p.digitSize);
      expect(log2Product(digit)).toBeLessThanOrEqual(log2Product(p.pPrimes) + 1);
    }
  });

  it("uses composite scaling above 30 bits: logScale 50 gives two primes per level", () => {
    const p = Parameters.create({ logN: 12, logScale: 50, depth: 2, logBaseModulus: 60, allowInsecureParametersForTesting: true });
    expect(p.primesPerLevel).toBe(2);
    expect(p.basePrimeCount).toBe(2);
    expect(p.qPrimes.length).toBe(2 + 2 * 2);
    for (let level = 1; level <= 2; level++) {
      const [a, b] = levelPrimes(p, level) as [number, number];
      expect(Math.abs(Math.log2(a) - 25)).toBeLessThan(0.1);
      expect(Math.abs(Math.log2(b) - 25)).toBeLessThan(0.1);
      // "Primes alternate around the target": one below 2^25, one above.
      expect(Math.min(a, b)).toBeLessThan(2 ** 25);
      expect(Math.max(a, b)).toBeGreaterThan(2 ** 25);
      expect(Math.abs(Math.log2(a * b) - 50)).toBeLessThan(0.01);
    }
    expect(Parameters.create({ logN: 12, logScale: 30, depth: 2, allowInsecureParametersForTesting: true }).primesPerLevel).toBe(1);
    expect(Parameters.create({ logN: 12, logScale: 31, depth: 2, allowInsecureParametersForTesting: true }).primesPerLevel).toBe(2);
    expect(Parameters.create({ logN: 12, logScale: 60, depth: 2, allowInsecureParametersForTesting: true }).primesPerLevel).toBe(2);
  });
});

describe("determinism and immutability", () => {
  it("the same literal gives the same primes and fingerprint; other literals other fingerprints", () => {
    const literal = { logN: 12, logScale: 40, depth: 3, logBaseModulus: 50, allowInsecureParametersForTesting: true };
    const a = Parameters.create(literal);
    const b = Parameters.create({ ...literal });
    expect(b).toBe(a); // equal parameters on one heap are one object
    expect(b.qPrimes).toEqual(a.qPrimes);
    expect(b.pPrimes).toEqual(a.pPrimes);
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(a.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    // The filled-in literal (JSON form) recreates the same parameters.
    const again = Parameters.create(JSON.parse(JSON.stringify(a.toJSON())) as ParametersLiteral);
    expect(again.fingerprint).toBe(a.fingerprint);
    expect(again.qPrimes).toEqual(a.qPrimes);
    const variants: ParametersLiteral[] = [
      { ...literal, depth: 2 }, { ...literal, logScale: 41 }, { ...literal, logN: 11 },
      { ...literal, logBaseModulus: 51 }, { ...literal, specialPrimes: 2 }, { ...literal, sigma: 3.2 },
      { ...literal, hammingWeight: 64 },
    ];
    const fingerprints = new Set([a.fingerprint, ...variants.map((v) => Parameters.create(v).fingerprint)]);
    expect(fingerprints.size).toBe(variants.length + 1);
  });

  // `literal` is documented as "the literal these parameters were made from, with defaults
  // filled in", and it is what serializeParameters stores: it must recreate the same set.
  it.each(Object.keys(presets))("the filled-in literal of %s recreates the same parameters", (name) => {
    const p = Parameters.create(presets[name as keyof typeof presets]);
    const again = Parameters.create(p.literal);
    expect({ digitSize: again.digitSize, digits: again.digits, pPrimes: again.pPrimes })
      .toEqual({ digitSize: p.digitSize, digits: p.digits, pPrimes: p.pPrimes });
    expect(again.fingerprint).toBe(p.fingerprint);
  });

  it("fills in defaults in the literal", () => {
    const p = Parameters.create({ logN: 11, logScale: 30, depth: 2, allowInsecureParametersForTesting: true });
    expect(p.literal.logBaseModulus).toBe(50);
    expect(p.literal.sigma).toBeCloseTo(3.19, 10);
    expect(p.literal.specialPrimes).toBe(p.pPrimes.length);
    // digits is recorded only when requested: it is derived from the special primes otherwise.
    expect(p.literal.digits).toBeUndefined();
    const withDigits = Parameters.create({ logN: 11, logScale: 30, depth: 2, digits: 2, allowInsecureParametersForTesting: true });
    expect(withDigits.literal.digits).toBe(2);
    expect(Parameters.create(withDigits.literal).fingerprint).toBe(withDigits.fingerprint);
    expect(Object.isFrozen(p.literal)).toBe(true);
    expect(Object.isFrozen(p.qPrimes)).toBe(true);
    expect(Object.isFrozen(p.pPrimes)).toBe(true);
  });

  // DESIGN.md section 5: "a validated, frozen Parameters".
  it("the Parameters object itself is frozen (fields cannot be reassigned at run time)", () => {
    const p = Parameters.create({ logN: 11, logScale: 30, depth: 2, allowInsecureParametersForTesting: true });
    expect(Object.isFrozen(p)).toBe(true);
    expect(() => {
      (p as unknown as { maxLevel: number }).maxLevel = 7;
    }).toThrow(TypeError);
    expect(p.maxLevel).toBe(2);
  });
});

describe("bad literals", () => {
  const base = { logN: 11, logScale: 30, depth: 2, allowInsecureParametersForTesting: true };

  const cases: [string, unknown][] = [
    ["null", null],
    ["undefined", undefined],
    ["a string", "logN=12"],
    ["a number", 12],
    ["an array", [12, 40, 3]],
    ["an empty object", {}],
    ["logN 9", { ...base, logN: 9 }],
    ["logN 18", { ...base, logN: 18 }],
    ["logN 12.5", { ...base, logN: 12.5 }],
    ["logN as a string", { ...base, logN: "12" }],
    ["logN NaN", { ...base, logN: NaN }],
    ["logN null", { ...base, logN: null }],
    ["logN missing", { logScale: 30, depth: 2, allowInsecureParametersForTesting: true }],
    ["logScale 0", { ...base, logScale: 0 }],
    ["logScale 61", { ...base, logScale: 61 }],
    ["logScale -5", { ...base, logScale: -5 }],
    ["logScale NaN", { ...base, logScale: NaN }],
    ["logScale Infinity", { ...base, logScale: Infinity }],
    ["logScale as a string", { ...base, logScale: "40" }],
    ["logScale null", { ...base, logScale: null }],
    ["logScale too small for the ring (no NTT prime that small)", { ...base, logScale: 5 }],
    ["depth -1", { ...base, depth: -1 }],
    ["depth 1.5", { ...base, depth: 1.5 }],
    ["depth NaN", { ...base, depth: NaN }],
    ["depth as a string", { ...base, depth: "3" }],
    ["depth missing", { logN: 11, logScale: 30, allowInsecureParametersForTesting: true }],
    ["depth 201", { ...base, depth: 201 }],
    ["logBaseModulus below the scale", { ...base, logBaseModulus: 20 }],
    ["logBaseModulus 181", { ...base, logBaseModulus: 181 }],
    ["logBaseModulus as a string", { ...base, logBaseModulus: "50" }],
    ["logBaseModulus NaN", { ...base, logBaseModulus: NaN }],
    ["specialPrimes 0", { ...base, specialPrimes: 0 }],
    ["specialPrimes 1.5", { ...base, specialPrimes: 1.5 }],
    ["specialPrimes as a string", { ...base, specialPrimes: "1" }],
    ["digits 0", { ...base, digits: 0 }],
    ["digits larger than the number of Q primes", { ...base, digits: 50 }],
    ["P smaller than a digit (1 special prime, 1 digit)", { ...base, depth: 4, specialPrimes: 1, digits: 1 }],
    ["hammingWeight 0", { ...base, hammingWeight: 0 }],
    ["hammingWeight above N", { ...base, hammingWeight: 4096 }],
    ["hammingWeight as a string", { ...base, hammingWeight: "64" }],
    ["sigma 0", { ...base, sigma: 0 }],
    ["sigma NaN", { ...base, sigma: NaN }],
    ["sigma 100", { ...base, sigma: 100 }],
    ["sigma as a string", { ...base, sigma: "3.2" }],
    ["more primes than exist", { logN: 17, logScale: 60, depth: 200, allowInsecureParametersForTesting: true }],
  ];

  it.each(cases)("%s → INVALID_PARAMETERS", (_, literal) => {
    expectFheError(() => Parameters.create(literal as ParametersLiteral), "INVALID_PARAMETERS", "create parameters");
  });

  it("any value in any field gives Parameters or INVALID_PARAMETERS, never another error (property)", () => {
    const field = fc.constantFrom("logN", "logScale", "depth", "logBaseModulus", "specialPrimes", "digits", "hammingWeight", "sigma");
    // Values String() cannot format are covered by bad-input-types.test.ts.
    fc.assert(fc.property(field, fc.anything({ withBigInt: true, withTypedArray: true }).filter(stringifiable), (name, value) => {
      let result: unknown;
      try {
        result = Parameters.create({ ...base, [name]: value } as ParametersLiteral);
      } catch (error) {
        expect(error).toBeInstanceOf(FheError);
        expect((error as FheError).code).toBe("INVALID_PARAMETERS");
        expect((error as FheError).message).toMatch(/^cannot create parameters: /);
        return;
      }
      expect(result).toBeInstanceOf(Parameters);
    }), { numRuns: 300 });
  });
});
