// Assigns the manifest's weights to the layers that own them. A weight "dense_1/kernel" belongs
// to the layer named "dense_1" (everything before the last "/"); within a layer it fills the
// role it names ("kernel", "bias", "gamma", …), else the role at its index (Keras 3 writes
// "dense_1/0", "dense_1/1"), else the role at its position among the layer's weights in
// manifest order. Every weight must be used by exactly one layer.

import { describe } from "../../engine/ring/errors.js";
import type { LayerConfig } from "./tfjs-config.js";
import { corruptModel, formatShape } from "./tfjs-json.js";
import type { DecodedWeight } from "./tfjs-weights.js";

/** A weight a layer needs: its role name and the shape its config implies. */
export interface WeightRole {
  readonly role: string;
  readonly shape: readonly number[];
}

const indexPattern = /^(0|[1-9][0-9]*)$/;

export class LayerWeights {
  private readonly byLayer = new Map<string, DecodedWeight[]>();
  private readonly claimed = new Set<string>();

  constructor(weights: readonly DecodedWeight[]) {
    for (const weight of weights) {
      const slash = weight.entry.name.lastIndexOf("/");
      if (slash <= 0) throw corruptModel(`the weight ${describe(weight.entry.name)} does not name its layer ("layer/weight")`);
      const layer = weight.entry.name.slice(0, slash);
      const list = this.byLayer.get(layer) ?? [];
      list.push(weight);
      this.byLayer.set(layer, list);
    }
  }

  /**
   * The values of `roles`, in the order given, checked against the shapes the layer's config
   * implies (CORRUPT_DATA on a missing, extra, duplicated or misshapen weight).
   */
  take(layer: LayerConfig, roles: readonly WeightRole[]): Float64Array[] {
    const own = this.claim(layer.name);
    const needs = roles.map((r) => `${r.role} ${formatShape(r.shape)}`).join(", ");
    if (own.length !== roles.length) {
      const has = own.length === 0 ? "none" : own.map((w) => describe(w.entry.name)).join(", ");
      throw layer.corrupt(`needs ${roles.length} weights (${needs}) but the manifest has ${own.length}: ${has}`);
    }
    const assigned = new Map<string, DecodedWeight>();
    own.forEach((weight, position) => {
      const suffix = weight.entry.name.slice(weight.entry.name.lastIndexOf("/") + 1);
      const byName = roles.find((r) => r.role === suffix);
      const index = indexPattern.test(suffix) ? Number(suffix) : position;
      const role = byName ?? roles[index];
      if (role === undefined) throw layer.corrupt(`has the weight ${describe(weight.entry.name)}, whose index is beyond its ${roles.length} weights (${needs})`);
      const other = assigned.get(role.role);
      if (other !== undefined) throw layer.corrupt(`has two weights for its ${role.role}: ${describe(other.entry.name)} and ${describe(weight.entry.name)}`);
      assigned.set(role.role, weight);
    });
    return roles.map((role) => {
      const weight = assigned.get(role.role)!;
      const shape = weight.entry.shape;
      if (shape.length !== role.shape.length || shape.some((d, i) => d !== role.shape[i])) {
        throw layer.corrupt(`needs its ${role.role} of shape ${formatShape(role.shape)}, but the weight ${describe(weight.entry.name)} has shape ${formatShape(shape)}`);
      }
      return weight.values;
    });
  }

  /** Marks a layer's weights as used without reading them (a layer replaced at import). */
  discard(layer: LayerConfig): void {
    this.claim(layer.name);
  }

  /** Refuses weights no layer took, naming the weight and its would-be layer. */
  checkAllClaimed(layers: readonly LayerConfig[]): void {
    for (const [name, weights] of this.byLayer) {
      if (this.claimed.has(name)) continue;
      const weight = describe(weights[0]!.entry.name);
      const layer = layers.find((l) => l.name === name);
      if (layer !== undefined) throw layer.corrupt(`takes no weights, but the manifest has the weight ${weight}`);
      throw corruptModel(`the weight ${weight} names no layer of the model`);
    }
  }

  private claim(name: string): DecodedWeight[] {
    this.claimed.add(name);
    return this.byLayer.get(name) ?? [];
  }
}
