/**
 * A WebGPU device lost in the middle of scoring (a driver reset, a GPU taken away; here `destroy()`) must end the
 * read with DeviceError naming the loss, not with a bare error or a hang. Its own file: the device cannot be used
 * afterwards. Deno only, as the other WebGPU tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { DeviceError } from '../src/eval/backend.ts';
import { Scorer } from '../src/eval/scorer.ts';
import { MIN_STOCKS } from '../src/fitness/metrics.ts';
import { generateMarket } from '../src/data/synth.ts';
import { tradingDays } from '../src/data/calendar.ts';
import { computeLabels } from '../src/data/labels.ts';
import { parse } from '../src/expr/parse.ts';
import { webgpuOrSkip } from './gpu/webgpu_only.ts';

test('a WebGPU device lost while scoring ends the scoring with DeviceError', async (t) => {
  if (!(await webgpuOrSkip(t))) return;
  const { panel } = generateMarket({ seed: 4, stocks: 40, days: 90, barsPerDay: 4 });
  const cal = tradingDays(panel);
  const scorer = new Scorer(panel, {
    labels: computeLabels(panel, { horizon: 1 }).values, dayStart: cal.start, dayEnd: cal.end, first: 40, last: 79, margin: 48,
    groups: 5, minStocks: MIN_STOCKS, refDays: Int32Array.of(0, 9),
  });
  const exprs = Array.from({ length: 200 }, (_, i) => parse(`ts_Mean(${2 + (i % 40)},${['close', 'volume', 'high', 'low', 'open'][Math.floor(i / 40)]})`));
  // Scored once, so that the lost run below fails in its reads, not in compiling.
  assert.equal((await scorer.score(exprs.slice(0, 8))).length, 8);
  const device = (tf.backend() as unknown as { device: { destroy(): void } }).device;
  const scoring = scorer.score(exprs);
  device.destroy();
  await assert.rejects(scoring, (e: unknown) => e instanceof DeviceError && /the WebGPU device was lost/.test(e.message));
  // Later reads say the same at once.
  await assert.rejects(scorer.score(exprs.slice(0, 2)), DeviceError);
  scorer.dispose();
});
