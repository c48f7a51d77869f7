import type { WasmHeap } from "./heap.js";

const warmUpDegree = 4096;
const warmUpRounds = 40;
const warmUpPrime = 1_073_479_681; // 30-bit, 1 mod 2^16; any value works, results are discarded

/**
 * Runs every kernel on scratch memory so that V8 moves them out of its baseline tier before
 * real work arrives. The results are meaningless and the scratch block is returned.
 */
export function warmUpKernels(heap: WasmHeap): void {
  const n = warmUpDegree;
  const words = 8 * n;
  const base = heap.allocate(words * 4, "warm up kernels");
  heap.zero(base, words * 4);
  const k = heap.kernels;
  const a = base;
  const b = base + 4 * n;
  const c = base + 8 * n;
  const d = base + 12 * n;
  const t = base + 16 * n; // 2 limbs for the base conversion
  const q = warmUpPrime;
  try {
    for (let round = 0; round < warmUpRounds; round++) {
      k.nttForward(a, n, q, b, c);
      k.nttForwardLazy(a, n, q, b, c);
      k.nttInverse(a, n, q, b, c, 1, 4, 1, 4);
      k.nttInverseLazy(a, n, q, b, c, 1, 4, 1, 4);
      k.addMod(a, a, b, n, q);
      k.subMod(a, a, b, n, q);
      k.negMod(a, a, n, q);
      k.addScalarMod(a, a, n, q, 1);
      k.mulBarrett(a, a, b, n, q, 4, 30);
      k.mulAddBarrett(a, a, b, n, q, 4, 30);
      k.tensorBarrett(a, b, d, a, b, c, d, n, q, 4, 30); // c stays zero: permuteWords reads it as indices
      k.squareBarrett(a, b, d, a, b, n, q, 4, 30);
      k.mulShoup(a, a, b, c, n, q);
      k.mulAddShoup(a, a, b, c, n, q);
      k.mulScalarShoup(a, a, n, q, 1, 4);
      k.mulAddScalarShoup(a, a, n, q, 1, 4);
      k.liftSigned(a, b, n, q);
      k.copyWords(a, b, n);
      k.automorphismCoeff(d, a, n, 5, q);
      k.permuteWords(d, a, c, n);
      k.baseConvertSum(d, t, n, 2, 1, c, c);
      k.reduceCentered(a, b, n, q, q, 0, 4);
      k.subMulScalarShoup(a, b, c, n, q, 1, 4);
      k.reduceInt64(a, t, n, q, 1, 4, 4);
      warmUpInnerProduct(heap, base + 24 * n, c, d, a, b, n, q, round & 1);
      k.specialFftForward(a, b, n / 4, c, d);
      k.specialFftInverse(a, b, n / 4, c, d);
      k.roundScaledToInt64(t, a, n / 2, 1);
      k.mixedRadixToFloat(t, a, n / 4, 2, c, d);
      k.expandUniform(b, 64, q, 0x3fffffff, a, c, 12);
      warmUpCombine(heap, t, a, d, n / 4, q);
    }
  } finally {
    heap.free(base, words * 4);
  }
}

/**
 * One combineLimb call: 4 rows x 4 columns over `size` coefficients in blocks of 256, inputs at
 * `inputs` + j size words, outputs at `outputs` + j size words; its tables and scratch (1,125
 * words) are written at `tables`. Constants and residues are arbitrary.
 */
function warmUpCombine(heap: WasmHeap, tables: number, inputs: number, outputs: number, size: number, q: number): void {
  const rows = 4;
  const blockWords = 256;
  const scratch = tables;
  const outs = scratch + 4 * rows * blockWords;
  const ins = outs + 4 * rows;
  const rowStart = ins + 4 * rows;
  const sources = rowStart + 4 * (rows + 1);
  const limb = sources + 4 * rows * rows;
  const words = heap.u32();
  words.fill(q, limb >>> 2, (limb >>> 2) + 8 + 4 * rows * rows);
  for (let j = 0; j < rows; j++) {
    words[(outs >>> 2) + j] = outputs + 4 * size * j;
    words[(ins >>> 2) + j] = inputs + 4 * size * j;
    for (let c = 0; c < rows; c++) words[(sources >>> 2) + rows * j + c] = 32 * c;
  }
  for (let j = 0; j <= rows; j++) words[(rowStart >>> 2) + j] = rows * j;
  heap.kernels.combineLimb(outs, ins, rowStart, sources, rows, rows, limb, size, 0, scratch, blockWords);
}

/** One innerProductPair and one innerProductPairLift call over two terms (inputs c and d, outputs a and b); the term table (6 words) is written at `terms`. */
function warmUpInnerProduct(heap: WasmHeap, terms: number, c: number, d: number, a: number, b: number, n: number, q: number, accumulate: number): void {
  heap.u32().set([c, d, c, d, c, d], terms >>> 2);
  heap.kernels.innerProductPair(a, b, terms, 2, n, q, 1, 4, 4, accumulate);
  heap.kernels.innerProductPairLift(a, b, terms, 2, n, q, 1, 4, 4, accumulate, c, d, 1);
}
