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
      k.mulAccumulateWide(t, a, b, n, round & 1);
      k.reduceInt64(a, t, n, q, 1, 4, 4);
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
 * One combineLimb call: 4 rows x 4 columns (one group of 4 rows) over `size` coefficients,
 * inputs at `inputs` + j size words, outputs at `outputs` + j size words, with its tables
 * (51 words) written at `tables`.
 */
function warmUpCombine(heap: WasmHeap, tables: number, inputs: number, outputs: number, size: number, q: number): void {
  const rows = 4;
  const outs = tables;
  const ins = outs + 4 * rows;
  const rowStart = ins + 4 * rows;
  const columns = rowStart + 4 * (rows + 1);
  const residues = columns + 4 * rows * rows;
  const groupRows = residues + 4 * rows * rows;
  const groupStart = groupRows + 4 * rows;
  const words = heap.u32();
  for (let j = 0; j < rows; j++) {
    words[(outs >>> 2) + j] = outputs + 4 * size * j;
    words[(ins >>> 2) + j] = inputs + 4 * size * j;
    words[(groupRows >>> 2) + j] = j;
    for (let c = 0; c < rows; c++) {
      words[(columns >>> 2) + rows * j + c] = c;
      words[(residues >>> 2) + rows * j + c] = j + c;
    }
  }
  for (let j = 0; j <= rows; j++) words[(rowStart >>> 2) + j] = rows * j;
  words[groupStart >>> 2] = 0;
  words[(groupStart >>> 2) + 1] = rows;
  heap.kernels.combineLimb(outs, ins, rowStart, columns, residues, groupRows, groupStart, 1, size, 0, q, 1, 4, 4);
}
