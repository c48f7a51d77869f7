// The polynomial half of `npm run bench:circuits`: Chebyshev interpolants of the sigmoid on
// [-8, 8] of degree 7, 15, 31 and 63, evaluated encrypted (baby-step giant-step) at a preset:
// median time, levels consumed, ciphertext products, precision against the true sigmoid and
// the approximation error of the polynomial itself.
import {
  chebyshevFromNodeValues, chebyshevNodes, foldableInputScale, Polynomial, PolynomialEvaluator, Decryptor, Encoder, Encryptor, Evaluator, KeyGenerator, Parameters, presets, type PresetName,
} from "../engine/index.js";
import { medianMicroseconds, type BenchOptions } from "./harness.js";

export interface PolynomialRow {
  readonly preset: PresetName;
  readonly function: "sigmoid";
  readonly degree: number;
  readonly levels: number;
  readonly nonScalarProducts: number;
  readonly keySwitches: number;
  readonly ms: number;
  /** Mean over the slots of -log2 |decrypted - sigmoid(x)|. */
  readonly precisionBits: number;
  /** -log2 of the polynomial's max error against the sigmoid on a grid of 8,192 points. */
  readonly approximationBits: number;
}

const interval = [-8, 8] as const;
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** Chebyshev interpolant of the sigmoid on [-8, 8] at degree + 1 nodes. */
export function sigmoidPolynomial(degree: number): Polynomial {
  const [a, b] = interval;
  const values = chebyshevNodes(degree + 1).map((t) => sigmoid(((b - a) * t + a + b) / 2));
  return Polynomial.chebyshev(chebyshevFromNodeValues(values), interval);
}

function approximationBits(p: Polynomial): number {
  let worst = 0;
  for (let i = 0; i <= 8192; i++) {
    const x = interval[0] + ((interval[1] - interval[0]) * i) / 8192;
    worst = Math.max(worst, Math.abs(p.evaluate(x) - sigmoid(x)));
  }
  return -Math.log2(worst);
}

/** Runs the sigmoid cases at one preset. */
export async function benchPolynomials(preset: PresetName, degrees: readonly number[], timing: BenchOptions): Promise<PolynomialRow[]> {
  const params = Parameters.create(presets[preset]);
  const keygen = new KeyGenerator(params);
  const evaluator = new Evaluator(params, { relinearizationKey: keygen.createRelinearizationKey() });
  const encoder = new Encoder(params);
  const encryptor = new Encryptor(params, keygen.createPublicKey());
  const decryptor = new Decryptor(params, keygen.secretKey);
  const polyEval = new PolynomialEvaluator(evaluator);
  const xs = Float64Array.from({ length: params.maxSlots }, (_, i) => interval[0] + ((interval[1] - interval[0]) * i) / (params.maxSlots - 1));
  const rows: PolynomialRow[] = [];
  for (const degree of degrees) {
    const p = sigmoidPolynomial(degree);
    // The input at the scale that folds the change of interval in (as a preceding layer would give it).
    using plain = encoder.encode(xs, { scale: foldableInputScale(params, params.maxLevel, p) });
    using ct = encryptor.encrypt(plain);
    const plan = polyEval.plan(ct, p);
    const times = await medianMicroseconds(`sigmoid degree ${degree} (${preset})`, [{
      name: "evaluate", run: () => polyEval.evaluate(ct, p).dispose(),
    }], timing);
    using out = polyEval.evaluate(ct, p);
    using decrypted = decryptor.decrypt(out);
    const values = encoder.decode(decrypted);
    let bits = 0;
    for (let i = 0; i < xs.length; i++) bits += -Math.log2(Math.max(Math.abs(values[i]! - sigmoid(xs[i]!)), 2 ** -60));
    rows.push({
      preset, function: "sigmoid", degree, levels: ct.level - out.level, nonScalarProducts: plan.nonScalarProducts, keySwitches: plan.keySwitches,
      ms: times.get("evaluate")! / 1000, precisionBits: bits / xs.length, approximationBits: approximationBits(p),
    });
  }
  return rows;
}
