/**
 * Host kernel for the logistic sigmoid 1 / (1 + exp(-x)). Missing inputs (NaN and ±Infinity) give NaN: x - x
 * (0, or NaN when missing) is added to the result.
 *
 * exp(-x) is computed here rather than by Math.exp, about 1.5 times faster (measured): -x, clamped to
 * [-104, 104] (beyond which the float32 result is already exactly 1 or 0), is split as (64 m + j) ln 2 / 64
 * + r with |r| <= ln 2 / 128, and exp(-x) = 2^m 2^(j/64) exp(r), with both powers of two from tables and
 * exp(r) from six terms of its series (relative error below 1e-15). Checked exhaustively: every float32
 * input stores the same float32 result as with Math.exp.
 */
import type { HostKernel } from '../../src/ops/types.ts';
import { checkPanels } from './panel.ts';

/** 2^(j/64) for j = 0..63. */
const POW_FRAC = new Float64Array(64);
for (let j = 0; j < 64; j++) POW_FRAC[j] = Math.pow(2, j / 64);
/** 2^m for m = -160..160, at m + 160 (|-x| <= 104 keeps m within +-151). */
const POW_INT = new Float64Array(321);
for (let m = -160; m <= 160; m++) POW_INT[m + 160] = Math.pow(2, m);
const K = 64 / Math.LN2;
/** ln 2 / 64 in two parts, the first with enough trailing zero bits that k * L_HI is exact for |k| < 2^14. */
const L_HI = 0.010830424696223417;
const L_LO = 2.572804622327669e-14;
/** 1.5 * 2^52: adding and subtracting it rounds a double of magnitude below 2^51 to an integer. */
const ROUND = 6755399441055744;

export const sig: HostKernel = (args) => {
  const size = checkPanels(args, 1);
  const x = args.xs[0], out = args.out;
  for (let i = 0; i < size; i++) {
    const a = x[i];
    let y = -a;
    y = y > 104 ? 104 : y < -104 ? -104 : y; // NaN stays NaN
    const kd = y * K + ROUND - ROUND; // nearest integer to y * 64 / ln 2
    const k = kd | 0;
    const r = y - kd * L_HI - kd * L_LO;
    const e = 1 + r * (1 + r * (1 / 2 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120)))));
    out[i] = 1 / (1 + POW_INT[(k >> 6) + 160] * POW_FRAC[k & 63] * e) + (a - a);
  }
};
