// Choosing the level primes of the modulus chain so that the scale stays at 2^logScale.
//
// Rescaling a product of two ciphertexts at scale s by the level's primes (product q) gives
// scale s^2 / q: any deviation of s from the target doubles at every multiplication unless q
// compensates. Like OpenFHE's FLEXIBLEAUTO mode, primes are picked from the top level down so
// that each level's product is the closest available to s^2 / target for the scale s expected
// at that level, which keeps the drift at the granularity of the available primes instead of
// letting it double level after level.

import { FheError } from "./ring/errors.js";
import { generateNttPrimes } from "./ring/primes.js";

/** Spare candidates searched beyond the primes strictly needed. */
const extraCandidates = 48;

function candidates(logN: number, bits: number, needed: number): number[] {
  try {
    return generateNttPrimes({ logN, bits, count: needed + extraCandidates });
  } catch {
    return generateNttPrimes({ logN, bits, count: needed });
  }
}

/** The `r` unused candidates whose product is closest to 2^logWant (greedy, then best pair). */
function closestProduct(pool: number[], used: Set<number>, r: number, logWant: number): number[] {
  const free = pool.filter((q) => !used.has(q));
  const chosen: number[] = [];
  let remaining = logWant;
  while (chosen.length < r - 2) {
    const target = remaining / (r - chosen.length);
    const best = free.filter((q) => !chosen.includes(q)).reduce((a, b) => (Math.abs(Math.log2(a) - target) <= Math.abs(Math.log2(b) - target) ? a : b));
    chosen.push(best);
    remaining -= Math.log2(best);
  }
  const rest = free.filter((q) => !chosen.includes(q));
  if (r - chosen.length === 1) {
    chosen.push(rest.reduce((a, b) => (Math.abs(Math.log2(a) - remaining) <= Math.abs(Math.log2(b) - remaining) ? a : b)));
    return chosen;
  }
  let bestPair: [number, number] = [rest[0]!, rest[1]!];
  let bestError = Infinity;
  for (let i = 0; i < rest.length; i++) {
    for (let j = i + 1; j < rest.length; j++) {
      const error = Math.abs(Math.log2(rest[i]!) + Math.log2(rest[j]!) - remaining);
      if (error < bestError) {
        bestError = error;
        bestPair = [rest[i]!, rest[j]!];
      }
    }
  }
  chosen.push(...bestPair);
  return chosen;
}

/**
 * Level primes in chain order (level 1's primes first, level `depth`'s last), `primesPerLevel`
 * per level, each about logScale / primesPerLevel bits. Throws when there are too few
 * NTT-friendly primes of that size for N = 2^logN.
 */
export function chooseLevelPrimes(logN: number, logScale: number, primesPerLevel: number, depth: number): number[] {
  const needed = primesPerLevel * depth;
  if (needed === 0) return [];
  const pool = candidates(logN, logScale / primesPerLevel, needed);
  if (pool.length < needed) throw new FheError("INVALID_PARAMETERS", "create parameters", "not enough level primes");
  const used = new Set<number>();
  const levels: number[][] = [];
  let logS = logScale; // scale of a fresh ciphertext at the top level
  for (let level = depth; level >= 1; level--) {
    const chosen = closestProduct(pool, used, primesPerLevel, 2 * logS - logScale);
    for (const q of chosen) used.add(q);
    levels[level - 1] = chosen;
    logS = 2 * logS - chosen.reduce((sum, q) => sum + Math.log2(q), 0);
  }
  return levels.flat();
}
