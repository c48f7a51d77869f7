// Bad input to the public API: operands of other parameters, mismatched slot counts, missing
// keys, scale overflow, disposed objects. Each must be refused with the library's FheError,
// whose message names the operation ("cannot <operation>: <reason>").

import { beforeAll, describe, expect, it } from "vitest";
import {
  Ciphertext, Decryptor, Encryptor, Evaluator, FheError, type Plaintext, WasmHeap, defaultHeap, serializeCiphertext, serializeGaloisKeys,
  serializePlaintext, serializePublicKey, serializeSecretKey, serializeSwitchingKey,
} from "../../engine/index.js";
import { expectFheError, makeContext, testLiterals, type CkksContext, type Vec } from "../helpers/ckks.js";

const v4: Vec = { re: [0.5, -0.25, 0.125, 1], im: [0, 0.5, -1, 0.25] };
const v8: Vec = { re: [...v4.re, ...v4.re], im: [...v4.im, ...v4.im] };

/** Every evaluator method taking ciphertexts, with the operation name its errors carry. */
function evaluatorCalls(ev: Evaluator, a: Ciphertext, b: Ciphertext, pt: Plaintext): [string, string, () => unknown][] {
  return [
    ["copy", "copy ciphertext", () => ev.copy(a)],
    ["dropLevel", "drop level", () => ev.dropLevel(a, 0)],
    ["dropLevelInPlace", "drop level", () => ev.dropLevelInPlace(a, 0)],
    ["rescale", "rescale", () => ev.rescale(a)],
    ["rescaleInPlace", "rescale", () => ev.rescaleInPlace(a)],
    ["add", "add", () => ev.add(a, b)],
    ["add (second)", "add", () => ev.add(b, a)],
    ["addInPlace", "add", () => ev.addInPlace(a, b)],
    ["sub", "subtract", () => ev.sub(a, b)],
    ["subInPlace", "subtract", () => ev.subInPlace(b, a)],
    ["negate", "negate", () => ev.negate(a)],
    ["negateInPlace", "negate", () => ev.negateInPlace(a)],
    ["addPlain", "add plaintext", () => ev.addPlain(a, pt)],
    ["addPlainInPlace", "add plaintext", () => ev.addPlainInPlace(a, pt)],
    ["subPlain", "subtract plaintext", () => ev.subPlain(a, pt)],
    ["subPlainInPlace", "subtract plaintext", () => ev.subPlainInPlace(a, pt)],
    ["addConstant", "add constant", () => ev.addConstant(a, 0.5)],
    ["addConstantInPlace", "add constant", () => ev.addConstantInPlace(a, { re: 0.5, im: 1 })],
    ["multiply", "multiply", () => ev.multiply(a, b)],
    ["multiply (second)", "multiply", () => ev.multiply(b, a)],
    ["square", "square", () => ev.square(a)],
    ["mulRelin", "multiply", () => ev.mulRelin(a, b)],
    ["multiplyPlain", "multiply by plaintext", () => ev.multiplyPlain(a, pt)],
    ["multiplyPlainInPlace", "multiply by plaintext", () => ev.multiplyPlainInPlace(a, pt)],
    ["multiplyConstant", "multiply by constant", () => ev.multiplyConstant(a, 0.5)],
    ["multiplyConstantInPlace", "multiply by constant", () => ev.multiplyConstantInPlace(a, 2)],
    ["relinearize", "relinearize", () => ev.relinearize(a)],
    ["relinearizeInPlace", "relinearize", () => ev.relinearizeInPlace(a)],
    ["rotate", "rotate", () => ev.rotate(a, 1)],
    ["rotateInPlace", "rotate", () => ev.rotateInPlace(a, 1)],
    ["conjugate", "conjugate", () => ev.conjugate(a)],
    ["conjugateInPlace", "conjugate", () => ev.conjugateInPlace(a)],
    ["rotateHoisted", "rotate (hoisted)", () => ev.rotateHoisted(a, [1, 2])],
    ["rotateAndSum", "rotate and sum", () => ev.rotateAndSum(a)],
  ];
}

describe("operands that do not fit together", () => {
  let c: CkksContext;
  /**
   * Same literal, but another Parameters object (and secret key): equal parameters on one heap
   * are one object, so the twin lives on another heap.
   */
  let twin: CkksContext;
  beforeAll(() => {
    c = makeContext(testLiterals.single, { steps: [1, 2], conjugate: true });
    twin = makeContext(testLiterals.single, { steps: [1, 2], conjugate: true }, WasmHeap.create({ warmUp: false }));
  });

  it("every evaluator method refuses a ciphertext of other parameters", () => {
    using mine = c.encrypt(v4);
    using foreign = twin.encrypt(v4);
    using pt = c.encode(v4);
    const misnamed: string[] = [];
    for (const [name, operation, call] of evaluatorCalls(c.evaluator, foreign, mine, pt)) {
      const error = expectFheError(call, "MISMATCHED_OPERANDS");
      expect(error.message, name).toMatch(/different parameters|different WasmHeap/);
      if (!error.message.startsWith(`cannot ${operation}:`)) misnamed.push(`${name}: "${error.message}"`);
    }
    // Out-of-place forms copy their first operand first, and the copy's error used to name
    // "copy ciphertext" instead of the operation the user called.
    expect(misnamed.join("\n"), "errors that do not name the operation").toBe("");
    using foreignPt = twin.encode(v4);
    for (const call of [
      () => c.evaluator.addPlain(mine, foreignPt), () => c.evaluator.subPlain(mine, foreignPt),
      () => c.evaluator.multiplyPlain(mine, foreignPt),
    ]) {
      expectFheError(call, "MISMATCHED_OPERANDS");
    }
    expectFheError(() => c.encryptor.encrypt(foreignPt), "MISMATCHED_OPERANDS", "encrypt");
    expectFheError(() => c.decryptor.decrypt(foreign), "MISMATCHED_OPERANDS", "decrypt");
    expectFheError(() => c.encoder.decode(foreignPt), "MISMATCHED_OPERANDS", "decode");
    // The first operand of a failed in-place call is unchanged.
    expect(mine.level).toBe(c.params.maxLevel);
  });

  it("an evaluator refuses keys of other parameters", () => {
    expectFheError(() => new Evaluator(c.params, { relinearizationKey: twin.relinearizationKey }), "MISMATCHED_OPERANDS", "create evaluator");
    expectFheError(() => new Evaluator(c.params, { galoisKeys: twin.galoisKeys! }), "MISMATCHED_OPERANDS", "create evaluator");
    // A Galois key is not a relinearization key.
    const galoisKey = [...c.galoisKeys!.keys.values()][0]!;
    expectFheError(() => new Evaluator(c.params, { relinearizationKey: galoisKey }), "INVALID_ARGUMENT", "create evaluator");
  });

  it("binary operations refuse operands with different slot counts", () => {
    using x4 = c.encrypt(v4);
    using x8 = c.encrypt(v8);
    using p8 = c.encode(v8);
    const ev = c.evaluator;
    for (const [operation, call] of [
      ["add", () => ev.add(x4, x8)], ["subtract", () => ev.sub(x8, x4)], ["add", () => ev.addInPlace(x4, x8)],
      ["multiply", () => ev.multiply(x4, x8)], ["multiply", () => ev.mulRelin(x8, x4)],
      ["add plaintext", () => ev.addPlain(x4, p8)], ["subtract plaintext", () => ev.subPlain(x4, p8)],
      ["multiply by plaintext", () => ev.multiplyPlain(x4, p8)],
    ] as const) {
      expect(expectFheError(call, "MISMATCHED_OPERANDS", operation).message).toMatch(/slot counts \(4 and 8\)|slot counts \(8 and 4\)/);
    }
    expect(x4.level).toBe(c.params.maxLevel);
  });

  it("relinearization without a relinearization key is refused (and the failed mulRelin frees its product)", () => {
    const ev = new Evaluator(c.params);
    using x = c.encrypt(v4);
    const blocks = defaultHeap().blocksInUse;
    expect(expectFheError(() => ev.mulRelin(x, x), "MISSING_KEY", "relinearize").message).toMatch(/no relinearization key/);
    expect(defaultHeap().blocksInUse).toBe(blocks);
    using product = ev.multiply(x, x);
    expectFheError(() => ev.relinearize(product), "MISSING_KEY", "relinearize");
    expectFheError(() => ev.relinearizeInPlace(product), "MISSING_KEY", "relinearize");
    expect(product.degree).toBe(2);
  });

  it("multiplying without rescaling overflows with a clear error, for every kind of product", () => {
    const ev = c.evaluator;
    let ct = c.encrypt(v4);
    let products = 0;
    let error: FheError | undefined;
    try {
      for (; products < 50; products++) {
        const next = ev.mulRelin(ct, ct);
        ct.dispose();
        ct = next;
      }
    } catch (e) {
      error = e as FheError;
    }
    expect(error).toBeInstanceOf(FheError);
    expect(error!.message).toMatch(/^cannot multiply: .*overflow.*rescale the operands first/);
    // 2^30 squared k times stays below the 170-bit modulus for k = 2 (2^120), not k = 3 (2^240).
    expect(products).toBe(2);
    expect(ct.scale).toBe(2 ** 120);
    // 2^120 * 2^50 = 2^170 does not fit either; a constant (scaled by a 30-bit prime) fits once.
    using pt = c.encode(v4, { scale: 2 ** 50 });
    expectFheError(() => ev.multiplyPlain(ct, pt), "INVALID_ARGUMENT", "multiply by plaintext");
    using once = ev.multiplyConstant(ct, 0.5);
    expectFheError(() => ev.multiplyConstant(once, 0.5), "INVALID_ARGUMENT", "multiply by constant");
    expectFheError(() => ev.square(ct), "INVALID_ARGUMENT", "square");
    expect(ct.scale).toBe(2 ** 120);
    ct.dispose();
  });
});

describe("disposed objects", () => {
  let c: CkksContext;
  beforeAll(() => {
    c = makeContext(testLiterals.single, { steps: [1, 2], conjugate: true });
  });

  it("every evaluator method refuses a disposed ciphertext, naming the operation", () => {
    using live = c.encrypt(v4);
    using pt = c.encode(v4);
    const dead = c.encrypt(v4);
    dead.dispose();
    dead.dispose(); // idempotent
    const misnamed: string[] = [];
    for (const [name, operation, call] of evaluatorCalls(c.evaluator, dead, live, pt)) {
      const error = expectFheError(call, "DISPOSED");
      if (!error.message.startsWith(`cannot ${operation}:`)) misnamed.push(`${name}: "${error.message}"`);
    }
    expect(misnamed.join("\n"), "errors that do not name the operation").toBe("");
    expectFheError(() => c.decryptor.decrypt(dead), "DISPOSED", "decrypt");
    expectFheError(() => serializeCiphertext(dead), "DISPOSED", "serialize ciphertext");
  });

  it("disposed plaintexts are refused", () => {
    using live = c.encrypt(v4);
    const dead = c.encode(v4);
    dead.dispose();
    expectFheError(() => c.evaluator.addPlain(live, dead), "DISPOSED", "add plaintext");
    expectFheError(() => c.evaluator.multiplyPlain(live, dead), "DISPOSED", "multiply by plaintext");
    expectFheError(() => c.encryptor.encrypt(dead), "DISPOSED", "encrypt");
    expectFheError(() => c.encoder.decode(dead), "DISPOSED", "decode");
    expectFheError(() => serializePlaintext(dead), "DISPOSED", "serialize plaintext");
  });

  // Keys are checked only when their memory is touched, so the error names an internal step
  // ("access polynomial", "view polynomial") instead of the public call.
  it("disposed keys are refused, naming the public operation", () => {
    const other = makeContext(testLiterals.single, { steps: [1], conjugate: false });
    using x = other.encrypt(v4);
    using pt = other.encode(v4);
    other.relinearizationKey.dispose();
    other.galoisKeys!.dispose();
    other.publicKey.dispose();
    const calls: [string, () => unknown][] = [
      ["relinearize", () => other.evaluator.mulRelin(x, x)],
      ["rotate", () => other.evaluator.rotate(x, 1)],
      ["encrypt", () => other.encryptor.encrypt(pt)],
      ["serialize public key", () => serializePublicKey(other.publicKey)],
      ["serialize switching key", () => serializeSwitchingKey(other.relinearizationKey)],
      ["serialize Galois keys", () => serializeGaloisKeys(other.galoisKeys!)],
      ["decrypt", () => {
        other.keygen.secretKey.dispose();
        return other.decryptor.decrypt(x);
      }],
      ["serialize secret key", () => serializeSecretKey(other.keygen.secretKey)],
    ];
    const misnamed: string[] = [];
    for (const [operation, call] of calls) {
      const error = expectFheError(call, "DISPOSED");
      if (!error.message.startsWith(`cannot ${operation}:`)) misnamed.push(`${operation}: "${error.message}"`);
    }
    expect(misnamed.join("\n"), "errors that do not name the operation").toBe("");
  });

  it("disposed keys at least fail with DISPOSED (never a wrong result)", () => {
    const other = makeContext(testLiterals.single, { steps: [1], conjugate: false });
    using x = other.encrypt(v4);
    using pt = other.encode(v4);
    other.relinearizationKey.dispose();
    other.publicKey.dispose();
    other.keygen.secretKey.dispose();
    expectFheError(() => other.evaluator.mulRelin(x, x), "DISPOSED");
    expectFheError(() => other.encryptor.encrypt(pt), "DISPOSED");
    expectFheError(() => new Decryptor(other.params, other.keygen.secretKey).decrypt(x), "DISPOSED");
    expectFheError(() => new Encryptor(other.params, other.keygen.secretKey).encrypt(pt), "DISPOSED");
  });
});
