/**
 * Written values: the shortest decimal that reads back as the same float32, checked against the definition
 * (fewest significant digits from toPrecision that round-trip) over random float32 values of every magnitude.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatValue } from '../src/cli/format.ts';
import { mulberry32 } from '../src/util/rng.ts';

function reference(v: number): string {
  if (Number.isNaN(v)) return '';
  for (let p = 1; p <= 9; p++) {
    const s = Number(v.toPrecision(p));
    if (Math.fround(s) === v) return String(s);
  }
  throw new Error(`no round trip for ${v}`);
}

test('formatValue is the shortest float32 round trip', () => {
  const rng = mulberry32(3);
  const bits = new Uint32Array(1);
  const f = new Float32Array(bits.buffer);
  const cases: number[] = [0, -0, 1, -1, 0.1, 11.73, 1e-6, 9.999999e-7, 1e15, 123456789, 0.30000001, 3.4028234663852886e38, 1.401298464324817e-45, NaN].map(Math.fround);
  for (let i = 0; i < 200000; i++) {
    bits[0] = Math.floor(rng() * 2 ** 32);
    if (Number.isFinite(f[0])) cases.push(f[0]);
    // Also "nice" decimals, as prices and volumes are.
    cases.push(Math.fround(Math.round(rng() * 1e6) / 10 ** Math.floor(rng() * 8)));
  }
  for (const v of cases) {
    const s = formatValue(v);
    if (Number.isNaN(v)) {
      assert.equal(s, '');
      continue;
    }
    // Negative zero is written as 0.
    assert.ok(Math.fround(Number(s)) === v, `${v} -> ${s}`);
    assert.equal(s, reference(v), `${v}`);
  }
});
