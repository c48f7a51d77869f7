// Scale management over deep circuits. engine/modulus-chain.ts picks each level's primes so
// that the scale stays close to 2^logScale (per-prime sizes at or below ~29.5 bits, so primes
// exist on both sides of the target; the presets use 29). A rescale divides the scale by the level's modulus exactly
// (asserted in evaluator-multiply.test.ts), so squaring a ciphertext at scale 2^p (1 + e) and
// rescaling by q = 2^p (1 + d) gives 2^p (1 + 2e - d): deviations double at every level of a
// squaring chain (x^(2^k), Chebyshev doubling T_2n = 2 T_n^2 - 1, repeated compositions). The
// scale must stay within a bit of 2^logScale over the whole advertised depth; otherwise the
// values lose precision (scale too small) or overflow q_0 or the product check (too large).

import { describe, expect, it } from "vitest";
import { Parameters, presets, type ParametersLiteral } from "../../engine/index.js";
import { makeContext, oneOperationBound, precision } from "../helpers/ckks.js";

/** log2(scale) - logScale after each of the maxLevel squarings (the evaluator's rule). */
function squaringDrift(p: Parameters): number[] {
  let scale = p.scale;
  const drift: number[] = [];
  for (let level = p.maxLevel; level >= 1; level--) {
    const limbs = p.limbsAt(level);
    const dropped = p.qPrimes.slice(limbs - p.primesPerLevel, limbs).reduce((a, q) => a * q, 1);
    scale = (scale * scale) / dropped;
    drift.push(Math.log2(scale) - p.logScale);
  }
  return drift;
}

describe("scale drift along squaring chains", () => {
  it("the evaluator's scales follow the rule above (small parameters, real ciphertexts)", () => {
    const c = makeContext({ logN: 11, logScale: 29, depth: 6, allowInsecureParametersForTesting: true });
    const expected = squaringDrift(c.params);
    let ct = c.encrypt({ re: [1, -1, 0.5, -0.5], im: [0, 0, 0, 0] });
    for (let k = 0; k < c.params.maxLevel; k++) {
      const next = c.evaluator.rescale(c.evaluator.mulRelin(ct, ct));
      ct.dispose();
      ct = next;
      expect(Math.log2(ct.scale) - c.params.logScale).toBeCloseTo(expected[k]!, 9);
    }
    ct.dispose();
  });

  it("a squaring chain over the full depth keeps the scale within 1 bit and never overflows (N = 2^12, depth 24)", () => {
    const c = makeContext({ logN: 12, logScale: 29, depth: 24, allowInsecureParametersForTesting: true });
    // Values of modulus 1 stay of modulus 1 under squaring.
    const v = { re: [1, -1, 1, -1], im: [0, 0, 0, 0] };
    let ct = c.encrypt(v);
    const drift: string[] = [];
    let failure = "";
    for (let k = 1; k <= c.params.maxLevel; k++) {
      let next;
      try {
        next = c.evaluator.rescale(c.evaluator.mulRelin(ct, ct));
      } catch (error) {
        failure = `squaring ${k} (level ${ct.level}) threw: ${String(error)}`;
        break;
      }
      ct.dispose();
      ct = next;
      const d = Math.log2(ct.scale) - c.params.logScale;
      drift.push(d.toFixed(2));
      if (Math.abs(d) > 1 && failure === "") failure = `after squaring ${k} the scale is 2^${Math.log2(ct.scale).toFixed(2)}`;
    }
    expect(failure, `drift per level (bits): ${drift.join(" ")}`).toBe("");
    // Squaring doubles the relative error of the values at every level ((1 + e)^(2^k)), so after
    // 24 squarings of 15-bit-precise values the values themselves are meaningless: only the
    // scale is asserted over the full depth. Values are checked on a short chain below.
  });

  it("values stay accurate along a short squaring chain (4 levels, within a bit per squaring)", () => {
    const c = makeContext({ logN: 12, logScale: 29, depth: 6, allowInsecureParametersForTesting: true });
    const v = { re: [1, -1, 0.5, -0.5], im: [0, 0, 0, 0] };
    let ct = c.encrypt(v);
    let expected = v.re;
    for (let k = 1; k <= 4; k++) {
      const next = c.evaluator.rescale(c.evaluator.mulRelin(ct, ct));
      ct.dispose();
      ct = next;
      expected = expected.map((x) => x * x);
    }
    expect(precision(c.decrypt(ct), { re: expected, im: [0, 0, 0, 0] }).mean).toBeGreaterThan(oneOperationBound(c.params) - 4);
    ct.dispose();
  });

  it.each(Object.entries(presets) as [string, ParametersLiteral][])("%s: a full-depth squaring chain keeps its scale within 1 bit", (_, literal) => {
    const drift = squaringDrift(Parameters.create(literal));
    const worst = Math.max(...drift.map((d) => Math.abs(d)));
    expect(worst, `drift per level (bits): ${drift.map((d) => d.toFixed(2)).join(" ")}`).toBeLessThanOrEqual(1);
  });
});
