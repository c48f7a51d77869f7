// Real TensorFlow.js models for the import suites: built with @tensorflow/tfjs (pure JS, cpu
// backend), given seeded random weights, and saved through tf.io.withSaveHandler into the
// model.json + weight bytes that importTfjs reads.

import * as tf from "@tensorflow/tfjs";

export { tf };

/** A saved model: the parsed model.json and its weight bytes (one shard). */
export interface SavedModel {
  readonly modelJson: {
    modelTopology: unknown;
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
    format: string;
    generatedBy?: string;
    convertedBy?: string | null;
  };
  readonly weights: ArrayBuffer;
}

export async function useCpuBackend(): Promise<void> {
  await tf.setBackend("cpu");
  await tf.ready();
}

/** A small deterministic generator (mulberry32) of floats in [0, 1). */
export { prng as seededRandom } from "./ckks.js";

/**
 * Gives every weight values uniform in [-0.5, 0.5] (moving variances in [0.5, 1.5], so they
 * stay positive), so that BatchNormalization's statistics are not the identity.
 */
export function randomizeWeights(model: tf.LayersModel, random: () => number): void {
  const values = model.weights.map((w) => {
    const size = w.shape.reduce((a: number, b) => a * (b ?? 1), 1);
    const variance = w.originalName.endsWith("moving_variance");
    return tf.tensor(Array.from({ length: size }, () => (variance ? 0.5 + random() : random() - 0.5)), w.shape as number[]);
  });
  model.setWeights(values);
  tf.dispose(values);
}

/** model.json + bytes, as `model.save` would write them with one shard "weights.bin". */
export async function saveModel(model: tf.LayersModel): Promise<SavedModel> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
  }));
  const saved = artifacts!;
  const data = saved.weightData!;
  const weights = Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data as ArrayBuffer;
  const modelJson: SavedModel["modelJson"] = {
    modelTopology: saved.modelTopology,
    weightsManifest: [{ paths: ["weights.bin"], weights: saved.weightSpecs! }],
    format: saved.format!,
    ...(saved.generatedBy === undefined ? {} : { generatedBy: saved.generatedBy }),
    ...(saved.convertedBy === undefined ? {} : { convertedBy: saved.convertedBy }),
  };
  return { modelJson: JSON.parse(JSON.stringify(modelJson)) as SavedModel["modelJson"], weights };
}

/** model.predict on one input (flattened channels-last), flattened. */
export function predictOne(model: tf.LayersModel, inputShape: readonly number[], input: readonly number[]): number[] {
  return tf.tidy(() => {
    const output = model.predict(tf.tensor([...input], [1, ...inputShape])) as tf.Tensor;
    return Array.from(output.dataSync());
  });
}

/** A tfjs model loaded back from a (possibly hand-edited) model.json and bytes. */
export async function loadModel(modelJson: unknown, weights: ArrayBuffer): Promise<tf.LayersModel> {
  const json = modelJson as { modelTopology: object; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] };
  return tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: weights,
  }));
}

/** One manifest entry with its bytes, for hand-built manifests. */
export interface PackedWeight {
  readonly entry: tf.io.WeightsManifestEntry;
  readonly bytes: Uint8Array;
}

/** The saved model's weights as entries with their own bytes, in manifest order. */
export function unpackWeights(saved: SavedModel): PackedWeight[] {
  const entries = saved.modelJson.weightsManifest.flatMap((g) => g.weights);
  let offset = 0;
  return entries.map((entry) => {
    const length = 4 * entry.shape.reduce((a, b) => a * b, 1);
    const bytes = new Uint8Array(saved.weights, offset, length).slice();
    offset += length;
    return { entry, bytes };
  });
}

/** A copy of `saved` whose one group holds `weights`, in that order. */
export function repack(saved: SavedModel, weights: readonly PackedWeight[]): SavedModel {
  return {
    modelJson: { ...saved.modelJson, weightsManifest: [{ paths: ["weights.bin"], weights: weights.map((w) => w.entry) }] },
    weights: concatBytes(weights.map((w) => w.bytes)),
  };
}

export function concatBytes(parts: readonly Uint8Array[]): ArrayBuffer {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out.buffer;
}

/** The float32 values of little-endian bytes. */
export function float32Values(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: bytes.byteLength / 4 }, (_, i) => view.getFloat32(4 * i, true));
}
