// Quick start: encrypt two vectors, compute x * y + rotate(x, 1) homomorphically, decrypt and
// compare with the same computation in float64.
//   npm start
import {
  Decryptor, Encoder, Encryptor, Evaluator, KeyGenerator, Parameters, defaultHeap, presets,
  maxLogQP128, serializeCiphertext,
} from "../engine/index.js";

function precisionBits(got: ArrayLike<number>, want: ArrayLike<number>): { mean: number; worst: number } {
  let sum = 0;
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const error = Math.max(Math.abs(got[i]! - want[i]!), 2 ** -60);
    sum += -Math.log2(error);
    worst = Math.max(worst, error);
  }
  return { mean: sum / want.length, worst: -Math.log2(worst) };
}

function timed<T>(label: string, run: () => T): T {
  const started = performance.now();
  const result = run();
  console.log(`  ${label.padEnd(34)} ${(performance.now() - started).toFixed(1).padStart(8)} ms`);
  return result;
}

const params = Parameters.create(presets.standard14);
console.log(`wasm-ckks quick start (${defaultHeap().build} kernels)`);
console.log(`parameters: N = 2^${params.logN}, scale 2^${params.logScale}, depth ${params.maxLevel}, ` +
  `log2 QP = ${params.logQP.toFixed(1)} (128-bit bound ${maxLogQP128[params.logN]}), ${params.digits} key-switching digits`);

const keygen = timed("key generation (sk, pk)", () => new KeyGenerator(params));
const publicKey = timed("  public key", () => keygen.createPublicKey());
const relinearizationKey = timed("  relinearization key", () => keygen.createRelinearizationKey());
const galoisKeys = timed("  Galois key (rotation by 1)", () => keygen.createGaloisKeys({ steps: [1], conjugate: false }));

const encoder = new Encoder(params);
const encryptor = new Encryptor(params, publicKey);
const decryptor = new Decryptor(params, keygen.secretKey);
const evaluator = new Evaluator(params, { relinearizationKey, galoisKeys });

const slots = params.maxSlots;
const x = Array.from({ length: slots }, (_, i) => Math.sin(i / 100));
const y = Array.from({ length: slots }, (_, i) => Math.cos(i / 70));
const expected = x.map((v, i) => v * y[i]! + x[(i + 1) % slots]!);

const ctX = timed("encode + encrypt x", () => encryptor.encrypt(encoder.encode(x)));
const ctY = timed("encode + encrypt y", () => encryptor.encrypt(encoder.encode(y)));
const product = timed("x * y (mulRelin + rescale)", () => evaluator.rescale(evaluator.mulRelin(ctX, ctY)));
const rotated = timed("rotate(x, 1)", () => evaluator.rotate(ctX, 1));
const result = timed("add (levels aligned automatically)", () => evaluator.add(product, rotated));
const decoded = timed("decrypt + decode", () => encoder.decode(decryptor.decrypt(result)));

const { mean, worst } = precisionBits(decoded, expected);
console.log(`result at level ${result.level}: slot 0 = ${decoded[0]!.toFixed(9)} (expected ${expected[0]!.toFixed(9)})`);
console.log(`precision over ${slots} slots: ${mean.toFixed(1)} bits mean, ${worst.toFixed(1)} bits worst`);
console.log(`serialized result: ${(serializeCiphertext(result).length / 1024).toFixed(0)} KiB`);
if (worst < 20) {
  console.error("precision below 20 bits: something is wrong");
  process.exit(1);
}
