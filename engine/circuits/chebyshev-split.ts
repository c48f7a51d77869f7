// Division of a Chebyshev series by T_m, the step of baby-step giant-step evaluation.

/**
 * Coefficients below this fraction of the largest one count as zero when planning: they change
 * the polynomial by less than 2^-45 of its size per coefficient, below the precision of every
 * preset (the finest, standard16, gives about 42 bits), and interpolants of odd or even
 * functions, whose other coefficients are rounding noise (~1e-16), keep their parity.
 */
export const negligibleCoefficient = 2 ** -45;

/** Coefficients with negligible ones set to exactly 0 and trailing zeros dropped (at least one kept). */
export function cleanCoefficients(coefficients: readonly number[]): number[] {
  const largest = Math.max(...coefficients.map(Math.abs));
  const cleaned = coefficients.map((c) => (Math.abs(c) <= negligibleCoefficient * largest ? 0 : c));
  return trimmed(cleaned);
}

/** Drops trailing zero coefficients, keeping at least one. */
export function trimmed(coefficients: readonly number[]): number[] {
  let length = coefficients.length;
  while (length > 1 && coefficients[length - 1] === 0) length--;
  return coefficients.slice(0, length);
}

/** Index of the last non-zero coefficient (0 for constants). */
export function degreeOf(coefficients: readonly number[]): number {
  return trimmed(coefficients).length - 1;
}

/**
 * Splits p = sum c_i T_i (degree d, m <= d < 2m) as p = q T_m + r with deg q = d - m and
 * deg r < m, from T_m T_k = (T_{m+k} + T_{|m-k|}) / 2: q_0 = c_m, q_k = 2 c_{m+k}, and
 * r_j = c_j minus c_{m+k} for j = m - k.
 */
export function splitByChebyshev(coefficients: readonly number[], m: number): { quotient: number[]; remainder: number[] } {
  const d = coefficients.length - 1;
  const quotient = new Array<number>(d - m + 1).fill(0);
  const remainder = coefficients.slice(0, m);
  quotient[0] = coefficients[m]!;
  for (let k = 1; k <= d - m; k++) {
    const c = coefficients[m + k]!;
    quotient[k] = 2 * c;
    remainder[m - k] = remainder[m - k]! - c;
  }
  return { quotient: trimmed(quotient), remainder: trimmed(remainder) };
}
