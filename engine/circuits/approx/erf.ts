// The error function in float64 (for GELU), accurate to a few units in the last place.

/** Below this |x| the series, above it the continued fraction of erfc. */
const seriesLimit = 2.5;

/** Terms of the continued fraction (enough for x >= 2.5 to converge to double precision). */
const fractionTerms = 60;

/**
 * erf(x) = 2/sqrt(pi) e^(-x^2) sum_n 2^n x^(2n+1) / (1 3 5 ... (2n+1)) for |x| < 2.5 (all
 * terms positive: no cancellation), and 1 - erfc(x) above, with erfc(x) = e^(-x^2)/sqrt(pi) /
 * (x + (1/2) / (x + 1 / (x + (3/2) / (x + 2 / (x + ...))))) evaluated bottom-up.
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const z = Math.abs(x);
  let value: number;
  if (z < seriesLimit) {
    let term = z;
    let sum = z;
    for (let n = 1; term > sum * 1e-17; n++) {
      term *= (2 * z * z) / (2 * n + 1);
      sum += term;
    }
    value = (2 / Math.sqrt(Math.PI)) * Math.exp(-z * z) * sum;
  } else {
    let fraction = z;
    for (let n = fractionTerms; n >= 1; n--) fraction = z + n / 2 / fraction;
    value = 1 - Math.exp(-z * z) / Math.sqrt(Math.PI) / fraction;
  }
  return x < 0 ? -value : value;
}
