// The training graph's own ops against references: the convolution whose gradients are forward
// convolutions (against tf.conv2d's gradients on the cpu backend, which has
// Conv2DBackpropFilter), on the cpu and the wasm backends; the polynomial activation in tfjs
// against the float64 evaluation of the same Chebyshev series.

import * as tf from "@tensorflow/tfjs";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { Polynomial } from "../../engine/index.js";
import { initBackend } from "../../nn/train/backend.js";
import { conv2dValid, type Strides } from "../../nn/train/conv.js";
import { monomialCoefficients, polyActivation, reluPolynomial } from "../../nn/train/poly-activation.js";
import { SeededRandom } from "../../nn/random.js";

function randomArray(random: SeededRandom, length: number): Float32Array {
  return Float32Array.from({ length }, () => random.symmetric(1));
}

interface ConvCase { batch: number; h: number; w: number; c: number; kh: number; kw: number; f: number; strides: Strides }

const cases: ConvCase[] = [
  { batch: 2, h: 29, w: 29, c: 1, kh: 5, kw: 5, f: 5, strides: [2, 2] },   // CryptoNets' first layer
  { batch: 3, h: 12, w: 12, c: 8, kh: 5, kw: 5, f: 16, strides: [1, 1] },  // CryptoDL's second layer
  { batch: 2, h: 10, w: 9, c: 3, kh: 3, kw: 2, f: 4, strides: [2, 3] },    // uneven: (h - kh) not a multiple of the stride
];

/** Value, input gradient and kernel gradient of sum(conv(x, k) · weights). */
function run(conv: (x: tf.Tensor4D, k: tf.Tensor4D) => tf.Tensor4D, x: Float32Array, k: Float32Array, weights: Float32Array, t: ConvCase): Float32Array[] {
  return tf.tidy(() => {
    const xs = tf.tensor4d(x, [t.batch, t.h, t.w, t.c]);
    const ks = tf.tensor4d(k, [t.kh, t.kw, t.c, t.f]);
    const y = conv(xs, ks);
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a as tf.Tensor4D, b as tf.Tensor4D), tf.tensor(weights, y.shape))));
    const [dx, dk] = g([xs, ks]);
    return [y.dataSync() as Float32Array, dx!.dataSync() as Float32Array, dk!.dataSync() as Float32Array];
  });
}

function expectClose(got: Float32Array, want: Float32Array): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  expect(scale).toBeGreaterThan(0);
  expect(worst / scale).toBeLessThan(1e-5);
}

describe.each(["cpu", "wasm"] as const)("conv2dValid on the %s backend", (backend) => {
  beforeAll(async () => {
    expect(await initBackend(backend)).toBe(backend);
  });

  it.each(cases)("equals tf.conv2d and its gradients ($batch x $h x $w x $c, kernel $kh x $kw x $f, strides $strides)", async (t) => {
    const random = new SeededRandom(t.h * 100 + t.c);
    const x = randomArray(random, t.batch * t.h * t.w * t.c);
    const k = randomArray(random, t.kh * t.kw * t.c * t.f);
    const oh = Math.floor((t.h - t.kh) / t.strides[0]) + 1;
    const ow = Math.floor((t.w - t.kw) / t.strides[1]) + 1;
    const weights = randomArray(random, t.batch * oh * ow * t.f);
    const ours = run((a, b) => conv2dValid(a, b, t.strides), x, k, weights, t);
    await tf.setBackend("cpu");
    const reference = run((a, b) => tf.conv2d(a, b, [t.strides[0], t.strides[1]], "valid"), x, k, weights, t);
    await tf.setBackend(backend);
    ours.forEach((values, i) => expectClose(values, reference[i]!));
  });

  it("skips the input gradient when told the input is data", () => {
    const x = tf.ones([1, 6, 6, 1]) as tf.Tensor4D;
    const k = tf.ones([3, 3, 1, 2]) as tf.Tensor4D;
    const [dx, dk] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(conv2dValid(a as tf.Tensor4D, b as tf.Tensor4D, [1, 1], { inputGradient: false })))([x, k]);
    expect([...dx!.dataSync()].every((v) => v === 0)).toBe(true);
    expect([...dk!.dataSync()]).toEqual(new Array(18).fill(16));     // each kernel tap sees 4 x 4 ones
  });
});

describe("polyActivation", () => {
  beforeAll(async () => {
    await initBackend("wasm");
  });

  it("equals the float64 Chebyshev series it stands for (degrees 0..5, any interval)", () => {
    const coefficient = fc.double({ min: -2, max: 2, noNaN: true });
    fc.assert(fc.property(
      fc.array(coefficient, { minLength: 1, maxLength: 6 }), fc.double({ min: -5, max: 5, noNaN: true }), fc.double({ min: 0.5, max: 8, noNaN: true }),
      fc.array(fc.double({ min: -1.5, max: 1.5, noNaN: true }), { minLength: 1, maxLength: 20 }),
      (coefficients, center, radius, positions) => {
        const poly = Polynomial.chebyshev(coefficients, [center - radius, center + radius]);
        const xs = positions.map((p) => Math.fround(center + p * radius));
        const got = tf.tidy(() => polyActivation(tf.tensor1d(xs), poly).dataSync());
        // float32 has 24 bits; the monomial form at most multiplies the coefficients by 3^degree per power (denormals flush to 0).
        const bound = coefficients.reduce((sum, c) => sum + Math.abs(c), 0) * 3 ** coefficients.length;
        xs.forEach((x, i) => expect(Math.abs(got[i]! - poly.evaluate(x))).toBeLessThanOrEqual(1e-5 * bound + 1e-30));
      }), { seed: 21, numRuns: 100 });
  });

  it("converts to the monomial basis exactly on known series (T2 on [0, 2] is 2(x - 1)^2 - 1)", () => {
    const m = monomialCoefficients(Polynomial.chebyshev([0, 0, 1], [0, 2]));
    [1, -4, 2].forEach((want, i) => expect(m[i]).toBeCloseTo(want, 12));
    expect(monomialCoefficients(Polynomial.monomial([1, 2, 3]))).toEqual([1, 2, 3]);
  });

  it("is differentiable: its gradient is p'(x)", () => {
    const poly = Polynomial.chebyshev([0.3, -0.2, 0.5, 0.25], [-3, 3]);
    const xs = [-2.5, -1, 0, 0.7, 2.9];
    const grad = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(polyActivation(x, poly)))(tf.tensor1d(xs)).dataSync());
    xs.forEach((x, i) => expect(grad[i]).toBeCloseTo((poly.evaluate(x + 1e-6) - poly.evaluate(x - 1e-6)) / 2e-6, 4));
  });

  it("approximates ReLU with a degree-2 minimax polynomial of depth 2", () => {
    const poly = reluPolynomial([-4, 4], 2);
    expect([poly.basis, poly.degree, poly.depth]).toEqual(["chebyshev", 2, 2]);
    // The minimax quadratic of |x| on [-a, a] is x^2 / a + a / 8 (error a / 8), so ReLU's is x/2 + x^2/8 + 1/4 at a = 4.
    for (const x of [-4, -1, 0, 2, 4]) expect(poly.evaluate(x)).toBeCloseTo(x / 2 + x * x / 8 + 0.25, 6);
  });
});
