// Writing a ModelSpec as JSON: weights rounded to the shortest decimal that reads back as the
// same float32 (what the network was trained in), one layer per line.

import type { LayerSpec, ModelSpec } from "../model-spec.js";

/** The shortest decimal (≤ 9 significant digits) whose float32 rounding is Math.fround(value). */
export function shortestFloat32(value: number): number {
  const target = Math.fround(value);
  if (target === 0 || !Number.isFinite(target)) return target;
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(target.toPrecision(digits));
    if (Math.fround(candidate) === target) return candidate;
  }
  return Number(target.toPrecision(9));
}

/** The float32 weight vectors of a layer; everything else (shapes, polynomials) stays as it is. */
const weightKeys = new Set(["kernel", "bias", "gamma", "beta", "movingMean", "movingVariance"]);

function roundWeights(layer: LayerSpec): LayerSpec {
  return Object.fromEntries(Object.entries(layer).map(([key, value]) =>
    [key, weightKeys.has(key) ? (value as number[]).map(shortestFloat32) : value])) as unknown as LayerSpec;
}

/**
 * The model as JSON text: weights (kernel, bias, batch-normalisation vectors) rounded by
 * {@link shortestFloat32}; polynomial coefficients and intervals, shapes and metadata kept as
 * float64. One layer per line so that a diff shows which layers changed.
 */
export function modelToJson(spec: ModelSpec): string {
  const { layers, metadata, ...head } = spec;
  const lines = layers.map((layer) => `    ${JSON.stringify(roundWeights(layer))}`);
  const headText = Object.entries(head).map(([key, value]) => `  ${JSON.stringify(key)}: ${JSON.stringify(value)},`);
  return [
    "{",
    ...headText,
    "  \"layers\": [",
    lines.join(",\n"),
    `  ]${metadata === undefined ? "" : ","}`,
    ...(metadata === undefined ? [] : [`  "metadata": ${JSON.stringify(metadata, null, 2).replace(/\n/g, "\n  ")}`]),
    "}",
    "",
  ].join("\n");
}
