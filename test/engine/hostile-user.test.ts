// A careless or hostile user, as a property: random tampering with a ciphertext, a plaintext or
// a key, then a random public operation. Every call either gives the float64 result or throws
// FheError (writes to read-only fields are refused by JavaScript itself and leave the object
// intact), and a bystander ciphertext's decryption never changes.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  Ciphertext, FheError, Parameters, Plaintext, WasmHeap, loadCiphertext, serializeCiphertext, toCoefficients,
} from "../../engine/index.js";
import { makeContext, precision, testLiterals, type Vec } from "../helpers/ckks.js";

const c = makeContext(testLiterals.single, { steps: [1, 2] });
const other = makeContext({ ...testLiterals.single, logScale: 28 });
const foreignHeap = makeContext(testLiterals.single, undefined, WasmHeap.create());
const ev = c.evaluator;
const slots = 8;
const values = [0.5, -0.25, 0.125, 0.75, -0.5, 0.3, -0.9, 0.2];
const real = (v: number[]): Vec => ({ re: v, im: v.map(() => 0) });

type Attack = (ct: Ciphertext, pt: Plaintext) => { ct: Ciphertext; pt: Plaintext; tampered: "none" | "ct" | "pt" };

/** Tampering that must be refused by the next operation (tampered: true) or leaves things intact. */
const attacks: Record<string, Attack> = {
  none: (ct, pt) => ({ ct, pt, tampered: "none" }),
  writeLevel: (ct, pt) => {
    expect(() => { (ct as { level: number }).level = 0; }).toThrow(TypeError);
    return { ct, pt, tampered: "none" };
  },
  writeScale: (ct, pt) => {
    expect(() => { (pt as { scale: number }).scale = 2; }).toThrow(TypeError);
    return { ct, pt, tampered: "none" };
  },
  pushPoly: (ct, pt) => {
    expect(() => (ct.polys as unknown as unknown[]).push(ct.polys[0])).toThrow(TypeError);
    return { ct, pt, tampered: "none" };
  },
  forgedLevel: (ct, pt) => ({ ct: new Ciphertext(c.params, ct.polys, 0, ct.scale, ct.slots), pt, tampered: "ct" }),
  forgedScale: (ct, pt) => ({ ct: new Ciphertext(c.params, ct.polys, ct.level, Number.NaN, ct.slots), pt, tampered: "ct" }),
  forgedSlots: (ct, pt) => ({ ct, pt: new Plaintext(c.params, pt.poly, pt.level, pt.scale, 3), tampered: "pt" }),
  hugeScale: (ct, pt) => ({ ct: new Ciphertext(c.params, ct.polys, ct.level, 2 ** 1000, ct.slots), pt, tampered: "ct" }),
  shrunk: (ct, pt) => {
    ct.polys[0]!.shrinkTo(c.params.basisQ(0));
    return { ct, pt, tampered: "ct" };
  },
  coefficients: (ct, pt) => {
    toCoefficients(pt.poly);
    return { ct, pt, tampered: "pt" };
  },
  disposed: (ct, pt) => {
    ct.polys[1]!.dispose();
    return { ct, pt, tampered: "ct" };
  },
  otherParameters: (ct, pt) => ({ ct: other.encrypt(real(values), { slots }), pt, tampered: "ct" }),
  otherHeap: (ct, pt) => ({ ct, pt: foreignHeap.encode(real(values), { slots }), tampered: "pt" }),
  reloadedFlip: (ct, pt) => {
    const bytes = serializeCiphertext(ct);
    bytes[40] = bytes[40]! ^ 1;
    try {
      return { ct: loadCiphertext(c.params, bytes), pt, tampered: "none" }; // a flip the CRC misses is a residue change
    } catch (error) {
      expect(error).toBeInstanceOf(FheError);
      return { ct, pt, tampered: "none" };
    }
  },
};

type Operation = (ct: Ciphertext, pt: Plaintext) => { result: Ciphertext; expected: number[] | undefined };

/** Operations that read the plaintext (the others read only the ciphertext). */
const readsPlaintext = new Set(["addPlain", "multiplyPlain", "reEncrypt"]);
const readsCiphertext = (name: string): boolean => name !== "reEncrypt";

const operations: Record<string, Operation> = {
  add: (ct) => ({ result: ev.add(ct, ct), expected: values.map((v) => 2 * v) }),
  addPlain: (ct, pt) => ({ result: ev.addPlain(ct, pt), expected: values.map((v) => 2 * v) }),
  multiplyPlain: (ct, pt) => ({ result: ev.rescale(ev.multiplyPlain(ct, pt)), expected: values.map((v) => v * v) }),
  mulRelin: (ct) => ({ result: ev.rescale(ev.mulRelin(ct, ct)), expected: values.map((v) => v * v) }),
  rotate: (ct) => ({ result: ev.rotate(ct, 1), expected: values.map((_, i) => values[(i + 1) % slots]!) }),
  addConstant: (ct) => ({ result: ev.addConstant(ct, 1e300), expected: undefined }),
  multiplyConstant: (ct) => ({ result: ev.rescale(ev.multiplyConstant(ct, 0.5)), expected: values.map((v) => v / 2) }),
  rotateHoisted: (ct) => ({ result: ev.rotateHoisted(ct, [2])[0]!, expected: values.map((_, i) => values[(i + 2) % slots]!) }),
  negateInPlace: (ct) => {
    const copy = ev.copy(ct);
    ev.negateInPlace(copy);
    return { result: copy, expected: values.map((v) => -v) };
  },
  reEncrypt: (_, pt) => ({ result: c.encryptor.encrypt(pt), expected: values }),
};

describe("a hostile user", () => {
  it("gets the float64 result or an FheError, and never changes a bystander (property)", () => {
    let refused = 0;
    let correct = 0;
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(attacks)), fc.constantFrom(...Object.keys(operations)), (attackName, operationName) => {
        using bystander = c.encrypt(real([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]), { slots });
        const before = c.decrypt(bystander);
        const ct = c.encrypt(real(values), { slots });
        const pt = c.encode(real(values), { slots });
        try {
          const attacked = attacks[attackName]!(ct, pt);
          let outcome;
          try {
            outcome = operations[operationName]!(attacked.ct, attacked.pt);
          } catch (error) {
            expect(error, `${attackName} then ${operationName}: ${String(error)}`).toBeInstanceOf(FheError);
            refused++;
            return;
          }
          using result = outcome.result;
          const used = (attacked.tampered === "ct" && readsCiphertext(operationName)) || (attacked.tampered === "pt" && readsPlaintext.has(operationName));
          expect(used, `${attackName} then ${operationName} was accepted`).toBe(false);
          if (outcome.expected !== undefined && attackName !== "reloadedFlip") {
            expect(precision(c.decrypt(result), real(outcome.expected)).mean, `${attackName} then ${operationName}`).toBeGreaterThan(12);
          }
          correct++;
        } finally {
          expect(c.decrypt(bystander), `${attackName} then ${operationName} changed a bystander`).toEqual(before);
          ct.dispose();
          pt.dispose();
        }
      }),
      { numRuns: 150, seed: 20261201 },
    );
    expect(refused).toBeGreaterThan(20);
    expect(correct).toBeGreaterThan(20);
  });

  it("equal literals give one Parameters object, so their keys and ciphertexts work together", () => {
    expect(Parameters.create(testLiterals.single)).toBe(c.params);
  });
});
