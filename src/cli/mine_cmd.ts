/**
 * `alphaflow mine`: runs the miner (src/mine/miner.ts) on bar data and keeps a run folder up to date after every
 * generation, so a run killed at any moment loses at most the generation in progress and `--resume DIR` carries
 * on exactly where the last checkpoint left off. Settings come from defaults, overlaid by `--config FILE.json`,
 * overlaid by command-line values (resolveConfig checks the result). Every file is written to a temporary name
 * and renamed over the old one, so a reader (or a kill) never sees half a file.
 *
 * The run folder: config.json (the resolved config plus a `data` description, enough to check on resume that
 * the same data came back), checkpoint.json (the miner's checkpoint; non-finite numbers as the strings "NaN",
 * "Infinity", "-Infinity" so a resumed run scores exactly the same), history.json (a record per generation),
 * pool.json and pool.csv (the factor pool with train/valid/test metrics; NaN as null or an empty cell).
 */
import process from 'node:process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandSpec } from './args.ts';
import { UsageError } from './args.ts';
import { BACKEND_HELP, BACKEND_OPTION, backendChoice, startBackend } from './backend_option.ts';
import { initBackend, panelNeed } from '../eval/backend.ts';
import { DATA_OPTIONS, DATA_OPTIONS_HELP, panelFromArgs } from './data_source.ts';
import { JsonSyntaxError, parseJsonText } from './json_file.ts';
import { ProgressWriter, estimateRemaining } from './progress.ts';
import { formatMetric, formatTable } from '../report/table.ts';
import { parse } from '../expr/parse.ts';
import type { Panel } from '../data/panel.ts';
import { tradingDays } from '../data/calendar.ts';
import { dailyFactor } from '../data/labels.ts';
import { DataError } from '../data/csv_parse.ts';
import { describeSegments, parseSplitArgs, splitDays, type Segment, type SplitArgs } from '../data/splits.ts';
import type { PlantedAlpha } from '../data/synth.ts';
import { evaluateToArrays } from '../eval/evaluate.ts';
import { availableCores } from '../eval/pool.ts';
import { factorCorrelation, type FactorSummary } from '../fitness/metrics.ts';
import { getFitness } from '../fitness/registry.ts';
import { MineConfigError, resolveConfig, type MineConfig } from '../mine/config.ts';
import { GpConfigError } from '../gp/primitives.ts';
import { mineGenerations, type Checkpoint, type GenerationRecord, type MineResult, type PoolMember, type StopReason } from '../mine/miner.ts';
import { checkpointJson, historyJson, parseCheckpoint, poolCsv, poolJson } from '../mine/run_files.ts';

/** The files of a run folder; a folder holding POOL or CHECKPOINT is a run and is not overwritten silently. */
export const RUN_FILES = { config: 'config.json', checkpoint: 'checkpoint.json', history: 'history.json', pool: 'pool.json', poolCsv: 'pool.csv' } as const;

/** Written on the built-in synthetic market: each planted factor and its closest pool factor. */
export const PLANTED_FILE = 'planted.json';

/** What config.json records about the data, checked on resume. */
export interface DataDescription {
  source: string;
  seed?: number;
  columns?: string;
  resample?: string;
  universe?: string;
  attributes?: string;
  bars: number;
  stocks: number;
  days: number;
  first: string;
  last: string;
}

/** Command-line option → config field, for the options that override the config; also used to name errors. */
const OVERRIDES: readonly { option: string; field: keyof MineConfig; kind: 'int' | 'num' | 'str' }[] = [
  { option: 'population', field: 'population', kind: 'int' },
  { option: 'generations', field: 'generations', kind: 'int' },
  { option: 'seed', field: 'seed', kind: 'int' },
  { option: 'time-budget', field: 'timeBudget', kind: 'num' },
  { option: 'pool-size', field: 'poolSize', kind: 'int' },
  { option: 'fitness', field: 'fitness', kind: 'str' },
];
/** Stop rules: the only settings a resumed run may change (the rest would make it a different run). */
const RESUME_OVERRIDES: readonly string[] = ['generations', 'time-budget', 'pool-size'];
const SPLIT_OPTIONS = ['split', 'train', 'valid', 'test'] as const;

/** Writes `text` to `path` through a temporary file and a rename, so a kill leaves the old file or the new one. */
export function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** A config file's settings: its JSON object, syntax errors as FILE:LINE:COLUMN, a run folder's `data` dropped. */
function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read --config ${path}: ${(e as Error).message}`);
  }
  let obj: unknown;
  try {
    obj = parseJsonText(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new UsageError(`${path}:${e.line}:${e.column}: invalid JSON: ${e.reason}`);
    throw e;
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new UsageError(`${path}: must hold a JSON object of settings`);
  // A run folder's config.json can be given as --config to repeat a run; its data description is not a setting.
  const { data: _data, ...settings } = obj as Record<string, unknown>;
  try {
    resolveConfig(settings);
  } catch (e) {
    if (e instanceof MineConfigError) throw new UsageError(`${path}: ${e.message}`);
    throw e;
  }
  return settings;
}

/** The command-line values that override config settings (numbers checked for being numbers; ranges later). */
function cliOverrides(values: Record<string, unknown>): Partial<Record<keyof MineConfig, unknown>> {
  const out: Partial<Record<keyof MineConfig, unknown>> = {};
  for (const o of OVERRIDES) {
    const raw = values[o.option] as string | undefined;
    if (raw === undefined) continue;
    if (o.kind === 'str') out[o.field] = raw;
    else {
      const v = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(v) || (o.kind === 'int' && !Number.isInteger(v))) {
        throw new UsageError(`--${o.option} must be a ${o.kind === 'int' ? 'whole number' : 'number'}, got '${raw}'`);
      }
      out[o.field] = v;
    }
  }
  if (SPLIT_OPTIONS.some((k) => values[k] !== undefined)) {
    const split: SplitArgs = {};
    for (const k of SPLIT_OPTIONS) if (values[k] !== undefined) split[k] = values[k] as string;
    out.split = split;
  }
  return out;
}

/** resolveConfig with a command-line value's error named by its option, and a file setting's by the file. */
function resolveWith(settings: Record<string, unknown>, overrides: Partial<Record<keyof MineConfig, unknown>>, configPath: string | undefined): MineConfig {
  let config: MineConfig;
  try {
    config = resolveConfig({ ...settings, ...overrides });
  } catch (e) {
    if (!(e instanceof MineConfigError)) throw e;
    const top = e.field.split('.')[0] as keyof MineConfig;
    const o = OVERRIDES.find((x) => x.field === top && overrides[top] !== undefined);
    if (o) throw new UsageError(`--${o.option}: ${e.message.slice(e.field.length + 2)}`);
    if (top === 'split' && overrides.split !== undefined) throw new UsageError(`--split/--train/--valid/--test: ${e.message}`);
    throw new UsageError(configPath ? `${configPath}: ${e.message}` : e.message);
  }
  if (config.fitness !== 'composite') {
    try {
      getFitness(config.fitness);
    } catch (e) {
      const where = overrides.fitness !== undefined ? '--fitness' : configPath ? `${configPath}: fitness` : 'fitness';
      throw new UsageError(`${where}: ${(e as Error).message}`);
    }
  }
  return config;
}

function describeData(values: Record<string, unknown>, panel: Panel, synthetic: { seed: number } | undefined): DataDescription {
  const days = tradingDays(panel).days;
  const d: DataDescription = { source: (values.data as string | undefined) ?? 'synthetic', bars: panel.T, stocks: panel.N, days: days.length, first: days[0] ?? '', last: days[days.length - 1] ?? '' };
  if (synthetic) d.seed = synthetic.seed;
  for (const k of ['columns', 'resample', 'universe', 'attributes'] as const) if (values[k] !== undefined) d[k] = values[k] as string;
  return d;
}

/** The command that continues the run in `dir` on the same data. */
function resumeCommand(dir: string, d: DataDescription): string {
  const args = dataArgs(d);
  return `alphaflow mine --resume ${dir}${args ? ` ${args}` : ''}`;
}

/** The data options that load the described data again ('' for the synthetic market). */
function dataArgs(d: DataDescription): string {
  return [...(d.source === 'synthetic' ? [] : [`--data ${d.source}`]),
    ...(['columns', 'resample', 'universe', 'attributes'] as const).filter((k) => d[k] !== undefined).map((k) => `--${k} ${d[k]}`)].join(' ');
}

/** On resume: the data must be the run's (same shape and dates), or the checkpoint's scores mean nothing. */
function checkSameData(dir: string, recorded: DataDescription | undefined, now: DataDescription): void {
  if (!recorded) return;
  const keys = ['bars', 'stocks', 'days', 'first', 'last'] as const;
  const diff = keys.filter((k) => recorded[k] !== now[k]);
  if (diff.length === 0) return;
  const opts = dataArgs(recorded) || '(no --data: the synthetic market)';
  throw new UsageError(`the data differ from the run in ${dir} (${diff.map((k) => `${k} ${recorded[k]} then, ${now[k]} now`).join('; ')}); ` +
    `give the data options the run started with: ${opts}`);
}

export interface PlantedMatch {
  planted: PlantedAlpha;
  /** The pool factor most correlated (|mean daily Spearman| over the test days) with the planted one. */
  match?: string;
  correlation: number;
  testRankIC: number;
  /** The issue's quality bar: the match is related (|correlation| >= 0.5) and its test rank IC, signed as the
   * planted factor's, is at least 70 % of the planted factor's realised rank IC. */
  recovered: boolean;
}

/** The recovery rule of `PlantedMatch.recovered`. */
export const RECOVERY = { minCorrelation: 0.5, icShare: 0.7 } as const;

/** For each planted alpha, the pool factor closest to it on the test segment (the whole panel without one). */
export async function matchPlanted(panel: Panel, planted: readonly PlantedAlpha[], pool: readonly PoolMember[], test: Segment | undefined, workers = 1): Promise<PlantedMatch[]> {
  const fields = [...panel.fields.keys()];
  const nodes = [...planted.map((p) => parse(p.expr, { fields })), ...pool.map((m) => parse(m.expr, { fields }))];
  const D = tradingDays(panel).days.length;
  const arrays = pool.length ? await evaluateToArrays(panel, nodes, { workers }) : [];
  const daily = arrays.map((a) => dailyFactor(panel, a));
  const corr = pool.length ? factorCorrelation(daily, D, panel.N, test ? { rows: [test.firstDay, test.lastDay] } : {}) : new Float64Array();
  const F = nodes.length;
  return planted.map((p, i) => {
    let best = -1;
    let bestAbs = -1;
    pool.forEach((_, j) => {
      const c = Math.abs(corr[i * F + planted.length + j]!);
      if (c > bestAbs) {
        bestAbs = c;
        best = j;
      }
    });
    if (best < 0) return { planted: p, correlation: NaN, testRankIC: NaN, recovered: false };
    const correlation = corr[i * F + planted.length + best]!;
    const testRankIC = pool[best]!.metrics.test?.rank_ic ?? NaN;
    // A match anti-correlated with the planted factor predicts with the opposite sign.
    const recovered = Math.abs(correlation) >= RECOVERY.minCorrelation &&
      Math.sign(correlation) * testRankIC * Math.sign(p.realisedRankIC) >= RECOVERY.icShare * Math.abs(p.realisedRankIC);
    return { planted: p, match: pool[best]!.expr, correlation, testRankIC, recovered };
  });
}

/** The final pool table, fittest first; the expression last so long ones do not push the numbers out of line. */
export function poolTable(pool: readonly PoolMember[]): string {
  const rows = [['#', 'train_rank_ic', 'valid_rank_ic', 'test_rank_ic', 'test_icir', 'test_long_excess', 'expression']];
  [...pool].sort((a, b) => b.fitness - a.fitness).forEach((m, i) => {
    const g = (s: 'train' | 'valid' | 'test', k: keyof FactorSummary) => formatMetric((m.metrics[s]?.[k] as number | undefined) ?? NaN);
    rows.push([String(i + 1), g('train', 'rank_ic'), g('valid', 'rank_ic'), g('test', 'rank_ic'), g('test', 'icir'), g('test', 'long_excess'), m.expr]);
  });
  return formatTable(rows, new Set([0, 1, 2, 3, 4, 5]));
}

export function plantedTable(matches: readonly PlantedMatch[]): string {
  const rows = [['planted', 'realised_rank_ic', 'correlation', 'match_test_rank_ic', 'recovered', 'closest pool factor']];
  for (const m of matches) rows.push([m.planted.expr, formatMetric(m.planted.realisedRankIC), formatMetric(m.correlation), formatMetric(m.testRankIC), m.recovered ? 'yes' : 'no', m.match ?? '(empty pool)']);
  return formatTable(rows, new Set([1, 2, 3]));
}

/** planted.json: the planted table as data. */
export function plantedJson(matches: readonly PlantedMatch[]): string {
  return JSON.stringify({
    rule: `recovered: |correlation| >= ${RECOVERY.minCorrelation} and test rank IC (signed as the planted factor) >= ${RECOVERY.icShare} x realised rank IC`,
    planted: matches.map((m) => ({
      expr: m.planted.expr, realised_rank_ic: m.planted.realisedRankIC, match: m.match ?? null,
      correlation: Number.isFinite(m.correlation) ? m.correlation : null, match_test_rank_ic: Number.isFinite(m.testRankIC) ? m.testRankIC : null,
      recovered: m.recovered,
    })),
  }, null, 2) + '\n';
}

const STOP_TEXT: Record<StopReason, string> = {
  generations: 'all generations done',
  time: 'time budget spent',
  pool: 'pool full',
  aborted: 'interrupted',
};

export const mineCommand: CommandSpec = {
  name: 'mine',
  summary: 'mine alpha factors with genetic programming',
  usage: 'alphaflow mine [--data FILE] [data options] [--config FILE.json] [--population N] [--generations G] [--seed S] [--time-budget SEC] [--pool-size K] [--workers N|auto] [--backend NAME] [--split A,B,C | --train FROM:TO --valid FROM:TO --test FROM:TO] [--fitness NAME] (--out DIR [--overwrite] | --resume DIR) [--quiet]',
  help: [
    ...DATA_OPTIONS_HELP,
    '--config FILE    settings as JSON (any MineConfig key, see src/mine/config.ts; a run folder\'s',
    '                 config.json works); the options below override it',
    '--population N   individuals per generation (default 500)',
    '--generations G  generations to run (default 10)',
    '--seed S         random seed; same seed and data give the same pool (default 1)',
    '--time-budget SEC  stop after the generation during which SEC seconds ran out (default: none)',
    '--pool-size K    stop once the pool holds K factors (default 100)',
    '--workers N|auto threads that score and evaluate pool candidates; auto = one per core (default:',
    '                 auto for large jobs, else 1); results are identical for any N; threads run the',
    '                 host kernels, so a device backend (webgpu, webgl, tensorflow) scores on one thread',
    ...BACKEND_HELP,
    '--split A,B,C    train,valid,test shares of the trading days (default 0.5,0.25,0.25)',
    '--train FROM:TO  train days, inclusive YYYY-MM-DD (either side may be empty); likewise --valid, --test',
    '--fitness NAME   selection fitness: composite (default, the report\'s rule) or a registered metric',
    '--out DIR        run folder: config.json, checkpoint.json, history.json, pool.json, pool.csv',
    '                 (rewritten after every generation); refuses a folder that already holds a run',
    '--overwrite      allow --out to replace a run already in DIR',
    '--resume DIR     continue the run in DIR from its checkpoint; give the same data options again;',
    '                 only --generations, --time-budget and --pool-size may change',
    '--quiet          print nothing but errors and the final tables',
    'Ctrl-C stops after the current generation (checkpointed); a second Ctrl-C quits at once.',
  ],
  options: {
    ...DATA_OPTIONS,
    config: { type: 'string' },
    population: { type: 'string' },
    generations: { type: 'string' },
    seed: { type: 'string' },
    'time-budget': { type: 'string' },
    'pool-size': { type: 'string' },
    workers: { type: 'string' },
    ...BACKEND_OPTION,
    split: { type: 'string' },
    train: { type: 'string' },
    valid: { type: 'string' },
    test: { type: 'string' },
    fitness: { type: 'string' },
    out: { type: 'string' },
    overwrite: { type: 'boolean' },
    resume: { type: 'string' },
    quiet: { type: 'boolean' },
  },
  async run(values, positionals) {
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const quiet = values.quiet === true;
    const log = (line: string): void => {
      if (!quiet) process.stderr.write(line + '\n');
    };
    const resumeDir = values.resume as string | undefined;
    const outOpt = values.out as string | undefined;
    if (resumeDir !== undefined && outOpt !== undefined && outOpt !== resumeDir) throw new UsageError('give --out DIR or --resume DIR, not both (a resumed run writes into its own folder)');
    const dir = resumeDir ?? outOpt;
    if (!dir) throw new UsageError('--out DIR is required (or --resume DIR to continue a run)');

    const workersRaw = values.workers as string | undefined;
    let workersOpt: number | 'auto' | undefined;
    if (workersRaw !== undefined) {
      workersOpt = workersRaw === 'auto' ? 'auto' : Number(workersRaw);
      if (workersOpt !== 'auto' && (!Number.isInteger(workersOpt) || workersOpt < 1)) throw new UsageError(`--workers must be a whole number >= 1 or auto, got '${workersRaw}'`);
    }

    const backend = backendChoice(values);
    const overrides = cliOverrides(values);
    const configPath = values.config as string | undefined;
    let config: MineConfig;
    let resume: Checkpoint | undefined;
    let recordedData: DataDescription | undefined;
    if (resumeDir !== undefined) {
      const fixed = [...(configPath !== undefined ? ['config'] : []), ...OVERRIDES.filter((o) => values[o.option] !== undefined && !RESUME_OVERRIDES.includes(o.option)).map((o) => o.option),
        ...SPLIT_OPTIONS.filter((k) => values[k] !== undefined)];
      if (fixed.length) throw new UsageError(`--${fixed.join(', --')} cannot change on --resume (the checkpoint's settings make the run); only --generations, --time-budget and --pool-size can`);
      if (values.overwrite) throw new UsageError('--overwrite applies to --out, not --resume');
      const cpPath = join(resumeDir, RUN_FILES.checkpoint);
      if (!existsSync(cpPath)) throw new UsageError(`${resumeDir} holds no ${RUN_FILES.checkpoint} to resume from`);
      try {
        resume = parseCheckpoint(readFileSync(cpPath, 'utf8'));
      } catch (e) {
        throw new UsageError(`cannot read ${cpPath}: ${(e as Error).message}`);
      }
      if (resume.version !== 2 || !resume.config) throw new UsageError(`${cpPath} is not a version-2 mining checkpoint (an older alphaflow's checkpoints cannot be resumed)`);
      try {
        recordedData = (JSON.parse(readFileSync(join(resumeDir, RUN_FILES.config), 'utf8')) as { data?: DataDescription }).data;
      } catch {
        recordedData = undefined; // an old or hand-made folder: the checkpoint alone still resumes
      }
      config = resolveWith(resume.config as unknown as Record<string, unknown>, overrides, undefined);
      resume = { ...resume, config };
    } else {
      const taken = [RUN_FILES.pool, RUN_FILES.checkpoint].filter((f) => existsSync(join(dir, f)));
      if (taken.length && !values.overwrite) {
        throw new UsageError(`${dir} already holds a mining run (${taken.join(', ')}); continue it with --resume ${dir}, choose another --out, or add --overwrite to replace it`);
      }
      const settings = configPath !== undefined ? readConfigFile(configPath) : {};
      config = resolveWith(settings, overrides, configPath);
    }

    const { panel, synthetic } = await panelFromArgs(values, { log });
    const data = describeData(values, panel, synthetic);
    if (resumeDir !== undefined) checkSameData(resumeDir, recordedData, data);
    let segments: Segment[];
    try {
      segments = splitDays(tradingDays(panel).days, parseSplitArgs(config.split));
    } catch (e) {
      if (e instanceof DataError) throw new UsageError(`split: ${e.message}`);
      throw e;
    }
    for (const line of describeSegments(segments)) log(`segment ${line}`);

    const need = panelNeed(panel.T, panel.N);
    const backendName = quiet ? (await initBackend(backend, need)).name : (await startBackend(backend, need)).name;
    // Threads pay off once a generation's work outweighs starting them (about half a second), as in eval; they
    // run the host kernels, so a device backend scores on this thread.
    const workers = backendName !== 'cpu' ? 1
      : workersOpt === 'auto' ? await availableCores()
      : workersOpt ?? (panel.T * panel.N * config.population >= 2e7 ? await availableCores() : 1);
    if (backendName !== 'cpu' && typeof workersOpt === 'number' && workersOpt > 1) log(`--workers ${workersOpt} ignored: scoring runs on ${backendName}`);

    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new UsageError(`cannot create --out ${dir}: ${(e as Error).message}`);
    }
    if (!resume) for (const f of Object.values(RUN_FILES)) rmSync(join(dir, f), { force: true });
    writeAtomic(join(dir, RUN_FILES.config), JSON.stringify({ ...config, data }, null, 2) + '\n');
    log(`mining: population ${config.population}, ${config.generations} generations, seed ${config.seed}, fitness ${config.fitness}, ` +
      `${backendName === 'cpu' ? `${workers} thread${workers === 1 ? '' : 's'}` : backendName}${resume ? `, resuming after generation ${resume.generation}` : ''}; run folder ${dir}`);

    // Ctrl-C: the first asks the miner to stop after this generation (which is then checkpointed); the second quits.
    const progress = new ProgressWriter(process.stderr, quiet);
    const controller = new AbortController();
    const onSigint = (): void => {
      if (controller.signal.aborted) {
        progress.clear();
        process.stderr.write(`\nquit; the last checkpoint is in ${dir}; continue with: ${resumeCommand(dir, data)}\n`);
        process.exit(130);
      }
      controller.abort();
      progress.message('stopping after this generation (Ctrl-C again to quit at once)');
    };
    process.on('SIGINT', onSigint);

    const session: number[] = [];
    let bestSoFar = Math.max(-Infinity, ...(resume?.history ?? []).map((r) => (Number.isFinite(r.best) ? r.best : -Infinity)));
    let poolNow = resume?.pool.length ?? 0;
    /** Generations completed in the checkpoint on disk. */
    let lastDone = resume?.generation ?? 0;
    let elapsed = resume?.elapsed ?? 0;
    let genStart = performance.now() / 1000;
    const eta = (generation: number, share: number): number => estimateRemaining({
      generation, generations: config.generations, currentShare: share,
      meanSeconds: session.length ? session.reduce((a, b) => a + b, 0) / session.length : NaN,
      budgetLeft: config.timeBudget === null ? null : config.timeBudget - elapsed - (performance.now() / 1000 - genStart),
    });
    const writeRun = (history: readonly GenerationRecord[], pool: readonly PoolMember[], stop: StopReason | null): void => {
      writeAtomic(join(dir, RUN_FILES.history), historyJson(history));
      writeAtomic(join(dir, RUN_FILES.pool), poolJson(config, stop, segments, pool));
      writeAtomic(join(dir, RUN_FILES.poolCsv), poolCsv(pool));
    };

    let result: MineResult;
    try {
      const it = mineGenerations(panel, config, {
        workers, signal: controller.signal, ...(resume ? { resume } : {}),
        onProgress: ({ generation, done, total }) => {
          if (done === 0) genStart = performance.now() / 1000;
          const secs = performance.now() / 1000 - genStart;
          progress.update({
            generation, generations: config.generations, done, total, rate: secs > 0 && done > 0 ? done / secs : NaN,
            best: bestSoFar, pool: poolNow, poolSize: config.poolSize, eta: eta(generation, total ? done / total : 0),
          }, done === 0 || done === total);
        },
      });
      for (;;) {
        const r = await it.next();
        if (r.done) {
          result = r.value;
          break;
        }
        const { record, checkpoint, stop } = r.value;
        // The checkpoint first: history and pool are views of it, and a kill between the writes loses nothing.
        writeAtomic(join(dir, RUN_FILES.checkpoint), checkpointJson(checkpoint));
        lastDone = checkpoint.generation;
        writeRun(checkpoint.history, checkpoint.pool, stop);
        session.push(record.seconds);
        elapsed = checkpoint.elapsed;
        poolNow = record.pool;
        if (Number.isFinite(record.best)) bestSoFar = Math.max(bestSoFar, record.best);
        progress.generation({
          generation: record.generation, generations: config.generations, best: record.best, mean: record.mean, pool: record.pool,
          poolSize: config.poolSize, evaluations: record.evaluations, seconds: record.seconds, eta: eta(record.generation + 1, 0),
        });
        // A macrotask turn per generation lets a Ctrl-C be seen even when a generation's scoring fits in one
        // chunk (the scorer yields only between chunks).
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    } catch (e) {
      // The checkpoints already written are intact: say how to go on from the last one (settings the miner
      // refuses are not such a stop: the same command would fail the same way).
      progress.clear();
      if (lastDone && !(e instanceof UsageError || e instanceof MineConfigError || e instanceof GpConfigError)) {
        process.stderr.write(`the run stopped with an error after generation ${lastDone}; its checkpoint is in ${dir}; continue with: ` +
          `${resumeCommand(dir, data)}${backendName === 'cpu' ? '' : ' (add --backend cpu if the device was at fault)'}\n`);
      }
      throw e;
    } finally {
      process.off('SIGINT', onSigint);
      progress.clear();
    }
    // Also covers a resumed run that was already finished (no generation ran, so nothing was written above).
    writeRun(result.history, result.pool, result.stop);

    const out: string[] = [];
    out.push(`stopped: ${STOP_TEXT[result.stop]} after ${result.history.length} generation${result.history.length === 1 ? '' : 's'}; pool of ${result.pool.length}`);
    if (result.pool.length) out.push(poolTable(result.pool).trimEnd());
    if (synthetic && synthetic.planted.length) {
      const matches = await matchPlanted(panel, synthetic.planted, result.pool, segments.find((s) => s.name === 'test'), workers);
      writeAtomic(join(dir, PLANTED_FILE), plantedJson(matches));
      out.push('', 'planted factors of the synthetic market and the closest pool factor (correlation over the test days):', plantedTable(matches).trimEnd());
    }
    out.push('', `files in ${dir}: ${[...Object.values(RUN_FILES), ...(synthetic?.planted.length ? [PLANTED_FILE] : [])].join(', ')}`);
    if (result.stop === 'aborted' || result.stop === 'time') out.push(`continue with: ${resumeCommand(dir, data)}`);
    process.stdout.write(out.join('\n') + '\n');
    return result.stop === 'aborted' ? 130 : 0;
  },
};
