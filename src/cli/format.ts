/**
 * Number formatting for written values: the shortest decimal that reads back as the same float32, so files
 * carry full precision without float64 noise digits (0.1 rather than 0.10000000149011612). NaN is empty.
 *
 * A values file can hold tens of millions of cells, and `toPrecision` costs about a microsecond, so the common
 * range is formatted from integer digits: scaling by an exact power of ten and dividing back reproduces
 * exactly what parsing the decimal would give, which is what the round-trip test needs.
 */

const POW10: number[] = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

function pow(x: number): number {
  return x >= 0 ? POW10[x] : 1 / POW10[-x];
}

/** The reference definition, used outside the fast range: fewest significant digits that round-trip. */
function slowFormat(v: number): string {
  for (let p = 1; p < 9; p++) {
    const s = Number(v.toPrecision(p));
    if (Math.fround(s) === v) return String(s);
  }
  return String(Number(v.toPrecision(9)));
}

export function formatValue(v: number): string {
  if (v !== v) return '';
  if (v === 0) return '0';
  const a = v < 0 ? -v : v;
  if (!(a >= 1e-6 && a < 1e15)) return slowFormat(v);
  // Decimal exponent of a; log10 can be off by one next to exact powers of ten, so correct it.
  let e = Math.floor(Math.log10(a));
  if (a >= pow(e + 1)) e++;
  else if (a < pow(e)) e--;
  for (let p = 1; p <= 9; p++) {
    let k = p - 1 - e; // a * 10^k has p digits before the point
    if (k > 22 || k < -22) return slowFormat(v);
    let m = Math.round(k >= 0 ? a * POW10[k] : a / POW10[-k]);
    const back = k >= 0 ? m / POW10[k] : m * POW10[-k];
    if (Math.fround(back) !== a) continue;
    while (m % 10 === 0 && m !== 0) {
      m /= 10;
      k--;
    }
    const digits = String(m);
    let s: string;
    if (k <= 0) s = digits + '0'.repeat(-k);
    else if (digits.length > k) s = digits.slice(0, digits.length - k) + '.' + digits.slice(digits.length - k);
    else s = '0.' + '0'.repeat(k - digits.length) + digits;
    return v < 0 ? '-' + s : s;
  }
  return slowFormat(v);
}
