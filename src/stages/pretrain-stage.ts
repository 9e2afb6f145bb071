/**
 * Stage 1 as one call: rotation pretraining in the run directory, its progress recorded in the
 * manifest, its results left as artifacts for stage 2:
 *   pretrain/encoder/       the final encoder (tfjs model directory; outputs: rotation logits, pooled block 0..3)
 *   pretrain/report.json    held-out rotation accuracy, steps, images, time, block feature sizes
 *   pretrain/checkpoints/   resumable training state, newest pretrain.keepCheckpoints kept
 * A stage already done with the same seed, data and pretrain settings is skipped.
 */
import { readJsonFile } from '../artifacts/json-file.js';
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { writeJsonAtomic } from '../artifacts/atomic-write.js';
import type { RunDir } from '../artifacts/run-dir.js';
import { configHash } from '../config/hash.js';
import type { Config } from '../config/schema.js';
import type { Dataset } from '../data/types.js';
import { PRETRAIN_CURVES, redrawCurves } from '../plots/training-curves.js';
import { trainRotationEncoder } from '../training/pretrain/loop.js';
import { errorMessage } from '../util/errors.js';
import { InterruptedError, type StopRequest } from '../util/interrupt.js';
import type { ProgressStream } from '../util/progress.js';
import { METRICS_FILE, PRETRAIN_CHECKPOINTS_DIR, PRETRAIN_CURVES_DIR, PRETRAIN_DIR, PRETRAIN_ENCODER_DIR, PRETRAIN_REPORT_FILE } from '../artifacts/run-layout.js';

export const PRETRAIN_STAGE = 'pretrain';

const reportSchema = z.strictObject({
  version: z.literal(1),
  /** pretrainStageHash of the config that produced it. */
  configHash: z.string().min(1),
  architecture: z.enum(['convnet', 'resnet']),
  width: z.number().int().positive(),
  /** Input side in pixels and channels of the encoder. */
  imageSize: z.number().int().positive(),
  channels: z.union([z.literal(1), z.literal(3)]),
  /** Optimizer updates done. */
  steps: z.number().int().min(0),
  batchSize: z.number().int().positive(),
  /** Training images drawn (steps × batchSize), each shown at four rotations. */
  imagesSeen: z.number().int().min(0),
  /** Training images the batches are drawn from, and images held out of them. */
  trainImages: z.number().int().min(0),
  heldOutImages: z.number().int().min(0),
  /** Rotation accuracy on the held-out images at all four rotations, in [0, 1] (chance: 0.25). */
  heldOutRotationAccuracy: z.number().min(0).max(1),
  /** Mean rotation cross-entropy on the held-out images (nats; chance: ln 4 ≈ 1.386). */
  heldOutRotationLoss: z.number(),
  /** Seconds of training over all (resumed) runs, held-out scoring included. */
  wallSeconds: z.number().min(0),
  /** Channels of the pooled features of block 0..3 (FeatureMatrix columns in encoderFeatures). */
  blockFeatureSizes: z.array(z.number().int().positive()),
  /** Where the encoder is, relative to the run directory. */
  encoder: z.string().min(1),
  time: z.string(),
});

export type PretrainReport = z.infer<typeof reportSchema>;

export interface PretrainStageOptions {
  readonly progressStream?: ProgressStream;
  /** Stop after this step as a kill would (tests). */
  readonly stopAfterStep?: number;
  /** Lines for people, e.g. a damaged checkpoint skipped (default stderr). */
  readonly log?: (line: string) => void;
  /** Called after every update (tests watch memory through it). */
  readonly onStep?: (step: number) => void;
  /** A stop request (Ctrl-C in the CLI): training stops after a step with a checkpoint written. */
  readonly stop?: StopRequest;
}

export interface PretrainStageResult {
  /** The report; undefined only when stopped early (stopAfterStep). */
  readonly report: PretrainReport | undefined;
  /** Whether the stage was already done with this config and nothing ran. */
  readonly skipped: boolean;
  /** The step training resumed from (0 for a fresh start or a skip). */
  readonly resumedFrom: number;
}

/** The config sections the pretrain stage's result depends on. */
export function pretrainStageHash(config: Config): string {
  // When checkpoints are written by the clock changes nothing in the result (resume is exact).
  const { checkpointEveryMinutes: _clock, ...pretrain } = config.pretrain;
  return configHash({ seed: config.seed, data: config.data, pretrain });
}

/** Reads and validates a pretrain report; a missing or malformed file is a UserError naming it. */
export async function readPretrainReport(file: string): Promise<PretrainReport> {
  return readJsonFile(file, reportSchema, 'pretrain report', '; run the pretrain stage first');
}

export async function runPretrainStage(run: RunDir, dataset: Dataset, config: Config, options: PretrainStageOptions = {}): Promise<PretrainStageResult> {
  const hash = pretrainStageHash(config);
  // 1. Done with this config and its artifacts in place: nothing to do.
  const stage = (await run.manifest()).stages[PRETRAIN_STAGE];
  const reportFile = run.file(PRETRAIN_REPORT_FILE);
  if (stage?.status === 'done' && stage.configHash === hash && existsSync(reportFile) && existsSync(run.file(PRETRAIN_ENCODER_DIR))) {
    return { report: await readPretrainReport(reportFile), skipped: true, resumedFrom: 0 };
  }

  // 2. Train (or resume), then write the report last: a report on disk means the encoder is too.
  //    The stage starts (and the run directory is first written) only once the loop has checked
  //    the newest checkpoint against the config: a refused resume leaves the run as it was.
  let started = false;
  try {
    const result = await trainRotationEncoder({
      config,
      split: dataset.train,
      paths: { checkpoints: run.file(PRETRAIN_CHECKPOINTS_DIR), metrics: run.file(METRICS_FILE), encoder: run.file(PRETRAIN_ENCODER_DIR) },
      progressStream: options.progressStream,
      stopAfterStep: options.stopAfterStep,
      onStep: options.onStep,
      onCheckpoint: () => redrawCurves(run.file(METRICS_FILE), run.file(PRETRAIN_CURVES_DIR), PRETRAIN_CURVES, options.log ?? ((line) => process.stderr.write(`${line}\n`))),
      onStart: async () => {
        await run.markStage(PRETRAIN_STAGE, { status: 'running', artifacts: [], configHash: hash });
        started = true;
        await run.ensureDir(PRETRAIN_DIR);
      },
      log: options.log,
      stop: options.stop,
    });
    if (result.heldOut === undefined) {
      await run.markStage(PRETRAIN_STAGE, { status: 'running', artifacts: [PRETRAIN_CHECKPOINTS_DIR], configHash: hash });
      return { report: undefined, skipped: false, resumedFrom: result.resumedFrom };
    }
    const report: PretrainReport = {
      version: 1,
      configHash: hash,
      architecture: config.pretrain.architecture,
      width: config.pretrain.width,
      imageSize: config.data.imageSize,
      channels: dataset.train.shape[3] as 1 | 3,
      steps: result.step,
      batchSize: config.pretrain.batchSize,
      imagesSeen: result.imagesSeen,
      trainImages: result.trainImages,
      heldOutImages: result.heldOutImages,
      heldOutRotationAccuracy: result.heldOut.accuracy,
      heldOutRotationLoss: result.heldOut.loss,
      wallSeconds: result.trainSeconds,
      blockFeatureSizes: result.blockFeatureSizes,
      encoder: PRETRAIN_ENCODER_DIR,
      time: new Date().toISOString(),
    };
    await writeJsonAtomic(reportFile, report);
    await run.markStage(PRETRAIN_STAGE, { status: 'done', artifacts: [PRETRAIN_ENCODER_DIR, PRETRAIN_REPORT_FILE, PRETRAIN_CHECKPOINTS_DIR], configHash: hash });
    return { report, skipped: false, resumedFrom: result.resumedFrom };
  } catch (error) {
    // A stop on request is no failure: the stage resumes from the checkpoint just written.
    if (error instanceof InterruptedError) await run.markStage(PRETRAIN_STAGE, { status: 'running', artifacts: [PRETRAIN_CHECKPOINTS_DIR], configHash: hash });
    else if (started) await run.markStage(PRETRAIN_STAGE, { status: 'failed', error: errorMessage(error) });
    throw error;
  }
}
