/**
 * `alphaflow eval`: evaluate factor expressions on bar data, print a summary per expression and optionally
 * write every value as long CSV. A line that fails to parse is reported as `LINE:COLUMN: message` and its
 * column stays empty; the others are still evaluated and written (nothing is lost to one bad line).
 */
import { readFileSync, openSync, writeSync, closeSync } from 'node:fs';
import type { CommandSpec } from './args.ts';
import { UsageError, numberOption } from './args.ts';
import { DATA_HELP, panelFromArgs } from './data_source.ts';
import { parse } from '../expr/parse.ts';
import { print } from '../expr/print.ts';
import { ParseError } from '../expr/errors.ts';
import type { Node } from '../expr/ast.ts';
import type { Panel } from '../data/panel.ts';
import { evaluateToArrays } from '../eval/evaluate.ts';
import { availableCores } from '../eval/pool.ts';
import { formatValue } from './format.ts';

interface ExprLine {
  /** 1-based line in the source (1 for --expr). */
  line: number;
  text: string;
  node?: Node;
  error?: ParseError;
}

/** Non-empty lines that are not `#` comments, with their line numbers. */
export function readExprLines(text: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const t = raw.trim();
    if (t && !t.startsWith('#')) out.push({ line: i + 1, text: t });
  });
  return out;
}

function stats(values: Float32Array): { coverage: number; mean: number; std: number } {
  let n = 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === v) {
      n++;
      sum += v;
    }
  }
  const mean = n ? sum / n : NaN;
  let ss = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === v) ss += (v - mean) * (v - mean);
  }
  return { coverage: values.length ? n / values.length : 0, mean, std: n > 1 ? Math.sqrt(ss / (n - 1)) : NaN };
}

/** Writes `datetime,code,f0,...` rows in panel order (time, then code) with buffered writes. */
function writeValues(path: string, panel: Panel, lines: ExprLine[], values: (Float32Array | undefined)[]): void {
  const fd = openSync(path, 'w');
  try {
    const header = ['datetime', 'code', ...lines.map((_, i) => `f${i}`)].join(',');
    let buf = header + '\n';
    const { T, N } = panel;
    for (let t = 0; t < T; t++) {
      const time = panel.times[t];
      for (let j = 0; j < N; j++) {
        let row = time + ',' + panel.codes[j];
        const cell = t * N + j;
        for (let k = 0; k < values.length; k++) {
          const a = values[k];
          row += a ? ',' + formatValue(a[cell]) : ',';
        }
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

function fmt(v: number): string {
  if (!Number.isFinite(v)) return 'NaN';
  return Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(4) : v.toFixed(4);
}

export const evalCommand: CommandSpec = {
  name: 'eval',
  summary: 'evaluate factor expressions on bar data',
  usage: 'alphaflow eval [--data FILE] (--expr EXPR | --exprs FILE) [--values OUT.csv]',
  help: [
    DATA_HELP,
    '--expr EXPR      one expression, e.g. "sub(close,ts_Mean(8,low))"',
    '--exprs FILE     expressions, one per line (blank lines and # comments skipped)',
    '--values OUT     write datetime,code,f0,f1,... (one column per expression, empty = NaN)',
    '--workers N      evaluate on N threads (default: one per core for large jobs, else 1);',
    '                 results are identical for any N',
    '--backend NAME   tfjs backend: cpu (default)',
  ],
  options: {
    data: { type: 'string' },
    expr: { type: 'string' },
    exprs: { type: 'string' },
    values: { type: 'string' },
    backend: { type: 'string' },
    workers: { type: 'string' },
  },
  async run(values) {
    const exprText = values.expr as string | undefined;
    const exprsPath = values.exprs as string | undefined;
    if ((exprText === undefined) === (exprsPath === undefined)) throw new UsageError('give exactly one of --expr EXPR or --exprs FILE');
    const workersOpt = numberOption(values, 'workers', 0, 1);
    if (!Number.isInteger(workersOpt)) throw new UsageError(`--workers must be a whole number, got '${values.workers}'`);
    const backend = (values.backend as string | undefined) ?? 'cpu';
    if (backend !== 'cpu') throw new UsageError(`--backend must be cpu, got '${backend}'`);

    let sources: { line: number; text: string }[];
    if (exprText !== undefined) sources = [{ line: 1, text: exprText }];
    else {
      let text: string;
      try {
        text = readFileSync(exprsPath!, 'utf8');
      } catch (e) {
        throw new UsageError(`cannot read --exprs ${exprsPath}: ${(e as Error).message}`);
      }
      sources = readExprLines(text);
      if (sources.length === 0) throw new UsageError(`${exprsPath} has no expressions`);
    }

    const panel = await panelFromArgs(values);
    const t1 = performance.now();

    const fields = [...panel.fields.keys()];
    const lines: ExprLine[] = sources.map((s) => {
      try {
        return { ...s, node: parse(s.text, { fields }) };
      } catch (e) {
        if (e instanceof ParseError) return { ...s, error: e };
        throw e;
      }
    });
    let failed = 0;
    for (const l of lines) {
      if (l.error) {
        failed++;
        process.stderr.write(`${l.error.format(l.line)}\n`);
      }
    }

    const good = lines.filter((l) => l.node);
    // Threads pay off once the work outweighs starting them (about half a second).
    const workers = workersOpt || (good.length > 1 && panel.T * panel.N * good.length >= 2e7 ? Math.min(await availableCores(), good.length) : 1);
    const progress = process.stderr.isTTY && good.length > 1
      ? (done: number, total: number) => process.stderr.write(`\revaluating: ${done}/${total}${done === total ? '\n' : ''}`)
      : undefined;
    const arrays = await evaluateToArrays(panel, good.map((l) => l.node!), { workers, onProgress: progress });
    const t2 = performance.now();
    process.stderr.write(`evaluated ${good.length} expression${good.length === 1 ? '' : 's'} in ${((t2 - t1) / 1000).toFixed(2)} s on ${workers} thread${workers === 1 ? '' : 's'}\n`);
    const byLine: (Float32Array | undefined)[] = [];
    let k = 0;
    for (const l of lines) byLine.push(l.node ? arrays[k++] : undefined);

    const rows = [['line', 'coverage', 'mean', 'std', 'expression']];
    lines.forEach((l, i) => {
      const a = byLine[i];
      if (!a) rows.push([String(l.line), '-', '-', '-', `(parse error) ${l.text}`]);
      else {
        const s = stats(a);
        rows.push([String(l.line), s.coverage.toFixed(4), fmt(s.mean), fmt(s.std), print(l.node!)]);
      }
    });
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    for (const r of rows) process.stdout.write(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ') + '\n');

    if (values.values) {
      writeValues(values.values as string, panel, lines, byLine);
      const t3 = performance.now();
      process.stderr.write(`wrote ${values.values} (${panel.T * panel.N} rows, ${((t3 - t2) / 1000).toFixed(2)} s)\n`);
    }
    if (failed) process.stderr.write(`${failed} of ${lines.length} expression${lines.length === 1 ? '' : 's'} failed to parse\n`);
    return failed ? 1 : 0;
  },
};
