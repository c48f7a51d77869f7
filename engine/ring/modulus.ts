import { describe, FheError, isInteger } from "./errors.js";
import {
  barrettConstants, bitReverse, invMod, mulMod, shoupCompanion,
} from "./modular.js";
import { isNttFriendlyPrime, minimalPrimitiveRoot } from "./primes.js";
import { WasmHeap } from "./wasm/heap.js";

/**
 * One NTT-friendly prime q for ring degree n: its Barrett and Shoup constants and its NTT
 * tables, which live in the heap for as long as the owning ring does. Frozen: kernels take
 * these constants and addresses as they are.
 * Table layout (4n words from `tables`): tw, twShoup, itw, itwShoup as documented in asm/ntt.ts.
 */
export class Modulus {
  readonly q: number;
  readonly n: number;
  /** The primitive 2n-th root of unity the NTT evaluates at (the smallest one). */
  readonly psi: number;
  readonly barrettMu: number;
  readonly barrettShift: number;
  /** floor(2^32 / q): the Shoup companion of 1, used for plain reductions. */
  readonly oneShoup: number;
  /** 2^32 mod q and its Shoup companion, for reducing 64-bit words. */
  readonly r32: number;
  readonly r32Shoup: number;
  readonly nInv: number;
  readonly nInvShoup: number;
  readonly lastTw: number;
  readonly lastTwShoup: number;
  /** Address of the 4n-word table block. */
  readonly tables: number;

  constructor(readonly heap: WasmHeap, q: number, n: number) {
    if (!(heap instanceof WasmHeap)) throw new FheError("INVALID_ARGUMENT", "create modulus", "heap must be a WasmHeap");
    if (!isInteger(n) || n < 2 || n > 2 ** 17 || (n & (n - 1)) !== 0) {
      throw new FheError("INVALID_ARGUMENT", "create modulus", `N must be a power of two in [2, 2^17], got ${describe(n)}`);
    }
    if (!isNttFriendlyPrime(q, n)) {
      throw new FheError("INVALID_ARGUMENT", "create modulus",
        `${describe(q)} is not an NTT-friendly prime below 2^30 for N = ${n} (need q prime and q = 1 mod ${2 * n})`);
    }
    this.q = q;
    this.n = n;
    this.psi = minimalPrimitiveRoot(q, n);
    const { mu, shift } = barrettConstants(q);
    this.barrettMu = mu;
    this.barrettShift = shift;
    this.oneShoup = Math.floor(4294967296 / q);
    this.r32 = 4294967296 % q;
    this.r32Shoup = shoupCompanion(this.r32, q);
    this.nInv = invMod(n, q);
    this.nInvShoup = shoupCompanion(this.nInv, q);
    this.tables = heap.allocate(16 * n, "create modulus");
    const logN = Math.log2(n);
    const forward = new Uint32Array(n);
    const inverse = new Uint32Array(n);
    const psiInv = invMod(this.psi, q);
    let power = 1;
    let inversePower = 1;
    for (let i = 0; i < n; i++) {
      const k = bitReverse(i, logN);
      forward[k] = power;
      inverse[k] = inversePower;
      power = mulMod(power, this.psi, q);
      inversePower = mulMod(inversePower, psiInv, q);
    }
    const words = heap.u32();
    const base = this.tables >>> 2;
    for (let k = 0; k < n; k++) {
      words[base + k] = forward[k]!;
      words[base + n + k] = shoupCompanion(forward[k]!, q);
      words[base + 2 * n + k] = inverse[k]!;
      words[base + 3 * n + k] = shoupCompanion(inverse[k]!, q);
    }
    this.lastTw = mulMod(n > 1 ? inverse[1]! : 1, this.nInv, q);
    this.lastTwShoup = shoupCompanion(this.lastTw, q);
    Object.freeze(this);
  }

  get tw(): number {
    return this.tables;
  }
  get twShoup(): number {
    return this.tables + 4 * this.n;
  }
  get itw(): number {
    return this.tables + 8 * this.n;
  }
  get itwShoup(): number {
    return this.tables + 12 * this.n;
  }

  /** Frees the tables; the modulus must not be used afterwards. */
  release(): void {
    this.heap.free(this.tables, 16 * this.n);
  }
}
