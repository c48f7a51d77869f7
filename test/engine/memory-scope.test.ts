// Memory scopes (tidy, keep, dispose, memory, the undisposed-objects warning), TensorFlow.js
// style. The defect they answer: a loop that awaits already-resolved promises never lets
// finalizers run, so forgotten ciphertexts are never reclaimed however often the GC runs.

import { beforeAll, describe, expect, it } from "vitest";
import {
  defaultHeap, dispose, Evaluator, GaloisKeys, keep, memory, serializeCiphertext, setMemoryWarning, tidy,
  type Ciphertext, type Plaintext,
} from "../../engine/index.js";
import {
  expectFheError, expectPrecision, makeContext, oneOperationBound, uniformValues, vadd, vmul, vrotate,
  type CkksContext, type Vec,
} from "../helpers/ckks.js";

const gc = (globalThis as { gc?: () => void }).gc!;

/** GC and let finalizers run (they are queued as tasks, never as microtasks). */
async function collect(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise<void>((resolve) => setImmediate(resolve));
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
  }
}

const literal = { logN: 10, logScale: 30, depth: 2, allowInsecureParametersForTesting: true } as const;
let c: CkksContext;
let v: Vec;
let x: Ciphertext;
let bound: number;

beforeAll(() => {
  c = makeContext(literal, { steps: [1] });
  v = { re: uniformValues(c.params.maxSlots, 1), im: uniformValues(c.params.maxSlots, 2) };
  x = c.encrypt(v);
  bound = oneOperationBound(c.params);
});

/** mulRelin + rescale of x by itself: two ciphertexts, the first one a temporary. */
const square = (): Ciphertext => c.evaluator.rescale(c.evaluator.mulRelin(x, x));

function expectDisposed(ct: Ciphertext | Plaintext): void {
  if ("polys" in ct) expectFheError(() => serializeCiphertext(ct), "DISPOSED");
  else expectFheError(() => c.encoder.decode(ct), "DISPOSED");
}

/** Heap bytes that one mulRelin + rescale allocates (the degree-1 product and the result). */
function bytesPerSquare(): number {
  const heap = defaultHeap();
  const before = heap.bytesInUse;
  const product = c.evaluator.mulRelin(x, x);
  const result = c.evaluator.rescale(product);
  const bytes = heap.bytesInUse - before;
  dispose([product, result]);
  return bytes;
}

describe("tidy in a loop that awaits resolved promises", () => {
  it("without tidy, forgotten results are not reclaimed even when the GC runs (the defect)", async () => {
    const heap = defaultHeap();
    const perIteration = bytesPerSquare(); // also builds the caches (tables, converters)
    await collect();
    const before = heap.bytesInUse;
    for (let i = 0; i < 100; i++) {
      square();
      if (i % 10 === 0) gc();
      await Promise.resolve();
    }
    gc();
    await Promise.resolve();
    expect(heap.bytesInUse - before).toBeGreaterThan(50 * perIteration); // grows with the iterations
    // Only once the event loop turns do finalizers run (how many collections that takes is the engine's choice).
    for (let round = 0; round < 20 && heap.bytesInUse !== before; round++) await collect();
    expect(heap.bytesInUse).toBe(before);
  });

  it("2,000 mulRelin + rescale, each inside tidy, keep bytesInUse and the object count flat", async () => {
    const heap = defaultHeap();
    const perIteration = bytesPerSquare();
    await collect();
    const before = heap.bytesInUse;
    const objectsBefore = memory().numObjects;
    let last = 0;
    for (let i = 0; i < 2000; i++) {
      last = tidy(() => square().level);
      await Promise.resolve();
    }
    expect(last).toBe(c.params.maxLevel - 1);
    expect(Math.abs(heap.bytesInUse - before)).toBeLessThan(perIteration);
    expect(memory().numObjects).toBe(objectsBefore);
  });
});

describe("tidy", () => {
  it("disposes what fn created and not its result, which stays usable", () => {
    let temp: Ciphertext | undefined;
    const result = tidy(() => {
      temp = c.evaluator.mulRelin(x, x);
      return c.evaluator.rescale(temp);
    });
    expectDisposed(temp!);
    expectPrecision(c.decrypt(result), vmul(v, v), bound);
    result.dispose();
  });

  it("keeps the objects reachable from the result through arrays, plain objects, Maps and Sets", () => {
    let temps: Ciphertext[] = [];
    const result = tidy(() => {
      const made = Array.from({ length: 6 }, () => c.evaluator.copy(x));
      temps = made.slice(4);
      const pt = c.encoder.encode([0.5]);
      const cyclic: { self?: unknown; ct: Ciphertext } = { ct: made[0]! };
      cyclic.self = cyclic;
      return { list: [cyclic, [pt]], map: new Map<unknown, unknown>([["k", made[1]!], [made[2]!, "v"]]), set: new Set([made[3]!]), n: 42 };
    });
    for (const ct of temps) expectDisposed(ct);
    const [cyclic, [pt]] = result.list as [{ ct: Ciphertext }, [Plaintext]];
    for (const ct of [cyclic.ct, result.map.get("k") as Ciphertext, [...result.map.keys()][1] as Ciphertext, ...result.set]) {
      expectPrecision(c.decrypt(ct), v, bound);
    }
    expect(c.encoder.decode(pt)[0]).toBeCloseTo(0.5, 5);
    expect(result.n).toBe(42);
    dispose(result);
  });

  it("nests: an inner scope's result belongs to the outer scope", () => {
    let innerTemp: Ciphertext | undefined;
    let inner: Ciphertext | undefined;
    const outer = tidy("outer", () => {
      inner = tidy("inner", () => {
        innerTemp = c.evaluator.mulRelin(x, x);
        return c.evaluator.rescale(innerTemp);
      });
      expectDisposed(innerTemp!); // at the end of the inner scope
      expectPrecision(c.decrypt(inner), vmul(v, v), bound);
      return c.evaluator.add(inner, inner);
    });
    expectDisposed(inner!); // the outer scope did not return it
    const vv = vmul(v, v);
    expectPrecision(c.decrypt(outer), vadd(vv, vv), bound - 1);
    outer.dispose();
  });

  it("never disposes objects created before it, even when fn updates them in place", () => {
    const y = c.evaluator.copy(x);
    const z = c.evaluator.copy(x);
    tidy(() => c.evaluator.rotateInPlace(y, 1)); // y's polynomials are replaced by new ones
    tidy(() => c.evaluator.addInPlace(z, c.evaluator.rotate(x, 1))); // the rotation is a temporary
    expectPrecision(c.decrypt(y), vrotate(v, 1), bound);
    expectPrecision(c.decrypt(z), vadd(v, vrotate(v, 1)), bound);
    const w = c.evaluator.copy(x);
    tidy(() => {
      c.evaluator.rescaleInPlace(c.evaluator.mulRelin(w, w)); // a temporary, disposed
      c.evaluator.conjugateInPlace(w);
    });
    expectPrecision(c.decrypt(w), { re: v.re, im: v.im.map((t) => -t) }, bound);
    expectPrecision(c.decrypt(x), v, bound);
    dispose([y, z, w]);
  });

  it("does not dispose the keys given to objects created inside", () => {
    const key = c.galoisKeys!.keys.values().next().value!;
    const evaluator = tidy(() => {
      new GaloisKeys(c.params, [key]); // a container created inside, holding an outside key
      return new Evaluator(c.params, { relinearizationKey: c.relinearizationKey, galoisKeys: c.galoisKeys! });
    });
    for (const key of [c.relinearizationKey, ...c.galoisKeys!.keys.values()]) {
      expect(key.digits.some(({ a, b }) => a.disposed || b.disposed)).toBe(false);
    }
    using product = evaluator.mulRelin(x, x);
    using rotated = evaluator.rotate(product, 1);
    using conjugated = evaluator.conjugate(x);
    expectPrecision(c.decrypt(rotated), vrotate(vmul(v, v), 1), bound - 2);
    expectPrecision(c.decrypt(conjugated), { re: v.re, im: v.im.map((t) => -t) }, bound);
  });

  it("returns Galois keys with their switching keys", () => {
    const keys = tidy(() => c.keygen.createGaloisKeys({ steps: [2], conjugate: false }));
    const evaluator = new Evaluator(c.params, { galoisKeys: keys });
    using rotated = evaluator.rotate(x, 2);
    expectPrecision(c.decrypt(rotated), vrotate(v, 2), bound);
    dispose(keys);
    expectFheError(() => evaluator.rotate(x, 2), "DISPOSED");
  });

  it("disposes what fn created when fn throws, and rethrows the same error", () => {
    const heap = defaultHeap();
    bytesPerSquare();
    const before = heap.bytesInUse;
    const boom = new Error("boom");
    let made: Ciphertext | undefined;
    expect(() => tidy(() => {
      made = square();
      throw boom;
    })).toThrow(boom);
    expectDisposed(made!);
    expect(heap.bytesInUse).toBe(before);
    // The library's own errors propagate unchanged too.
    expectFheError(() => tidy(() => c.evaluator.rotate(c.evaluator.copy(x), 3)), "MISSING_KEY", "rotate");
    expect(heap.bytesInUse).toBe(before);
  });

  it("refuses a Promise or thenable result with an FheError that explains why and what to do", async () => {
    let made: Ciphertext | undefined;
    const error = expectFheError(() => tidy(async () => {
      made = c.evaluator.copy(x);
      await null;
      return c.evaluator.negate(made); // rejects with DISPOSED: must not surface as unhandled
    }), "INVALID_ARGUMENT", "run tidy");
    expect(error.message).toMatch(/synchronous/);
    expect(error.message).toMatch(/browsers have no portable way/);
    expect(error.message).toMatch(/dispose\(\)/);
    expectDisposed(made!);
    expectFheError(() => tidy("layer 1", () => ({ then: () => undefined })), "INVALID_ARGUMENT", 'run tidy "layer 1"');
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
  });

  it("checks its arguments", () => {
    expectFheError(() => tidy(42 as never), "INVALID_ARGUMENT", "run tidy");
    expectFheError(() => (tidy as unknown as (name: string) => unknown)("name"), "INVALID_ARGUMENT", 'run tidy "name"');
  });
});

describe("keep", () => {
  it("exempts an object from every enclosing scope", () => {
    let kept: Ciphertext | undefined;
    let temp: Ciphertext | undefined;
    tidy(() => {
      tidy(() => {
        kept = keep(c.evaluator.copy(x));
        temp = c.evaluator.copy(x);
      });
    });
    expectDisposed(temp!);
    expectPrecision(c.decrypt(kept!), v, bound);
    kept!.dispose();
  });

  it("refuses anything but a library object", () => {
    expectFheError(() => keep({} as never), "INVALID_ARGUMENT", "keep object");
    expectFheError(() => keep(x.polys[0] as never), "INVALID_ARGUMENT", "keep object");
  });
});

describe("dispose(container)", () => {
  it("disposes library objects in nested containers and ignores other values", () => {
    const cts = [c.evaluator.copy(x), c.evaluator.copy(x), c.evaluator.copy(x)];
    const pt = c.encoder.encode([1]);
    const keys = c.keygen.createGaloisKeys({ steps: [2], conjugate: false });
    const [member] = keys.keys.values();
    const container: Record<string, unknown> = { a: [cts[0], [pt, null, 3, "s"]], m: new Map([[cts[1], { deep: cts[2] }]]), s: new Set([keys]) };
    container.self = container;
    const before = memory();
    dispose(container);
    const after = memory();
    expect(before.objects.ciphertext - after.objects.ciphertext).toBe(3);
    expect(before.objects.plaintext - after.objects.plaintext).toBe(1);
    expect(before.objects.galoisKeys - after.objects.galoisKeys).toBe(1);
    expect(before.objects.switchingKey - after.objects.switchingKey).toBe(1);
    for (const ct of cts) expectDisposed(ct);
    expectDisposed(pt);
    expectFheError(() => new Evaluator(c.params, { galoisKeys: keys }).rotate(x, 2), "DISPOSED");
    expect(member!.digits.every(({ a, b }) => a.disposed && b.disposed)).toBe(true);
    dispose(container); // idempotent
    dispose([undefined, 1, "x", Symbol("s")]);
  });
});

describe("memory()", () => {
  it("counts live objects by kind, their polynomials and the heap's bytes", () => {
    const heap = defaultHeap();
    const m0 = memory();
    expect(m0.objects.secretKey).toBeGreaterThanOrEqual(1);
    expect(m0.objects.publicKey).toBeGreaterThanOrEqual(1);
    expect(m0.objects.switchingKey).toBeGreaterThanOrEqual(3); // relinearization, rotation by 1, conjugation
    expect(m0.objects.galoisKeys).toBeGreaterThanOrEqual(1);
    const pt = c.encoder.encode([1, 2]);
    const ct = c.encryptor.encrypt(pt);
    const m1 = memory();
    expect(m1.objects.plaintext - m0.objects.plaintext).toBe(1);
    expect(m1.objects.ciphertext - m0.objects.ciphertext).toBe(1);
    expect(m1.numObjects - m0.numObjects).toBe(2);
    expect(m1.numPolynomials - m0.numPolynomials).toBe(3);
    expect(m1.numBytes).toBe(heap.bytesInUse);
    expect(m1.numBlocks).toBe(heap.blocksInUse);
    expect(m1.numBytesReserved).toBe(heap.bytesReserved);
    expect(m1.numBytes - m0.numBytes).toBe(3 * 4 * c.params.n * c.params.basisQ(c.params.maxLevel).size);
    ct.dispose(); // the object's own dispose(), not through tidy
    pt.dispose();
    const m2 = memory();
    expect(m2.numObjects).toBe(m0.numObjects);
    expect(m2.numPolynomials).toBe(m0.numPolynomials);
    expect(m2.numBytes).toBe(m0.numBytes);
    expectFheError(() => memory({ heap: {} as never }), "INVALID_ARGUMENT", "read memory statistics");
  });

  it("stops counting a forgotten object once it is garbage-collected (the census holds objects weakly)", async () => {
    await collect();
    const m0 = memory();
    (() => {
      for (let i = 0; i < 10; i++) c.evaluator.copy(x);
    })();
    expect(memory().objects.ciphertext - m0.objects.ciphertext).toBe(10);
    await collect();
    const m1 = memory();
    expect(m1.objects.ciphertext).toBe(m0.objects.ciphertext);
    expect(m1.numBytes).toBe(m0.numBytes);
  });
});

describe("the warning about undisposed objects", () => {
  it("fires exactly once when the live objects pass the threshold, naming tidy and dispose", () => {
    const messages: string[] = [];
    const live = memory().numObjects;
    const previous = setMemoryWarning({ threshold: live + 5, warn: (message) => messages.push(message) });
    try {
      expect(previous.threshold).toBe(1000);
      // Disposed objects do not count, whether through tidy or their own dispose().
      for (let i = 0; i < 50; i++) {
        tidy(() => {
          c.evaluator.copy(x);
        });
      }
      for (let i = 0; i < 50; i++) c.evaluator.copy(x).dispose();
      expect(messages).toEqual([]);
      const made = Array.from({ length: 5 }, () => c.evaluator.copy(x));
      expect(messages).toEqual([]);
      made.push(c.evaluator.copy(x)); // live + 6 > threshold
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatch(/tidy\(/);
      expect(messages[0]).toMatch(/dispose\(\)/);
      expect(messages[0]).toMatch(new RegExp(`${live + 6} ciphertexts, plaintexts and keys`));
      for (let i = 0; i < 20; i++) made.push(c.evaluator.copy(x));
      expect(messages).toHaveLength(1);
      // A new setting re-arms it (the check is amortised: it may come up to 1/8 late).
      setMemoryWarning({ threshold: live + 30 });
      for (let i = 0; i < 20; i++) made.push(c.evaluator.copy(x));
      expect(messages).toHaveLength(2);
      dispose(made);
    } finally {
      setMemoryWarning(previous);
    }
    expect(setMemoryWarning(previous)).toEqual(previous);
  });

  it("checks its settings", () => {
    for (const threshold of [0, -1, 1.5, Number.NaN, "5"]) {
      expectFheError(() => setMemoryWarning({ threshold: threshold as never }), "INVALID_ARGUMENT", "set memory warning");
    }
    expectFheError(() => setMemoryWarning({ warn: 3 as never }), "INVALID_ARGUMENT", "set memory warning");
    expectFheError(() => setMemoryWarning(undefined as never), "INVALID_ARGUMENT", "set memory warning");
    expectFheError(() => setMemoryWarning(null as never), "INVALID_ARGUMENT", "set memory warning");
  });
});
