/**
 * The checks of a plan that need only the config and the dataset's counts (images, classes,
 * labels), run before anything is written and under --dry-run. Each stage still checks its own
 * input where it uses it; this module repeats those checks up front, so that a config which would
 * fail after minutes of pretraining fails at once, with the same message, and nothing in the run
 * directory changes. Checks that need a stage's artifacts (checkpoints, the labels file) stay with
 * the stage, except one: a stage whose checkpoints are all damaged (checkResumePoints).
 */
import { existsSync } from 'node:fs';
import type { Config } from '../config/schema.js';
import { budgetText } from '../config/derived.js';
import { UNLABELLED, splitSize, type Dataset } from '../data/types.js';
import { CHEAP_METRICS } from '../eval/cheap.js';
import { CLASSIFIER_METRICS, REAL_FEATURE_METRICS, type EvalMetric } from '../eval/metric-names.js';
import { evaluationSplit } from '../eval/reference.js';
import { getMethod, type MethodSpec } from '../methods/methods.js';
import { configuredBlocks } from '../classify/block-sets.js';
import { ENCODER_BLOCKS } from '../nn/architectures/rotation-encoder.js';
import { requireAllLabelled } from '../training/gan/label-source.js';
import { GAN_CHECKPOINT_LAYOUT } from '../training/gan/checkpoint.js';
import { newestIntactCheckpoint } from '../training/common/checkpoint-integrity.js';
import { checkBatchSize } from '../training/gan/loop.js';
import { PRETRAIN_CHECKPOINT_LAYOUT } from '../training/pretrain/checkpoint.js';
import { heldOutSplit } from '../training/pretrain/loop.js';
import { UserError } from '../util/errors.js';
import { configuredSubset } from './labelled-subset.js';
import { GAN_CHECKPOINTS_DIR, PRETRAIN_CHECKPOINTS_DIR, PRETRAIN_REPORT_FILE, runPath } from '../artifacts/run-layout.js';

/** The stages a plan can hold, by their manifest names. */
export const PLAN_STAGES = ['pretrain', 'pseudo-label', 'gan', 'eval'] as const;
export type PlanStage = (typeof PLAN_STAGES)[number];

export interface PlanCheckOptions {
  /** The stages that will run (manifest names; names of other stages are ignored). */
  readonly stages: readonly string[];
}

/** Throws the UserError the first stage of the plan would throw on this config and dataset. */
export function checkPlan(config: Config, dataset: Dataset, options: PlanCheckOptions): void {
  const stages = new Set(options.stages);
  const method = getMethod(config.gan.method);
  // Classes first: a single-class folder is the root cause of every later failure of a conditional plan.
  if (stages.has('gan') && method.conditional) requireClasses(`gan.method ${method.name} is class-conditional and`, config, dataset);
  if (stages.has('pseudo-label')) requireClasses('the pseudo-label stage', config, dataset);
  if (stages.has('pretrain')) checkPretrain(config, dataset);
  if (stages.has('pseudo-label')) checkPseudoLabel(config, dataset);
  if (stages.has('gan')) checkGan(config, dataset, method);
  if (stages.has('eval')) checkEvaluation(config, dataset, config.eval.metrics);
}

/**
 * Refuses a run directory whose training stages could not resume: checkpoints exist but none is
 * whole (the remedy is named). Damaged checkpoints beside a whole one are left to the stage, which
 * resumes from the newest whole one and says so. A finished pretraining (its report written) reads
 * no checkpoint and is not checked.
 */
export async function checkResumePoints(runDir: string, options: PlanCheckOptions): Promise<void> {
  const quiet = () => undefined;
  if (options.stages.includes('pretrain') && !existsSync(runPath(runDir, PRETRAIN_REPORT_FILE))) {
    await newestIntactCheckpoint(runPath(runDir, PRETRAIN_CHECKPOINTS_DIR), PRETRAIN_CHECKPOINT_LAYOUT, { log: quiet, stage: 'pretraining' });
  }
  if (options.stages.includes('gan')) {
    await newestIntactCheckpoint(runPath(runDir, GAN_CHECKPOINTS_DIR), GAN_CHECKPOINT_LAYOUT, { log: quiet, stage: 'the GAN stage' });
  }
}

/** Where the dataset's images come from, for messages: the folder (and label file) the user named. */
function datasetPlace(config: Config, dataset: Dataset): string {
  if (config.data.name !== 'image-folder') return `dataset ${dataset.name}`;
  const labelFile = config.data.labelFile === undefined ? '' : ` labelled by ${config.data.labelFile} (data.labelFile)`;
  return `image folder ${dataset.source} (data.path)${labelFile}`;
}

function labelledCount(dataset: Dataset): number {
  return dataset.train.labels.reduce((n, label) => n + (label === UNLABELLED ? 0 : 1), 0);
}

/** Class labels for at least two classes: conditional networks, classifiers and clusters need them. */
function requireClasses(who: string, config: Config, dataset: Dataset): void {
  const place = datasetPlace(config, dataset);
  const folderHint = config.data.name === 'image-folder' ? 'put the images in one subfolder per class (or list them in data.labelFile)' : 'use a labelled dataset';
  if (labelledCount(dataset) === 0) {
    throw new UserError(`${who} needs class labels, but ${place} has no labelled training image: ${folderHint}, or train an unconditional method (gan.method=gan or ssgan)`);
  }
  const classes = dataset.classNames;
  if (classes.length < 2) {
    const names = classes.length === 0 ? 'none' : classes.map((name) => `'${name}'`).join(', ');
    throw new UserError(`${who} needs at least 2 classes, but ${place} has ${classes.length} (${names}): ${folderHint}, or train an unconditional method (gan.method=gan or ssgan)`);
  }
}

/** The held-out split and the batch size of rotation pretraining (pretrain-loop.ts). */
function checkPretrain(config: Config, dataset: Dataset): void {
  const { batchSize, heldOutFraction } = config.pretrain;
  const sets = heldOutSplit(splitSize(dataset.train), heldOutFraction, config.seed);
  if (sets.train.length < batchSize) {
    throw new UserError(`pretrain.batchSize (${batchSize}) is larger than the ${sets.train.length} training images left after holding out ${sets.heldOut.length}`);
  }
}

/** The labelled subset, the cross-validation folds, the block and the batch sizes of stage 2. */
function checkPseudoLabel(config: Config, dataset: Dataset): void {
  const settings = config.pseudoLabel;
  const labelled = configuredSubset(dataset, config).indices.length;
  configuredBlocks(settings, ENCODER_BLOCKS);
  const count = splitSize(dataset.train);
  if (settings.source === 'kmeans') {
    if (count < dataset.classNames.length) throw new UserError(`k-means needs at least ${dataset.classNames.length} training images (one per class), ${datasetPlace(config, dataset)} has ${count}`);
    return;
  }
  // The classifier's L2 (and block) are chosen by cross-validation on the labelled subset, and the
  // raw-pixel baseline is fitted the same way, also for the s4l classifier.
  if (labelled < settings.folds) {
    throw new UserError(`pseudoLabel.folds (${settings.folds}) is more than the ${labelled} labelled images of ${budgetText(config)}: use fewer folds or more labels`);
  }
  if (settings.classifier === 's4l' && settings.s4lBatchSize > count) {
    throw new UserError(`pseudoLabel.s4lBatchSize (${settings.s4lBatchSize}) is larger than the ${count} training images`);
  }
}

/** The method's labels, the rotation batch constraint, and enough images for one batch. */
function checkGan(config: Config, dataset: Dataset, method: MethodSpec): void {
  const gan = config.gan;
  checkBatchSize(gan, method);
  let pool = splitSize(dataset.train);
  let poolName = 'training images';
  if (method.labelSource === 'true') requireAllLabelled(method, dataset);
  if (method.labelSource === 'subset' || method.labelSource === 'subset-only') {
    const subset = configuredSubset(dataset, config).indices.length;
    if (method.labelSource === 'subset-only') {
      pool = subset;
      poolName = `labelled images (${budgetText(config)}), the only ones method ${method.name} trains on`;
    }
  }
  if (gan.batchSize > pool) throw new UserError(`gan.batchSize (${gan.batchSize}) is larger than the ${pool} ${poolName}`);
  // Cheap evaluations during training score against the same real split as `s3gan eval`.
  if (config.eval.everySteps > 0) {
    const metrics = method.conditional ? CHEAP_METRICS : CHEAP_METRICS.filter((m) => m !== 'label-accuracy');
    checkEvaluation(config, dataset, metrics, 'eval.everySteps > 0: ');
  }
}

/** The real split, and the labels of the domain classifier (evaluator.ts). */
function checkEvaluation(config: Config, dataset: Dataset, metrics: readonly EvalMetric[], prefix = ''): void {
  const needsReal = metrics.some((m) => REAL_FEATURE_METRICS.has(m));
  const needsClassifier = metrics.some((m) => CLASSIFIER_METRICS.has(m)) || (needsReal && config.eval.extractorPath === undefined);
  try {
    if (needsReal) evaluationSplit(dataset, config.eval.split);
    if (metrics.includes('cas') && dataset.test === undefined) {
      throw new UserError(`metric cas scores on the real test split, and ${datasetPlace(config, dataset)} has none`);
    }
    const labelled = labelledCount(dataset);
    if (needsClassifier && labelled < 2) {
      throw new UserError(`${datasetPlace(config, dataset)} has ${labelled} labelled training image(s): the domain classifier needs labels; set eval.extractorPath to a model on disk`);
    }
  } catch (error) {
    if (error instanceof UserError && prefix !== '') throw new UserError(`${prefix}${error.message}`);
    throw error;
  }
}
