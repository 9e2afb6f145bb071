/**
 * Rough time estimates for `s3gan experiment --dry-run`, fitted to steps per second measured with
 * the onednn backend on 2 CPU cores at 32×32 (docs/recipes.md § The mnist preset): a GAN step of
 * sndcgan costs about 0.22 s at width 16, batch 32, 0.8 s at width 32, batch 64 and 2.3 s at width
 * 64, batch 64, so the cost is a fixed part plus one growing with batch × width^1.5 (small layers
 * do not use the cores fully). A GPU is much faster. They say how a grid compares with a budget,
 * nothing more.
 */
import type { Config } from '../config/schema.js';
import { METHODS } from '../methods/methods.js';
import { formatDuration } from '../util/progress.js';
import { PRETRAIN_STAGE } from '../stages/pretrain-stage.js';
import type { GridUnit } from './grid.js';

/** Seconds of a GAN step that do not grow with the network (dispatch, data, EMA). */
const GAN_STEP_FIXED_SECONDS = 0.09;
/** Seconds of a GAN step that grow with batch × width^1.5, at batch 64, width 32, 32×32 pixels. */
const GAN_STEP_SCALED_SECONDS = 0.71;
/** Extra cost of the rotated batch that SS-GAN and S3GAN feed D and G. */
const ROTATION_FACTOR = 1.2;
/** Seconds per rotation-pretraining step at batch 64 (×4 rotations), width 16, 32×32 pixels, with held-out scoring. */
const PRETRAIN_STEP_SECONDS = 1.25;
/** Seconds of feature extraction and the cross-validated classifier (no S4L fine-tuning). */
const PSEUDO_LABEL_SECONDS = 60;
/** Seconds per image of the in-training cheap evaluation (FID and label accuracy only). */
const CHEAP_EVAL_IMAGE_SECONDS = 0.003;
/** Seconds per generated image of the final evaluation (generate, extract, score every metric). */
const EVAL_IMAGE_SECONDS = 0.009;

function scale(batchSize: number, width: number, referenceWidth: number, imageSize: number): number {
  return (batchSize / 64) * (width / referenceWidth) ** 1.5 * (imageSize / 32) ** 2;
}

function ganStepSeconds(config: Config): number {
  const gan = config.gan;
  const step = GAN_STEP_FIXED_SECONDS + GAN_STEP_SCALED_SECONDS * scale(gan.batchSize, gan.width, 32, config.data.imageSize);
  // A step is dSteps D updates and one G update, each about half of the measured dSteps = 1 step.
  return step * ((gan.dSteps + 1) / 2) * (METHODS[gan.method].rotation ? ROTATION_FACTOR : 1);
}

function stageSeconds(stage: string, config: Config): number {
  const size = config.data.imageSize;
  if (stage === PRETRAIN_STAGE) return config.pretrain.steps * PRETRAIN_STEP_SECONDS * scale(config.pretrain.batchSize, config.pretrain.width, 16, size);
  if (stage === 'pseudo-label') {
    const s4l = config.pseudoLabel.source === 'classifier' && config.pseudoLabel.classifier === 's4l';
    return PSEUDO_LABEL_SECONDS + (s4l ? config.pseudoLabel.s4lSteps * PRETRAIN_STEP_SECONDS * scale(config.pseudoLabel.s4lBatchSize, config.pretrain.width, 16, size) : 0);
  }
  // Fine-tuning is the GAN stage from other initial weights: the same steps.
  if (stage === 'gan' || stage === 'finetune') {
    const evals = config.eval.everySteps > 0 ? Math.floor(config.gan.steps / config.eval.everySteps) : 0;
    return config.gan.steps * ganStepSeconds(config) + evals * config.eval.cheapSamples * CHEAP_EVAL_IMAGE_SECONDS;
  }
  return 0;
}

/** Estimated seconds of the stages `unit` runs itself (a cell's adopted stages are counted in their shared unit). */
export function estimateSeconds(unit: GridUnit): number {
  const own = unit.pipeline.stages.map((s) => s.name).filter((name) => unit.kind === 'shared' || !unit.adopts.some((a) => a.from.startsWith(`${name}-`)));
  const stages = own.reduce((sum, name) => sum + stageSeconds(name, unit.config), 0);
  return stages + (unit.kind === 'cell' ? unit.config.eval.samples * EVAL_IMAGE_SECONDS : 0);
}

/** The lines of a dry run: every shared stage, then every cell, with its estimate or that it is done. */
export function planLines(units: readonly { unit: GridUnit; finished: boolean }[]): string[] {
  const lines: string[] = [];
  let total = 0;
  for (const { unit, finished } of units) {
    const seconds = finished ? 0 : estimateSeconds(unit);
    total += seconds;
    const what = unit.kind === 'shared' ? `shared ${unit.stage} (for ${unit.cells.length} cell${unit.cells.length === 1 ? '' : 's'})` : `cell ${unit.config.gan.method}: ${unit.pipeline.stages.map((s) => s.name).join(' → ')} → eval`;
    const when = finished ? 'done, will be skipped' : `~${formatDuration(seconds)}`;
    lines.push(`  ${unit.kind === 'shared' ? `shared/${unit.key}` : `cells/${unit.key}`}  ${what}  ${when}`);
  }
  lines.push(`estimated total: ~${formatDuration(total)} run one at a time (a rough estimate from steps × a per-step cost for 2 CPU cores, not a measurement)`);
  return lines;
}
