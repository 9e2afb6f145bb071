/**
 * The stages as pipelines compose them: each wraps its stage function and turns the result into
 * summary lines. Stages share nothing but the run directory's artifacts.
 */
import { GAN_CHECKPOINTS_DIR } from '../artifacts/run-dir.js';
import { LABELS_FILE } from '../data/pseudo-labels-file.js';
import { finalSampleGrid, GAN_EXPORT_DIR, runGanStage } from './gan-stage.js';
import type { PipelineStage } from './pipeline.js';
import { PRETRAIN_ENCODER_DIR, runPretrainStage } from './pretrain-stage.js';
import { runPseudoLabelStage } from './pseudo-label-stage.js';

function percent(x: number | null | undefined): string {
  return x == null ? 'n/a' : `${(100 * x).toFixed(2)}%`;
}

export const pretrainStage: PipelineStage = {
  name: 'pretrain',
  async run({ run, dataset, config, progressStream, log, stop }) {
    const result = await runPretrainStage(run, dataset, config, { progressStream, log, stop });
    const report = result.report;
    if (report === undefined) throw new Error('pretraining stopped before its last step');
    return {
      skipped: result.skipped,
      summary: [`rotation encoder: held-out rotation accuracy ${percent(report.heldOutRotationAccuracy)} after ${report.steps} steps (${run.file(PRETRAIN_ENCODER_DIR)})`],
    };
  },
};

export const pseudoLabelStage: PipelineStage = {
  name: 'pseudo-label',
  async run({ run, dataset, config, progressStream, log }) {
    const { report, skipped } = await runPseudoLabelStage(run, dataset, config, { progressStream, log });
    const baseline = report.rawPixelBaseline;
    return {
      skipped,
      summary: [
        `pseudo-labels: ${report.description}`,
        `  accuracy on the unlabelled training images ${percent(report.unlabelledTrain.accuracy)}, test split ${percent(report.test?.accuracy)}` +
          (baseline === null ? '' : `; raw-pixel baseline ${percent(baseline.unlabelledTrain.accuracy)} / ${percent(baseline.test?.accuracy)}`),
        `  labels: ${run.file(LABELS_FILE)}`,
      ],
    };
  },
};

export const ganStage: PipelineStage = {
  name: 'gan',
  async run({ run, dataset, config, progressStream, log, stop }) {
    const result = await runGanStage(run, dataset, config, { progressStream, log, stop });
    return {
      skipped: result.resumedFrom >= config.gan.steps,
      summary: [
        `GAN (${config.gan.method}): ${result.step} steps, ${result.imagesSeen} real images seen`,
        `  samples: ${finalSampleGrid(run, result.step)}`,
        `  checkpoint: ${result.checkpoint ?? run.file(GAN_CHECKPOINTS_DIR)}`,
        `  generator (plain tfjs): ${run.file(`${GAN_EXPORT_DIR}/generator-ema/model.json`)}`,
      ],
    };
  },
};
