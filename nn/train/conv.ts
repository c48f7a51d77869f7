// 2-D convolution ("valid", channels last) whose gradients are themselves forward convolutions.
// The tfjs wasm backend has no Conv2DBackpropFilter kernel, so tf.conv2d cannot be trained on it;
// this op keeps tf.conv2d (XNNPACK) for the forward pass and expresses both gradients with
// kernels every backend has:
//   filter gradient: dW[i][j][c][f] = sum over b, y, x of in[b][s·y + i][s·x + j][c] · dy[b][y][x][f],
//     a convolution of the input (batch and channel axes swapped) by dy (dilated by the stride);
//   input gradient (stride 1): the "full" convolution of dy by the kernel rotated 180 degrees
//     with its channel axes swapped; (stride > 1): tfjs's conv2dTranspose.

import * as tf from "@tensorflow/tfjs";

/** Strides [vertical, horizontal], each ≥ 1. */
export type Strides = readonly [number, number];

function filterGradient(input: tf.Tensor4D, dy: tf.Tensor4D, kernelShape: readonly number[], strides: Strides): tf.Tensor4D {
  const [kh, kw] = kernelShape as [number, number];
  const swapped = tf.transpose(input, [3, 1, 2, 0]);                // [c, h, w, b]
  const filter = tf.transpose(dy, [1, 2, 0, 3]);                     // [oh, ow, b, f]
  const full = tf.conv2d(swapped, filter, 1, "valid", "NHWC", [strides[0], strides[1]]); // [c, ≥kh, ≥kw, f]
  const window = full.shape[1] === kh && full.shape[2] === kw ? full : tf.slice(full, [0, 0, 0, 0], [-1, kh, kw, -1]);
  return tf.transpose(window, [1, 2, 0, 3]);                         // [kh, kw, c, f]
}

function inputGradient(dy: tf.Tensor4D, kernel: tf.Tensor4D, inputShape: [number, number, number, number], strides: Strides): tf.Tensor4D {
  if (strides[0] !== 1 || strides[1] !== 1) return tf.conv2dTranspose(dy, kernel, inputShape, [strides[0], strides[1]], "valid");
  const [kh, kw] = kernel.shape;
  const padded = tf.pad(dy, [[0, 0], [kh - 1, kh - 1], [kw - 1, kw - 1], [0, 0]]);
  const flipped = tf.transpose(tf.reverse(kernel, [0, 1]), [0, 1, 3, 2]);
  return tf.conv2d(padded, flipped, 1, "valid");
}

/**
 * y = conv2d(input, kernel) with "valid" padding (pad explicitly with tf.pad first). `input` is
 * [batch, h, w, c], `kernel` [kh, kw, c, filters] (the TensorFlow.js order), h ≥ kh, w ≥ kw.
 * Differentiable on every backend, the wasm backend included. `inputGradient: false` (for a
 * first layer, whose input is data) returns zeros as the input's gradient instead of computing it.
 */
export function conv2dValid(input: tf.Tensor4D, kernel: tf.Tensor4D, strides: Strides, options: { inputGradient?: boolean } = {}): tf.Tensor4D {
  const withInputGradient = options.inputGradient ?? true;
  const op = tf.customGrad((x, k, save) => {
    const xs = x as tf.Tensor4D;
    const ks = k as tf.Tensor4D;
    (save as tf.GradSaveFunc)([xs, ks]);
    return {
      value: tf.conv2d(xs, ks, [strides[0], strides[1]], "valid"),
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
        const [savedInput, savedKernel] = saved as [tf.Tensor4D, tf.Tensor4D];
        return [
          withInputGradient ? inputGradient(dy, savedKernel, savedInput.shape, strides) : tf.zerosLike(savedInput),
          filterGradient(savedInput, dy, savedKernel.shape, strides),
        ];
      },
    };
  });
  return op(input, kernel) as tf.Tensor4D;
}
