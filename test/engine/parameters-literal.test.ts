// Parameters literals have known keys only: a misspelled key is an error naming it and the
// closest known key, in Parameters.create and in loadParameters, so a corrupted blob can never
// silently fall back to defaults.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FheError, Parameters, loadParameters, serializeParameters, type ParametersLiteral } from "../../engine/index.js";
import { crc32 } from "../../engine/serialization/crc32.js";
import { expectFheError } from "../helpers/ckks.js";

const base = { logN: 11, logScale: 30, depth: 2, allowInsecureParametersForTesting: true };

/** Bytes of a serialized object: header 16, JSON length 4, JSON, CRC-32 4 (format.ts). */
const jsonOffset = 20;

/** A copy of `bytes` with the CRC-32 trailer recomputed. */
function reseal(bytes: Uint8Array): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint32(copy.length - 4, crc32(copy.subarray(0, copy.length - 4)), true);
  return copy;
}

/** A parameters blob whose JSON is `json` (with the header of `template`), sealed. */
function blobWithJson(template: Uint8Array, json: string): Uint8Array {
  const text = new TextEncoder().encode(json);
  const bytes = new Uint8Array(jsonOffset + text.length + 4);
  bytes.set(template.subarray(0, 16));
  new DataView(bytes.buffer).setUint32(16, text.length, true);
  bytes.set(text, jsonOffset);
  return reseal(bytes);
}

describe("unknown keys in literals", () => {
  it.each([
    ["logscale", "logScale"], ["lmgBaseModulus", "logBaseModulus"], ["specialPriees", "specialPrimes"],
    ["aldowInsecureParametersForTesting", "allowInsecureParametersForTesting"], ["hamingWeight", "hammingWeight"],
    ["Sigma", "sigma"], ["dept", "depth"], ["digit", "digits"],
  ])("%s is refused with \"did you mean %s\"", (typo, known) => {
    const literal = { ...base, [typo]: 7 } as unknown as ParametersLiteral;
    const error = expectFheError(() => Parameters.create(literal), "INVALID_PARAMETERS", "create parameters");
    expect(error.message).toBe(`cannot create parameters: unknown key "${typo}" (did you mean "${known}"?)`);
  });

  it("a typo in a required key is reported as unknown, not as the missing field (regression)", () => {
    const error = expectFheError(() => Parameters.create({ logN: 12, logscale: 25, depth: 1 } as unknown as ParametersLiteral), "INVALID_PARAMETERS");
    expect(error.message).toBe(`cannot create parameters: unknown key "logscale" (did you mean "logScale"?)`);
  });

  it("a key far from every known key lists the known keys", () => {
    const error = expectFheError(() => Parameters.create({ ...base, bootstrapping: true } as unknown as ParametersLiteral), "INVALID_PARAMETERS");
    expect(error.message).toMatch(/^cannot create parameters: unknown key "bootstrapping" \(known keys: logN, logScale, depth, logBaseModulus, specialPrimes, digits, hammingWeight, sigma, allowInsecureParametersForTesting, fingerprint\)$/);
  });

  it("known keys with undefined values are fine; a wrong fingerprint or a non-boolean flag is refused", () => {
    const p = Parameters.create({ ...base, digits: undefined, hammingWeight: undefined });
    expect(Parameters.create({ ...base, fingerprint: p.fingerprint })).toBe(p);
    const wrong = p.fingerprint.replace(/^./, (c) => (c === "0" ? "1" : "0"));
    expect(expectFheError(() => Parameters.create({ ...base, fingerprint: wrong }), "INVALID_PARAMETERS").message)
      .toMatch(new RegExp(`fingerprint ${wrong} does not match these parameters \\(${p.fingerprint}\\)`));
    expectFheError(() => Parameters.create({ ...base, fingerprint: "xyz" }), "INVALID_PARAMETERS");
    expectFheError(() => Parameters.create({ ...base, allowInsecureParametersForTesting: "true" as never }), "INVALID_PARAMETERS");
  });

  it("loadParameters refuses stored literals with unknown keys (regression)", () => {
    const p = Parameters.create(base);
    const bytes = serializeParameters(p);
    const json = JSON.stringify(p.literal);
    for (const [from, to] of [["specialPrimes", "specialPriees"], ["logBaseModulus", "lmgBaseModulus"], ["sigma", "sigmb"]] as const) {
      const error = expectFheError(() => loadParameters(blobWithJson(bytes, json.replace(`"${from}"`, `"${to}"`)), { allowInsecureParametersForTesting: true }),
        "CORRUPT_DATA", "load parameters");
      expect(error.message).toMatch(new RegExp(`unknown key "${to}" \\(did you mean "${from}"\\?\\)`));
    }
    // A stored literal must name its special primes (their default depends on the flag).
    const { specialPrimes: _, ...withoutSpecialPrimes } = p.literal;
    expect(expectFheError(() => loadParameters(blobWithJson(bytes, JSON.stringify(withoutSpecialPrimes)), { allowInsecureParametersForTesting: true }), "CORRUPT_DATA").message)
      .toMatch(/lack specialPrimes/);
    // An extra key next to the real ones.
    const extra = json.replace("{", `{"logscale":30,`);
    expect(expectFheError(() => loadParameters(blobWithJson(bytes, extra), { allowInsecureParametersForTesting: true }), "CORRUPT_DATA").message)
      .toMatch(/unknown key "logscale" \(did you mean "logScale"\?\)/);
  });
});

describe("bit flips in serialized parameters", () => {
  const literals: ParametersLiteral[] = [
    { logN: 13, logScale: 29, depth: 3 },
    { logN: 12, logScale: 40, depth: 1, logBaseModulus: 50, digits: 2, allowInsecureParametersForTesting: true },
    { logN: 11, logScale: 30, depth: 2, hammingWeight: 64, sigma: 3.2, allowInsecureParametersForTesting: true },
  ];

  /** Loads `bytes`; returns the parameters or the FheError (any other exception fails the test). */
  function load(bytes: Uint8Array): Parameters | FheError {
    try {
      return loadParameters(bytes, { allowInsecureParametersForTesting: true });
    } catch (error) {
      if (!(error instanceof FheError)) expect.fail(`expected an FheError, got ${String(error)}`);
      return error;
    }
  }

  /**
   * Asserts what an accepted blob may be: the original header, a JSON literal with exactly the
   * original keys (a typo in a key is never accepted), and the original parameters.
   */
  function expectEquivalent(flipped: Uint8Array, original: Uint8Array, p: Parameters, result: Parameters, label: string): void {
    expect(Buffer.from(flipped.subarray(0, 16)).equals(Buffer.from(original.subarray(0, 16))), `${label}: header`).toBe(true);
    const keys = (bytes: Uint8Array): string[] => Object.keys(JSON.parse(new TextDecoder().decode(bytes.subarray(jsonOffset, bytes.length - 4))) as object).sort();
    expect(keys(flipped), `${label}: keys`).toEqual(keys(original));
    expect(result.fingerprint, label).toBe(p.fingerprint);
    expect(result, label).toBe(p);
  }

  it.each(literals.map((l) => [JSON.stringify(l), l] as const))("%s: every single-bit flip (CRC fixed) loads the original or fails", (_, literal) => {
    const p = Parameters.create(literal);
    const bytes = serializeParameters(p);
    expect(bytes.length).toBeGreaterThan(jsonOffset + 100);
    for (let bit = 0; bit < 8 * (bytes.length - 4); bit++) {
      const flipped = bytes.slice();
      flipped[bit >> 3]! ^= 1 << (bit & 7);
      const sealed = reseal(flipped);
      const result = load(sealed);
      if (result instanceof Parameters) expectEquivalent(sealed, bytes, p, result, `bit ${bit}`);
    }
  });

  it("random multi-bit flips inside the JSON (CRC fixed) load the original or fail (property)", () => {
    const p = Parameters.create(literals[1]!);
    const bytes = serializeParameters(p);
    const jsonBits = 8 * (bytes.length - 4 - jsonOffset);
    fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: 0, max: jsonBits - 1 }), { minLength: 1, maxLength: 6 }), (bits) => {
      const flipped = bytes.slice();
      for (const bit of bits) flipped[jsonOffset + (bit >> 3)]! ^= 1 << (bit & 7);
      const sealed = reseal(flipped);
      const result = load(sealed);
      if (result instanceof Parameters) expectEquivalent(sealed, bytes, p, result, `bits ${bits.join(", ")}`);
    }), { numRuns: 3000 });
  });
});
