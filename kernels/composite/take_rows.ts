/**
 * Composite `af_take_rows`: rows of a `[T, N]` panel by int32 index, from standard tfjs ops, with the custom
 * kernels' rule that an index outside the panel gives a NaN row (tf.gather alone would throw or read garbage).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';

export function takeRowsComposite(x: Tensor2D, rows: Tensor1D): Tensor2D {
  const [T, N] = x.shape;
  const R = rows.shape[0];
  return tf.tidy(() => {
    if (T === 0 || R === 0) return tf.fill([R, N], NaN) as Tensor2D;
    const inside = tf.logicalAnd(tf.greaterEqual(rows, 0), tf.less(rows, T));
    // Clamped by minimum/maximum: wasm's clipByValue reads int32 as float32.
    const clamped = tf.minimum(tf.maximum(rows, tf.scalar(0, 'int32')), tf.scalar(T - 1, 'int32'));
    const got = tf.gather(x, clamped, 0) as Tensor2D;
    return tf.where(tf.reshape(inside, [R, 1]), got, tf.fill([R, N], NaN)) as Tensor2D;
  });
}
