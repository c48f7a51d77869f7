// The HNN text pipeline end to end on hostile messages: tokenizer → hashed features → encrypted
// network with a two-class Soft-Argmax (single-message packing) → one decrypted number, equal
// to the float64 twin; an empty message gets the documented zero vector, never a crash.

import { describe, expect, it } from "vitest";
import { Evaluator, FheError } from "../../engine/index.js";
import { decryptSingle, encryptSingle, HashingTokenizer, Sequential, type LayerSpec } from "../../nn/index.js";
import { makeContext } from "../helpers/ckks.js";
import { randomArray, seededRandom, spec } from "../helpers/nn-models.js";

const c = makeContext({ logN: 10, logScale: 29, depth: 6, allowInsecureParametersForTesting: true });
const buckets = 64;

function model(): Sequential {
  const random = seededRandom(3);
  const layers: LayerSpec[] = [
    { type: "dense", units: 4, kernel: randomArray(buckets * 4, random, 2), bias: randomArray(4, random, 0.2) },
    { type: "square" },
    { type: "dense", units: 2, kernel: randomArray(8, random), bias: randomArray(2, random, 0.2) },
    { type: "softArgmax", temperature: 2, interval: [-6, 6], degree: 3 },
  ];
  return Sequential.fromSpec(spec([buckets], layers));
}

const junk = (() => {
  const random = seededRandom(9);
  return String.fromCharCode(...Array.from({ length: 4096 }, () => Math.floor(((random() + 1) / 2) * 256)));
})();
const messages: Record<string, string> = {
  ordinary: "Subject: Cheap meds\nFrom: x@example.com\n\nBuy now!!! Visit http://pills.example.com/buy for $$$ savings.",
  empty: "",
  "only routing headers": "Received: from a by b\nMessage-ID: <1@x>\n\n",
  "binary junk": junk,
  "10 MB": "Subject: big\n\n" + "free money ".repeat(1_000_000),
};

describe("HNN pipeline on hostile messages", () => {
  const tokenizer = new HashingTokenizer({ buckets });
  const net = model();
  const compiled = net.compile({ params: c.params, packing: "single" });
  const galoisKeys = c.keygen.createGaloisKeys({ steps: [...compiled.plan.rotationSteps], conjugate: false });
  const evaluator = new Evaluator(c.params, { relinearizationKey: c.relinearizationKey, galoisKeys });

  it.each(Object.keys(messages))("%s: the encrypted score equals the twin's within 2^-8", (name) => {
    const { features, tokenCount } = tokenizer.analyze(messages[name]!);
    if (name === "empty" || name === "only routing headers") {
      expect(tokenCount).toBe(0);
      expect(features.every((v) => v === 0)).toBe(true);
    }
    using x = encryptSingle(c.skEncryptor, c.encoder, compiled.singleInputLayout(), features, { level: compiled.plan.input.level });
    using y = compiled.predict(evaluator, x);
    const [got] = decryptSingle(c.decryptor, c.encoder, y);
    const want = net.predictPlain(features)[0]!;
    expect(Number.isFinite(want)).toBe(true);
    expect(Math.abs(got! - want)).toBeLessThan(2 ** -8);
  });

  it("features of the wrong width or with NaN are refused with FheError", () => {
    expect(() => encryptSingle(c.skEncryptor, c.encoder, compiled.singleInputLayout(), new Float64Array(buckets + 1))).toThrow(FheError);
    const bad = new Float64Array(buckets);
    bad[3] = Number.NaN;
    expect(() => encryptSingle(c.skEncryptor, c.encoder, compiled.singleInputLayout(), bad)).toThrow(FheError);
    expect(() => tokenizer.analyze(42 as unknown as string)).toThrow(FheError);
  });
});
