// The TypeScript side of the combine kernel's memory layout (asm/combine.ts): the per-limb
// record of constants and encoded residues, and the coefficient block size.

import { mulMod, shoupCompanion } from "./modular.js";
import type { Modulus } from "./modulus.js";

/** Words of a limb record's constant header; entry k's 4 words follow at 8 + 4 k. */
const headerWords = 8;

/** Budget for one block of packed inputs (cols · blockWords words): half of a 1 MiB L2 cache. */
const scratchBudgetWords = 2 ** 17;

/** Largest coefficient block: 1 KiB of every input. */
const maxBlockWords = 256;

/** Smallest block the SIMD tiles accept. */
const minBlockWords = 16;

/**
 * The record combineLimb reads for one limb: q, 2^32 mod q and its Shoup companion,
 * floor(2^32 / q), 2^10 mod q and 2^20 mod q with their companions; then for every residue c
 * (in [0, q)): c and the three words c_d + 2^16 c'_d, the 10-bit digits of c and of
 * c' = 2^15 c mod q.
 */
export function combineLimbRecord(m: Modulus, residues: Uint32Array): Uint32Array {
  const { q } = m;
  const record = new Uint32Array(headerWords + 4 * residues.length);
  const t1 = 2 ** 10 % q;
  const t2 = 2 ** 20 % q;
  record.set([q, m.r32, m.r32Shoup, m.oneShoup, t1, shoupCompanion(t1, q), t2, shoupCompanion(t2, q)]);
  residues.forEach((c, k) => {
    const shifted = mulMod(c, 2 ** 15, q);
    const at = headerWords + 4 * k;
    record[at] = c;
    for (let d = 0; d < 3; d++) record[at + 1 + d] = ((c >>> (10 * d)) & 1023) | (((shifted >>> (10 * d)) & 1023) << 16);
  });
  return record;
}

/**
 * Coefficients per block for `cols` inputs at ring degree n: a power of two in [16, 256] (or n
 * when smaller) such that the packed inputs of a block (cols · blockWords words) fit the budget
 * where possible.
 */
export function combineBlockWords(n: number, cols: number): number {
  const fit = 2 ** Math.floor(Math.log2(scratchBudgetWords / Math.max(cols, 1)));
  return Math.min(n, maxBlockWords, Math.max(minBlockWords, fit));
}

/** Words of the kernel's scratch block for `cols` inputs: whole chunks of 8 coefficients per input. */
export function combineScratchWords(cols: number, blockWords: number): number {
  return cols * Math.max(8, blockWords);
}
