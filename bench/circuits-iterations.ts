// The iteration half of `npm run bench:circuits`: 1/x on [0.01, 1] (Goldschmidt) and
// 1/sqrt(x) on [0.1, 10] (Newton), each a minimax initial guess plus iterations, evaluated
// encrypted at a preset: median time, levels consumed, ciphertext products, key switches and
// the precision against the true function next to the plan's predicted error.
import {
  approx, Decryptor, Encoder, Encryptor, Evaluator, foldableInputScale, IterationEvaluator, KeyGenerator, Parameters, presets, type PresetName,
} from "../engine/index.js";
import { medianMicroseconds, type BenchOptions } from "./harness.js";

export interface IterationRow {
  readonly preset: PresetName;
  readonly function: "inverse" | "invSqrt";
  readonly interval: readonly [number, number];
  readonly initialDegree: number;
  readonly iterations: number;
  readonly levels: number;
  readonly nonScalarProducts: number;
  readonly keySwitches: number;
  readonly ms: number;
  /** Mean over the slots of -log2 |decrypted - f(x)|. */
  readonly precisionBits: number;
  /** -log2 of the worst slot's |decrypted - f(x)|. */
  readonly worstBits: number;
  /** -log2 of the worst slot's |decrypted - f(x)| / f(x) (1/x near a is ill-conditioned: the input's noise times 1/a^2). */
  readonly worstRelativeBits: number;
  /** -log2 of the plan's predicted max error (float64 arithmetic). */
  readonly predictedBits: number;
}

const cases = [
  { function: "inverse", interval: [0.01, 1], precision: 2 ** -14, f: (x: number) => 1 / x },
  { function: "invSqrt", interval: [0.1, 10], precision: 2 ** -20, f: (x: number) => 1 / Math.sqrt(x) },
] as const;

/** Runs both cases at one preset; the input at the scale that folds the initial guess's change of interval in. */
export async function benchIterations(preset: PresetName, timing: BenchOptions): Promise<IterationRow[]> {
  const params = Parameters.create(presets[preset]);
  const keygen = new KeyGenerator(params);
  const iterationEval = new IterationEvaluator(new Evaluator(params, { relinearizationKey: keygen.createRelinearizationKey() }));
  const encoder = new Encoder(params);
  const encryptor = new Encryptor(params, keygen.createPublicKey());
  const decryptor = new Decryptor(params, keygen.secretKey);
  const rows: IterationRow[] = [];
  for (const c of cases) {
    const [a, b] = c.interval;
    const plan = (c.function === "inverse" ? approx.inverse : approx.invSqrt)({ interval: [a, b], precision: c.precision });
    const xs = Float64Array.from({ length: params.maxSlots }, (_, i) => a + ((b - a) * i) / (params.maxSlots - 1));
    const scale = Math.min(params.scale, foldableInputScale(params, params.maxLevel, plan.initial));
    using plain = encoder.encode(xs, { scale });
    using ct = encryptor.encrypt(plain);
    const planned = iterationEval.plan(ct, plan);
    const times = await medianMicroseconds(`${c.function} on [${a}, ${b}] (${preset})`, [{
      name: "evaluate", run: () => iterationEval.evaluate(ct, plan).dispose(),
    }], timing);
    using out = iterationEval.evaluate(ct, plan);
    using decrypted = decryptor.decrypt(out);
    const values = encoder.decode(decrypted);
    let bits = 0;
    let worst = 0;
    let worstRelative = 0;
    for (let i = 0; i < xs.length; i++) {
      const error = Math.max(Math.abs(values[i]! - c.f(xs[i]!)), 2 ** -60);
      bits += -Math.log2(error);
      worst = Math.max(worst, error);
      worstRelative = Math.max(worstRelative, error / c.f(xs[i]!));
    }
    rows.push({
      preset, function: c.function, interval: c.interval, initialDegree: plan.initial.degree, iterations: plan.iterations,
      levels: ct.level - out.level, nonScalarProducts: planned.nonScalarProducts, keySwitches: planned.keySwitches,
      ms: times.get("evaluate")! / 1000, precisionBits: bits / xs.length, worstBits: -Math.log2(worst),
      worstRelativeBits: -Math.log2(worstRelative), predictedBits: -Math.log2(plan.predictedError),
    });
  }
  return rows;
}
