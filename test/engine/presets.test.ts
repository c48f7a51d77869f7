// The secure presets at N = 2^13 and 2^14 (larger ones belong to the slow suite): one
// mulRelin + rescale on random complex values in [-1, 1] meets Lattigo's bound
// log2(scale) - (logN + 2), and the precision documented in engine/presets.ts (mean, within
// 1.5 bits), after hoisted and plain rotations as well.

import { describe, expect, it } from "vitest";
import { presets, type PresetName } from "../../engine/index.js";
import { expectPrecision, makeContext, oneOperationBound, precision, uniformValues, vmul, vrotate, type Vec } from "../helpers/ckks.js";

/** Mean precision documented per preset (bits). */
const documentedMean: Partial<Record<PresetName, number>> = {
  inference13: 17, inference13Deep: 17, standard13: 37, inference14: 16, inference14Fast: 16, standard14: 36, flooding14: 45,
};

describe.each(Object.keys(documentedMean) as PresetName[])("preset %s", (name) => {
  it("one mulRelin + rescale meets the bound and the documented precision; rotations too", () => {
    const c = makeContext(presets[name], { steps: [1, 2, 4, 5], conjugate: false });
    const slots = c.params.maxSlots;
    const a: Vec = { re: uniformValues(slots, 1), im: uniformValues(slots, 2) };
    const b: Vec = { re: uniformValues(slots, 3), im: uniformValues(slots, 4) };
    using x = c.encrypt(a);
    using y = c.encrypt(b, { secretKey: true });
    using product = c.evaluator.rescale(c.evaluator.mulRelin(x, y));
    const p = expectPrecision(c.decrypt(product), vmul(a, b), oneOperationBound(c.params), name);
    expect(Math.abs(p.mean - documentedMean[name]!), `mean ${p.mean.toFixed(2)} bits`).toBeLessThanOrEqual(1.5);
    const [r1, r5] = c.evaluator.rotateHoisted(product, [1, 5]);
    expectPrecision(c.decrypt(r1!), vrotate(vmul(a, b), 1), oneOperationBound(c.params), `${name} rotate 1`);
    expectPrecision(c.decrypt(r5!), vrotate(vmul(a, b), 5), oneOperationBound(c.params), `${name} rotate 5`);
    // A rotation composed of power-of-two keys (6 = 2 + 4) within the bound minus 1 bit.
    using r6 = c.evaluator.rotate(product, 6);
    expect(precision(c.decrypt(r6), vrotate(vmul(a, b), 6)).mean).toBeGreaterThan(oneOperationBound(c.params) - 1);
    r1!.dispose();
    r5!.dispose();
  });
});
