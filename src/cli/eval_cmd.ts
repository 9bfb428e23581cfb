/**
 * `alphaflow eval`: evaluate factor expressions on bar data, print a summary per expression and optionally
 * write every value as long CSV. A line that fails to parse is reported as `LINE:COLUMN: message` and its
 * column stays empty; the others are still evaluated and written (nothing is lost to one bad line).
 * The daily view (`--daily`, `--neutralize`, train/valid/test splits) samples each factor at every day's last
 * bar, the same axis the labels use, so what is summarised here is what a backtest would score.
 * `--report` scores that daily view against tradable labels per segment and writes the tear sheet assembled in
 * src/report (docs/report_format.md); its flags are checked before loading so a typo costs no data read.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { writeGridCsv, type GridColumn } from './grid_csv.ts';
import type { CommandSpec } from './args.ts';
import { UsageError, numberOption } from './args.ts';
import { DATA_OPTIONS, DATA_OPTIONS_HELP, panelFromArgs } from './data_source.ts';
import { BACKEND_HELP, BACKEND_OPTION, backendChoice, startBackend } from './backend_option.ts';
import { parse } from '../expr/parse.ts';
import { print } from '../expr/print.ts';
import { ParseError } from '../expr/errors.ts';
import type { Node } from '../expr/ast.ts';
import type { Panel } from '../data/panel.ts';
import { evaluateToArrays } from '../eval/evaluate.ts';
import { panelNeed } from '../eval/backend.ts';
import { availableCores } from '../eval/pool.ts';
import { DataError } from '../data/csv_parse.ts';
import type { AlignedAttributes } from '../data/attributes.ts';
import { tradingDays } from '../data/calendar.ts';
import { computeLabels, dailyFactor, EXEC_PRICES, MAX_HORIZON, type ExecPrice, type Labels } from '../data/labels.ts';
import { logFloatCap, neutralize, parseNeutralize, type Exposure, type NeutralizeExposures } from '../data/neutralize.ts';
import { DEFAULT_SPLIT, describeSegments, parseSplitArgs, segmentRows, splitDays, type Segment, type SplitSpec } from '../data/splits.ts';
import { buildReport, reportJson } from '../report/assemble.ts';
import { reportTable } from '../report/table.ts';

/** IC decay is reported for label horizons 1..DECAY_HORIZONS (alphalens shows a similar short ladder). */
export const DECAY_HORIZONS = 10;
/** More groups than this leaves a handful of stocks per group on a typical A-share cross-section. */
export const MAX_GROUPS = 50;

interface ReportOptions {
  out: string;
  groups: number;
  horizon: number;
  price: ExecPrice | undefined;
}

/** The --report flags, checked before any loading; the report-only flags without --report are a usage error. */
function reportOptions(values: Record<string, unknown>): ReportOptions | undefined {
  const out = values.report as string | undefined;
  if (out === undefined) {
    const stray = ['groups', 'horizon', 'price'].filter((k) => values[k] !== undefined);
    if (stray.length) throw new UsageError(`--${stray.join(', --')} appl${stray.length === 1 ? 'ies' : 'y'} to --report OUT.json`);
    return undefined;
  }
  if (out.trim() === '') throw new UsageError('--report needs a file name');
  const gRaw = values.groups as string | undefined;
  const groups = gRaw === undefined ? 5 : Number(gRaw);
  if (gRaw !== undefined && (gRaw.trim() === '' || !Number.isInteger(groups) || groups < 2 || groups > MAX_GROUPS)) {
    throw new UsageError(`--groups must be a whole number in 2..${MAX_GROUPS}, got '${gRaw}'`);
  }
  const hRaw = values.horizon as string | undefined;
  const horizon = hRaw === undefined ? 1 : Number(hRaw);
  if (hRaw !== undefined && (hRaw.trim() === '' || !Number.isInteger(horizon) || horizon < 1 || horizon > MAX_HORIZON)) {
    throw new UsageError(`--horizon must be a whole number of days in 1..${MAX_HORIZON}, got '${hRaw}'`);
  }
  const price = values.price as string | undefined;
  if (price !== undefined && !(EXEC_PRICES as readonly string[]).includes(price)) {
    throw new UsageError(`--price must be one of ${EXEC_PRICES.join(', ')}, got '${price}'`);
  }
  return { out, groups, horizon, price: price as ExecPrice | undefined };
}

/** Labels as a usage problem when the price cannot be had from this data (e.g. first30vwap on daily bars). */
function labelsFor(panel: Panel, price: ExecPrice | undefined, horizon: number): Labels {
  try {
    return computeLabels(panel, { price, horizon });
  } catch (e) {
    if (e instanceof DataError) throw new UsageError(`--report: ${e.reason}`);
    throw e;
  }
}

interface ExprLine {
  /** 1-based line in the source (for --expr, its place among the --expr options). */
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

const exprColumns = (values: (Float32Array | undefined)[]): GridColumn[] => values.map((v, i) => ({ name: `f${i}`, values: v }));

/** A module's DataError about a flag's value is a usage problem: exit 2, not 1 (which means bad data). */
function asUsage<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof DataError) throw new UsageError(e.message);
    throw e;
  }
}

/**
 * The exposures `neutralize` needs, from the attributes and the panel's fields. Size prefers a per-bar
 * `float_mcap` (read at each day's last bar, like the factor) because it tracks share-count changes that one
 * float-shares figure per stock cannot; otherwise it is close x float shares.
 */
function exposuresFor(wanted: Exposure[], panel: Panel, attributes: AlignedAttributes | undefined): NeutralizeExposures {
  const out: { industry?: (string | undefined)[]; logSize?: Float32Array } = {};
  const D = tradingDays(panel).days.length;
  const N = panel.N;
  if (wanted.includes('industry')) {
    if (!attributes) throw new UsageError('--neutralize industry needs per-stock industries: give --attributes FILE (a CSV with code and industry columns, e.g. ../shared/data/reference/stocks.csv)');
    if (attributes.industry.every((x) => x === undefined)) throw new UsageError('--neutralize industry: the attributes give no industry for any stock in the data (see the attributes report above)');
    out.industry = attributes.industry;
  }
  if (wanted.includes('size')) {
    const mcap = panel.fields.get('float_mcap');
    if (mcap) {
      const daily = dailyFactor(panel, mcap);
      out.logSize = daily.map((v) => (v > 0 && Number.isFinite(v) ? Math.log(v) : NaN));
    } else {
      const close = panel.fields.get('close');
      if (!attributes || !close) {
        throw new UsageError('--neutralize size needs a per-bar float_mcap field in the data, or a close field and --attributes FILE with float shares');
      }
      if (attributes.floatShares.every((x) => Number.isNaN(x))) throw new UsageError('--neutralize size: the attributes give no float shares for any stock in the data, and the data has no float_mcap field');
      out.logSize = logFloatCap(dailyFactor(panel, close), D, N, attributes.floatShares);
    }
  }
  return out;
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return 'NaN';
  return Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(4) : v.toFixed(4);
}

export const evalCommand: CommandSpec = {
  name: 'eval',
  summary: 'evaluate factor expressions on bar data',
  usage: 'alphaflow eval [--data FILE] [data options] (--expr EXPR [--expr EXPR ...] | --exprs FILE) [--backend NAME] [--values OUT.csv] [--daily OUT.csv] [--neutralize industry,size] [--split A,B,C | --train FROM:TO --valid FROM:TO --test FROM:TO] [--report OUT.json [--groups 5] [--horizon 1] [--price NAME]]',
  help: [
    ...DATA_OPTIONS_HELP,
    '--expr EXPR      an expression, e.g. "sub(close,ts_Mean(8,low))"; repeat it for more (lines 1, 2, ...)',
    '--exprs FILE     expressions, one per line (blank lines and # comments skipped)',
    '--values OUT     write datetime,code,f0,f1,... (one column per expression, empty = NaN)',
    '--workers N      evaluate on N threads (default: one per core for large jobs, else 1);',
    '                 results are identical for any N',
    ...BACKEND_HELP,
    '--daily OUT      write date,code,f0,f1,... : each factor at every day\'s last bar (after --neutralize)',
    '--neutralize industry,size  per day, keep the residual of the daily factor on industry dummies and/or',
    '                 log float market cap (industry needs --attributes; size a float_mcap field or',
    '                 close and --attributes float shares; the synthetic market brings its own)',
    '--split A,B,C    train,valid,test shares of the trading days, e.g. 0.5,0.25,0.25',
    '--train FROM:TO  train days, inclusive YYYY-MM-DD (either side may be empty); likewise --valid, --test',
    '                 with a split, the summary is of daily values per expression and segment',
    '--report OUT     write a tear sheet as JSON (docs/report_format.md): per factor and segment the IC,',
    '                 rank IC, group returns, monotonicity, turnover and the report\'s pass rule, IC decay',
    '                 over horizons 1..10 and factor correlations; prints a table of it (default split',
    '                 0.5,0.25,0.25 when no --split/--train/--valid/--test is given)',
    `--groups G       with --report: quantile groups per day, 2..${MAX_GROUPS} (default 5)`,
    `--horizon H      with --report: label holding period in trading days, 1..${MAX_HORIZON} (default 1)`,
    '--price NAME     with --report: execution price first30vwap (default, intraday), vwap (default, daily),',
    '                 close, open (see docs/labels.md)',
  ],
  options: {
    ...DATA_OPTIONS,
    daily: { type: 'string' },
    neutralize: { type: 'string' },
    split: { type: 'string' },
    train: { type: 'string' },
    valid: { type: 'string' },
    test: { type: 'string' },
    expr: { type: 'string', multiple: true },
    exprs: { type: 'string' },
    values: { type: 'string' },
    ...BACKEND_OPTION,
    workers: { type: 'string' },
    report: { type: 'string' },
    groups: { type: 'string' },
    horizon: { type: 'string' },
    price: { type: 'string' },
  },
  async run(values) {
    const exprTexts = values.expr as string[] | undefined;
    const exprsPath = values.exprs as string | undefined;
    if (exprTexts === undefined && exprsPath === undefined) throw new UsageError('give --expr EXPR (once or more) or --exprs FILE');
    if (exprTexts !== undefined && exprsPath !== undefined) throw new UsageError('give --expr or --exprs, not both');
    const workersOpt = numberOption(values, 'workers', 0, 1);
    if (!Number.isInteger(workersOpt)) throw new UsageError(`--workers must be a whole number, got '${values.workers}'`);
    const backend = backendChoice(values);

    let sources: { line: number; text: string }[];
    // Each --expr counts as a line, numbered in order, so errors and columns read as for a file.
    if (exprTexts !== undefined) sources = exprTexts.map((text, i) => ({ line: i + 1, text }));
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

    const exposures = values.neutralize === undefined ? [] : asUsage(() => parseNeutralize(values.neutralize as string));
    const report = reportOptions(values);
    const splitGiven = ['split', 'train', 'valid', 'test'].some((k) => values[k] !== undefined);
    // A tear sheet without segments would score in-sample only; the report's layout is the default then.
    const splitSpec: SplitSpec | undefined = splitGiven
      ? asUsage(() => parseSplitArgs({
        split: values.split as string | undefined, train: values.train as string | undefined,
        valid: values.valid as string | undefined, test: values.test as string | undefined,
      }))
      : report ? DEFAULT_SPLIT : undefined;

    const { panel, attributes } = await panelFromArgs(values);
    const cal = tradingDays(panel);
    // Checked before evaluating so a missing exposure or an empty segment fails in seconds, not after the work.
    const neutralExposures = exposures.length ? exposuresFor(exposures, panel, attributes) : undefined;
    let segments: Segment[] | undefined;
    if (splitSpec) {
      segments = asUsage(() => splitDays(cal.days, splitSpec));
      for (const line of describeSegments(segments)) process.stdout.write(`segment ${line}\n`);
    }
    // Labels before evaluating, for the same reason: a price the data cannot give fails at once.
    let labels: Labels | undefined;
    let decayLabels: Float32Array[] = [];
    if (report) {
      const tl = performance.now();
      labels = labelsFor(panel, report.price, report.horizon);
      const resolved = labels.price;
      decayLabels = Array.from({ length: DECAY_HORIZONS }, (_, i) => (i + 1 === report.horizon ? labels!.values : labelsFor(panel, resolved, i + 1).values));
      process.stderr.write(`labels: price ${resolved}, horizon ${report.horizon}; dropped ${labels.dropped.total} of ${labels.counted} stock-days; ` +
        `decay horizons 1..${DECAY_HORIZONS} (${((performance.now() - tl) / 1000).toFixed(2)} s)\n`);
    }
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
    const { name: backendName } = await startBackend(backend, panelNeed(panel.T, panel.N));
    // Threads pay off once the work outweighs starting them (about half a second); they run the host kernels,
    // so a device backend evaluates on this thread.
    const workers = backendName !== 'cpu' ? 1
      : workersOpt || (good.length > 1 && panel.T * panel.N * good.length >= 2e7 ? Math.min(await availableCores(), good.length) : 1);
    const progress = process.stderr.isTTY && good.length > 1
      ? (done: number, total: number) => process.stderr.write(`\revaluating: ${done}/${total}${done === total ? '\n' : ''}`)
      : undefined;
    const arrays = await evaluateToArrays(panel, good.map((l) => l.node!), { workers, backend: backendName, onProgress: progress });
    const t2 = performance.now();
    process.stderr.write(`evaluated ${good.length} expression${good.length === 1 ? '' : 's'} in ${((t2 - t1) / 1000).toFixed(2)} s on ${backendName === 'cpu' ? `${workers} thread${workers === 1 ? '' : 's'}` : backendName}\n`);
    const byLine: (Float32Array | undefined)[] = [];
    let k = 0;
    for (const l of lines) byLine.push(l.node ? arrays[k++] : undefined);

    // The daily view is built only when something asks for it: on a large panel it is a second copy per factor.
    let daily: (Float32Array | undefined)[] | undefined;
    if (neutralExposures || segments || values.daily) {
      const D = cal.days.length;
      daily = byLine.map((a, i) => {
        if (!a) return undefined;
        const d = dailyFactor(panel, a);
        if (!neutralExposures) return d;
        const r = neutralize(d, D, panel.N, neutralExposures);
        process.stderr.write(`neutralize f${i} (${exposures.join(',')}): excluded ${r.excluded} stock-day${r.excluded === 1 ? '' : 's'} for a missing exposure` +
          `${r.tooFew ? `, ${r.tooFew} on days with too few stocks to fit` : ''}\n`);
        return r.values;
      });
    }

    // Neutralised factors are summarised as neutralised daily values; otherwise the bar values, as always.
    const summarised = neutralExposures ? daily! : byLine;
    if (report) {
      const t5 = performance.now();
      const good = lines.flatMap((l, i) => (l.node ? [{ expr: print(l.node), line: l.line, daily: daily![i]! }] : []));
      const opts: Record<string, unknown> = {
        groups: report.groups, horizon: report.horizon, price: labels!.price, neutralize: exposures,
        split: splitSpec, decay_horizons: DECAY_HORIZONS,
      };
      for (const k of ['columns', 'resample', 'universe', 'attributes']) if (values[k] !== undefined) opts[k] = values[k];
      const rep = buildReport({
        days: cal.days, N: panel.N, factors: good, labels: labels!.values, horizon: report.horizon, labelsByHorizon: decayLabels,
        segments: segments!, groups: report.groups, generated: new Date().toISOString(),
        data: { source: (values.data as string | undefined) ?? '<synthetic market>', bars: panel.T, stocks: panel.N, days: cal.days.length },
        options: opts,
      });
      process.stdout.write(reportTable(rep));
      try {
        writeFileSync(report.out, reportJson(rep));
      } catch (e) {
        throw new UsageError(`cannot write --report ${report.out}: ${(e as Error).message}`);
      }
      process.stderr.write(`wrote ${report.out} (${good.length} factor${good.length === 1 ? '' : 's'} x ${segments!.length} segment${segments!.length === 1 ? '' : 's'}, ${((performance.now() - t5) / 1000).toFixed(2)} s)\n`);
    }
    const rows = segments ? [['line', 'segment', 'coverage', 'mean', 'std', 'expression']] : [['line', 'coverage', 'mean', 'std', 'expression']];
    lines.forEach((l, i) => {
      const a = segments ? daily![i] : summarised[i];
      if (!a) {
        if (segments) for (const seg of segments) rows.push([String(l.line), seg.name, '-', '-', '-', `(parse error) ${l.text}`]);
        else rows.push([String(l.line), '-', '-', '-', `(parse error) ${l.text}`]);
      } else if (segments) {
        for (const seg of segments) {
          const s = stats(segmentRows(a, panel.N, seg));
          rows.push([String(l.line), seg.name, s.coverage.toFixed(4), fmt(s.mean), fmt(s.std), print(l.node!)]);
        }
      } else {
        const s = stats(a);
        rows.push([String(l.line), s.coverage.toFixed(4), fmt(s.mean), fmt(s.std), print(l.node!)]);
      }
    });
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    // With --report its table replaces this one: the coverage is there, and two tables per run is noise.
    if (!report) for (const r of rows) process.stdout.write(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ') + '\n');

    if (values.values) {
      writeGridCsv(values.values as string, 'datetime', panel.times, panel.codes, exprColumns(byLine));
      const t3 = performance.now();
      process.stderr.write(`wrote ${values.values} (${panel.T * panel.N} rows, ${((t3 - t2) / 1000).toFixed(2)} s)\n`);
    }
    if (values.daily) {
      const t4 = performance.now();
      writeGridCsv(values.daily as string, 'date', cal.days, panel.codes, exprColumns(daily!));
      process.stderr.write(`wrote ${values.daily} (${cal.days.length * panel.N} rows, ${((performance.now() - t4) / 1000).toFixed(2)} s)\n`);
    }
    if (failed) process.stderr.write(`${failed} of ${lines.length} expression${lines.length === 1 ? '' : 's'} failed to parse\n`);
    return failed ? 1 : 0;
  },
};
