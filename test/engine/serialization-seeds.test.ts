// Keys in full form store their seed next to the expanded uniform parts; saving in the default
// seeded form writes only the seed. Loading must therefore refuse a full-form key whose seed
// and uniform parts disagree (otherwise load -> save -> load silently replaces the key), and a
// consistent full-form key must save to the same key in either form.

import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { clone } from "../../engine/ring/arithmetic.js";
import {
  Ciphertext, Encryptor, Evaluator, loadCiphertext, loadGaloisKeys, loadPublicKey, loadSwitchingKey, serializeCiphertext,
  serializeGaloisKeys, serializePublicKey, serializeSwitchingKey, type GaloisKeys, type Parameters, type PublicKey,
  type SwitchingKey,
} from "../../engine/index.js";
import { crc32 } from "../../engine/serialization/crc32.js";
import {
  expectFheError, expectPrecision, expectSameCiphertext, makeContext, oneOperationBound, uniformValues, vmul, vrotate,
  type CkksContext, type Vec,
} from "../helpers/ckks.js";

const literal = { logN: 10, logScale: 30, depth: 2, allowInsecureParametersForTesting: true };
const headerBytes = 16;
const seedBytes = 32;

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

/** A copy of `bytes` with `edit` applied and the CRC-32 trailer recomputed (a deliberate change). */
function edited(bytes: Uint8Array, edit: (view: DataView) => void): Uint8Array {
  const copy = bytes.slice();
  const view = new DataView(copy.buffer);
  edit(view);
  view.setUint32(copy.length - 4, crc32(copy.subarray(0, copy.length - 4)), true);
  return copy;
}

interface KeyKind {
  /** The key in full form. */
  full(): Uint8Array;
  /** The key in the default (seeded) form. */
  seeded(): Uint8Array;
  load(params: Parameters, bytes: Uint8Array): Disposable;
  save(key: Disposable, options?: { seeded: boolean }): Uint8Array;
  /** Offset of the first seed byte in the full form. */
  seedOffset: number;
}

describe("seeds stored next to full-form keys", () => {
  let c: CkksContext;
  let kinds: Record<string, KeyKind>;
  const v: Vec = { re: uniformValues(512, 11), im: uniformValues(512, 12) };
  const w: Vec = { re: uniformValues(512, 13), im: uniformValues(512, 14) };

  beforeAll(() => {
    c = makeContext(literal, { steps: [1, 2], conjugate: false });
    const qBytes = 4 * c.params.n * c.params.qPrimes.length;
    kinds = {
      publicKey: {
        full: () => serializePublicKey(c.publicKey, { seeded: false }),
        seeded: () => serializePublicKey(c.publicKey),
        load: loadPublicKey,
        save: (key, options) => serializePublicKey(key as PublicKey, options),
        seedOffset: headerBytes + qBytes, // header | b | seed | a
      },
      switchingKey: {
        full: () => serializeSwitchingKey(c.relinearizationKey, { seeded: false }),
        seeded: () => serializeSwitchingKey(c.relinearizationKey),
        load: loadSwitchingKey,
        save: (key, options) => serializeSwitchingKey(key as SwitchingKey, options),
        seedOffset: headerBytes + 4 + 2, // header | Galois element | digit count | seed | (b_j, a_j)...
      },
      galoisKeys: {
        full: () => serializeGaloisKeys(c.galoisKeys!, { seeded: false }),
        seeded: () => serializeGaloisKeys(c.galoisKeys!),
        load: loadGaloisKeys,
        save: (key, options) => serializeGaloisKeys(key as GaloisKeys, options),
        seedOffset: headerBytes + 2 + 4 + 2, // header | key count | first key as above
      },
    };
  });

  it.each(["publicKey", "switchingKey", "galoisKeys"])("a %s whose seed was changed is refused", (kind) => {
    const { full, load, seedOffset } = kinds[kind]!;
    const tampered = edited(full(), (view) => view.setUint8(seedOffset + 5, view.getUint8(seedOffset + 5) ^ 0x40));
    const error = expectFheError(() => load(c.params, tampered), "CORRUPT_DATA");
    expect(error.message).toMatch(/uniform part a .*does not match the seed stored with it/);
  });

  it.each(["publicKey", "switchingKey", "galoisKeys"])("a %s whose uniform part was changed (still below q) is refused", (kind) => {
    const { full, load } = kinds[kind]!;
    // The last residue of the blob belongs to the last uniform part a (CRC-32 trailer after it).
    const tampered = edited(full(), (view) => {
      const offset = view.byteLength - 8;
      view.setUint32(offset, view.getUint32(offset, true) === 0 ? 1 : view.getUint32(offset, true) - 1, true);
    });
    const error = expectFheError(() => load(c.params, tampered), "CORRUPT_DATA");
    expect(error.message).toMatch(/does not match the seed stored with it/);
  });

  it("any change of any seed byte of a full-form key is refused (property)", () => {
    fc.assert(fc.property(
      fc.constantFrom("publicKey", "switchingKey", "galoisKeys"), fc.integer({ min: 0, max: seedBytes - 1 }), fc.integer({ min: 1, max: 255 }),
      (kind, index, mask) => {
        const { full, load, seedOffset } = kinds[kind]!;
        const offset = seedOffset + index;
        const tampered = edited(full(), (view) => view.setUint8(offset, view.getUint8(offset) ^ mask));
        expectFheError(() => load(c.params, tampered), "CORRUPT_DATA");
      },
    ), { numRuns: 60 });
  });

  it.each(["publicKey", "switchingKey", "galoisKeys"])("a %s loaded from full form saves to the same key in both forms", (kind) => {
    const { full, seeded, load, save } = kinds[kind]!;
    using key = load(c.params, full());
    expect(same(save(key), seeded())).toBe(true);
    expect(same(save(key, { seeded: false }), full())).toBe(true);
  });

  it("keys through full form -> load -> default save -> load work exactly as the originals", () => {
    const pk = loadPublicKey(c.params, serializePublicKey(loadPublicKey(c.params, kinds.publicKey!.full())));
    using pt = c.encode(v);
    using ct = new Encryptor(c.params, pk).encrypt(pt);
    expectPrecision(c.decrypt(ct), v, oneOperationBound(c.params));

    const relinearizationKey = loadSwitchingKey(c.params, serializeSwitchingKey(loadSwitchingKey(c.params, kinds.switchingKey!.full())));
    const galoisKeys = loadGaloisKeys(c.params, serializeGaloisKeys(loadGaloisKeys(c.params, kinds.galoisKeys!.full())));
    const evaluator = new Evaluator(c.params, { relinearizationKey, galoisKeys });
    using x = c.encrypt(v);
    using y = c.encrypt(w);
    using product = evaluator.mulRelin(x, y);
    using expectedProduct = c.evaluator.mulRelin(x, y);
    expectSameCiphertext(product, expectedProduct);
    using rotated = evaluator.rotate(x, 2);
    using expectedRotation = c.evaluator.rotate(x, 2);
    expectSameCiphertext(rotated, expectedRotation);
    evaluator.rescaleInPlace(product);
    expectPrecision(c.decrypt(product), vmul(v, w), oneOperationBound(c.params));
    expectPrecision(c.decrypt(rotated), vrotate(v, 2), oneOperationBound(c.params));
    for (const key of [pk, relinearizationKey, galoisKeys]) key.dispose();
  });

  it("a ciphertext loaded from full form has no seed and saves in full form by default", () => {
    using ct = c.encrypt(v, { secretKey: true });
    const full = serializeCiphertext(ct, { seeded: false });
    using loaded = loadCiphertext(c.params, full);
    expect(loaded.seed).toBeUndefined();
    expect(same(serializeCiphertext(loaded), full)).toBe(true);
    using reloaded = loadCiphertext(c.params, serializeCiphertext(loaded));
    expectSameCiphertext(reloaded, ct);
  });

  it("after a seeded load, one changed word of c_1 (ring layer) is caught: saved in full form, loads as itself", () => {
    using ct = c.encrypt(v, { secretKey: true });
    const seeded = serializeCiphertext(ct);
    using loaded = loadCiphertext(c.params, seeded);
    expect(same(serializeCiphertext(loaded), seeded)).toBe(true); // the recorded digest holds
    const c1 = loaded.polys[1]!;
    const words = c1.ring.heap.u32();
    const at = (c1.limbAddress(0) >>> 2) + 17;
    words[at] = words[at] === 0 ? 1 : words[at]! - 1;
    const bytes = serializeCiphertext(loaded);
    expect(bytes.length).toBe(serializeCiphertext(loaded, { seeded: false }).length);
    expect(loaded.seed).toBeUndefined();
    using back = loadCiphertext(c.params, bytes);
    expectSameCiphertext(back, loaded);
  });

  it("a ciphertext built by hand with a seed that does not describe its c_1 is saved in full form", () => {
    using a = c.encrypt(v, { secretKey: true });
    using b = c.encrypt(v, { secretKey: true });
    using handmade = new Ciphertext(c.params, [clone(a.polys[0]!), clone(a.polys[1]!)], a.level, a.scale, a.slots, b.seed);
    const bytes = serializeCiphertext(handmade);
    expect(bytes.length).toBe(serializeCiphertext(handmade, { seeded: false }).length);
    expect(handmade.seed).toBeUndefined();
  });
});
