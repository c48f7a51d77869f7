// `--bootstrap` of the encrypted-training command line: the bootstrap16 parameters, the refresh
// shape for the layout's blocks, the client's bootstrapping keys (serialized, seeded, as they
// would be uploaded) and the refresh workers that hold them.

import { Bootstrapper, type BootstrappingLiteral } from "../../engine/circuits/bootstrapping/bootstrapper.js";
import { EncapsulationKeys } from "../../engine/circuits/bootstrapping/encapsulation.js";
import { serializeEncapsulationKeys } from "../../engine/circuits/bootstrapping/encapsulation-serialization.js";
import { bootstrapPresets } from "../../engine/circuits/bootstrapping/presets.js";
import type { KeyGenerator } from "../../engine/key-generator.js";
import { OffHeapGaloisKeys } from "../../engine/off-heap-keys.js";
import { Parameters } from "../../engine/parameters.js";
import { serializeParameters } from "../../engine/serialization/serialize.js";
import { trainingLayout } from "../training/layout.js";
import type { TrainingShape } from "../training/plan.js";
import { defaultRefreshScaleDown, refreshShape } from "../training/refresh.js";
import { checkTrainingOptions, type TrainingOptions } from "../training/schedule.js";
import { bundle } from "../wire.js";
import { RefreshPool } from "./refresh-pool.js";

/** The preset whose parameters a bootstrapped training runs on. */
export const refreshPreset = "bootstrap16";

export interface RefreshSetup {
  readonly params: Parameters;
  readonly shape: BootstrappingLiteral;
  /** The bootstrapping's plan: plan the training with it (its outputLevel). */
  readonly plan: ReturnType<typeof Bootstrapper.planFor>;
}

/** The refresh preset's parameters and the shape for the blocks of the layout `shape` and `options` give. */
export function refreshSetup(shape: TrainingShape, options: TrainingOptions): RefreshSetup {
  const preset = bootstrapPresets[refreshPreset]!;
  const params = Parameters.create(preset.parameters);
  const checked = checkTrainingOptions(options, "plan bootstrapped training");
  const layout = trainingLayout(params.maxSlots, shape.samples, shape.features, checked.featureGroups, checked.shards);
  const literal = refreshShape(preset.bootstrapping, layout.blockSize);
  return { params, shape: literal, plan: Bootstrapper.planFor(params, literal) };
}

export interface StartedRefresh {
  readonly pool: RefreshPool;
  /** Bytes of the bootstrapping keys as uploaded (Galois keys seeded, encapsulation keys). */
  readonly keyBytes: number;
  readonly keySeconds: number;
  readonly loadSeconds: number;
}

/** Client: the bootstrapping keys; server: `threads` refresh workers holding them (each besides the relinearization key). */
export async function startRefresh(setup: RefreshSetup, keygen: KeyGenerator, relinearizationKey: Uint8Array, threads: number): Promise<StartedRefresh> {
  const { params, shape, plan } = setup;
  let started = performance.now();
  const galoisKeys = bundle(OffHeapGaloisKeys.serializeEach(keygen, plan.rotationSteps, { conjugate: true }));
  const weight = plan.shape.ephemeralHammingWeight;
  using encapsulationKeys = weight === 0 ? undefined : EncapsulationKeys.generate(keygen, weight);
  const encapsulation = encapsulationKeys === undefined ? undefined : serializeEncapsulationKeys(encapsulationKeys);
  const keySeconds = (performance.now() - started) / 1000;
  const keyBytes = galoisKeys.bytes.length + (encapsulation?.length ?? 0);
  started = performance.now();
  const pool = await RefreshPool.start(params, {
    params: serializeParameters(params), insecure: params.insecure, relinearizationKey, galoisKeys, encapsulation, shape, scaleDown: defaultRefreshScaleDown,
  }, threads);
  return { pool, keyBytes, keySeconds, loadSeconds: (performance.now() - started) / 1000 };
}
