// `npm run hnn:mnist:encrypted`: the 10-class Soft-Argmax on MNIST under real CKKS, end to end.
// The server runs CryptoNets on the encrypted digits at N = 2^14 (complex batch packing), with
// the last dense layer centred and divided by T_0 (y = (z - mean z) / T_0 at no cost) and one
// more layer, mu_0 exp(y) as a polynomial activation; it splits the real and imaginary halves,
// moves the 20 ciphertexts to the bootstrapping ring N = 2^16 (RingSwitchingKey), and runs k
// squaring steps (nn/soft-argmax-squaring.ts), each refreshed by bootstrapping (the first with
// two passes: its errors are amplified 2^k times), down to T = T_0 / 2^k; it returns one
// ciphertext of expected indices per half. The client decrypts and rounds. Reported: agreement of the rounded index
// with the plaintext argmax (the target is >= 99%), with the float64 twin, and the timings.
//
//   npm run hnn:mnist:encrypted [-- --images 10000] [-- --temperature 32] [-- --squarings 7] [-- --json FILE]
// About 20 minutes for all 10,000 test digits (80 bootstrapping passes at N = 2^16).

import { readFileSync, writeFileSync } from "node:fs";
import { Bootstrapper, bootstrapPresets, EncapsulationKeys } from "../../engine/circuits/bootstrapping/index.js";
import { PolynomialEvaluator } from "../../engine/circuits/poly-eval.js";
import {
  Decryptor, Encoder, Encryptor, Evaluator, KeyGenerator, OffHeapGaloisKeys, Parameters, RingSwitchingKey, setMemoryWarning, type Ciphertext,
} from "../../engine/index.js";
import { presets } from "../../engine/presets.js";
import { encryptBatch } from "../client.js";
import { compileModel } from "../compiled-model.js";
import { loadMnist } from "../data/mnist.js";
import { argmax, Sequential } from "../sequential.js";
import { squaringRanges, squaringSoftArgmaxPlain, squaringSoftArgmaxPlan } from "../soft-argmax-squaring.js";
import { encryptedExpectedIndex, refreshReal, splitComplex, squaringStep } from "../soft-argmax-squaring-run.js";
import { modelFile } from "./report.js";

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i > 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

const images = flag("images", 10_000);
// A batch holds 784 input ciphertexts at once, by design: no leak warning for them.
setMemoryWarning({ threshold: 4000 });
const t0 = flag("temperature", 32);
const squarings = flag("squarings", 7);
const jsonAt = process.argv.indexOf("--json");
const started = performance.now();
const elapsed = (): string => `${((performance.now() - started) / 1000).toFixed(1)} s`;
const log = (line: string): void => console.log(`[hnn:mnist:encrypted ${elapsed()}] ${line}`);

// ---------------------------------------------------------------- plaintext side: model and plan
const spec = JSON.parse(readFileSync(modelFile("cryptonets"), "utf8")) as { layers: { type: string; units?: number; kernel?: number[]; bias?: number[] }[] };
const model = Sequential.fromJSON(JSON.stringify(spec));
const train = loadMnist({ split: "train" });
const test = loadMnist({ split: "test", limit: images });
const size = train.rows * train.columns;
const logitsOf = (d: typeof train): Float64Array[] => Array.from({ length: d.count }, (_, i) => model.predictPlain(d.images.subarray(i * size, (i + 1) * size)));
const ranges = squaringRanges(logitsOf(train), t0);
const [lo, hi] = ranges.inputRange;
// Bootstrapping at Q_0 / scale = 2^3 wants small coefficients: the exp layer outputs mu_0 exp(y)
// with 2 mu_0 exp(max y) = 1/8, so the first refresh (a split doubles, so does the refresh's)
// hands rho_0 = 4 mu_0 exp(y) to step 0; later refreshes multiply by mu = 1/8 (rho = 1/4).
const margin = 1.25;
const mu0 = 1 / (16 * Math.exp(margin * hi));
const refreshMultiplier = 1 / 8;
const plan = squaringSoftArgmaxPlan({
  classes: 10, initialTemperature: t0, squarings, ...ranges, margin, firstFactor: 4 * mu0, refreshFactor: 2 * refreshMultiplier,
});
log(`plan on the 60,000 training logits: y in [${lo.toFixed(3)}, ${hi.toFixed(3)}], T = ${t0} / 2^${squarings} = ${plan.temperature}; exp degree ${plan.exp.degree} (error ${plan.exp.maxError.toExponential(2)}), ` +
  `inverses ${plan.inverses.map((g) => `${g.degree} (${g.maxError.toExponential(1)})`).join(", ")}`);

// The head: dense2 centred and divided by T_0 (kernel [in][out]).
const head = spec.layers[spec.layers.length - 1]!;
const units = head.units!;
const centre = (row: number[]): number[] => {
  const mean = row.reduce((a, b) => a + b, 0) / row.length;
  return row.map((v) => (v - mean) / t0);
};
const kernel = head.kernel!;
head.kernel = Array.from({ length: kernel.length / units }, (_, i) => centre(kernel.slice(i * units, (i + 1) * units))).flat();
head.bias = centre(head.bias!);
spec.layers.push({ type: "polyActivation", name: "exp", basis: plan.exp.poly.basis, coefficients: plan.exp.poly.coefficients.map((c) => mu0 * c), interval: [...plan.exp.interval] } as never);
const centred = Sequential.fromJSON(JSON.stringify(spec));
const testLogits = logitsOf(test);
{
  const z = testLogits[0]!;
  const e = centred.predictPlain(test.images.subarray(0, size));
  const mean = z.reduce((a, b) => a + b, 0) / z.length;
  if (!z.every((v, i) => Math.abs(mu0 * plan.exp.poly.evaluate((v - mean) / t0) - e[i]!) < 1e-6 * mu0)) throw new Error("internal error: the new head does not compute mu_0 exp((z - mean z) / T_0)");
}

// ---------------------------------------------------------------- keys (the client's)
const small = Parameters.create(presets.inference14);
const big = Parameters.create(bootstrapPresets.bootstrap16!.parameters);
const halfSlots = small.maxSlots;
const halves = Math.ceil(images / halfSlots);
const shape = { ...bootstrapPresets.bootstrap16!.bootstrapping, slots: halfSlots };
const smallKeys = new KeyGenerator(small);
const bigKeys = new KeyGenerator(big);
log(`small ring N = 2^${small.logN} (inference14), bootstrapping ring N = 2^${big.logN} (bootstrap16, ${halfSlots} slots); generating keys`);
const steps = Bootstrapper.rotationSteps(big, shape);
const offHeap = OffHeapGaloisKeys.generate(bigKeys, steps);
const bigEvaluator = new Evaluator(big, { relinearizationKey: bigKeys.createRelinearizationKey(), galoisKeys: bigKeys.createGaloisKeys({ steps: [], conjugate: true }) });
const bootstrapper = new Bootstrapper(bigEvaluator, shape, { keys: offHeap, encapsulation: EncapsulationKeys.generate(bigKeys, shape.ephemeralHammingWeight!) });
const toBig = RingSwitchingKey.generate(smallKeys, bigKeys);
const smallEvaluator = new Evaluator(small, { relinearizationKey: smallKeys.createRelinearizationKey(), galoisKeys: smallKeys.createGaloisKeys({ steps: [], conjugate: true }) });
log(`keys ready: ${steps.length} bootstrapping rotation keys outside the heap; bootstrapping ${bootstrapper.plan.outputLevel} levels left, one squaring step takes ${Math.max(...plan.stepLevels)}`);

// ---------------------------------------------------------------- server: CryptoNets at N = 2^14
const compiled = compileModel(centred, { params: small, packing: "complex" });
const samples = Array.from({ length: test.count }, (_, i) => test.images.subarray(i * size, (i + 1) * size));
const smallEncoder = new Encoder(small);
let t = performance.now();
const input = encryptBatch(new Encryptor(small, smallKeys.createPublicKey()), smallEncoder, compiled.inputLayout(samples.length), samples, { level: compiled.plan.input.level });
const encryptMs = performance.now() - t;
t = performance.now();
const logits = compiled.predict(smallEvaluator, input, { consumeInput: true });
const cryptonetsMs = performance.now() - t;
compiled.dispose();
log(`CryptoNets on ${images} encrypted digits: ${(cryptonetsMs / 1000).toFixed(1)} s; logits at level ${logits.ciphertexts[0]!.level}`);

// Halves: real parts are samples 0..8191, imaginary parts 8192..16383 (2 mu_0 exp(y) each), to N = 2^16.
t = performance.now();
const perHalf: Ciphertext[][] = Array.from({ length: halves }, () => []);
for (const ct of logits.ciphertexts) {
  const parts = splitComplex(smallEvaluator, ct);
  parts.forEach((part, h) => {
    if (h < halves) perHalf[h]!.push(toBig.switchUp(part));
    part.dispose();
  });
}
logits.dispose();
const switchMs = performance.now() - t;
log(`split and ring switching: ${(switchMs / 1000).toFixed(1)} s`);

// ---------------------------------------------------------------- server: the squaring steps at N = 2^16
const bigPolys = new PolynomialEvaluator(bigEvaluator);
let bootstraps = 0;
t = performance.now();
const indices: Ciphertext[] = perHalf.map((half, h) => {
  let x = half;
  for (let step = 0; step < plan.squarings; step++) {
    const refreshed = refreshReal(bigEvaluator, bootstrapper, x, step === 0 ? { iterations: 2 } : { multiplier: refreshMultiplier });
    bootstraps += Math.ceil(x.length / 2) * (step === 0 ? 2 : 1);
    x = squaringStep(bigEvaluator, bigPolys, plan, step, refreshed);
    log(`half ${h + 1}/${halves}: step ${step + 1}/${plan.squarings} done (${bootstraps} bootstrappings so far)`);
  }
  const e = encryptedExpectedIndex(bigEvaluator, x);
  for (const ct of x) ct.dispose();
  return e;
});
const softArgmaxMs = performance.now() - t;

// ---------------------------------------------------------------- client: decrypt one number per digit
const decryptor = new Decryptor(big, bigKeys.secretKey);
const bigEncoder = new Encoder(big);
const decrypted = new Float64Array(images);
indices.forEach((ct, h) => {
  using pt = decryptor.decrypt(ct);
  const values = bigEncoder.decode(pt);
  for (let s = 0; s < halfSlots && h * halfSlots + s < images; s++) decrypted[h * halfSlots + s] = values[s]!;
  ct.dispose();
});
let agreeArgmax = 0;
let agreeTwin = 0;
let correct = 0;
let plainCorrect = 0;
let maxTwinError = 0;
testLogits.forEach((z, i) => {
  const twin = squaringSoftArgmaxPlain(plan, z).index;
  const rounded = Math.round(decrypted[i]!);
  maxTwinError = Math.max(maxTwinError, Math.abs(decrypted[i]! - twin));
  if (rounded === argmax(z)) agreeArgmax++;
  if (rounded === Math.round(twin)) agreeTwin++;
  if (rounded === test.labels[i]) correct++;
  if (argmax(z) === test.labels[i]) plainCorrect++;
});
const result = {
  images, initialTemperature: t0, squarings, temperature: plan.temperature,
  agreementWithArgmax: agreeArgmax / images, agreementWithTwin: agreeTwin / images, maxAbsErrorVsTwin: maxTwinError,
  encryptedAccuracy: correct / images, plainAccuracy: plainCorrect / images,
  bootstrappings: bootstraps, seconds: { encrypt: encryptMs / 1000, cryptonets: cryptonetsMs / 1000, splitAndRingSwitch: switchMs / 1000, softArgmax: softArgmaxMs / 1000, total: (performance.now() - started) / 1000 },
};
console.log(JSON.stringify(result, null, 2));
log(`rounded encrypted Soft-Argmax = plaintext argmax on ${(100 * result.agreementWithArgmax).toFixed(2)}% of ${images} digits (target >= 99%); ` +
  `= the twin's on ${(100 * result.agreementWithTwin).toFixed(2)}%, max |encrypted - twin| ${maxTwinError.toExponential(2)}`);
if (jsonAt > 0) writeFileSync(process.argv[jsonAt + 1]!, JSON.stringify(result, null, 2) + "\n");
