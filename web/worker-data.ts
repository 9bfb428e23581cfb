/**
 * The mining worker's side of user data and run set-up, kept out of web/mine-worker.ts so that file only routes
 * messages: parsing a dropped bar file with src/data/load.ts (the same loader the CLI uses, so the same formats
 * and the same errors), summarising the panel for <af-data-panel>, turning a loader error into plain data with
 * the offending line's text, and the operator rows <af-run-panel> offers as checkboxes. Runs in the worker only:
 * the operator table pulls in every kernel, which the page itself never needs.
 */
import { detectFormat, parseData } from '../src/data/load.ts';
import { tradingDays } from '../src/data/calendar.ts';
import { isGzip } from '../src/data/csv_parse.ts';
import type { Panel } from '../src/data/panel.ts';
import { OPS } from '../src/ops/table.ts';
import { DEFAULT_WINDOWS } from '../src/gp/primitives.ts';
import type { DataFileInfo, DataLoadError, FromWorker } from './protocol.ts';

/** The longest line text sent back: enough to see the cell at fault, not a whole wide row of a broken file. */
const MAX_LINE_TEXT = 400;

export function setupMessage(): Extract<FromWorker, { type: 'setup' }> {
  return {
    type: 'setup',
    ops: OPS.map((op) => ({ name: op.name, args: [...op.args], kind: op.kind, minWindow: op.minWindow, doc: op.doc })),
    windows: [...DEFAULT_WINDOWS],
  };
}

export async function loadFile(name: string, bytes: Uint8Array): Promise<{ panel: Panel; info: DataFileInfo }> {
  const t0 = performance.now();
  const panel = await parseData(bytes, { source: name });
  // The calendar check also rejects panels whose times are not dates, which the miner would trip over later.
  const cal = tradingDays(panel);
  const close = panel.fields.get('close');
  let present = 0;
  if (close) for (let i = 0; i < close.length; i++) if (close[i] === close[i]) present++;
  return {
    panel,
    info: {
      name, size: bytes.length, format: detectFormat(bytes), stocks: panel.N, bars: panel.T, days: cal.days.length,
      firstDay: cal.days[0] ?? '', lastDay: cal.days[cal.days.length - 1] ?? '',
      firstBar: panel.times[0] ?? '', lastBar: panel.times[panel.T - 1] ?? '',
      fields: [...panel.fields.keys()],
      coverage: close && close.length ? present / close.length : 0,
      ms: performance.now() - t0,
    },
  };
}

/** Line `line` (1-based) of a plain or gzip CSV, or undefined (Parquet, or the line is not there). */
async function lineText(bytes: Uint8Array, line: number): Promise<string | undefined> {
  if (detectFormat(bytes) === 'parquet' || line < 1) return undefined;
  let raw = bytes;
  if (isGzip(bytes)) {
    try {
      const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
      raw = new Uint8Array(await new Response(stream).arrayBuffer());
    } catch {
      return undefined;
    }
  }
  let start = 0;
  for (let l = 1; l < line; l++) {
    const nl = raw.indexOf(10, start);
    if (nl < 0) return undefined;
    start = nl + 1;
  }
  let end = raw.indexOf(10, start);
  if (end < 0) end = raw.length;
  const text = new TextDecoder().decode(raw.subarray(start, Math.min(end, start + MAX_LINE_TEXT * 4))).replace(/\r$/, '');
  return text.length > MAX_LINE_TEXT ? text.slice(0, MAX_LINE_TEXT) + '…' : text;
}

/** Any loader failure as plain data; a DataError (src/data/csv_parse.ts) keeps its file, line and column. */
export async function describeLoadError(e: unknown, name: string, bytes: Uint8Array): Promise<DataLoadError> {
  const err = e as { name?: string; message?: string; file?: string; line?: number; column?: number; columnName?: string; reason?: string };
  const message = err?.message ?? String(e);
  if (err?.name !== 'DataError') return { file: name, message, reason: message };
  // Checks after parsing (the calendar) name the panel, not the file: the user knows it by its file name.
  const out: DataLoadError = { file: err.file && !err.file.startsWith('<') ? err.file : name, message, reason: err.reason ?? message };
  if (err.line) {
    out.line = err.line;
    const text = await lineText(bytes, err.line);
    if (text !== undefined) out.text = text;
  }
  if (err.column !== undefined) out.column = err.column;
  if (err.columnName !== undefined) out.columnName = err.columnName;
  return out;
}
