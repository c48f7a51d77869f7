// Window geometry shared by the layers and the TensorFlow.js importer.

/** TensorFlow's "same" padding of one axis of `size` for a window k, stride s: [before, after], the odd pixel after. */
export function samePadding(size: number, k: number, s: number): [number, number] {
  const total = Math.max((Math.ceil(size / s) - 1) * s + k - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** Outputs of a window k, stride s over `size` padded by `before` and `after` (≤ 0 when the window does not fit). */
export function windowOutputs(size: number, before: number, after: number, k: number, s: number): number {
  return size + before + after < k ? 0 : Math.floor((size + before + after - k) / s) + 1;
}
