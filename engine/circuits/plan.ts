// What a circuit does to a ciphertext's level and scale, predicted without encrypting anything.

/** Level and scale of a ciphertext, real or predicted. */
export interface LevelScale {
  readonly level: number;
  readonly scale: number;
}

/**
 * The prediction for a circuit: the output level and scale and what it costs. The evaluators
 * execute the same plan and check after every step that reality equals it.
 */
export interface Plan {
  readonly input: LevelScale;
  readonly output: LevelScale;
  /** input.level - output.level. */
  readonly levelsUsed: number;
  /** Ciphertext-by-ciphertext products. */
  readonly nonScalarProducts: number;
  /** Relinearizations plus rotations (each is one key switch). */
  readonly keySwitches: number;
  /** Rotations (Galois key switches). */
  readonly rotations: number;
}

/** Relative tolerance between a planned and an actual scale (floating-point rounding only). */
export const planScaleTolerance = 2 ** -40;
