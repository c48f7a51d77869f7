// Bootstrapping of sparse slot counts (n < N/2) at N = 2^10 (logScale 50, 16 levels, 60-bit
// Q_0, Hamming weight 40, K = 20; shape { doubleAngles: 4, slots: n }): after ModRaise the trace
// to the slots' subring (log2(N / 2n) automorphisms X -> X^(5^(n 2^i))) clears the overflow
// outside Z[X^(N/2n)], then the n-slot special FFT. Measured on random complex vectors in
// [-1, 1]: n = 2: 17.1-17.6 bits mean, 15.7-17.0 worst; n = 16, 128, 256: 21.3-22.0 mean,
// 19.5-20.7 worst, with on-heap and off-heap keys alike. Asserted: mean >= 15 and worst >= 13
// for n = 2, mean >= 19 and worst >= 17 otherwise; the result packs n slots at plan.outputLevel.

import { describe, expect, it } from "vitest";
import { Bootstrapper } from "../../engine/circuits/bootstrapping/index.js";
import { Evaluator, OffHeapGaloisKeys, Parameters } from "../../engine/index.js";
import { expectFheError, makeContext, precision, uniformValues } from "../helpers/ckks.js";

const literal = { logN: 10, logScale: 50, depth: 16, logBaseModulus: 60, hammingWeight: 40, allowInsecureParametersForTesting: true } as const;

describe("Bootstrapper on fewer slots than N/2", () => {
  for (const [slots, mean, worst] of [[2, 15, 13], [16, 19, 17], [128, 19, 17]] as const) {
    it(`${slots} slots: mean >= ${mean} bits, worst >= ${worst}, on- and off-heap keys`, () => {
      const params = Parameters.create(literal);
      const shape = { doubleAngles: 4, slots };
      const steps = Bootstrapper.rotationSteps(params, shape);
      // The trace's steps n 2^i are among them.
      for (let step = slots; step < params.maxSlots; step *= 2) expect(steps).toContain(step);
      const c = makeContext(literal, { steps });
      const onHeap = new Bootstrapper(c.evaluator, shape);
      const offHeap = new Bootstrapper(new Evaluator(c.params, { relinearizationKey: c.relinearizationKey }), shape, {
        keys: OffHeapGaloisKeys.generate(c.keygen, steps),
      });
      expect(onHeap.plan.slots).toBe(slots);
      for (const [i, boot] of [onHeap, offHeap].entries()) {
        const v = { re: uniformValues(slots, 11 + i), im: uniformValues(slots, 23 + i) };
        const out = boot.bootstrap(c.encrypt(v, { level: 0, slots }));
        expect(out.slots).toBe(slots);
        expect(out.level).toBe(boot.plan.outputLevel);
        const p = precision(c.decrypt(out), v);
        expect(p.mean).toBeGreaterThanOrEqual(mean);
        expect(p.min).toBeGreaterThanOrEqual(worst);
        out.dispose();
      }
      // A ciphertext of another slot count is refused, naming the bootstrapper's.
      const full = c.encrypt({ re: [0.5], im: [0] }, { level: 0, slots: slots * 2 });
      const error = expectFheError(() => onHeap.bootstrap(full), "INVALID_ARGUMENT", "bootstrap");
      expect(error.message).toMatch(new RegExp(`takes ciphertexts of ${slots} slots`));
      onHeap.dispose();
      offHeap.dispose();
    });
  }

  it("periodic mode: N/2 slots repeating 16 values bootstrap as 16 slots and come back periodic at N/2 slots", () => {
    const params = Parameters.create(literal);
    const shape = { doubleAngles: 4, slots: 16 };
    const c = makeContext(literal, { steps: Bootstrapper.rotationSteps(params, shape) });
    const boot = new Bootstrapper(c.evaluator, shape);
    const period = { re: uniformValues(16, 5), im: uniformValues(16, 6) };
    const repeated = { re: Array.from({ length: 512 }, (_, i) => period.re[i % 16]!), im: Array.from({ length: 512 }, (_, i) => period.im[i % 16]!) };
    const input = c.encrypt(repeated, { level: 0 });
    const out = boot.bootstrap(input, { periodic: true });
    expect(out.slots).toBe(512);
    expect(out.level).toBe(boot.plan.outputLevel);
    const p = precision(c.decrypt(out), repeated);
    expect(p.mean).toBeGreaterThanOrEqual(19);
    expect(p.min).toBeGreaterThanOrEqual(17);
    expect(input.slots).toBe(512);
    // Without periodic, or with a slot count that is not a multiple of 16, it is refused.
    expectFheError(() => boot.bootstrap(input), "INVALID_ARGUMENT", "bootstrap");
    const fewer = c.encrypt({ re: [0.5], im: [0] }, { level: 0, slots: 8 });
    expectFheError(() => boot.bootstrap(fewer, { periodic: true }), "INVALID_ARGUMENT", "bootstrap");
    expectFheError(() => boot.bootstrap(input, { periodic: 1 as unknown as boolean }), "INVALID_ARGUMENT", "bootstrap");
    boot.dispose();
  });

  it("refuses a slot count that is not a power of two in [2, N/2]", () => {
    const c = makeContext(literal);
    for (const slots of [0, 1, 3, 1024, 2.5, "16"]) {
      expectFheError(() => new Bootstrapper(c.evaluator, { slots: slots as number }), "INVALID_PARAMETERS", "create bootstrapper");
    }
  });
});
