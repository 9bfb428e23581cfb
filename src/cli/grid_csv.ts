/**
 * Long CSV of panel-shaped values: one row per (row key, code), keys in the given order and codes ascending,
 * one column per `[rows, codes]` matrix (empty where the value is NaN or the column has no values). `--values`,
 * `--daily` and `labels --out` all write this shape, through one buffered writer.
 */
import { openSync, writeSync, closeSync } from 'node:fs';
import { formatValue } from './format.ts';

export interface GridColumn {
  name: string;
  /** `[rows, codes]` time-major values; undefined leaves the column empty (e.g. a line that failed to parse). */
  values?: Float32Array;
}

export function writeGridCsv(path: string, keyName: string, keys: readonly string[], codes: readonly string[], columns: readonly GridColumn[]): void {
  const fd = openSync(path, 'w');
  try {
    let buf = [keyName, 'code', ...columns.map((c) => c.name)].join(',') + '\n';
    const N = codes.length;
    // Panel codes are ascending already; sorting anyway keeps the file's order independent of the loader.
    const order = codes.map((_, j) => j).sort((a, b) => (codes[a] < codes[b] ? -1 : codes[a] > codes[b] ? 1 : 0));
    const arrays = columns.map((c) => c.values);
    for (let k = 0; k < keys.length; k++) {
      for (const j of order) {
        let row = keys[k] + ',' + codes[j];
        const cell = k * N + j;
        for (const a of arrays) row += a ? ',' + formatValue(a[cell]) : ',';
        buf += row + '\n';
        if (buf.length > 1 << 20) {
          writeSync(fd, buf);
          buf = '';
        }
      }
    }
    writeSync(fd, buf);
  } finally {
    closeSync(fd);
  }
}
