/**
 * `alphaflow labels`: compute the tradable forward-return labels of a bar file (see src/data/labels.ts and
 * docs/labels.md) and write them as `date,code,label`, so they can be inspected or joined outside alphaflow.
 * The drop counts go to stderr: how many stock-days were untradable, and why, is part of judging a data set.
 */
import type { CommandSpec } from './args.ts';
import { UsageError } from './args.ts';
import { DATA_OPTIONS, DATA_OPTIONS_HELP, panelFromArgs } from './data_source.ts';
import { computeLabels, EXEC_PRICES, MAX_HORIZON, type ExecPrice, type Labels } from '../data/labels.ts';
import { writeGridCsv } from './grid_csv.ts';

/** Writes every day x code row (days, then codes ascending; empty label = none). */
export function writeLabelsCsv(path: string, labels: Labels): void {
  writeGridCsv(path, 'date', labels.days, labels.codes, [{ name: 'label', values: labels.values }]);
}

export const labelsCommand: CommandSpec = {
  name: 'labels',
  summary: 'compute tradable forward-return labels (untradable stock-days left empty)',
  usage: 'alphaflow labels [--data FILE] [data options] [--price first30vwap|vwap|close|open] [--horizon 1] --out OUT.csv',
  help: [
    ...DATA_OPTIONS_HELP,
    '--price NAME     execution price: first30vwap (default, intraday), vwap (default, daily), close, open',
    `--horizon H      holding period in trading days, 1..${MAX_HORIZON} (default 1): bought at day d+1, sold at d+1+H`,
    '--out OUT.csv    write date,code,label (empty label = untradable or no future)',
  ],
  options: {
    ...DATA_OPTIONS,
    price: { type: 'string' },
    horizon: { type: 'string' },
    out: { type: 'string' },
  },
  async run(values) {
    const out = values.out as string | undefined;
    if (!out) throw new UsageError('--out OUT.csv is required');
    const priceRaw = values.price as string | undefined;
    if (priceRaw !== undefined && !(EXEC_PRICES as readonly string[]).includes(priceRaw)) {
      throw new UsageError(`--price must be one of ${EXEC_PRICES.join(', ')}, got '${priceRaw}'`);
    }
    const hRaw = values.horizon as string | undefined;
    const horizon = hRaw === undefined ? 1 : Number(hRaw);
    if (hRaw !== undefined && (hRaw.trim() === '' || !Number.isInteger(horizon) || horizon < 1 || horizon > MAX_HORIZON)) {
      throw new UsageError(`--horizon must be a whole number of days in 1..${MAX_HORIZON}, got '${hRaw}'`);
    }

    const { panel } = await panelFromArgs(values);
    const labels = computeLabels(panel, { price: priceRaw as ExecPrice | undefined, horizon });
    writeLabelsCsv(out, labels);
    const { noBars, limitLocked, noPrice, total } = labels.dropped;
    const pct = (n: number) => (labels.counted ? ((100 * n) / labels.counted).toFixed(2) : '0.00');
    process.stderr.write(
      `labels: ${labels.days.length} days x ${labels.codes.length} stocks, price ${labels.price}, horizon ${labels.horizon}\n` +
        `dropped ${total} of ${labels.counted} stock-days (${pct(total)}%): ` +
        `noBars ${noBars} (${pct(noBars)}%), limitLocked ${limitLocked} (${pct(limitLocked)}%), noPrice ${noPrice} (${pct(noPrice)}%)\n` +
        `wrote ${out} (${labels.days.length * labels.codes.length} rows)\n`,
    );
    return 0;
  },
};
