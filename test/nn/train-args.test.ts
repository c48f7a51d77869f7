// The training command line and the seeded helpers it relies on: option parsing, the seeded
// generator's permutations, the shift augmentation.

import { describe, expect, it } from "vitest";
import { parseTrainArgs } from "../../nn/train/args.js";
import { randomShifts, shiftImage } from "../../nn/train/augment.js";
import { SeededRandom } from "../../nn/random.js";
import { expectFheError } from "../helpers/ckks.js";

describe("parseTrainArgs", () => {
  it("fills in the defaults: seed 1, MNIST, models/<model>.json", () => {
    expect(parseTrainArgs(["--model", "cryptonets"])).toEqual({ model: "cryptonets", dataset: "mnist", out: "models/cryptonets.json", seed: 1 });
    expect(parseTrainArgs(["--model", "cryptodl", "--dataset", "fashion"]).out).toBe("models/cryptodl-fashion.json");
  });

  it("reads every option", () => {
    expect(parseTrainArgs(["--epochs", "3", "--model", "cryptodl", "--seed", "0", "--out", "/tmp/m.json", "--dataset", "mnist", "--limit", "500"]))
      .toEqual({ model: "cryptodl", epochs: 3, seed: 0, out: "/tmp/m.json", dataset: "mnist", limit: 500 });
  });

  it("refuses a missing or unknown model, bad numbers, unknown and repeated options", () => {
    const message = (argv: string[]) => expectFheError(() => parseTrainArgs(argv), "INVALID_ARGUMENT").message.split("\n")[0];
    expect(message([])).toBe("cannot parse the training options: --model must be cryptonets or cryptodl, got nothing");
    expect(message(["--model", "lenet"])).toBe('cannot parse the training options: --model must be cryptonets or cryptodl, got "lenet"');
    expect(message(["--model", "cryptonets", "--epochs", "0"])).toBe('cannot parse the training options: --epochs needs an integer of at least 1, got "0"');
    expect(message(["--model", "cryptonets", "--seed", "1.5"])).toBe('cannot parse the training options: --seed needs an integer of at least 0, got "1.5"');
    expect(message(["--model", "cryptonets", "--epochs"])).toBe("cannot parse the training options: --epochs needs an integer of at least 1, got nothing");
    expect(message(["--model", "cryptonets", "--dataset", "cifar"])).toBe('cannot parse the training options: --dataset must be mnist or fashion, got "cifar"');
    expect(message(["--model", "cryptonets", "--lr", "1"])).toBe('cannot parse the training options: unknown option "--lr"');
    expect(message(["--model", "cryptonets", "--model", "cryptodl"])).toBe("cannot parse the training options: --model is given twice");
    expect(expectFheError(() => parseTrainArgs(["--model"]), "INVALID_ARGUMENT").message).toContain("usage: npm run train -- --model cryptonets|cryptodl");
  });
});

describe("SeededRandom", () => {
  it("repeats its sequence for a seed and draws uniform numbers in [0, 1)", () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const xs = Array.from({ length: 10000 }, () => a.next());
    expect(Array.from({ length: 10000 }, () => b.next())).toEqual(xs);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(Math.abs(xs.reduce((s, x) => s + x, 0) / xs.length - 0.5)).toBeLessThan(0.01);   // 0.5 ± 3.5 sigma
    expect(new SeededRandom(43).next()).not.toBe(new SeededRandom(42).next());
  });

  it("permutes 0..n-1", () => {
    const order = new SeededRandom(7).permutation(1000);
    expect([...order].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect([...order]).not.toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(new SeededRandom(7).permutation(1000)).toEqual(order);
  });
});

describe("shift augmentation", () => {
  const image = Float32Array.from({ length: 12 }, (_, i) => i + 1);   // 3 rows x 4 columns

  it("moves the image down/right (positive) or up/left (negative), zeros shifted in", () => {
    const out = new Float32Array(14).fill(-1);
    shiftImage(image, 3, 4, 1, -2, out, 1);
    expect([...out]).toEqual([-1, 0, 0, 0, 0, 3, 4, 0, 0, 7, 8, 0, 0, -1]);
    shiftImage(image, 3, 4, 0, 0, out, 1);
    expect([...out.subarray(1, 13)]).toEqual([...image]);
    shiftImage(image, 3, 4, -3, 0, out, 1);
    expect([...out.subarray(1, 13)]).toEqual(new Array(12).fill(0));
  });

  it("draws every shift in [-maxShift, maxShift], each value about equally often", () => {
    const shifts = randomShifts(new SeededRandom(3), 5000, 2);
    const counts = new Map<number, number>();
    for (const s of shifts) counts.set(s, (counts.get(s) ?? 0) + 1);
    expect([...counts.keys()].sort((x, y) => x - y)).toEqual([-2, -1, 0, 1, 2]);
    for (const c of counts.values()) expect(Math.abs(c - 2000)).toBeLessThan(200);
  });
});
