// The Sequential topology of a model.json (tfjs-layers/src/models.ts: Sequential.fromConfig):
// the layers in order, each with its class name, unique name and raw snake_case config.

import { describe } from "../../engine/ring/errors.js";
import { corruptModel, denseArray, isJsonObject, optionalString, ownField, unsupportedModel, type JsonObject } from "./tfjs-json.js";

/** One layer of the Sequential topology; `config` is its snake_case config, unread. */
export interface TopologyLayer {
  readonly className: string;
  readonly name: string;
  readonly config: JsonObject;
}

export const graphModelAdvice =
  "a graph model (tf.saved_model or a frozen graph) cannot be imported: a LayersModel is needed; " +
  "convert the Keras model with tensorflowjs_converter --input_format keras, or save a tf.LayersModel";

/**
 * The Sequential topology: `{class_name: "Sequential", config: {name, layers}}`, or the legacy
 * form whose config is the bare array of layers; a `model_config` wrapper (written by the
 * Keras converter) is unwrapped first, as tfjs does.
 */
export function parseTopology(value: unknown): { readonly name?: string; readonly layers: readonly TopologyLayer[] } {
  if (!isJsonObject(value)) throw corruptModel(`model.json modelTopology must be an object, got ${describe(value)}`);
  if (Object.hasOwn(value, "node")) throw unsupportedModel(`modelTopology is a GraphDef: ${graphModelAdvice}`);
  const wrapped = ownField(value, "model_config");
  const topology = wrapped === undefined || wrapped === null ? value : wrapped;
  if (!isJsonObject(topology)) throw corruptModel(`modelTopology.model_config must be an object, got ${describe(topology)}`);
  const className = ownField(topology, "class_name");
  if (className === "Model" || className === "Functional") {
    throw unsupportedModel(`the model is a functional ${className}: only Sequential models can be imported; rebuild it as a Sequential model (tf.sequential or keras.Sequential)`);
  }
  if (className !== "Sequential") throw corruptModel(`modelTopology class_name must be "Sequential", got ${describe(className)}`);
  const config = ownField(topology, "config");
  const legacy = denseArray(config);
  if (legacy !== undefined) return { layers: parseLayers(legacy) };
  if (!isJsonObject(config)) throw corruptModel(`modelTopology config must be an object or an array of layers, got ${describe(config)}`);
  const name = optionalString(ownField(config, "name"), "modelTopology config.name");
  const layers = denseArray(ownField(config, "layers"));
  if (layers === undefined) throw corruptModel(`modelTopology config.layers must be an array, got ${describe(layers)}`);
  return { ...(name === undefined ? {} : { name }), layers: parseLayers(layers) };
}

function parseLayers(entries: readonly unknown[]): TopologyLayer[] {
  if (entries.length === 0) throw corruptModel("the Sequential model has no layers");
  const names = new Set<string>();
  return entries.map((entry, index) => {
    const where = `layer ${index} of the topology`;
    if (!isJsonObject(entry)) throw corruptModel(`${where} must be an object {class_name, config}, got ${describe(entry)}`);
    const className = ownField(entry, "class_name");
    if (typeof className !== "string" || className === "") throw corruptModel(`${where} has class_name ${describe(className)}, expected a layer class name`);
    const config = ownField(entry, "config");
    if (!isJsonObject(config)) throw corruptModel(`${where} (${className}) has config ${describe(config)}, expected an object`);
    const name = ownField(config, "name");
    if (typeof name !== "string" || name === "") throw corruptModel(`${where} (${className}) has name ${describe(name)}, expected a non-empty string`);
    if (names.has(name)) throw corruptModel(`two layers are named ${describe(name)}: layer names must be unique`);
    names.add(name);
    return { className, name, config };
  });
}
