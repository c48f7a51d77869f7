// The failure probability of a bootstrapping: the chance that some coefficient of the modulus
// raise's overflow I exceeds the bound K the EvalMod approximation covers.
//
// After ModRaise, t = c_0 + c_1 s = m + Q_0 I with I_k = round((c_1 s)_k / Q_0) (the centred
// c_0 absorbs the rest): (c_1 s)_k / Q_0 is a signed sum of h independent uniforms on
// [-1/2, 1/2) for a secret of Hamming weight h, so |I_k| >= K needs that sum to reach K - 1/2.
// The sum of h uniforms follows the Irwin-Hall law; its tail is computed exactly in rational
// arithmetic, then a union bound over the N coefficients.

/** n! as a BigInt. */
function factorial(n: number): bigint {
  let out = 1n;
  for (let i = 2n; i <= BigInt(n); i++) out *= i;
  return out;
}

/** C(n, k) as a BigInt. */
function binomial(n: number, k: number): bigint {
  let out = 1n;
  for (let i = 0; i < k; i++) out = (out * BigInt(n - i)) / BigInt(i + 1);
  return out;
}

/** log2 of a positive rational p / q given as BigInts. */
function log2Ratio(p: bigint, q: bigint): number {
  const bits = (x: bigint): number => x.toString(2).length;
  const shift = Math.max(0, bits(p) - 60);
  const shiftQ = Math.max(0, bits(q) - 60);
  return Math.log2(Number(p >> BigInt(shift))) + shift - Math.log2(Number(q >> BigInt(shiftQ))) - shiftQ;
}

/**
 * log2 of P(S_h <= x) for S_h the sum of h uniforms on [0, 1) and x = a / 2 a half-integer in
 * [0, h / 2]: (1 / h!) sum_(j <= x) (-1)^j C(h, j) (x - j)^h, exactly.
 */
function log2IrwinHallCdf(h: number, a: number): number {
  let numerator = 0n;
  for (let j = 0; 2 * j <= a; j++) {
    const term = binomial(h, j) * BigInt(a - 2 * j) ** BigInt(h);
    numerator += j % 2 === 0 ? term : -term;
  }
  if (numerator <= 0n) return -Infinity;
  return log2Ratio(numerator, factorial(h) * 2n ** BigInt(h));
}

/**
 * log2 of P(|Z| >= z) for a standard normal Z and z > 0 (erfc(z / sqrt 2), with the
 * asymptotic series where it underflows).
 */
function log2GaussianTail(z: number): number {
  const x = z / Math.SQRT2;
  if (x < 5) {
    // Abramowitz and Stegun 7.1.26 (|error| < 1.5e-7 relative to 1, fine above 2^-20).
    const t = 1 / (1 + 0.3275911 * x);
    const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
    return Math.log2(poly) - (x * x) / Math.LN2;
  }
  return -(x * x) / Math.LN2 - Math.log2(x * Math.sqrt(Math.PI)) + Math.log2(1 - 1 / (2 * x * x));
}

/**
 * log2 of an upper bound on the probability that a bootstrapping of a ring of degree N = 2^logN
 * fails because some |I_k| >= K (union bound over the N coefficients, both tails). For a secret
 * of Hamming weight h the Irwin-Hall tail is exact (-Infinity when K > (h + 1) / 2, which no
 * coefficient can reach); for a uniform ternary secret (`hammingWeight` undefined: each
 * coefficient non-zero with probability 2/3) the sum is Gaussian with variance N (2/3) / 12.
 */
export function log2FailureProbability(logN: number, hammingWeight: number | undefined, k: number): number {
  if (hammingWeight === undefined) {
    const sigma = Math.sqrt((2 ** logN * 2) / 3 / 12);
    return log2GaussianTail((k - 0.5) / sigma) + logN;
  }
  // P(|sum of h centred uniforms| >= K - 1/2) = 2 P(S_h <= h/2 - K + 1/2).
  const doubled = hammingWeight - 2 * k + 1; // 2 (h/2 - K + 1/2)
  if (doubled < 0) return -Infinity;
  return log2IrwinHallCdf(hammingWeight, doubled) + 1 + logN;
}

/** The smallest K with a failure probability at most 2^-targetBits (see log2FailureProbability). */
export function smallestK(logN: number, hammingWeight: number | undefined, targetBits: number): number {
  let k = 1;
  while (log2FailureProbability(logN, hammingWeight, k) > -targetBits) k++;
  return k;
}
