// Typed reads of one layer's snake_case config, with errors that name the layer. A value of the
// wrong JSON type is CORRUPT_DATA; a well-typed value the importer cannot map (channels_first,
// dilation, "same" pooling, …) is INVALID_ARGUMENT via `unsupported`, with what to do instead.
// Fields that matter only for training (initializers, regularizers, constraints, trainable,
// dtype, momentum) are never read.

import { type FheError, describe, isInteger } from "../../engine/ring/errors.js";
import { corruptModel, denseArray, ownField, unsupportedModel } from "./tfjs-json.js";
import type { TopologyLayer } from "./tfjs-topology.js";

/** A name as quoted in messages, shortened when very long. */
export function quoted(name: string): string {
  return `'${name.length > 60 ? `${name.slice(0, 60)}…` : name}'`;
}

export class LayerConfig {
  /** "layer 'dense_1' (Dense)", the subject of every message about this layer. */
  readonly label: string;

  constructor(readonly layer: TopologyLayer) {
    this.label = `layer ${quoted(layer.name)} (${layer.className.length > 40 ? `${layer.className.slice(0, 40)}…` : layer.className})`;
  }

  get name(): string {
    return this.layer.name;
  }

  /** CORRUPT_DATA about this layer: "layer 'x' (Class) <reason>". */
  corrupt(reason: string): FheError {
    return corruptModel(`${this.label} ${reason}`);
  }

  /** INVALID_ARGUMENT about this layer: "layer 'x' (Class) <reason>". */
  unsupported(reason: string): FheError {
    return unsupportedModel(`${this.label} ${reason}`);
  }

  /** The field's value; null reads as absent (Keras writes null for defaults). */
  value(key: string): unknown {
    return ownField(this.layer.config, key) ?? undefined;
  }

  positiveInteger(key: string): number {
    const value = this.value(key);
    if (!isInteger(value) || value < 1) throw this.corrupt(`has ${key} ${describe(value)}, expected a positive integer`);
    return value;
  }

  /** A pair of positive integers, written [a, b] or as one integer n meaning [n, n]. */
  pair(key: string, fallback?: readonly [number, number]): [number, number] {
    const value = this.value(key);
    if (value === undefined && fallback !== undefined) return [fallback[0], fallback[1]];
    if (isInteger(value) && value >= 1) return [value, value];
    const pair = denseArray(value);
    if (pair?.length === 2 && pair.every((v) => isInteger(v) && v >= 1)) return [pair[0] as number, pair[1] as number];
    throw this.corrupt(`has ${key} ${describe(value)}, expected a pair of positive integers`);
  }

  flag(key: string, fallback: boolean): boolean {
    const value = this.value(key) ?? fallback;
    if (typeof value !== "boolean") throw this.corrupt(`has ${key} ${describe(value)}, expected true or false`);
    return value;
  }

  string(key: string, fallback: string): string {
    const value = this.value(key) ?? fallback;
    if (typeof value !== "string") throw this.corrupt(`has ${key} ${describe(value)}, expected a string`);
    return value;
  }

  /** A finite number ≥ 0. */
  nonNegative(key: string, fallback: number): number {
    const value = this.value(key) ?? fallback;
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) throw this.corrupt(`has ${key} ${describe(value)}, expected a finite number ≥ 0`);
    return value;
  }

  /** Refuses data_format other than "channels_last" (the default when absent). */
  requireChannelsLast(): void {
    const format = this.string("data_format", "channels_last");
    if (format === "channels_last") return;
    if (format === "channels_first") {
      throw this.unsupported("uses data_format 'channels_first': only channels_last (height, width, channels) is supported; rebuild the model with data_format 'channels_last', the TensorFlow.js default");
    }
    throw this.corrupt(`has data_format ${describe(format)}, expected "channels_last"`);
  }

  /** The activation's name ("linear" when absent). */
  activation(): string {
    return this.string("activation", "linear");
  }
}
