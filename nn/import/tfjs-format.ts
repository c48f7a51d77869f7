// A TensorFlow.js LayersModel `model.json` (tfjs-core/src/io/types.ts: ModelJSON) parsed and
// validated: the top-level fields here, the weights manifest (tfjs-manifest.ts) and the
// Sequential topology (tfjs-topology.ts), as plain typed data. tfjs itself is never imported.
// Every field is read as an own property of a checked type, so hostile JSON (null, arrays or
// strings anywhere) gives an FheError, never a TypeError.

import { describe } from "../../engine/ring/errors.js";
import { checkKeys, corruptModel, isJsonObject, optionalString, ownField, unsupportedModel } from "./tfjs-json.js";
import { parseManifest, type WeightGroup } from "./tfjs-manifest.js";
import { graphModelAdvice, parseTopology, type TopologyLayer } from "./tfjs-topology.js";

/** A validated model.json. */
export interface ModelJson {
  readonly name?: string;
  readonly layers: readonly TopologyLayer[];
  readonly manifest: readonly WeightGroup[];
  readonly generatedBy?: string;
  readonly convertedBy?: string;
}

const modelJsonKeys = [
  "modelTopology", "weightsManifest", "format", "generatedBy", "convertedBy",
  "trainingConfig", "signature", "userDefinedMetadata", "modelInitializer", "initializerSignature",
];

/**
 * Validates a parsed `model.json`. Known top-level fields besides modelTopology,
 * weightsManifest, format, generatedBy and convertedBy are ignored (training configuration,
 * signatures, user metadata); unknown ones are refused. `format` may be absent (files written
 * before tfjs added it); when present it must be "layers-model".
 */
export function parseModelJson(json: unknown): ModelJson {
  if (typeof json === "string") throw unsupportedModel("modelJson is a string: pass the parsed model.json (JSON.parse its text first)");
  if (!isJsonObject(json)) throw unsupportedModel(`modelJson must be the parsed model.json object, got ${describe(json)}`);
  const format = ownField(json, "format");
  if (format === "graph-model") throw unsupportedModel(`model.json has format "graph-model": ${graphModelAdvice}`);
  checkKeys(json, modelJsonKeys, "model.json");
  if (format !== undefined && format !== "layers-model") {
    throw corruptModel(`model.json has format ${describe(format)}, expected "layers-model"`);
  }
  const generatedBy = optionalString(ownField(json, "generatedBy"), "model.json generatedBy");
  const convertedBy = optionalString(ownField(json, "convertedBy"), "model.json convertedBy");
  const topology = parseTopology(ownField(json, "modelTopology"));
  const manifest = parseManifest(ownField(json, "weightsManifest"));
  return { ...topology, manifest, ...(generatedBy === undefined ? {} : { generatedBy }), ...(convertedBy === undefined ? {} : { convertedBy }) };
}
