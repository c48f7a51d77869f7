// What the demo serves: the shipped CryptoNets model compiled for single packing with Galois keys
// for the powers of 4 only (6 keys, ~10.5 MiB seeded, instead of 51 exact keys, ~89 MiB), and
// one test digit per class to pick from.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { presets } from "../../engine/presets.js";
import { Parameters } from "../../engine/parameters.js";
import type { CompiledModel } from "../../nn/compiled-model.js";
import { loadMnist } from "../../nn/data/mnist.js";
import { Sequential } from "../../nn/sequential.js";
import type { DemoDigit } from "./protocol.js";

/** The demo's key set: powers of 4 (see the compile option rotationBase). */
export const demoRotationBase = 4;

export const demoParameters = presets.inference13Deep;

/** The model of models/cryptonets.json under `root`, compiled for the demo. */
export function compileDemoModel(root: string): CompiledModel {
  const model = Sequential.fromJSON(readFileSync(join(root, "models", "cryptonets.json"), "utf8"));
  return model.compile({ params: Parameters.create(demoParameters), packing: "single", rotationBase: demoRotationBase });
}

/** The first test digit of each class, 0 to 9, as bytes. */
export function demoDigits(): DemoDigit[] {
  const data = loadMnist({ split: "test", limit: 100 });
  const digits: DemoDigit[] = [];
  for (let label = 0; label < 10; label++) {
    const i = data.labels.indexOf(label);
    const pixels = Array.from(data.images.subarray(i * 784, (i + 1) * 784), (v) => Math.round(v * 255));
    digits.push({ label, pixels });
  }
  return digits;
}
