/**
 * The mining loop (the report's sections 2.3 and 3): a population of expression trees evolves by selection,
 * crossover and mutation under a fitness measured on the training segment; individuals that pass the report's
 * thresholds on training AND validation join a factor pool unless a fitter pool member is too correlated with
 * them. Pure library code (no files, no terminal): `mineGenerations` yields after every generation with a
 * checkpoint object that, passed back as `resume`, continues the run exactly; the CLI writes those to disk.
 *
 * Identity and cost. Every expression is its canonical text; a text is scored once per run (the cache travels
 * in checkpoints). A generation's new texts are scored as one batch (src/eval/scorer.ts: shared subtrees once,
 * only the training bars, metrics by the registered kernel), on worker threads when asked. Pool candidates are
 * then evaluated on the whole panel for their train/valid/test metrics and daily values (src/mine/candidates.ts:
 * on the workers too, or with the metrics on the device); the test segment is only reported, never used to select.
 *
 * Novelty: every generation, each individual is compared with the pool as it stands (fingerprints: ranks on ~30
 * training days and at most 500 stocks, src/fitness/fingerprint.ts), and selection discounts its fitness by its largest |correlation|
 * with a pool member at least as fit (config `novelty`). Once a family of factors is in the pool the search is
 * pushed towards others, while a relative that beats the family's member keeps its full fitness, so families
 * are still refined (the pool rule then swaps the member for it). The latest candidates that passed training
 * but failed validation are shunned the same way (whatever their fitness): their family held only in sample,
 * and without this a run whose pool stays empty keeps breeding it. Pool admission uses exact correlations.
 *
 * Determinism: all randomness comes from one seeded generator whose state is checkpointed, and scoring does not
 * depend on the number of workers, so the same seed and data give the same pool on the same backend. A time
 * budget is the one stop rule that depends on the machine.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Node } from '../expr/ast.ts';
import { parse } from '../expr/parse.ts';
import { print } from '../expr/print.ts';
import { size as treeSize } from '../expr/analyze.ts';
import type { Panel } from '../data/panel.ts';
import { tradingDays } from '../data/calendar.ts';
import { computeLabels } from '../data/labels.ts';
import { parseSplitArgs, purgeLabels, splitDays, type Segment, type SegmentName } from '../data/splits.ts';
import { deviceRead, initBackend } from '../eval/backend.ts';
import { Scorer, type ScoreSetup } from '../eval/scorer.ts';
import type { EvalPool } from '../eval/pool.ts';
import { MIN_STOCKS, type FactorSummary } from '../fitness/metrics.ts';
import { correlatedAbove, RankScratch, rankDays, type RankedDays } from '../fitness/ranked_days.ts';
import { fingerprintCorrelationMatrix, fingerprintCorrelations, sampledFingerprints } from '../fitness/fingerprint.ts';
import { isHostMemoryBackend } from '../fitness/metric_kernels.ts';
import { evaluateCandidates } from './candidates.ts';
import { compositeFitness, getFitness, passes, type FitnessEntry } from '../fitness/registry.ts';
import { resolvePrimitives, type GpPrimitives } from '../gp/primitives.ts';
import { rampedHalfAndHalf, randomTree } from '../gp/generate.ts';
import { crossover, hoistMutation, pointMutation, subtreeMutation, windowMutation } from '../gp/variation.ts';
import { elite, makeRoulette, tournament } from '../gp/select.ts';
import { mulberry32, type Rng } from '../util/rng.ts';
import { MineConfigError, resolveConfig, type MineConfig } from './config.ts';
import { STANDARD_FIELDS } from '../expr/ast.ts';

export interface PoolMember {
  /** Canonical expression. */
  expr: string;
  /** Training fitness (the configured measure, greater is better). */
  fitness: number;
  size: number;
  /** Generation in which it joined. */
  generation: number;
  metrics: Partial<Record<SegmentName, FactorSummary>>;
}

export interface GenerationRecord {
  generation: number;
  /** Best and mean training fitness of the generation (finite values only). */
  best: number;
  mean: number;
  best_expr: string;
  pool: number;
  /** Expressions scored this generation (cache misses) and distinct expressions in the population. */
  evaluations: number;
  unique: number;
  /** Seconds this generation took, and scored expressions per second. */
  seconds: number;
  evals_per_second: number;
}

export interface Checkpoint {
  version: 2;
  config: MineConfig;
  /** Generations completed. */
  generation: number;
  rng: number;
  population: string[];
  /** Training summary per scored text. */
  cache: [string, FactorSummary][];
  pool: PoolMember[];
  rejected: string[];
  /** The latest candidates that passed on training but failed on validation, oldest first (novelty shuns them). */
  shunned: string[];
  history: GenerationRecord[];
  /** Seconds spent so far (over all sessions). */
  elapsed: number;
}

export type StopReason = 'generations' | 'time' | 'pool' | 'aborted';

export interface MineEvent {
  record: GenerationRecord;
  checkpoint: Checkpoint;
  /** Why the run stops after this generation, or null when it goes on. */
  stop: StopReason | null;
}

export interface MineResult {
  config: MineConfig;
  pool: PoolMember[];
  history: GenerationRecord[];
  segments: Segment[];
  stop: StopReason;
}

export interface MineOptions {
  /** Worker threads for scoring (a pool is started and closed here); default 1 = this thread. */
  workers?: number;
  /** An existing pool to score with instead (not closed here). */
  pool?: EvalPool;
  /** Continue from a checkpoint; its config wins over the `config` argument. */
  resume?: Checkpoint;
  /** Called while a generation is scored: expressions done of total. */
  onProgress?: (p: { generation: number; done: number; total: number }) => void;
  /** Stops after the current generation (which is completed and checkpointed). */
  signal?: AbortSignal;
  /** Seconds clock, for tests; default performance.now()/1000. */
  clock?: () => number;
}

/** What the loop needs about the data, computed once. */
interface Prepared {
  panel: Panel;
  config: MineConfig;
  prims: GpPrimitives;
  fitness: FitnessEntry;
  segments: Segment[];
  train: Segment;
  valid: Segment;
  labels: Float32Array;
  D: number;
  setup: ScoreSetup;
}

function prepare(panel: Panel, config: MineConfig): Prepared {
  const prims = resolvePrimitives({
    ...config.primitives,
    fields: config.primitives.fields ?? STANDARD_FIELDS.filter((f) => panel.fields.has(f)),
  });
  prims.fields.forEach((f, i) => {
    if (!panel.fields.has(f)) throw new MineConfigError(`primitives.fields[${i}]`, `the data has no field '${f}' (it has ${[...panel.fields.keys()].join(', ')})`);
  });
  const fitness = config.fitness === 'composite' ? compositeFitness(config.thresholds) : getFitness(config.fitness);
  const cal = tradingDays(panel);
  const segments = splitDays(cal.days, parseSplitArgs(config.split));
  const train = segments.find((s) => s.name === 'train');
  const valid = segments.find((s) => s.name === 'valid');
  if (!train) throw new MineConfigError('split', 'needs a training segment');
  if (!valid) throw new MineConfigError('split', 'needs a validation segment (pool members must pass on it)');
  const D = cal.days.length;
  const raw = computeLabels(panel, { horizon: config.horizon, ...(config.price ? { price: config.price } : {}) });
  const labels = purgeLabels(raw.values, D, panel.N, segments, config.horizon);
  // The longest lookback any allowed tree can have: a windowed operator at each level below the root.
  const maxWindow = Math.max(...prims.windows);
  const setup: ScoreSetup = {
    labels, dayStart: cal.start, dayEnd: cal.end, first: train.firstDay, last: train.lastDay,
    margin: prims.maxDepth * (maxWindow + 1), groups: config.groups, minStocks: MIN_STOCKS,
    refDays: sampleDays(train.lastDay - train.firstDay + 1),
  };
  return { panel, config, prims, fitness, segments, train, valid, labels, D, setup };
}

/** About 30 evenly spread training days: enough for a novelty correlation, far cheaper than all of them. */
function sampleDays(days: number): Int32Array {
  const step = Math.max(1, Math.ceil(days / 30));
  return Int32Array.from({ length: Math.ceil(days / step) }, (_, i) => i * step);
}

/** A pool member's fingerprint, from its whole-panel daily values on the scorer's sample days. */
function fingerprintOf(p: Prepared, daily: Float32Array): Float32Array {
  const N = p.panel.N;
  const R = p.setup.refDays.length;
  const values = new Float32Array(R * N);
  p.setup.refDays.forEach((r, i) => {
    const day = p.train.firstDay + r;
    values.set(daily.subarray(day * N, (day + 1) * N), i * N);
  });
  return sampledFingerprints(values, 1, R, N, p.setup.minStocks);
}

/** How many validation failures the novelty term remembers. */
const SHUN_MAX = 50;

/**
 * Fitness after the novelty discount: `raw` less `novelty` x |raw| x the largest |correlation| with a pool
 * member at least as fit or with a shunned text (one that failed validation: its family held only in sample).
 * `corr` caches correlations per text and reference text across generations.
 */
function noveltyDiscounted(p: Prepared, raw: number, text: string, pool: readonly PoolMember[], shunned: readonly string[], prints: Map<string, Float32Array>, refPrints: Map<string, Float32Array>, corr: Map<string, Map<string, number>>): number {
  if (p.config.novelty === 0 || (pool.length === 0 && shunned.length === 0) || !Number.isFinite(raw)) return raw;
  let known = corr.get(text);
  if (!known) corr.set(text, (known = new Map()));
  const refs = [...pool.filter((m) => m.fitness >= raw).map((m) => m.expr), ...shunned];
  // The correlations not yet known, in one call: it compares four references per pass over the text's print.
  const fresh = refs.filter((r) => !known.has(r));
  if (fresh.length > 0) {
    const cs = fingerprintCorrelations(prints.get(text)!, fresh.map((r) => refPrints.get(r)!), p.setup.refDays.length);
    fresh.forEach((r, i) => known.set(r, Math.abs(cs[i]!)));
  }
  let worst = 0;
  for (const r of refs) {
    const c = known.get(r)!;
    if (c > worst) worst = c;
  }
  return raw - p.config.novelty * Math.abs(raw) * worst;
}

/**
 * On a device backend, every correlation the novelty term lacks for this generation, as matrix products there
 * (`fingerprintCorrelationMatrix`): each text short of one gets a row against all references (pool members and
 * shunned texts), which `noveltyDiscounted` then finds in `corr`. The host backends compare on the host.
 */
async function deviceNovelty(p: Prepared, texts: readonly string[], raw: Float64Array, pool: readonly PoolMember[], shunned: readonly string[], prints: Map<string, Float32Array>, refPrints: Map<string, Float32Array>, corr: Map<string, Map<string, number>>): Promise<void> {
  const refs = [...pool.map((m) => m.expr), ...shunned];
  const short = [...new Set(texts.filter((t, i) => Number.isFinite(raw[i]!) && refs.some((r) => !corr.get(t)?.has(r))))];
  if (short.length === 0 || refs.length === 0) return;
  // Through deviceRead, so that a device fault fails the generation instead of discounting nothing.
  const m = await deviceRead(fingerprintCorrelationMatrix(short.map((t) => prints.get(t)!), refs.map((r) => refPrints.get(r)!), p.setup.refDays.length));
  short.forEach((t, i) => {
    let known = corr.get(t);
    if (!known) corr.set(t, (known = new Map()));
    refs.forEach((r, q) => known.set(r, Math.abs(m[i * refs.length + q]!)));
  });
}

/** Selection fitness of a training summary: greater is better, invalid is -Infinity. */
function selectionFitness(p: Prepared, s: FactorSummary | undefined): number {
  if (!s) return -Infinity;
  const trainDays = p.train.lastDay - p.train.firstDay + 1;
  if (s.days < p.config.minDays * trainDays) return -Infinity;
  const v = p.fitness.fn(s);
  if (!Number.isFinite(v)) return -Infinity;
  return p.fitness.greaterIsBetter ? v : -v;
}

function breed(rng: Rng, p: Prepared, parents: readonly Node[], fit: Float64Array): Node[] {
  const c = p.config;
  const next: Node[] = elite(fit, Math.min(c.elitism, parents.length)).map((i) => parents[i]!);
  const pick = c.selection === 'roulette' ? makeRoulette(fit) : (r: Rng) => tournament(r, fit, c.tournamentSize);
  const m = c.mutation;
  const texts = new Set(next.map(print));
  const [d0, d1] = p.prims.initDepth;
  while (next.length < c.population) {
    // A child already in the next generation would only be scored from the cache and crowd out variety:
    // draw again a few times, then fall back to a fresh random tree.
    let child: Node | undefined;
    for (let attempt = 0; attempt < 4 && !child; attempt++) {
      const parent = parents[pick(rng)]!;
      let r = rng();
      let c1: Node;
      if ((r -= c.crossover) < 0) c1 = crossover(rng, parent, parents[pick(rng)]!, p.prims);
      else if ((r -= m.subtree) < 0) c1 = subtreeMutation(rng, parent, p.prims);
      else if ((r -= m.hoist) < 0) c1 = hoistMutation(rng, parent, p.prims);
      else if ((r -= m.point) < 0) c1 = pointMutation(rng, parent, p.prims);
      else if ((r -= m.window) < 0) c1 = windowMutation(rng, parent, p.prims);
      else c1 = parent;
      if (!texts.has(print(c1))) child = c1;
    }
    child ??= randomTree(rng, p.prims, rng() < 0.5 ? 'grow' : 'full', d0 + Math.floor(rng() * (d1 - d0 + 1)));
    texts.add(print(child));
    next.push(child);
  }
  return next;
}

/**
 * The report's pool rule for this generation's candidates (fittest first): pass on training and validation with
 * the same direction, then join unless a pool member's |correlation| (mean daily Spearman over training and
 * validation days) exceeds the threshold; a fitter candidate replaces the members it is too close to. `ranked`
 * holds the members ranked over those days (src/fitness/ranked_days.ts), so a comparison does not re-sort them.
 */
async function updatePool(p: Prepared, pool: PoolMember[], ranked: Map<string, RankedDays>, refPrints: Map<string, Float32Array>, rejected: Set<string>, shunned: string[], cands: { expr: string; node: Node; fitness: number; size: number }[], generation: number, workers: EvalPool | undefined): Promise<void> {
  if (cands.length === 0) return;
  const { daily, metrics, ranked: onDevice } = await evaluateCandidates(p.panel, cands.map((c) => c.node), {
    metrics: { segments: p.segments, labels: p.labels, groups: p.config.groups },
    workers,
    ranks: { first: p.train.firstDay, last: p.valid.lastDay },
  });
  const scratch = new RankScratch(p.panel.N);
  cands.forEach((cand, i) => {
    const m = metrics[i]!;
    const tr = m.train!;
    const va = m.valid!;
    if (pool.length >= p.config.poolSize) return;
    if (!passes(tr, p.config.thresholds) || !passes(va, p.config.thresholds) || va.direction !== tr.direction) {
      rejected.add(cand.expr);
      if (passes(tr, p.config.thresholds)) {
        shunned.push(cand.expr);
        refPrints.set(cand.expr, fingerprintOf(p, daily[i]!));
        if (shunned.length > SHUN_MAX) refPrints.delete(shunned.shift()!);
      }
      return;
    }
    const own = onDevice?.[i] ?? poolRanks(p, daily[i]!);
    const tooClose = (x: PoolMember) => correlatedAbove(ranked.get(x.expr)!, own, MIN_STOCKS, p.config.correlation, scratch);
    // Members at least as fit first: one of them too close rejects the candidate, and then the weaker ones are
    // not compared at all.
    if (pool.some((x) => x.fitness >= cand.fitness && tooClose(x))) {
      rejected.add(cand.expr);
      return;
    }
    const close = pool.filter((x) => x.fitness < cand.fitness && tooClose(x));
    for (const x of close) {
      pool.splice(pool.indexOf(x), 1);
      ranked.delete(x.expr);
      refPrints.delete(x.expr);
      rejected.add(x.expr);
    }
    pool.push({ expr: cand.expr, fitness: cand.fitness, size: cand.size, generation, metrics: m });
    ranked.set(cand.expr, own);
    refPrints.set(cand.expr, fingerprintOf(p, daily[i]!));
  });
}

/** A pool member's daily values ranked over the days the pool rule correlates (training and validation). */
function poolRanks(p: Prepared, daily: Float32Array): RankedDays {
  return rankDays(daily, p.D, p.panel.N, p.train.firstDay, p.valid.lastDay);
}

/** JSON writes NaN as null: a summary read back from a checkpoint file gets its NaNs back. */
function revive(s: FactorSummary): FactorSummary {
  const out = { ...s } as Record<string, unknown>;
  for (const k of Object.keys(out)) if (out[k] === null) out[k] = NaN;
  return out as unknown as FactorSummary;
}

/** Runs generation after generation; see the file header. The return value is the final result. */
export async function* mineGenerations(panel: Panel, config: Partial<MineConfig> | MineConfig = {}, opts: MineOptions = {}): AsyncGenerator<MineEvent, MineResult> {
  const cfg = resolveConfig(opts.resume?.config ?? config);
  await initBackend();
  const p = prepare(panel, cfg);
  const clock = opts.clock ?? (() => performance.now() / 1000);
  const fields = p.prims.fields as string[];
  const fromText = (t: string) => parse(t, { fields });

  const resume = opts.resume;
  const rng = mulberry32(resume ? resume.rng : cfg.seed);
  const cache = new Map<string, FactorSummary>((resume?.cache ?? []).map(([t, s]) => [t, revive(s)]));
  // Fingerprints of the current population's texts (the novelty term's input; not checkpointed: a text
  // that needs one and lacks it is scored again, with the same result) and their correlations with members.
  let prints = new Map<string, Float32Array>();
  const corr = new Map<string, Map<string, number>>();
  const pool: PoolMember[] = (resume?.pool ?? []).map((x) => ({
    ...x,
    metrics: Object.fromEntries(Object.entries(x.metrics).map(([k, v]) => [k, revive(v)])),
  }));
  const rejected = new Set<string>(resume?.rejected ?? []);
  const shunned: string[] = [...(resume?.shunned ?? [])];
  const history: GenerationRecord[] = (resume?.history ?? []).map((h) => ({
    ...h,
    best: h.best ?? NaN,
    mean: h.mean ?? NaN,
    evals_per_second: h.evals_per_second ?? NaN,
  }));
  let elapsed = resume?.elapsed ?? 0;
  let population: Node[] = resume ? resume.population.map(fromText) : rampedHalfAndHalf(rng, p.prims, cfg.population);
  let generation = resume?.generation ?? 0;
  // Pool members ranked for the pool rule, and fingerprints of the novelty term's references: members and
  // shunned texts.
  const ranked = new Map<string, RankedDays>();
  const refPrints = new Map<string, Float32Array>();
  const refs = [...pool.map((x) => x.expr), ...shunned];
  (await evaluateCandidates(panel, refs.map(fromText))).daily.forEach((d, i) => {
    if (i < pool.length) ranked.set(refs[i]!, poolRanks(p, d));
    refPrints.set(refs[i]!, fingerprintOf(p, d));
  });

  let workerPool = opts.pool;
  const ownPool = !workerPool && (opts.workers ?? 1) > 1;
  if (ownPool) {
    const { EvalPool } = await import('../eval/pool.ts');
    workerPool = await EvalPool.create(opts.workers!);
  }
  const localScorer = workerPool ? undefined : new Scorer(panel, p.setup);
  let stop: StopReason | null = null;
  try {
    if (resume && resume.pool.length >= cfg.poolSize) stop = 'pool';
    else if (resume && resume.generation >= cfg.generations) stop = 'generations';
    while (!stop) {
      const t0 = clock();
      const texts = population.map(print);
      // Texts to score: those never scored, and those the novelty term needs a fingerprint of.
      const needPrints = cfg.novelty !== 0 && (pool.length > 0 || shunned.length > 0);
      const todo: Node[] = [];
      const todoTexts: string[] = [];
      const seen = new Set<string>();
      let evaluations = 0;
      texts.forEach((t, i) => {
        if (seen.has(t)) return;
        seen.add(t);
        const known = cache.has(t);
        if (known && (prints.has(t) || !needPrints)) return;
        if (!known) evaluations++;
        todo.push(population[i]!);
        todoTexts.push(t);
      });
      const onProgress = (done: number, total: number) => opts.onProgress?.({ generation, done, total });
      onProgress(0, todo.length);
      const scores = workerPool ? await workerPool.score(panel, p.setup, todo, onProgress) : await localScorer!.score(todo, onProgress);
      todoTexts.forEach((t, i) => {
        if (!cache.has(t)) cache.set(t, scores[i]!.summary);
        prints.set(t, scores[i]!.fingerprint);
      });

      const raw = Float64Array.from(texts, (t) => selectionFitness(p, cache.get(t)!));
      if (needPrints && !isHostMemoryBackend(tf.getBackend())) await deviceNovelty(p, texts, raw, pool, shunned, prints, refPrints, corr);
      const sizes = population.map(treeSize);
      const fit = Float64Array.from(raw, (v, i) => noveltyDiscounted(p, v, texts[i]!, pool, shunned, prints, refPrints, corr) - cfg.parsimony * sizes[i]!);

      // Pool candidates: distinct, new, passing on training; fittest first (ties by text, for determinism).
      const inPool = new Set(pool.map((x) => x.expr));
      const candMap = new Map<string, { expr: string; node: Node; fitness: number; size: number }>();
      texts.forEach((t, i) => {
        if (candMap.has(t) || inPool.has(t) || rejected.has(t) || !Number.isFinite(raw[i]!)) return;
        if (!passes(cache.get(t)!, cfg.thresholds)) return;
        candMap.set(t, { expr: t, node: population[i]!, fitness: raw[i]!, size: sizes[i]! });
      });
      const cands = [...candMap.values()].sort((a, b) => b.fitness - a.fitness || (a.expr < b.expr ? -1 : a.expr > b.expr ? 1 : 0)).slice(0, cfg.candidates);
      await updatePool(p, pool, ranked, refPrints, rejected, shunned, cands, generation, workerPool);

      let best = -Infinity, bestIdx = 0, sum = 0, finite = 0;
      raw.forEach((v, i) => {
        if (!Number.isFinite(v)) return;
        sum += v;
        finite++;
        if (v > best) {
          best = v;
          bestIdx = i;
        }
      });
      const seconds = clock() - t0;
      elapsed += seconds;
      const record: GenerationRecord = {
        generation,
        best: finite ? best : NaN,
        mean: finite ? sum / finite : NaN,
        best_expr: texts[bestIdx] ?? '',
        pool: pool.length,
        evaluations,
        unique: seen.size,
        seconds,
        evals_per_second: seconds > 0 ? evaluations / seconds : NaN,
      };
      history.push(record);
      generation++;
      if (pool.length >= cfg.poolSize) stop = 'pool';
      else if (generation >= cfg.generations) stop = 'generations';
      else if (cfg.timeBudget !== null && elapsed >= cfg.timeBudget) stop = 'time';
      else if (opts.signal?.aborted) stop = 'aborted';
      // Breed now so the checkpoint holds the next population and the generator state after breeding; a run
      // stopped by time or by the caller can be resumed from it.
      if (stop !== 'pool' && stop !== 'generations') {
        population = breed(rng, p, population, fit);
        // Keep what the next generation can use: its own texts' fingerprints (elites, parents' copies).
        const keep = new Map<string, Float32Array>();
        for (const n of population) {
          const t = print(n);
          const f = prints.get(t);
          if (f) keep.set(t, f);
        }
        prints = keep;
        for (const t of corr.keys()) if (!keep.has(t)) corr.delete(t);
      }
      const checkpoint: Checkpoint = {
        version: 2, config: cfg, generation, rng: rng.state(), population: population.map(print),
        cache: [...cache], pool: pool.map((x) => ({ ...x })), rejected: [...rejected], shunned: [...shunned], history: [...history], elapsed,
      };
      yield { record, checkpoint, stop };
    }
  } finally {
    localScorer?.dispose();
    if (ownPool) workerPool!.close();
  }
  return { config: cfg, pool, history, segments: p.segments, stop: stop! };
}

/** Runs to the end; `onGeneration` sees every generation's event (e.g. to write checkpoints). */
export async function mine(panel: Panel, config: Partial<MineConfig> = {}, opts: MineOptions & { onGeneration?: (e: MineEvent) => void | Promise<void> } = {}): Promise<MineResult> {
  const it = mineGenerations(panel, config, opts);
  for (;;) {
    const r = await it.next();
    if (r.done) return r.value;
    await opts.onGeneration?.(r.value);
  }
}
