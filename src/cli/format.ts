/**
 * Number formatting for written values: the shortest decimal that reads back as the same float32, so files
 * carry full precision without float64 noise digits (0.1 rather than 0.10000000149011612). NaN is empty.
 */

export function formatValue(v: number): string {
  if (v !== v) return '';
  for (let p = 6; p < 9; p++) {
    const s = v.toPrecision(p);
    if (Math.fround(Number(s)) === v) return String(Number(s));
  }
  return String(Number(v.toPrecision(9)));
}
