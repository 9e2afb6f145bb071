/**
 * The labelled subset of a run: chosen once (labels.fraction or labels.perClass, labels.seed) and
 * written to labels/labelled-subset.json, then read back by every later stage and method so that an
 * experiment's methods all see the same labels.
 */
import { existsSync } from 'node:fs';
import type { RunDir } from '../artifacts/run-dir.js';
import { configHash } from '../config/hash.js';
import { labelBudget } from '../config/derived.js';
import type { Config } from '../config/schema.js';
import { labelledSubset, type LabelledSubset } from '../data/label-subset.js';
import { readLabelledSubset, writeLabelledSubset } from '../data/label-subset-file.js';
import type { Dataset } from '../data/types.js';
import { UserError } from '../util/errors.js';
import { LABELLED_SUBSET_FILE } from '../artifacts/run-layout.js';

export const LABELS_STAGE = 'labels';

/** The config sections the subset depends on (its stage hash). */
export function labelsStageHash(config: Config): string {
  return configHash({ data: config.data, labels: config.labels });
}

/** The subset this config asks for (labels.fraction or labels.perClass, labels.seed). */
export function configuredSubset(dataset: Dataset, config: Config): LabelledSubset {
  return labelledSubset(dataset.train, dataset.classNames, labelBudget(config), config.labels.seed);
}

/** Writes `subset` into the run, marking the `labels` stage. Returns its split indices. */
export async function writeRunLabelledSubset(run: RunDir, dataset: Dataset, config: Config, subset: LabelledSubset): Promise<Int32Array> {
  await run.markStage(LABELS_STAGE, { status: 'running', artifacts: [] });
  try {
    await run.ensureDir('labels');
    await writeLabelledSubset(run.file(LABELLED_SUBSET_FILE), dataset, subset);
  } catch (error) {
    await run.markStage(LABELS_STAGE, { status: 'failed', error: error instanceof Error ? error.message : String(error) });
    throw error;
  }
  await run.markStage(LABELS_STAGE, { status: 'done', artifacts: [LABELLED_SUBSET_FILE], configHash: labelsStageHash(config) });
  return subset.indices;
}

/** The run's labelled subset, checked but perhaps not yet written (see planLabelledSubset). */
export interface PlannedLabelledSubset {
  /** Split indices of the labelled images. */
  readonly indices: Int32Array;
  /** The subset file in the run directory. */
  readonly file: string;
  /** Writes the subset when it was newly chosen (marking the `labels` stage); nothing otherwise. */
  readonly write: () => Promise<void>;
}

/**
 * The run's labelled subset: read from the run directory when the `labels` stage is done with this
 * config's data and labels settings, chosen otherwise, and written only by `write()`, so that a
 * stage can finish its checks before it touches the run. A subset chosen with other settings is an
 * error, not silently replaced (other stages may have used it).
 */
export async function planLabelledSubset(run: RunDir, dataset: Dataset, config: Config): Promise<PlannedLabelledSubset> {
  const file = run.file(LABELLED_SUBSET_FILE);
  if (!existsSync(file)) {
    const subset = configuredSubset(dataset, config);
    return { indices: subset.indices, file, write: async () => void (await writeRunLabelledSubset(run, dataset, config, subset)) };
  }
  const stage = (await run.manifest()).stages[LABELS_STAGE];
  if (stage?.status === 'done' && stage.configHash !== undefined && stage.configHash !== labelsStageHash(config)) {
    throw new UserError(`${file} was chosen with other data/labels settings than this config's; use another run.dir, or delete it to choose again`);
  }
  return { indices: (await readLabelledSubset(file, dataset)).indices, file, write: () => Promise.resolve() };
}

/** The run's labelled subset (planLabelledSubset), written at once when newly chosen. */
export async function runLabelledSubset(run: RunDir, dataset: Dataset, config: Config): Promise<Int32Array> {
  const planned = await planLabelledSubset(run, dataset, config);
  await planned.write();
  return planned.indices;
}
