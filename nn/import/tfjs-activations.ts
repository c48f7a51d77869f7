// Activations of an imported model. Only "linear" maps as it is (to nothing); any other
// activation is refused with what to do instead, unless the caller's `replace` option supplies
// element-wise specs ("polyActivation" or "square") to stand in its place.

import { type FheError, describe } from "../../engine/ring/errors.js";
import type { PolyActivationSpec, SquareSpec } from "../model-spec.js";
import { quoted, type LayerConfig } from "./tfjs-config.js";
import { denseArray, isJsonObject, ownField, unknownField, unsupportedModel, type JsonObject } from "./tfjs-json.js";

/** The specs that may stand for an activation: element-wise, shape-preserving layers. */
export type ActivationSpec = PolyActivationSpec | SquareSpec;

const softmaxNames = ["softmax", "log_softmax", "logSoftmax"];
const polyKeys = ["type", "name", "basis", "interval", "coefficients", "approximates"];
const squareKeys = ["type", "name"];

/** The refusal of activation `activation` in `layer`, saying what to do instead. */
function refusal(layer: LayerConfig, activation: string): FheError {
  const name = quoted(activation);
  if (softmaxNames.includes(activation)) {
    return layer.unsupported(`uses activation ${name}: output logits (activation 'linear') and take the argmax after decryption`);
  }
  return layer.unsupported(
    `uses activation ${name}: replace it by PolyActivation(${activation}, degree, interval) and fine-tune, ` +
    `or substitute a polynomial at import with options.replace { ${name}: <polyActivation spec> }`,
  );
}

/**
 * `options.replace`, validated: keys are layer names or activation names, values one spec or a
 * non-empty array of specs, each "polyActivation" or "square". A layer-name key wins over an
 * activation-name key. Every key must replace something (checked by `checkAllUsed`).
 */
export class Replacements {
  private readonly table = new Map<string, readonly ActivationSpec[]>();
  private readonly used = new Set<string>();

  constructor(option: unknown) {
    if (option === undefined) return;
    if (!isJsonObject(option)) throw unsupportedModel(`options.replace must be an object keyed by layer or activation name, got ${describe(option)}`);
    for (const key of Object.keys(option)) {
      const value = option[key];
      const where = `options.replace[${describe(key)}]`;
      const list = denseArray(value) ?? [value];
      if (list.length === 0) throw unsupportedModel(`${where} is an empty array: give at least one spec`);
      this.table.set(key, list.map((spec: unknown) => checkActivationSpec(spec, where)));
    }
  }

  /** The specs for `activation` of `layer`: none for "linear", the replacement, or a refusal. */
  activation(layer: LayerConfig, activation: string): ActivationSpec[] {
    if (activation === "linear") return [];
    const key = this.table.has(layer.name) ? layer.name : activation;
    const specs = this.table.get(key);
    if (specs === undefined) throw refusal(layer, activation);
    this.used.add(key);
    return specs.map(copySpec);
  }

  /** Refuses keys that replaced nothing (a typo, or a layer whose activation is supported). */
  checkAllUsed(layers: readonly LayerConfig[]): void {
    for (const key of this.table.keys()) {
      if (this.used.has(key)) continue;
      const layer = layers.find((l) => l.name === key);
      if (layer !== undefined) throw unsupportedModel(`options.replace[${describe(key)}]: ${layer.label} has no refused activation to replace`);
      throw unsupportedModel(`options.replace[${describe(key)}] names no layer of the model and no activation it refuses`);
    }
  }
}

/** A fresh copy, so the returned model never shares arrays with the caller's options. */
function copySpec(spec: ActivationSpec): ActivationSpec {
  if (spec.type === "square") return { ...spec };
  return { ...spec, interval: [spec.interval[0], spec.interval[1]], coefficients: [...spec.coefficients] };
}

function checkActivationSpec(spec: unknown, where: string): ActivationSpec {
  if (!isJsonObject(spec)) throw unsupportedModel(`${where} must be a layer spec object, got ${describe(spec)}`);
  const type = ownField(spec, "type");
  if (type !== "polyActivation" && type !== "square") {
    throw unsupportedModel(`${where} has type ${describe(type)}: only element-wise specs ("polyActivation" or "square") can stand for an activation`);
  }
  checkSpecKeys(spec, type === "square" ? squareKeys : polyKeys, where);
  const name = optionalSpecString(spec, "name", where);
  if (type === "square") return { type, ...(name === undefined ? {} : { name }) };
  const basis = ownField(spec, "basis");
  if (basis !== "chebyshev" && basis !== "monomial") throw unsupportedModel(`${where} has basis ${describe(basis)}, expected "chebyshev" or "monomial"`);
  const interval = denseArray(ownField(spec, "interval"));
  if (interval?.length !== 2 || !interval.every(isFiniteNumber) || !((interval[0] as number) < (interval[1] as number))) {
    throw unsupportedModel(`${where} has interval ${describe(ownField(spec, "interval"))}, expected [a, b] with finite a < b`);
  }
  const coefficients = denseArray(ownField(spec, "coefficients"));
  if (coefficients === undefined || coefficients.length === 0 || !coefficients.every(isFiniteNumber)) {
    throw unsupportedModel(`${where} has coefficients ${describe(ownField(spec, "coefficients"))}, expected a non-empty array of finite numbers`);
  }
  const approximates = optionalSpecString(spec, "approximates", where);
  return {
    type, basis, interval: [interval[0] as number, interval[1] as number], coefficients: coefficients as number[],
    ...(name === undefined ? {} : { name }), ...(approximates === undefined ? {} : { approximates }),
  };
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function checkSpecKeys(spec: JsonObject, known: readonly string[], where: string): void {
  const unknown = unknownField(spec, known);
  if (unknown !== undefined) throw unsupportedModel(`${where} ${unknown}`);
}

function optionalSpecString(spec: JsonObject, key: string, where: string): string | undefined {
  const value = ownField(spec, key);
  if (value !== undefined && typeof value !== "string") throw unsupportedModel(`${where} has ${key} ${describe(value)}, expected a string`);
  return value;
}
