/**
 * `alphaflow synth`: generate the built-in synthetic market (see docs/synthetic_market.md) and write it as the
 * long bar CSV the loader reads plus an attributes CSV beside it, reporting the planted alphas and the rank IC a
 * perfect miner would find for each, so mining runs on it can be judged.
 */
import type { CommandSpec } from './args.ts';
import { UsageError, numberOption } from './args.ts';
import { generateMarket, DEFAULT_PLANTED, DEFAULT_STRENGTH } from '../data/synth.ts';
import { writeMarket } from '../data/synth_csv.ts';
import { parse } from '../expr/parse.ts';
import { ParseError } from '../expr/errors.ts';

function wholeOption(values: Record<string, unknown>, name: string, dflt: number, min: number): number {
  const v = numberOption(values, name, dflt, min);
  if (!Number.isInteger(v)) throw new UsageError(`--${name} must be a whole number, got '${values[name]}'`);
  return v;
}

export const synthCommand: CommandSpec = {
  name: 'synth',
  summary: 'generate a synthetic market with planted alphas',
  usage: 'alphaflow synth --out FILE.csv.gz [--stocks 300 --days 500 --bars-per-day 8 --industries 20 --seed 1]',
  help: [
    '--out FILE          bars as long CSV (gzip when FILE ends in .gz); attributes go to',
    '                    FILE.attributes.csv (without .csv/.gz) beside it',
    '--stocks N          number of stocks (default 300)',
    '--days N            trading days, weekdays from --start (default 500)',
    '--bars-per-day N    bars a day over the A-share session (default 8 = 30 minutes)',
    '--industries N      number of industries (default 20)',
    '--seed N            random seed; the same seed gives the same market (default 1)',
    '--start DATE        first day, YYYY-MM-DD (default 2025-01-02)',
    `--plant EXPR        expression to plant (repeatable; default: ${DEFAULT_PLANTED.join(' and ')});`,
    "                    --plant none plants nothing",
    `--strength X        daily return per unit of demeaned rank (default ${DEFAULT_STRENGTH})`,
  ],
  options: {
    out: { type: 'string' },
    stocks: { type: 'string' },
    days: { type: 'string' },
    'bars-per-day': { type: 'string' },
    industries: { type: 'string' },
    seed: { type: 'string' },
    start: { type: 'string' },
    plant: { type: 'string', multiple: true },
    strength: { type: 'string' },
  },
  async run(values) {
    const out = values.out as string | undefined;
    if (!out) throw new UsageError('--out FILE is required');
    const start = values.start as string | undefined;
    if (start !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(start)) throw new UsageError(`--start must be YYYY-MM-DD, got '${start}'`);
    const plantRaw = values.plant as string[] | undefined;
    const planted = plantRaw === undefined ? undefined : plantRaw.includes('none') ? [] : plantRaw;
    for (const p of planted ?? []) {
      try {
        parse(p);
      } catch (e) {
        if (e instanceof ParseError) throw new UsageError(`--plant '${p}': ${e.message}`);
        throw e;
      }
    }
    const opts = {
      stocks: wholeOption(values, 'stocks', 300, 2),
      days: wholeOption(values, 'days', 500, 3),
      barsPerDay: wholeOption(values, 'bars-per-day', 8, 1),
      industries: wholeOption(values, 'industries', 20, 1),
      seed: wholeOption(values, 'seed', 1, 0),
      strength: numberOption(values, 'strength', DEFAULT_STRENGTH),
      startDate: start,
      planted,
    };
    const t0 = performance.now();
    const market = generateMarket(opts);
    const t1 = performance.now();
    const { panel } = market;
    process.stderr.write(`generated ${panel.N} stocks x ${opts.days} days x ${opts.barsPerDay} bars (seed ${opts.seed}) in ${((t1 - t0) / 1000).toFixed(2)} s\n`);
    const written = writeMarket(market, out);
    const t2 = performance.now();
    process.stderr.write(`wrote ${out} (${(written.bytes / 1e6).toFixed(1)} MB) and ${written.attributes} in ${((t2 - t1) / 1000).toFixed(2)} s\n`);
    if (market.planted.length) {
      process.stdout.write('strength  realised_rank_ic  planted\n');
      for (const p of market.planted) process.stdout.write(`${p.strength.toFixed(4).padEnd(8)}  ${p.realisedRankIC.toFixed(4).padEnd(16)}  ${p.expr}\n`);
    } else process.stdout.write('no planted alphas\n');
    return 0;
  },
};
