// The linear-transform section of bench/circuits.bench.ts: matrix-vector products with the
// library's LinearTransform (replicated input, output windows summed by log-steps, BSGS with
// double-hoisted baby steps) against the plain diagonal method done with Evaluator.rotate in
// the same run (one rotation per diagonal, each by the gap to the previous diagonal, so one key
// switch each; no hoisting, no BSGS, no replication trick), and one plain rotation's time.
import {
  Decryptor, Encoder, Encryptor, Evaluator, KeyGenerator, Parameters, presets,
  type Ciphertext, type Plaintext, type PresetName,
} from "../engine/index.js";
import { droppedModulus } from "../engine/evaluator/alignment.js";
import { BlockedTransform } from "../engine/circuits/blocked.js";
import { Diagonals } from "../engine/circuits/diagonals.js";
import { LinearTransform } from "../engine/circuits/lintrans.js";
import { LinearTransformEvaluator } from "../engine/circuits/lintrans-eval.js";
import { medianMicroseconds } from "./harness.js";

/** One row of the JSON's "linearTransforms" array. */
export interface LinearTransformRow {
  readonly preset: PresetName;
  readonly rows: number;
  readonly cols: number;
  /** Median time of the product, rescale included (ms). */
  readonly ms: number;
  /** The same product by the plain diagonal method with Evaluator.rotate (ms), null when blocked. */
  readonly naiveMs: number | null;
  /** Key switches the product performs (baby and giant steps, window sums). */
  readonly rotations: number;
  /** Median time of one Evaluator.rotate at the input level in the same run (ms). */
  readonly rotateMs: number;
  /** Serialized size of exactly the Galois keys the product needs (seeded form, the default). */
  readonly keyBytes: number;
  readonly keys: number;
  /** Non-zero diagonals (plaintexts), null when blocked. */
  readonly diagonals: number | null;
  readonly windows: number;
  readonly naiveRotations: number | null;
  /** -log2 of the mean absolute error of slots 0 .. rows-1 against M x (entries in [-1/cols, 1/cols], x in [-1, 1]). */
  readonly precisionBits: number;
  /** The same for the plain diagonal method (a check that both compute M x). */
  readonly naivePrecisionBits: number | null;
  readonly samples: number;
}

export interface LinearTransformOptions {
  readonly presets: readonly PresetName[];
  readonly sizes: readonly (readonly [number, number])[];
  /** Samples per timed product (median); products slower than 2 s are timed once. */
  readonly samples: number;
}

/** Median wall time of `run` in ms over up to `samples` calls (one call when the first takes over 2 s). */
function medianMs(run: () => void, samples: number): { ms: number; samples: number } {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
    if (i === 0 && times[0]! > 2000) break;
  }
  times.sort((a, b) => a - b);
  return { ms: times[times.length >> 1]!, samples: times.length };
}

function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The plain diagonal method: rot by each diagonal's gap to the previous one, multiply, add; one rescale. */
function naiveProduct(evaluator: Evaluator, ct: Ciphertext, terms: readonly { gap: number; plaintext: Plaintext }[]): Ciphertext {
  let rotated = evaluator.copy(ct);
  let sum: Ciphertext | undefined;
  for (const { gap, plaintext } of terms) {
    if (gap !== 0) {
      const next = evaluator.rotate(rotated, gap);
      rotated.dispose();
      rotated = next;
    }
    const term = evaluator.multiplyPlain(rotated, plaintext);
    if (sum === undefined) {
      sum = term;
    } else {
      evaluator.addInPlace(sum, term);
      term.dispose();
    }
  }
  rotated.dispose();
  evaluator.rescaleInPlace(sum!);
  return sum!;
}

function precisionBits(decoded: ArrayLike<number>, expected: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < expected.length; i++) sum += Math.abs(decoded[i]! - expected[i]!);
  return -Math.log2(sum / expected.length);
}

export async function linearTransforms(options: LinearTransformOptions): Promise<LinearTransformRow[]> {
  const rows: LinearTransformRow[] = [];
  for (const preset of options.presets) {
    const params = Parameters.create(presets[preset]);
    const keygen = new KeyGenerator(params);
    const encoder = new Encoder(params);
    const encryptor = new Encryptor(params, keygen.createPublicKey());
    const decryptor = new Decryptor(params, keygen.secretKey);
    const slots = params.maxSlots;
    const level = params.maxLevel;
    const scale = Number(droppedModulus(params, level));
    for (const [m, n] of options.sizes) {
      const next = seeded(m * 7919 + n);
      const matrix = Float64Array.from({ length: m * n }, () => (2 * next() - 1) / n);
      const x = Float64Array.from({ length: n }, () => 2 * next() - 1);
      const expected = new Float64Array(m);
      for (let i = 0; i < m; i++) {
        let sum = 0;
        for (let j = 0; j < n; j++) sum += matrix[i * n + j]! * x[j]!;
        expected[i] = sum;
      }
      const blocked = m > slots || n > slots;

      // Ours.
      const transform = blocked
        ? new BlockedTransform(params, matrix, { rows: m, cols: n, slots })
        : new LinearTransform(params, Diagonals.fromMatrix(matrix, { rows: m, cols: n, slots }));
      const steps = transform.rotationSteps();
      const galoisKeys = keygen.createGaloisKeys({ steps: [...new Set([...steps, 1])], conjugate: false });
      const evaluator = new Evaluator(params, { galoisKeys });
      const ltEvaluator = new LinearTransformEvaluator(evaluator);
      const inputs = (transform instanceof BlockedTransform ? transform.packInputs(x) : [transform.diagonals.packInput(x)])
        .map((v) => encryptor.encrypt(encoder.encode(v)));
      const apply = (): Ciphertext[] => (transform instanceof BlockedTransform
        ? ltEvaluator.applyBlocked(inputs, transform)
        : [ltEvaluator.apply(inputs[0]!, transform)]);
      apply().forEach((ct) => ct.dispose()); // encodes the diagonals at the input level (untimed)
      const rotateUs = (await medianMicroseconds(`rotate ${preset} ${m}x${n}`, [{ name: "rotate", run: () => evaluator.rotate(inputs[0]!, 1).dispose() }], { minTime: 0.2, maxTime: 1 })).get("rotate")!;
      const timed = medianMs(() => apply().forEach((ct) => ct.dispose()), options.samples);
      const outputs = apply();
      const decoded = outputs.flatMap((ct, i) => {
        using pt = decryptor.decrypt(ct);
        const rowsHere = transform instanceof BlockedTransform ? transform.outputRows(i) : m;
        return Array.from(encoder.decode(pt).subarray(0, rowsHere));
      });
      const bits = precisionBits(decoded, expected);
      for (const ct of outputs) ct.dispose();
      const windows = transform instanceof BlockedTransform ? transform.windows : transform.diagonals.windows;

      // The plain diagonal method (not for blocked shapes).
      let naiveMs: number | null = null;
      let naiveRotations: number | null = null;
      let naiveBits: number | null = null;
      if (!blocked) {
        const plain = Diagonals.fromMatrix(matrix, { rows: m, cols: n, slots, windows: 1 });
        const indices = plain.indices;
        const terms = indices.map((d, k) => ({ gap: d - (k === 0 ? 0 : indices[k - 1]!), plaintext: encoder.encode(plain.values(d)!, { level, scale }) }));
        const gaps = [...new Set(terms.map((t) => t.gap).filter((g) => g !== 0))];
        const naiveKeys = keygen.createGaloisKeys({ steps: gaps, conjugate: false });
        const naiveEvaluator = new Evaluator(params, { galoisKeys: naiveKeys });
        naiveMs = medianMs(() => naiveProduct(naiveEvaluator, inputs[0]!, terms).dispose(), Math.min(3, options.samples)).ms;
        using naive = naiveProduct(naiveEvaluator, inputs[0]!, terms);
        using naivePlain = decryptor.decrypt(naive);
        naiveBits = precisionBits(encoder.decode(naivePlain).subarray(0, m), expected);
        naiveRotations = terms.filter((t) => t.gap !== 0).length;
        for (const t of terms) t.plaintext.dispose();
        naiveKeys.dispose();
      }
      rows.push({
        preset, rows: m, cols: n, ms: timed.ms, naiveMs, rotations: transform.keySwitches(), rotateMs: rotateUs / 1000, keyBytes: transform.keyBytes(),
        keys: steps.length, diagonals: transform instanceof BlockedTransform ? null : transform.diagonals.indices.length,
        windows, naiveRotations, precisionBits: bits, naivePrecisionBits: naiveBits, samples: timed.samples,
      });
      for (const ct of inputs) ct.dispose();
      transform.dispose();
      galoisKeys.dispose();
    }
  }
  return rows;
}
