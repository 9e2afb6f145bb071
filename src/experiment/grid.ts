/**
 * The grid of an experiment: its cells (one run directory each, under cells/) and the stages they
 * share (one run directory each, under shared/), every config resolved before anything runs, so a
 * mistake anywhere in the grid is refused with nothing written.
 *
 * Methods trained on every true label (cgan-full, s3gan-full) get one cell per seed at label
 * fraction 1, methods that read no labels (gan, ssgan, cgan-random) one per seed at none; the rest
 * one per fraction × seed. A cell's config: base, then the experiment's `set`, the user's own
 * overrides, the final evaluation's settings, the matching per-cell `overrides`, then its method,
 * fraction and seed (seed and labels.seed alike: each seed draws its own labelled subset).
 */
import * as path from 'node:path';
import { pipelineConfig, pipelineStages } from '../api/run.js';
import { loadConfig } from '../config/load.js';
import type { ConfigOverride } from '../config/overrides.js';
import type { Config } from '../config/schema.js';
import { CONDITIONAL_METRICS } from '../eval/metric-names.js';
import { getMethod } from '../methods/methods.js';
import type { Pipeline } from '../stages/pipeline.js';
import { PRETRAIN_STAGE, pretrainStageHash } from '../stages/pretrain-stage.js';
import { PSEUDO_LABEL_STAGE, pseudoLabelStageHash } from '../stages/pseudo-label-stage.js';
import { LABELS_STAGE } from '../stages/labelled-subset.js';
import { UserError } from '../util/errors.js';
import type { ExperimentFile } from './experiment-file.js';

/** Folders of the experiment's output directory. */
export const CELLS_DIR = 'cells';
export const SHARED_DIR = 'shared';
export const LOGS_DIR = 'logs';

/** A stage run once for every cell whose inputs hash the same. */
export interface SharedUnit {
  readonly kind: 'shared';
  /** '<stage>-<hash>': its folder under shared/ and its key in the grid. */
  readonly key: string;
  readonly stage: string;
  readonly hash: string;
  /** Its run directory (absolute). */
  readonly dir: string;
  /** The config of the first cell that needs it, with run.dir set to `dir`. */
  readonly config: Config;
  /** The pipeline cut to `stage`. */
  readonly pipeline: Pipeline;
  /** Shared units whose stages this one adopts first (the pseudo-labelling adopts the encoder). */
  readonly adopts: readonly Adoption[];
  /** Ids of the cells that reuse it. */
  readonly cells: string[];
}

/** Stages to copy from a shared unit's run directory before running. */
export interface Adoption {
  readonly from: string;
  readonly stages: readonly string[];
}

export interface CellUnit {
  readonly kind: 'cell';
  /** 's3gan-f0.01-s0': its folder under cells/ and its key in the grid. */
  readonly key: string;
  readonly method: string;
  readonly labelFraction: number | null;
  readonly seed: number;
  readonly dir: string;
  readonly config: Config;
  /** The method's whole pipeline; adopted stages skip themselves. */
  readonly pipeline: Pipeline;
  readonly adopts: readonly Adoption[];
}

export type GridUnit = SharedUnit | CellUnit;

export interface Grid {
  readonly cells: readonly CellUnit[];
  /** Shared units in the order they must run (a pretraining before the labellings that adopt it). */
  readonly shared: readonly SharedUnit[];
}

/** The stages a shared unit of `stage` copies into its users: the labelled subset comes with the labels. */
const ADOPTED: Readonly<Record<string, readonly string[]>> = { [PRETRAIN_STAGE]: [PRETRAIN_STAGE], [PSEUDO_LABEL_STAGE]: [LABELS_STAGE, PSEUDO_LABEL_STAGE] };
/** Which stages are shared, with the hash of their inputs, in pipeline order. */
const SHARED_HASHES: readonly [string, (config: Config) => string][] = [
  [PRETRAIN_STAGE, pretrainStageHash],
  [PSEUDO_LABEL_STAGE, pseudoLabelStageHash],
];

/** The cells' coordinates, in file order: method, then fraction, then seed. */
interface Coordinates {
  readonly method: string;
  readonly labelFraction: number | null;
  readonly seed: number;
}

function coordinates(experiment: ExperimentFile): Coordinates[] {
  const { methods, fractions, seeds } = experiment.spec;
  return methods.flatMap((method, i): Coordinates[] => {
    const source = getMethod(method).labelSource;
    if (source === 'true') return seeds.map((seed) => ({ method, labelFraction: 1, seed }));
    if (source === 'none' || source === 'random') return seeds.map((seed) => ({ method, labelFraction: null, seed }));
    if (fractions.length === 0) throw new UserError(`${experiment.where(['methods', i])}: '${method}' reads a labelled subset: list its label fractions in 'fractions'`);
    return fractions.flatMap((labelFraction) => seeds.map((seed) => ({ method, labelFraction, seed })));
  });
}

export function cellId(method: string, labelFraction: number | null, seed: number): string {
  const labels = labelFraction === null ? 'none' : labelFraction === 1 && getMethod(method).labelSource === 'true' ? 'all' : `f${labelFraction}`;
  return `${method}-${labels}-s${seed}`;
}

/**
 * Resolves every cell's config and groups the stages they share. `userSet`: --set overrides of the
 * command line, applied to every cell after the experiment's own `set`.
 */
export async function planGrid(experiment: ExperimentFile, out: string, userSet: readonly ConfigOverride[] = []): Promise<Grid> {
  const { spec, file } = experiment;
  const own = (key: string, value: string, where: readonly PropertyKey[]): ConfigOverride => ({ assignment: `${key}=${value}`, flag: experiment.where(where), value });
  const common: ConfigOverride[] = [
    ...spec.set.map((text, i) => ({ assignment: text, flag: experiment.where(['set', i]), value: text.slice(text.indexOf('=') + 1) })),
    ...userSet,
    ...(spec.eval.samples === undefined ? [] : [own('eval.samples', String(spec.eval.samples), ['eval', 'samples'])]),
  ];
  // An unconditional generator has no label accuracy, CAS or intra-FID: its cells leave them out.
  const evalMetrics = (method: string): ConfigOverride[] => {
    const metrics = spec.eval.metrics?.filter((m) => getMethod(method).conditional || !CONDITIONAL_METRICS.has(m));
    return metrics === undefined || metrics.length === 0 ? [] : [own('eval.metrics', `[${metrics.join(',')}]`, ['eval', 'metrics'])];
  };
  const cells: CellUnit[] = [];
  const shared = new Map<string, SharedUnit>();
  for (const { method, labelFraction, seed } of coordinates(experiment)) {
    const key = cellId(method, labelFraction, seed);
    const dir = path.resolve(out, CELLS_DIR, key);
    const matching = spec.overrides.flatMap((o, k) =>
      (o.methods ?? [method]).includes(method) && (o.seeds ?? [seed]).includes(seed) && (labelFraction === null || (o.fractions ?? [labelFraction]).includes(labelFraction))
        ? o.set.map((text, i) => ({ assignment: text, flag: experiment.where(['overrides', k, 'set', i]), value: text.slice(text.indexOf('=') + 1) }))
        : [],
    );
    const overrides = [
      ...common,
      ...evalMetrics(method),
      ...matching,
      own('gan.method', method, ['methods']),
      ...(labelFraction === null || getMethod(method).labelSource === 'true' ? [] : [own('labels.fraction', String(labelFraction), ['fractions'])]),
      own('seed', String(seed), ['seeds']),
      own('labels.seed', String(seed), ['seeds']),
      own('run.dir', dir, []),
    ];
    const load = async (pipelineOverrides: readonly string[]) => (await loadConfig({ configFile: spec.base, overrides: [...pipelineOverrides, ...overrides] })).config;
    const { config, pipeline } = await pipelineConfig(load).catch((error: unknown) => {
      if (!(error instanceof UserError)) throw error;
      throw new UserError(error.message.includes(file) ? `${error.message} (cell ${key})` : `${file}: cell ${key}: ${error.message}`);
    });
    // Each shared stage of the pipeline, keyed by the hash of its inputs; a later one adopts the earlier.
    const adopts: Adoption[] = [];
    for (const [stage, hashOf] of SHARED_HASHES) {
      if (!pipeline.stages.some((s) => s.name === stage)) continue;
      const hash = hashOf(config);
      const sharedKey = `${stage}-${hash}`;
      let unit = shared.get(sharedKey);
      if (unit === undefined) {
        const sharedDir = path.resolve(out, SHARED_DIR, sharedKey);
        unit = { kind: 'shared', key: sharedKey, stage, hash, dir: sharedDir, config: { ...config, run: { ...config.run, dir: sharedDir } }, pipeline: pipelineStages(pipeline, [stage]), adopts: [...adopts], cells: [] };
        shared.set(sharedKey, unit);
      }
      unit.cells.push(key);
      adopts.push({ from: sharedKey, stages: ADOPTED[stage] });
    }
    cells.push({ kind: 'cell', key, method, labelFraction, seed, dir, config, pipeline, adopts });
  }
  return { cells, shared: [...shared.values()] };
}
