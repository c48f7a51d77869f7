/**
 * The kernel module's exports (see asm/). Pointers are byte offsets into the heap memory;
 * every u32 constant may be passed as a JS number in [0, 2^32) (WebAssembly wraps it to i32
 * without changing its bits). Preconditions and value ranges are documented in asm/.
 */
export interface KernelExports {
  nttForward(a: number, n: number, q: number, tw: number, twShoup: number): void;
  nttForwardLazy(a: number, n: number, q: number, tw: number, twShoup: number): void;
  nttInverse(
    a: number, n: number, q: number, itw: number, itwShoup: number,
    nInv: number, nInvShoup: number, lastTw: number, lastTwShoup: number,
  ): void;
  nttInverseLazy(
    a: number, n: number, q: number, itw: number, itwShoup: number,
    nInv: number, nInvShoup: number, lastTw: number, lastTwShoup: number,
  ): void;
  addMod(out: number, a: number, b: number, n: number, q: number): void;
  subMod(out: number, a: number, b: number, n: number, q: number): void;
  negMod(out: number, a: number, n: number, q: number): void;
  addScalarMod(out: number, a: number, n: number, q: number, c: number): void;
  mulBarrett(out: number, a: number, b: number, n: number, q: number, mu: number, s: number): void;
  mulAddBarrett(out: number, a: number, b: number, n: number, q: number, mu: number, s: number): void;
  mulShoup(out: number, a: number, w: number, wShoup: number, n: number, q: number): void;
  mulAddShoup(out: number, a: number, w: number, wShoup: number, n: number, q: number): void;
  mulScalarShoup(out: number, a: number, n: number, q: number, c: number, cShoup: number): void;
  mulAddScalarShoup(out: number, a: number, n: number, q: number, c: number, cShoup: number): void;
  liftSigned(out: number, input: number, n: number, q: number): void;
  copyWords(out: number, input: number, n: number): void;
  tensorBarrett(
    d0: number, d1: number, d2: number, x0: number, x1: number, y0: number, y1: number, n: number, q: number, mu: number, s: number,
  ): void;
  squareBarrett(d0: number, d1: number, d2: number, x0: number, x1: number, n: number, q: number, mu: number, s: number): void;
  automorphismCoeff(out: number, input: number, n: number, k: number, q: number): void;
  permuteWords(out: number, input: number, perm: number, n: number): void;
  baseConvertSum(
    out: number, t: number, n: number, nIn: number, nOut: number, primesOut: number, table: number,
  ): void;
  reduceCentered(
    out: number, input: number, n: number, qIn: number, q: number, qInModQ: number, oneShoup: number,
  ): void;
  subMulScalarShoup(out: number, x: number, y: number, n: number, q: number, c: number, cShoup: number): void;
  mixedRadixToFloat(out: number, digits: number, n: number, k: number, primes: number, half: number): void;
  keccakPermute(state: number, constants: number, rounds: number): void;
  reduceInt64(out: number, input: number, n: number, q: number, r32: number, r32Shoup: number, oneShoup: number): void;
  innerProductPair(
    out0: number, out1: number, terms: number, count: number, n: number,
    q: number, r32: number, r32Shoup: number, oneShoup: number, accumulate: number,
  ): void;
  innerProductPairLift(
    out0: number, out1: number, terms: number, count: number, n: number,
    q: number, r32: number, r32Shoup: number, oneShoup: number, accumulate: number, x0: number, x1: number, f: number,
  ): void;
  combineLimb(
    outs: number, ins: number, rowStart: number, sources: number, rows: number, cols: number,
    limb: number, n: number, limbOffset: number, scratch: number, blockWords: number,
  ): void;
  specialFftForward(re: number, im: number, size: number, twRe: number, twIm: number): void;
  specialFftInverse(re: number, im: number, size: number, twRe: number, twIm: number): void;
  roundScaledToInt64(out: number, input: number, n: number, scale: number): void;
  expandUniform(out: number, n: number, q: number, mask: number, state: number, constants: number, rounds: number): void;
  expandUniformPair(
    outA: number, outB: number, n: number, qA: number, maskA: number, qB: number, maskB: number,
    stateA: number, stateB: number, pair: number, constants: number, rounds: number,
  ): void;
  crc32Update(crc: number, address: number, length: number, tables: number): number;
  firstAtLeast(address: number, n: number, q: number): number;
  sampleCumulative(out: number, words: number, n: number, table: number, entries: number): void;
}

/** Names of every kernel export, used to check an instantiated module is complete. */
export const kernelNames: readonly (keyof KernelExports)[] = [
  "nttForward", "nttForwardLazy", "nttInverse", "nttInverseLazy",
  "addMod", "subMod", "negMod", "addScalarMod", "mulBarrett", "mulAddBarrett", "mulShoup",
  "mulAddShoup", "mulScalarShoup", "mulAddScalarShoup", "liftSigned", "copyWords", "tensorBarrett", "squareBarrett",
  "automorphismCoeff", "permuteWords",
  "baseConvertSum", "reduceCentered", "subMulScalarShoup", "mixedRadixToFloat", "keccakPermute", "expandUniform", "expandUniformPair", "reduceInt64", "innerProductPair", "innerProductPairLift", "combineLimb", "specialFftForward", "specialFftInverse", "roundScaledToInt64",
  "crc32Update", "firstAtLeast", "sampleCumulative",
];
