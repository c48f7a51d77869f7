// Wrong types (fast-check's anything()) to every public constructor and method: the answer is
// always the library's FheError naming the operation, never a TypeError, RangeError or hang,
// and never a silently accepted argument of the wrong type.

import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Ciphertext, Decryptor, Encoder, Encryptor, Evaluator, FheError, KeyGenerator, Parameters, Plaintext,
  serializeCiphertext, serializeGaloisKeys, serializeParameters, serializePlaintext, serializePublicKey,
  serializeSecretKey, serializeSwitchingKey, toBase64,
} from "../../engine/index.js";
import { disposeIfPossible, expectFheError, makeContext, stringifiable, testLiterals, type CkksContext } from "../helpers/ckks.js";
import { cleanUpIsolated, runIsolated } from "../helpers/isolated.js";

const runs = 60;

afterAll(() => cleanUpIsolated());

const isInteger = (x: unknown): x is number => typeof x === "number" && Number.isSafeInteger(x);
const isFinite = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);
const isConstant = (x: unknown): boolean =>
  isFinite(x) || (x !== null && typeof x === "object" && isFinite((x as { re?: unknown }).re) && isFinite((x as { im?: unknown }).im));

/**
 * One argument position of a public call: `call(x)` puts x there (the other arguments valid);
 * any x for which `valid(x)` is false must give an FheError whose message names `operation`.
 */
interface Position {
  readonly name: string;
  readonly operation: string | RegExp;
  readonly call: (x: unknown) => unknown;
  readonly valid?: (x: unknown) => boolean;
}

/** Asserts the FheError names the operation (a string: "cannot <operation>:"; a RegExp: matched). */
function expectNamed(error: FheError, operation: string | RegExp): void {
  if (typeof operation === "string") expect(error.message).toContain(`cannot ${operation}:`);
  else expect(error.message).toMatch(operation);
}

// Values String() cannot format (no prototype, toString: undefined) are checked separately
// and deterministically below.
const anything = fc.anything({ withBigInt: true, withTypedArray: true, withMap: true, withSet: true }).filter(stringifiable);

/** Runs a position's property; returns a description of the first counterexample, if any. */
function failureOf(position: Position, numRuns = runs): string | undefined {
  const details = fc.check(fc.property(anything, (x) => {
    if (position.valid?.(x) === true) return;
    const error = expectFheError(() => position.call(x));
    expectNamed(error, position.operation);
  }), { numRuns });
  if (!details.failed) return undefined;
  const cause = details.errorInstance instanceof Error ? details.errorInstance.message.split("\n")[0] : String(details.errorInstance);
  return `${position.name}: ${fc.stringify(details.counterexample)} → ${cause}`;
}

function checkPosition(position: Position, numRuns = runs): void {
  expect(failureOf(position, numRuns) ?? "").toBe("");
}

/** Checks every position and reports all failing ones at once. */
function checkPositions(positions: readonly Position[], numRuns = runs): void {
  const failures = positions.map((p) => failureOf(p, numRuns)).filter((f): f is string => f !== undefined);
  expect(failures.join("\n")).toBe("");
}

describe("wrong types to constructors", () => {
  let c: CkksContext;
  beforeAll(() => {
    c = makeContext(testLiterals.single, { steps: [1], conjugate: false });
  });

  const isParams = (x: unknown): boolean => x instanceof Parameters;

  it("Parameters.create", () => {
    checkPosition({ name: "literal", operation: "create parameters", call: (x) => Parameters.create(x as never) }, 200);
  });

  it("new Encryptor / new Decryptor", () => {
    checkPosition({ name: "key", operation: "create encryptor", call: (x) => new Encryptor(c.params, x as never) });
    checkPosition({ name: "params", operation: "create encryptor", call: (x) => new Encryptor(x as never, c.publicKey) });
    checkPosition({ name: "key", operation: "create decryptor", call: (x) => new Decryptor(c.params, x as never) });
    checkPosition({ name: "params", operation: "create decryptor", call: (x) => new Decryptor(x as never, c.keygen.secretKey) });
  });

  it("new KeyGenerator(params, secretKey)", () => {
    checkPosition({ name: "secretKey", operation: "create key generator", call: (x) => new KeyGenerator(c.params, x as never), valid: (x) => x === undefined });
  });

  it("new Evaluator(params, keys): keys", () => {
    for (const keys of [{ relinearizationKey: 5 }, { galoisKeys: "x" }, { relinearizationKey: c.publicKey }, { galoisKeys: c.relinearizationKey }]) {
      expectFheError(() => new Evaluator(c.params, keys as never), "INVALID_ARGUMENT", "create evaluator");
    }
  });

  // These constructors do not validate their parameters argument.
  it("new Encoder(params) refuses anything but Parameters", () => {
    checkPosition({ name: "params", operation: /encoder/, call: (x) => new Encoder(x as never), valid: isParams });
  });

  it("new KeyGenerator(params) refuses anything but Parameters", () => {
    checkPosition({ name: "params", operation: /key generator/, call: (x) => new KeyGenerator(x as never), valid: isParams });
  });

  it("new Evaluator(params) refuses anything but Parameters", () => {
    checkPosition({ name: "params", operation: /evaluator/, call: (x) => new Evaluator(x as never), valid: isParams });
  });
});

describe("wrong types to methods", () => {
  let c: CkksContext;
  let ct: Ciphertext;
  let pt: Plaintext;
  beforeAll(() => {
    c = makeContext(testLiterals.single, { steps: [1], conjugate: true });
    ct = c.encrypt({ re: [0.5, 0.25], im: [0, 1] });
    pt = c.encode({ re: [0.5, 0.25], im: [0, 1] });
  });

  it("every evaluator method, in every operand position", () => {
    const ev = (): Evaluator => c.evaluator;
    const positions: Position[] = [
      { name: "copy", operation: "copy ciphertext", call: (x) => ev().copy(x as never) },
      { name: "dropLevel ct", operation: "drop level", call: (x) => ev().dropLevelInPlace(x as never, 0) },
      { name: "dropLevel level", operation: "drop level", call: (x) => ev().dropLevel(ct, x as never), valid: (x) => isInteger(x) && x >= 0 && x <= ct.level },
      { name: "rescale", operation: "rescale", call: (x) => ev().rescaleInPlace(x as never) },
      { name: "add a", operation: "add", call: (x) => ev().addInPlace(x as never, ct) },
      { name: "add b", operation: "add", call: (x) => ev().add(ct, x as never) },
      { name: "sub b", operation: "subtract", call: (x) => ev().sub(ct, x as never) },
      { name: "negate", operation: "negate", call: (x) => ev().negateInPlace(x as never) },
      { name: "addPlain ct", operation: "add plaintext", call: (x) => ev().addPlainInPlace(x as never, pt) },
      { name: "addPlain pt", operation: "add plaintext", call: (x) => ev().addPlain(ct, x as never) },
      { name: "subPlain pt", operation: "subtract plaintext", call: (x) => ev().subPlain(ct, x as never) },
      { name: "addConstant ct", operation: "add constant", call: (x) => ev().addConstantInPlace(x as never, 1) },
      { name: "addConstant c", operation: "add constant", call: (x) => ev().addConstant(ct, x as never), valid: isConstant },
      { name: "multiply a", operation: "multiply", call: (x) => ev().multiply(x as never, ct) },
      { name: "multiply b", operation: "multiply", call: (x) => ev().multiply(ct, x as never) },
      { name: "mulRelin b", operation: "multiply", call: (x) => ev().mulRelin(ct, x as never) },
      { name: "square", operation: "square", call: (x) => ev().square(x as never) },
      { name: "multiplyPlain ct", operation: "multiply by plaintext", call: (x) => ev().multiplyPlainInPlace(x as never, pt) },
      { name: "multiplyPlain pt", operation: "multiply by plaintext", call: (x) => ev().multiplyPlain(ct, x as never) },
      { name: "multiplyConstant ct", operation: "multiply by constant", call: (x) => ev().multiplyConstantInPlace(x as never, 2) },
      { name: "multiplyConstant c", operation: "multiply by constant", call: (x) => ev().multiplyConstant(ct, x as never), valid: isConstant },
      { name: "relinearize", operation: "relinearize", call: (x) => ev().relinearizeInPlace(x as never) },
      { name: "rotate ct", operation: "rotate", call: (x) => ev().rotateInPlace(x as never, 1) },
      { name: "rotate steps", operation: "rotate", call: (x) => ev().rotate(ct, x as never), valid: isInteger },
      { name: "conjugate", operation: "conjugate", call: (x) => ev().conjugateInPlace(x as never) },
      { name: "rotateHoisted ct", operation: "rotate (hoisted)", call: (x) => ev().rotateHoisted(x as never, [1]) },
      { name: "rotateHoisted steps", operation: "rotate (hoisted)", call: (x) => ev().rotateHoisted(ct, x as never), valid: (x) => Array.isArray(x) && x.every(isInteger) },
      { name: "rotateAndSum ct", operation: "rotate and sum", call: (x) => ev().rotateAndSum(x as never) },
      { name: "rotateAndSum count", operation: "rotate and sum", call: (x) => ev().rotateAndSum(ct, x as never), valid: (x) => x === undefined || x === null || x === 1 || x === 2 },
    ];
    checkPositions(positions, 40);
  });

  it("encoder, encryptor, decryptor, key generator: operand positions", () => {
    const positions: Position[] = [
      { name: "encode values", operation: "encode", call: (x) => c.encoder.encode(x as never), valid: (x) => Array.isArray(x) || ArrayBuffer.isView(x) },
      { name: "encodeComplex values", operation: "encode", call: (x) => c.encoder.encodeComplex(x as never) },
      { name: "decode", operation: "decode", call: (x) => c.encoder.decode(x as never) },
      { name: "decodeComplex", operation: "decode", call: (x) => c.encoder.decodeComplex(x as never) },
      { name: "encrypt", operation: "encrypt", call: (x) => c.encryptor.encrypt(x as never) },
      { name: "decrypt", operation: "decrypt", call: (x) => c.decryptor.decrypt(x as never) },
      { name: "createGaloisKeys steps", operation: "create Galois keys", call: (x) => c.keygen.createGaloisKeys({ steps: x as never, conjugate: false }), valid: (x) => x === undefined || x === null || (Array.isArray(x) && x.length < 3 && x.every(isInteger)) },
      { name: "serialize parameters", operation: "serialize parameters", call: (x) => serializeParameters(x as never) },
      { name: "serialize plaintext", operation: "serialize plaintext", call: (x) => serializePlaintext(x as never) },
      { name: "serialize ciphertext", operation: "serialize ciphertext", call: (x) => serializeCiphertext(x as never) },
      { name: "serialize public key", operation: "serialize public key", call: (x) => serializePublicKey(x as never) },
      { name: "serialize secret key", operation: "serialize secret key", call: (x) => serializeSecretKey(x as never) },
      { name: "serialize switching key", operation: "serialize switching key", call: (x) => serializeSwitchingKey(x as never) },
      { name: "serialize Galois keys", operation: "serialize Galois keys", call: (x) => serializeGaloisKeys(x as never) },
      { name: "toBase64", operation: "encode base64", call: (x) => toBase64(x as never), valid: (x) => x instanceof Uint8Array },
    ];
    checkPositions(positions, 40);
  });

  // (null is reported by the next test.)
  it("encode options: any value but null gives a plaintext or an FheError", () => {
    fc.assert(fc.property(anything.filter((x) => x !== null), (options) => {
      try {
        disposeIfPossible(c.encoder.encode([0.5], options as never));
      } catch (error) {
        expect(error).toBeInstanceOf(FheError);
        expectNamed(error as FheError, "encode");
      }
    }), { numRuns: 200 });
  });

  // Options objects are read without checking that they are objects: null throws a TypeError.
  it("null options are refused with an FheError (encode, decrypt, createGaloisKeys, serialize*)", () => {
    const calls: [string, () => unknown][] = [
      ["encode", () => c.encoder.encode([0.5], null as never)],
      ["encode", () => c.encoder.encodeComplex({ re: [0.5], im: [0] }, null as never)],
      ["decrypt", () => c.decryptor.decrypt(ct, null as never)],
      ["create Galois keys", () => c.keygen.createGaloisKeys(null as never)],
      ["serialize ciphertext", () => serializeCiphertext(ct, null as never)],
      ["serialize public key", () => serializePublicKey(c.publicKey, null as never)],
      ["serialize switching key", () => serializeSwitchingKey(c.relinearizationKey, null as never)],
      ["serialize Galois keys", () => serializeGaloisKeys(c.galoisKeys!, null as never)],
    ];
    const failures: string[] = [];
    for (const [operation, call] of calls) {
      try {
        disposeIfPossible(call());
        // Accepting null as "no options" would be fine too.
      } catch (error) {
        if (!(error instanceof FheError) || !error.message.startsWith(`cannot ${operation}:`)) {
          failures.push(`${operation}: ${error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error)}`);
        }
      }
    }
    expect(failures.join("\n")).toBe("");
  });

  // Elements are converted with Number(): null, true, "1" and 1n are silently taken as numbers,
  // and a Symbol throws a TypeError.
  it("encode refuses elements that are not numbers", () => {
    const failures: string[] = [];
    for (const element of [null, true, "1", "", [], 1n, Symbol("x")]) {
      try {
        const pt = c.encoder.encode([0.5, element as never]);
        failures.push(`${String(typeof element)} ${String(element?.toString?.() ?? element)}: accepted`);
        pt.dispose();
      } catch (error) {
        if (!(error instanceof FheError)) failures.push(`${typeof element}: ${String(error)}`);
      }
    }
    expect(failures.join("\n")).toBe("");
  });

  // Error messages format the offending value with String(), which throws a TypeError for
  // objects without a prototype (Object.create(null), JSON-like dictionaries) or whose
  // toString is not a function ({ toString: undefined }, e.g. parsed from JSON).
  it.each([
    ["without a prototype", (): unknown => Object.create(null)],
    ["with toString: undefined", (): unknown => ({ toString: undefined })],
  ])("values %s are refused with an FheError", (_, bare) => {
    const calls: [string, () => unknown][] = [
      ["drop level", () => c.evaluator.dropLevel(ct, bare() as never)],
      ["rotate", () => c.evaluator.rotate(ct, bare() as never)],
      ["rotate and sum", () => c.evaluator.rotateAndSum(ct, bare() as never)],
      ["add constant", () => c.evaluator.addConstant(ct, bare() as never)],
      ["encode", () => c.encoder.encode([0.5], { slots: bare() as never })],
      ["encode", () => c.encoder.encode([0.5], { level: bare() as never })],
      ["encode", () => c.encoder.encode([0.5], { scale: bare() as never })],
      ["decrypt", () => c.decryptor.decrypt(ct, { noiseFloodingBits: bare() as never })],
      ["create parameters", () => Parameters.create({ ...testLiterals.single, logN: bare() as never })],
      ["create parameters", () => Parameters.create({ ...testLiterals.single, logScale: bare() as never })],
      ["create parameters", () => Parameters.create({ ...testLiterals.single, depth: bare() as never })],
      ["create parameters", () => Parameters.create({ ...testLiterals.single, sigma: bare() as never })],
    ];
    const failures: string[] = [];
    calls.forEach(([operation, call], i) => {
      try {
        disposeIfPossible(call());
        failures.push(`#${i} ${operation}: accepted`);
      } catch (error) {
        if (!(error instanceof FheError) || !error.message.startsWith(`cannot ${operation}:`)) {
          failures.push(`#${i} ${operation}: ${error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error)}`);
        }
      }
    });
    expect(failures.join("\n")).toBe("");
  });

  // galoisKey(k) is public: a non-integer or even k reaches invMod unchecked, which throws a
  // RangeError or, for NaN, never terminates.
  it("keygen.galoisKey refuses even and non-integer Galois elements", () => {
    const failures: string[] = [];
    for (const k of [2, 4096, 1.5, -3.25]) {
      try {
        disposeIfPossible(c.keygen.galoisKey(k));
        failures.push(`${k}: accepted`);
      } catch (error) {
        if (!(error instanceof FheError)) failures.push(`${k}: ${String(error)}`);
      }
    }
    expect(failures.join("\n")).toBe("");
  });

  it("keygen.galoisKey(NaN) and galoisKey(undefined) answer (in a worker, 5 s limit) with an FheError", async () => {
    const setup = `
      const params = lib.Parameters.create({ logN: 10, logScale: 30, depth: 1, allowInsecureParametersForTesting: true });
      return new lib.KeyGenerator(params);`;
    for (const k of ["NaN", "undefined", "'5'"]) {
      const outcome = await runIsolated(setup, `return context.galoisKey(${k});`);
      expect(outcome, `galoisKey(${k})`).toMatchObject({ status: "threw", isFheError: true });
    }
  });
});
