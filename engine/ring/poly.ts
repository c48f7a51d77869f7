import "./dispose-symbols.js";
import type { RnsBasis } from "./basis.js";
import { FheError } from "./errors.js";
import type { Ring } from "./ring.js";
import type { WasmHeap } from "./wasm/heap.js";

interface HeldBlock {
  readonly heap: WasmHeap;
  readonly address: number;
  readonly bytes: number;
  readonly secret: boolean;
  /** False for views that borrow another polynomial's memory. */
  readonly owned: boolean;
}

function releaseBlock(block: HeldBlock): void {
  if (block.secret) block.heap.zero(block.address, block.bytes);
  block.heap.free(block.address, block.bytes);
}

/**
 * Engines do not see WebAssembly memory held by small JS objects, so they would collect
 * forgotten handles rarely. Every {@link pressureStep} bytes of polynomials allocated without
 * `scoped`, the allocating handle carries an untouched ArrayBuffer of a quarter of that size:
 * engines count it as external memory and schedule garbage collection in proportion to heap use
 * (the OS zero-fills it lazily, so it costs address space rather than physical memory). Bytes
 * freed by dispose() are taken back, so code that disposes what it allocates never pays for
 * ballast (allocating it costs far more than a small operation).
 */
const pressureStep = 32 * 2 ** 20;
let bytesSincePressure = 0;

function pressureFor(bytes: number): ArrayBuffer | undefined {
  bytesSincePressure += bytes;
  if (bytesSincePressure < pressureStep) return undefined;
  const ballast = new ArrayBuffer(bytesSincePressure >>> 2);
  bytesSincePressure = 0;
  return ballast;
}

/** Takes back the bytes of a polynomial freed by dispose(): only forgotten memory builds pressure. */
function releasePressure(bytes: number): void {
  bytesSincePressure = Math.max(0, bytesSincePressure - bytes);
}

/** Frees the memory of polynomials that were garbage-collected without dispose(). */
const forgottenPolys = new FinalizationRegistry<HeldBlock>(releaseBlock);

let writeForm: (poly: RnsPoly, isNtt: boolean) => void;

/**
 * A polynomial in R_Q = Z_Q[X]/(X^N + 1) in RNS form: one limb of N u32 residues per prime of
 * its basis, stored contiguously in the heap (limb i at address + 4 N i). `isNtt` tells
 * whether limbs hold NTT evaluations (see asm/ntt.ts for the order) or coefficients.
 * Residues are always fully reduced to [0, q_i).
 *
 * The object is only a handle: call dispose() (or use `using`) to free the memory at once;
 * forgotten handles are reclaimed after garbage collection. Secret polynomials are zeroed
 * when freed either way.
 *
 * The handle is frozen and its ring, basis and form are read-only: they say which kernels run
 * on which addresses, so only the ring operations change them (shrinkTo, and the form through
 * the operations that transform the limbs).
 */
export class RnsPoly implements Disposable {
  readonly #ring: Ring;
  #block: HeldBlock | undefined;
  #basis: RnsBasis;
  #isNtt: boolean;
  #gcPressure: ArrayBuffer | undefined;
  #registered: boolean;

  static {
    writeForm = (poly, isNtt) => {
      poly.#isNtt = isNtt;
    };
  }

  /** @internal Use Ring.allocate (or {@link RnsPoly.prefixView}). */
  constructor(ring: Ring, basis: RnsBasis, isNtt: boolean, secret: boolean, borrowedAddress?: number, scoped = false) {
    const bytes = 4 * ring.n * basis.size;
    const owned = borrowedAddress === undefined;
    const address = borrowedAddress ?? ring.heap.allocate(bytes, "allocate polynomial");
    this.#ring = ring;
    this.#block = { heap: ring.heap, address, bytes, secret, owned };
    this.#basis = basis;
    this.#isNtt = isNtt;
    if (owned && !scoped) this.#gcPressure = pressureFor(bytes);
    this.#registered = owned && !scoped;
    if (this.#registered) forgottenPolys.register(this, this.#block, this);
    Object.freeze(this);
  }

  /**
   * A non-owning view of the first `basis.size` limbs of `parent` (basis must be a prefix of
   * the parent's). Writes go to the parent; the view must not outlive it, and disposing the
   * view frees nothing. @internal For the scheme layer (levels are prefixes of the chain).
   */
  static prefixView(parent: RnsPoly, basis: RnsBasis): RnsPoly {
    parent.assertLive("view polynomial");
    const prefix = parent.basis.primes.slice(0, basis.size);
    if (basis.size > parent.basis.size || prefix.some((q, i) => q !== basis.primes[i])) {
      throw new FheError("MISMATCHED_OPERANDS", "view polynomial", "the basis is not a prefix of the polynomial's basis");
    }
    return new RnsPoly(parent.#ring, basis, parent.#isNtt, false, parent.limbAddress(0));
  }

  /** The ring (degree and heap) the polynomial lives in. */
  get ring(): Ring {
    return this.#ring;
  }

  /** The RNS basis of the current limbs. */
  get basis(): RnsBasis {
    return this.#basis;
  }

  /** True when the limbs hold NTT evaluations, false for coefficients. */
  get isNtt(): boolean {
    return this.#isNtt;
  }

  /** Ring degree N. */
  get n(): number {
    return this.#ring.n;
  }

  /** True once dispose() has run. */
  get disposed(): boolean {
    return this.#block === undefined;
  }

  /** True for secret material (zeroed when freed). */
  get secret(): boolean {
    return this.#block?.secret ?? false;
  }

  /** Throws the library's DISPOSED error naming `operation` when the handle was disposed. */
  assertLive(operation: string): void {
    if (this.#block === undefined) {
      throw new FheError("DISPOSED", operation, "the polynomial was disposed");
    }
  }

  /** Heap address of limb i. Throws unless live and 0 <= i < basis.size (an integer). */
  limbAddress(i: number): number {
    this.assertLive("access polynomial");
    if (!(i >= 0 && i < this.#basis.size && (i | 0) === i)) {
      throw new FheError("INVALID_ARGUMENT", "access polynomial", `limb index ${i} is outside [0, ${this.#basis.size})`);
    }
    return this.#block!.address + 4 * this.#ring.n * i;
  }

  /**
   * Keeps only the first `basis.size` limbs (the memory block is kept; the basis shrinks).
   * Used by rescaling and level drops. Throws unless `basis` is a non-empty prefix of the
   * current basis (the same moduli of this ring, in order).
   */
  shrinkTo(basis: RnsBasis): void {
    this.assertLive("shrink polynomial");
    const current = this.#basis.moduli;
    const next = basis?.moduli;
    if (!Array.isArray(next) || next.length === 0 || next.length > current.length || next.some((m, i) => m !== current[i])) {
      throw new FheError("MISMATCHED_OPERANDS", "shrink polynomial", "the basis is not a prefix of the polynomial's basis");
    }
    this.#basis = basis;
  }

  /** Frees the memory now (zeroing it first for secret material). Idempotent. */
  dispose(): void {
    const block = this.#block;
    if (block === undefined) return;
    this.#block = undefined;
    if (!block.owned) return;
    if (this.#registered) {
      forgottenPolys.unregister(this);
      releasePressure(block.bytes);
    }
    this.#gcPressure = undefined;
    releaseBlock(block);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/**
 * Records that the limbs of `poly` now hold NTT evaluations (true) or coefficients (false).
 * @internal For the ring operations that wrote them; not part of the package's public API.
 */
export function setNttForm(poly: RnsPoly, isNtt: boolean): void {
  writeForm(poly, isNtt);
}

/**
 * Disposes every element of `parts` that is an RnsPoly and ignores anything else: library
 * objects built by hand may hold other values where polynomials belong, and disposing them
 * must still free what they do own.
 */
export function disposePolys(parts: Iterable<unknown>): void {
  for (const part of parts) if (part instanceof RnsPoly) part.dispose();
}
