/**
 * Writes a synthetic market to disk in the formats the loaders read: the long bar CSV (plain, or gzip when the
 * name ends in .gz) and the per-stock attributes CSV beside it. Numbers are written so that loading them back
 * gives the generated float32 values exactly. Node and Deno only (node:fs, node:zlib).
 */
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { SyntheticMarket } from './synth.ts';

/** Shortest of a few decimal spellings that parses back to the same float32 (prices take the 2-decimal one). */
export function float32Text(v: number): string {
  if (Number.isInteger(v)) return String(v);
  if (v > 0 && v < 1e13) {
    // Whole cents by integer formatting: several times faster than toFixed over millions of cells.
    const cents = Math.round(v * 100);
    if (Math.fround(cents / 100) === v) {
      const whole = Math.floor(cents / 100);
      const frac = cents - whole * 100;
      return whole + (frac < 10 ? '.0' : '.') + frac;
    }
  }
  for (let p = 7; p < 9; p++) {
    const s = v.toPrecision(p);
    if (Math.fround(Number(s)) === v) return String(Number(s));
  }
  return String(Number(v.toPrecision(9)));
}

/** `FILE.csv.gz` / `FILE.csv` / `FILE` → `FILE.attributes.csv`. */
export function attributesPath(barsPath: string): string {
  return barsPath.replace(/(\.csv)?(\.gz)?$/i, '') + '.attributes.csv';
}

const BAR_FIELDS = ['open', 'high', 'low', 'close', 'volume', 'amount', 'vwap'] as const;

/** The bars as long CSV text bytes, by code then time, skipping absent (suspended) bars. */
export function barsCsvBytes(market: SyntheticMarket): Uint8Array {
  const { panel } = market;
  const { T, N } = panel;
  const cols = BAR_FIELDS.map((f) => panel.fields.get(f)!);
  const enc = new TextEncoder();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let buf = `code,${'datetime'},${BAR_FIELDS.join(',')}\n`;
  const flush = () => {
    const b = enc.encode(buf);
    chunks.push(b);
    total += b.length;
    buf = '';
  };
  for (let j = 0; j < N; j++) {
    const code = panel.codes[j];
    for (let t = 0; t < T; t++) {
      const cell = t * N + j;
      if (cols[3][cell] !== cols[3][cell]) continue;
      let row = code + ',' + panel.times[t];
      for (const c of cols) row += ',' + float32Text(c[cell]);
      buf += row + '\n';
    }
    if (buf.length > 1 << 20) flush();
  }
  flush();
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

export function attributesCsv(market: SyntheticMarket): string {
  const { codes, industry, floatShares } = market.attributes;
  let s = 'code,industry,float_shares\n';
  codes.forEach((c, j) => (s += `${c},${industry[j]},${floatShares[j]}\n`));
  return s;
}

/** Writes the bars to `path` (gzip when it ends in .gz) and the attributes beside it; returns that path. */
export function writeMarket(market: SyntheticMarket, path: string): { attributes: string; bytes: number } {
  let bytes = barsCsvBytes(market);
  if (/\.gz$/i.test(path)) bytes = gzipSync(bytes, { level: 4 });
  writeFileSync(path, bytes);
  const attributes = attributesPath(path);
  writeFileSync(attributes, attributesCsv(market));
  return { attributes, bytes: bytes.length };
}
