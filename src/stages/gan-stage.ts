/**
 * Stage 3 as one call: the configured method's labels, then the GAN loop in the run directory, its
 * progress recorded in the manifest. Used by `s3gan train` and by the pipelines.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { RunDir } from '../artifacts/run-dir.js';
import { configHash } from '../config/hash.js';
import type { Config } from '../config/schema.js';
import type { Dataset } from '../data/types.js';
import { createCheapEvaluation } from '../eval/cheap.js';
import { getMethod } from '../methods/methods.js';
import { GAN_CURVES, redrawCurves } from '../plots/training-curves.js';
import { writeRealGrid } from '../training/gan/real-grid.js';
import { sampleGridPath } from '../training/gan/samples.js';
import { trainingLabelSet } from '../training/gan/label-source.js';
import { trainGan, type GanLoopInputs, type GanLoopResult } from '../training/gan/loop.js';
import { InterruptedError, type StopRequest } from '../util/interrupt.js';
import type { ProgressStream } from '../util/progress.js';
import { UserError } from '../util/errors.js';
import { planLabelledSubset, type PlannedLabelledSubset } from './labelled-subset.js';
import { GAN_CHECKPOINTS_DIR, GAN_CURVES_DIR, GAN_EXPORT_DIR, GAN_EXPORT_GENERATOR_DIR, GAN_EXPORT_GENERATOR_EMA_DIR, GAN_REAL_GRID_FILE, GAN_SAMPLES_DIR, METRICS_FILE, PSEUDO_LABELS_FILE } from '../artifacts/run-layout.js';

export const GAN_STAGE = 'gan';

export interface GanStageOptions {
  readonly progressStream?: ProgressStream;
  /** Lines for the user (what is trained on what). */
  readonly log?: (line: string) => void;
  /** Stop after this step as a kill would (tests). */
  readonly stopAfterStep?: number;
  /** A stop request (Ctrl-C in the CLI): training stops after a step with a checkpoint written. */
  readonly stop?: StopRequest;
  /** The manifest stage this training is recorded as (default 'gan'; fine-tuning's is 'finetune'). */
  readonly stage?: string;
  /** The stage's config hash (default ganStageHash). */
  readonly stageHash?: string;
  /** More `inputs` to record with the labels file (e.g. a fine-tuning source's weights hash). */
  readonly inputs?: Readonly<Record<string, string>>;
  /** Passed to the loop: runs on the networks before the stage starts (GanLoopInputs.prepare). */
  readonly prepare?: GanLoopInputs['prepare'];
}

/** The config sections the GAN stage's result depends on. */
export function ganStageHash(config: Config): string {
  // When checkpoints are written by the clock changes nothing in the result (resume is exact).
  const { checkpointEveryMinutes: _clock, ...gan } = config.gan;
  return configHash({ seed: config.seed, data: config.data, labels: config.labels, gan });
}

export async function runGanStage(run: RunDir, dataset: Dataset, config: Config, options: GanStageOptions = {}): Promise<GanLoopResult> {
  const method = getMethod(config.gan.method);
  const stage = options.stage ?? GAN_STAGE;
  const stageHash = options.stageHash ?? ganStageHash(config);
  // 1. The labels, read (or chosen, not yet written) and checked before anything is written.
  let subset: PlannedLabelledSubset | undefined;
  const labelSet = await trainingLabelSet(method, dataset, {
    seed: config.seed,
    labelsFile: run.file(PSEUDO_LABELS_FILE),
    labelledSubset: async () => (subset = await planLabelledSubset(run, dataset, config)).indices,
  });
  const labelsFile = method.labelSource === 'labels-file' ? run.file(PSEUDO_LABELS_FILE) : subset?.file;
  options.log?.(`method ${method.name} (${method.summary}): ${labelSet.description}`);
  // Cheap FID / label accuracy during training (eval.everySteps > 0), logged by the loop.
  const cheap = config.eval.everySteps > 0 ? createCheapEvaluation(dataset, config, { progressStream: options.progressStream, log: options.log }) : undefined;

  // 2. The loop checks the newest checkpoint against the config; only then does the stage start
  //    (and the run directory get written), so a refused resume leaves the run as it was.
  let started = false;
  const start = async (resumedFrom: number): Promise<void> => {
    if (resumedFrom > 0 && labelsFile !== undefined && existsSync(labelsFile)) await checkSameLabels(run, labelsFile, stage);
    await cheap?.prepare();
    await subset?.write();
    await run.markStage(stage, { status: 'running', artifacts: [], configHash: stageHash, inputs: { ...(await labelInputs(run, labelsFile)), ...options.inputs } });
    started = true;
    await run.ensureDir('gan');
    // The images and labels the GAN trains on, one row per label, beside its sample grids.
    await run.ensureDir(GAN_SAMPLES_DIR);
    const { imageSize, fit } = config.data;
    await writeRealGrid(run.file(GAN_REAL_GRID_FILE), { split: dataset.train, labels: labelSet.labels, pool: labelSet.pool, numClasses: method.conditional ? dataset.classNames.length : 0, classNames: dataset.classNames, imageSize, fit, seed: config.seed });
  };
  const note = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  try {
    const result = await trainGan({
      config,
      method,
      split: dataset.train,
      numClasses: dataset.classNames.length,
      classNames: dataset.classNames,
      labels: labelSet.labels,
      pool: labelSet.pool,
      paths: {
        checkpoints: run.file(GAN_CHECKPOINTS_DIR),
        samples: run.file(GAN_SAMPLES_DIR),
        metrics: run.file(METRICS_FILE),
        exports: run.file(GAN_EXPORT_DIR),
      },
      progressStream: options.progressStream,
      stopAfterStep: options.stopAfterStep,
      evaluate: cheap?.evaluate,
      onStart: start,
      prepare: options.prepare,
      onCheckpoint: () => redrawCurves(run.file(METRICS_FILE), run.file(GAN_CURVES_DIR), GAN_CURVES, note),
      log: options.log,
      stop: options.stop,
    });
    const done = result.step >= config.gan.steps;
    const artifacts = [GAN_CHECKPOINTS_DIR, GAN_SAMPLES_DIR, ...(done ? [GAN_EXPORT_GENERATOR_DIR, GAN_EXPORT_GENERATOR_EMA_DIR] : [])];
    await run.markStage(stage, { status: done ? 'done' : 'running', artifacts, configHash: stageHash });
    return result;
  } catch (error) {
    // A stop on request is no failure: the stage resumes from the checkpoint just written.
    if (error instanceof InterruptedError) await run.markStage(stage, { status: 'running', artifacts: [GAN_CHECKPOINTS_DIR, GAN_SAMPLES_DIR], configHash: stageHash });
    else if (started) await run.markStage(stage, { status: 'failed', error: error instanceof Error ? error.message : String(error) });
    throw error;
  } finally {
    await cheap?.dispose();
  }
}

/** The content hash of a file, as recorded in a stage's `inputs`. */
async function fileHash(file: string): Promise<string> {
  return `sha256:${createHash('sha256').update(await readFile(file)).digest('hex')}`;
}

/** The stage's `inputs` record: the labels file it trains on, by its path in the run. */
async function labelInputs(run: RunDir, labelsFile: string | undefined): Promise<Record<string, string>> {
  if (labelsFile === undefined) return {};
  return { [path.relative(run.path, labelsFile).split(path.sep).join('/')]: await fileHash(labelsFile) };
}

/**
 * Refuses to resume the GAN on labels other than those its checkpoints were trained on. A restart
 * would silently discard all of the GAN's training so far, and continuing would mix two label sets
 * in one generator; which of the two the user wants (or the old labels back) is theirs to say.
 */
async function checkSameLabels(run: RunDir, labelsFile: string, stage: string): Promise<void> {
  const recorded = (await run.manifest()).stages[stage]?.inputs ?? {};
  const [key, now] = Object.entries(await labelInputs(run, labelsFile))[0];
  const before = recorded[key];
  if (before === undefined || before === now) return;
  throw new UserError(
    `${labelsFile} has changed since the GAN in ${run.path} started training on it (recorded ${before.slice(0, 19)}…, now ${now.slice(0, 19)}…): ` +
      `its checkpoints belong to the old labels. Restore the old labels, train in another run directory (--run), ` +
      `or delete ${run.file(GAN_CHECKPOINTS_DIR)} to train the GAN afresh on the new labels`,
  );
}

/** Path of the newest sample grid of a loop result (written at the last step). */
export function finalSampleGrid(run: RunDir, step: number): string {
  return sampleGridPath(run.file(GAN_SAMPLES_DIR), step);
}
