// Circuit benchmarks, one section per circuit family; each section's rows go to the JSON under
// its key. Single thread; medians.
//   npm run bench:circuits [-- --json FILE] [-- --quick] [-- --presets inference14Fast,standard14]
//                          [-- --sizes 64x64,256x256]
// Sections:
//   polynomials       sigmoid on [-8, 8] of degree 7, 15, 31, 63 (bench/circuits-polynomials.ts)
//   iterations        1/x on [0.01, 1] and 1/sqrt(x) on [0.1, 10] at inference14 (bench/circuits-iterations.ts;
//                     [-- --iteration-presets inference14,...]: the default presets are too shallow)
//   linearTransforms  matrix-vector products (bench/circuits-lintrans.ts)
import type { PresetName } from "../engine/index.js";
import { benchIterations, type IterationRow } from "./circuits-iterations.js";
import { linearTransforms, type LinearTransformRow } from "./circuits-lintrans.js";
import { benchPolynomials, type PolynomialRow } from "./circuits-polynomials.js";
import { parseFlags, printTable, writeJson } from "./harness.js";

const flags = parseFlags(process.argv.slice(2));
const quick = flags.has("quick");
const presetNames = (flags.get("presets") ?? "inference14Fast,standard14").split(",") as PresetName[];
const iterationPresets = (flags.get("iteration-presets") ?? "inference14").split(",") as PresetName[];
const sizes = (flags.get("sizes") ?? (quick ? "64x64,256x256" : "64x64,256x256,784x128,128x784,1024x1024"))
  .split(",").map((s) => s.split("x").map(Number) as [number, number]);

const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);

function printLinearTransforms(rows: readonly LinearTransformRow[]): void {
  console.log("\nMatrix-vector products (rows x cols; ms medians; 'naive' = plain diagonal method with Evaluator.rotate)");
  printTable(
    ["preset", "rows x cols", "windows", "diagonals", "key switches", "keys", "keys MiB", "ms", "rotate ms", "ms / rotate", "naive ms", "naive rotations", "speed-up", "bits", "naive bits"],
    rows.map((r) => [
      r.preset, `${r.rows} x ${r.cols}`, String(r.windows), String(r.diagonals ?? "-"), String(r.rotations), String(r.keys), mib(r.keyBytes),
      r.ms.toFixed(1), r.rotateMs.toFixed(2), (r.ms / r.rotateMs).toFixed(2), r.naiveMs === null ? "-" : r.naiveMs.toFixed(0),
      String(r.naiveRotations ?? "-"), r.naiveMs === null ? "-" : `${(r.naiveMs / r.ms).toFixed(1)}x`, r.precisionBits.toFixed(1),
      r.naivePrecisionBits === null ? "-" : r.naivePrecisionBits.toFixed(1),
    ]),
  );
}

function printPolynomials(rows: readonly PolynomialRow[]): void {
  console.log("\nSigmoid on [-8, 8], Chebyshev interpolant, baby-step giant-step (ms medians; bits: mean against the true sigmoid)");
  printTable(
    ["preset", "degree", "levels", "products", "key switches", "ms", "bits", "approximation bits"],
    rows.map((r) => [r.preset, String(r.degree), String(r.levels), String(r.nonScalarProducts), String(r.keySwitches), r.ms.toFixed(1),
      r.precisionBits.toFixed(1), r.approximationBits.toFixed(1)]),
  );
}

function printIterations(rows: readonly IterationRow[]): void {
  console.log("\nIteration plans: minimax initial guess + iterations (ms medians; bits: mean / worst slot against the true function, worst relative error, the plan's predicted error)");
  printTable(
    ["preset", "function", "interval", "initial degree", "iterations", "levels", "products", "key switches", "ms", "bits", "worst bits", "worst relative bits", "predicted bits"],
    rows.map((r) => [r.preset, r.function === "inverse" ? "1/x" : "1/sqrt(x)", `[${r.interval.join(", ")}]`, String(r.initialDegree), String(r.iterations),
      String(r.levels), String(r.nonScalarProducts), String(r.keySwitches), r.ms.toFixed(1), r.precisionBits.toFixed(1), r.worstBits.toFixed(1),
      r.worstRelativeBits.toFixed(1), r.predictedBits.toFixed(1)]),
  );
}

const report: Record<string, unknown[]> = {};
const polynomials: PolynomialRow[] = [];
for (const preset of presetNames) {
  polynomials.push(...await benchPolynomials(preset, [7, 15, 31, 63], quick ? { minTime: 0.05, maxTime: 0.25 } : { minTime: 0.25, maxTime: 1 }));
}
report.polynomials = polynomials;
printPolynomials(polynomials);
const iterations: IterationRow[] = [];
for (const preset of iterationPresets) {
  iterations.push(...await benchIterations(preset, quick ? { minTime: 0.05, maxTime: 0.25 } : { minTime: 0.25, maxTime: 1 }));
}
report.iterations = iterations;
printIterations(iterations);
report.linearTransforms = await linearTransforms({ presets: presetNames, sizes, samples: quick ? 3 : 5 });
printLinearTransforms(report.linearTransforms as LinearTransformRow[]);
writeJson(flags.get("json"), report);
