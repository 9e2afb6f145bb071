/**
 * Rough time estimates for `s3gan experiment --dry-run`: steps × a cost per step that grows with
 * batch size, network width squared and pixels. The constants are an order of magnitude for the
 * onednn backend on 2 CPU cores at the shipped MNIST settings (docs/recipes.md measures real runs);
 * a GPU is much faster. They say how a grid compares with a budget, nothing more.
 */
import type { Config } from '../config/schema.js';
import { formatDuration } from '../util/progress.js';
import { PRETRAIN_STAGE } from '../stages/pretrain-stage.js';
import type { GridUnit } from './grid.js';

/** Seconds per GAN step at batch 64, width 64, 32×32 pixels (G and D updates, EMA). */
const GAN_STEP_SECONDS = 0.35;
/** Seconds per rotation-pretraining step at batch 64 (×4 rotations), width 32, 32×32 pixels. */
const PRETRAIN_STEP_SECONDS = 0.25;
/** Seconds of feature extraction and the cross-validated classifier (no S4L fine-tuning). */
const PSEUDO_LABEL_SECONDS = 60;
/** Seconds per generated image of the final evaluation (generate + extract + score). */
const EVAL_IMAGE_SECONDS = 0.002;

function scale(batchSize: number, width: number, referenceWidth: number, imageSize: number): number {
  return (batchSize / 64) * (width / referenceWidth) ** 2 * (imageSize / 32) ** 2;
}

function stageSeconds(stage: string, config: Config): number {
  const size = config.data.imageSize;
  if (stage === PRETRAIN_STAGE) return config.pretrain.steps * PRETRAIN_STEP_SECONDS * scale(config.pretrain.batchSize, config.pretrain.width, 32, size);
  if (stage === 'pseudo-label') {
    const s4l = config.pseudoLabel.source === 'classifier' && config.pseudoLabel.classifier === 's4l';
    return PSEUDO_LABEL_SECONDS + (s4l ? config.pseudoLabel.s4lSteps * PRETRAIN_STEP_SECONDS * scale(config.pseudoLabel.s4lBatchSize, config.pretrain.width, 32, size) : 0);
  }
  if (stage === 'gan') return config.gan.steps * GAN_STEP_SECONDS * scale(config.gan.batchSize, config.gan.width, 64, size);
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
