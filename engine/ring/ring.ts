import { RnsBasis } from "./basis.js";
import { checkOptions, describe, FheError, isInteger } from "./errors.js";
import { bitReverse } from "./modular.js";
import { Modulus } from "./modulus.js";
import { RnsPoly } from "./poly.js";
import { defaultHeap, WasmHeap } from "./wasm/heap.js";

export interface RingOptions {
  /** log2 of the ring degree N, an integer in [1, 17]. */
  readonly logN: number;
  /** Heap holding the polynomials (default: the process-wide heap). */
  readonly heap?: WasmHeap;
}

export interface AllocateOptions {
  /** Whether the new polynomial is tagged as NTT form (default false). */
  readonly ntt?: boolean;
  /** Secret material is zeroed when freed (default false). */
  readonly secret?: boolean;
  /**
   * The caller disposes the polynomial itself (`using`, or `finally`): it skips the garbage
   * collection bookkeeping, which costs time on hot paths. Default false.
   */
  readonly scoped?: boolean;
}

/**
 * The ring Z[X]/(X^N + 1) for one N on one heap: it owns the per-prime NTT tables and the
 * automorphism permutation tables, caches RNS bases, and allocates polynomials. Frozen: its
 * degree and heap cannot be replaced (the caches fill in as tables are first used).
 */
export class Ring {
  readonly n: number;
  readonly logN: number;
  readonly heap: WasmHeap;
  private readonly moduli = new Map<number, Modulus>();
  private readonly bases = new Map<string, RnsBasis>();
  private readonly permutations = new Map<number, number>();
  private readonly memos = new Map<string, unknown>();

  constructor(options: RingOptions) {
    const logN = options?.logN;
    if (!isInteger(logN) || logN < 1 || logN > 17) {
      throw new FheError("INVALID_ARGUMENT", "create ring", `logN must be an integer in [1, 17], got ${describe(logN)}`);
    }
    const heap = options.heap;
    if (heap !== undefined && !(heap instanceof WasmHeap)) {
      throw new FheError("INVALID_ARGUMENT", "create ring", `heap must be a WasmHeap, got ${describe(heap)}`);
    }
    this.logN = logN;
    this.n = 2 ** logN;
    this.heap = heap ?? defaultHeap();
    Object.freeze(this);
  }

  /** The modulus context of prime q (created on first use). */
  modulus(q: number): Modulus {
    let modulus = this.moduli.get(q);
    if (modulus === undefined) {
      modulus = new Modulus(this.heap, q, this.n);
      this.moduli.set(q, modulus);
    }
    return modulus;
  }

  /** The (cached) basis of the given distinct NTT-friendly primes, in this order. */
  basis(primes: readonly number[]): RnsBasis {
    if (!Array.isArray(primes) || primes.length === 0 || !primes.every((q) => typeof q === "number" && Number.isFinite(q))) {
      throw new FheError("INVALID_ARGUMENT", "create basis", "primes must be a non-empty array of numbers");
    }
    const key = primes.join(",");
    let basis = this.bases.get(key);
    if (basis === undefined) {
      if (new Set(primes).size !== primes.length) {
        throw new FheError("INVALID_ARGUMENT", "create basis", `primes must be distinct, got ${key}`);
      }
      basis = new RnsBasis(primes.map((q) => this.modulus(q)));
      this.bases.set(key, basis);
    }
    return basis;
  }

  /** A new polynomial over `basis` with unspecified contents. */
  allocate(basis: RnsBasis, options: AllocateOptions = {}): RnsPoly {
    this.checkBasis(basis, "allocate polynomial");
    checkOptions(options, "allocate polynomial");
    return new RnsPoly(this, basis, options?.ntt === true, options?.secret === true, undefined, options?.scoped === true);
  }

  /** A new zero polynomial over `basis`. */
  zero(basis: RnsBasis, options: AllocateOptions = {}): RnsPoly {
    checkOptions(options, "allocate polynomial");
    const poly = this.allocate(basis, options);
    this.heap.zero(poly.limbAddress(0), 4 * this.n * basis.size);
    return poly;
  }

  /** Throws unless `basis` was created by this ring. */
  checkBasis(basis: RnsBasis, operation: string): void {
    if (!(basis instanceof RnsBasis) || this.bases.get(basis.key) !== basis) {
      throw new FheError("MISMATCHED_OPERANDS", operation, "the basis does not belong to this ring");
    }
  }

  /** Returns the value cached under `key`, creating it with `create` on first use. */
  memo<T>(key: string, create: () => T): T {
    let value = this.memos.get(key) as T | undefined;
    if (value === undefined) {
      value = create();
      this.memos.set(key, value);
    }
    return value;
  }

  /**
   * Address of the NTT-slot permutation of the automorphism X -> X^k (k odd, taken mod 2N):
   * slot i of the result reads slot perm[i] of the input. Cached per k.
   */
  nttPermutation(k: number): number {
    if (!isInteger(k) || k % 2 === 0) {
      throw new FheError("INVALID_ARGUMENT", "build automorphism table", `the Galois element must be an odd integer, got ${describe(k)}`);
    }
    const twoN = 2 * this.n;
    const galois = ((k % twoN) + twoN) % twoN;
    let address = this.permutations.get(galois);
    if (address === undefined) {
      address = this.heap.allocate(4 * this.n, "build automorphism table");
      const words = this.heap.u32();
      const base = address >>> 2;
      for (let i = 0; i < this.n; i++) {
        const exponent = 2 * bitReverse(i, this.logN) + 1;
        const image = (exponent * galois) % twoN; // < 2^36, exact
        words[base + i] = bitReverse((image - 1) / 2, this.logN);
      }
      this.permutations.set(galois, address);
    }
    return address;
  }
}
