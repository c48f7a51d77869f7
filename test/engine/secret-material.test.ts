// Key generation, encryption and decryption handle the secret s, the errors e of b = e - a t,
// the ephemeral u of public-key encryption and the flooding noise; any of them left in memory
// reveals s or the message. Heap blocks must be zero when they are freed (the free list hands
// them out again with their contents), and the JS arrays of samples must be zeroed after use.
// The samplers are wrapped (calling through to the real ones) only to see the arrays they return.

import { beforeAll, describe, expect, it, vi } from "vitest";
import {
  Decryptor, Encoder, Encryptor, Evaluator, KeyGenerator, Parameters, WasmHeap,
} from "../../engine/index.js";
import { ByteWriter } from "../../engine/serialization/format.js";
import { kernelBuilds } from "../helpers/builds.js";
import { expectPrecision, oneOperationBound, testLiterals, uniformValues } from "../helpers/ckks.js";
import { watchFrees, type FreeWatch } from "../helpers/heap-watch.js";

const samples = vi.hoisted(() => [] as (Int32Array | Float64Array)[]);

vi.mock("../../engine/ring/sampling.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../engine/ring/sampling.js")>();
  const recorded = <A extends unknown[]>(sample: (...args: A) => Int32Array) => (...args: A): Int32Array => {
    const values = sample(...args);
    samples.push(values);
    return values;
  };
  return {
    ...real,
    sampleTernary: recorded(real.sampleTernary),
    sampleTernaryFixedWeight: recorded(real.sampleTernaryFixedWeight),
    sampleGaussian: recorded(real.sampleGaussian),
  };
});

vi.mock("../../engine/ring/float-io.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../engine/ring/float-io.js")>();
  return {
    ...real,
    setIntegerCoefficients: ((poly, coefficients) => {
      samples.push(coefficients);
      real.setIntegerCoefficients(poly, coefficients);
    }) satisfies typeof real.setIntegerCoefficients,
  };
});

/** Runs `body`, expecting it to draw samples, and returns the drawn arrays that still hold non-zero values. */
function leftoverSamples(body: () => void): string[] {
  samples.length = 0;
  body();
  expect(samples.length, "no samples were drawn").toBeGreaterThan(0);
  return samples.flatMap((values, i) => (values.some((v) => v !== 0) ? [`array ${i} (${values.constructor.name})`] : []));
}

const literals = {
  ternary: testLiterals.single,
  "fixed Hamming weight": { ...testLiterals.single, hammingWeight: 64 },
} as const;

describe.each(kernelBuilds)("secret material is zeroed (%s kernels)", (build) => {
  describe.each(Object.entries(literals))("%s secret", (_, literal) => {
    let heap: WasmHeap;
    let params: Parameters;
    beforeAll(() => {
      heap = WasmHeap.create({ build, warmUp: false });
      params = Parameters.create(literal, { heap });
    });

    it("key generation frees only zeroed blocks and zeroes its samples", () => {
      const watch = watchFrees(heap);
      const keys: Disposable[] = [];
      const leftovers = leftoverSamples(() => {
        const keygen = new KeyGenerator(params);
        keys.push(keygen.secretKey, keygen.createPublicKey(), keygen.createRelinearizationKey(), keygen.createGaloisKeys({ steps: [1] }));
      });
      watch.stop();
      for (const key of keys) key[Symbol.dispose]();
      expect(watch.freed(), "key generation freed no temporaries").toBeGreaterThan(0);
      expect(watch.dirty, "sizes of non-zero blocks freed").toEqual([]);
      expect(leftovers, "sample arrays still holding values").toEqual([]);
    });

    it("encryption (public and secret key) and decryption (degree 2, noise flooding) do too", () => {
      const keygen = new KeyGenerator(params);
      using publicKey = keygen.createPublicKey();
      using secretKey = keygen.secretKey;
      const encoder = new Encoder(params);
      const values = uniformValues(64, 5);
      using pt = encoder.encode(values); // the encoder's scratch holds the message, not s, e or u
      const made: Disposable[] = [];
      let encryption: FreeWatch | undefined;
      let decryption: FreeWatch | undefined;
      const leftovers = leftoverSamples(() => {
        encryption = watchFrees(heap);
        const x = new Encryptor(params, publicKey).encrypt(pt);
        const y = new Encryptor(params, secretKey).encrypt(pt);
        encryption.stop();
        made.push(x, y);
        const square = new Evaluator(params, {}).multiply(x, y); // evaluation handles no secret material
        made.push(square);
        decryption = watchFrees(heap);
        const decrypted = new Decryptor(params, secretKey).decrypt(square, { noiseFloodingBits: 4 });
        decryption.stop();
        made.push(decrypted);
        const slots = Array.from(encoder.decode(decrypted)).slice(0, values.length);
        const expected = values.map((v) => v * v);
        expectPrecision({ re: slots, im: slots.map(() => 0) }, { re: expected, im: expected.map(() => 0) }, oneOperationBound(params) - 12);
      });
      for (const object of made) object[Symbol.dispose]();
      for (const watch of [encryption!, decryption!]) {
        expect(watch.freed()).toBeGreaterThan(0);
        expect(watch.dirty, "sizes of non-zero blocks freed").toEqual([]);
      }
      expect(leftovers, "sample arrays still holding values").toEqual([]);
    });
  });
});

describe("serialized secret keys", () => {
  it("the writer of secret material zeroes every buffer it drops", () => {
    const writer = new ByteWriter({ secret: true });
    // White-box: the buffers the writer drops when it grows and when finish() copies the result out.
    const buffer = (): Uint8Array => (writer as unknown as { buffer: Uint8Array }).buffer;
    const first = buffer();
    writer.bytes(new Uint8Array(1000).fill(7));
    writer.bytes(new Uint8Array(100).fill(7));
    const second = buffer();
    expect(second).not.toBe(first);
    expect(first.every((b) => b === 0)).toBe(true);
    const bytes = writer.finish();
    expect(bytes.length).toBe(1104);
    expect(bytes.subarray(0, 1100).every((b) => b === 7)).toBe(true);
    expect(second.every((b) => b === 0)).toBe(true);
  });
});
