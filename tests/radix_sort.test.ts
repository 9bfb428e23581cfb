/**
 * The shared float32 radix sort against a plain comparison sort: mixed signs, -0 and +0, ties (kept in stock
 * order), subsets of stocks, and values crowded into one top-16-bit group (the insertion sort's give-up path).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32 } from '../src/util/rng.ts';
import { bitsOf, FloatSorter } from '../kernels/cpu/radix_sort.ts';

function expected(v: Float32Array, off: number, stocks: number[]): number[] {
  // Stable by construction: ties broken by position in `stocks`.
  return stocks.map((j, p) => ({ j, p, x: v[off + j] === 0 ? 0 : v[off + j] })).sort((a, b) => a.x - b.x || a.p - b.p).map((e) => e.j);
}

test('FloatSorter orders finite float32 values like a stable comparison sort', () => {
  const rng = mulberry32(5);
  const N = 257;
  const sorter = new FloatSorter(N);
  const kinds: Array<[string, () => number]> = [
    ['wide', () => (rng() - 0.5) * Math.exp(rng() * 40 - 20)],
    ['ties', () => Math.floor(rng() * 7) - 3],
    ['signed zeros', () => (rng() < 0.5 ? -0 : rng() < 0.5 ? 0 : rng() - 0.5)],
    ['crowded', () => 1000 + rng() * 1e-3],
    ['crowded negative', () => -1 - Math.floor(rng() * 40) * 1e-6],
  ];
  for (const [name, draw] of kinds) {
    for (let trial = 0; trial < 5; trial++) {
      const rows = 3;
      const v = Float32Array.from({ length: rows * N }, draw);
      const bits = bitsOf(v);
      for (let t = 0; t < rows; t++) {
        const stocks = Array.from({ length: N }, (_, j) => j).filter(() => rng() < 0.8);
        const got = sorter.sort(bits, t * N, Int32Array.from(stocks), stocks.length);
        assert.deepEqual(Array.from(got.subarray(0, stocks.length)), expected(v, t * N, stocks), `${name} trial ${trial} row ${t}`);
      }
    }
  }
});
