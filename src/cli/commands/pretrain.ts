/**
 * `s3gan pretrain`: stage 1, rotation-prediction pretraining on every training image (labels
 * unused), in a run directory. On a run with checkpoints it resumes from the newest one; on a run
 * whose stage is done with the same settings it reports and exits.
 */
import { Command, InvalidArgumentError } from 'commander';
import { resolve } from 'node:path';
import { runPretrainStage, type PretrainReport } from '../../stages/pretrain-stage.js';
import { signalStopRequest } from '../../util/interrupt.js';
import { formatDuration } from '../../util/progress.js';
import { openStageRun } from '../stage-run.js';
import { flagOverride } from '../../config/overrides.js';
import { loadPlannedDataset } from '../plan-dataset.js';
import { commandConfig, formatCount, globalFlags, print } from '../context.js';
import { METRICS_FILE, PRETRAIN_ENCODER_DIR, PRETRAIN_REPORT_FILE } from '../../artifacts/run-layout.js';

interface PretrainFlags {
  run?: string;
  steps?: number;
}

/** Parses --steps: a positive integer, else commander's error naming the flag (exit code 2). */
function parseSteps(value: string): number {
  const steps = Number(value);
  if (!(/^\s*\d+\s*$/.test(value) && Number.isSafeInteger(steps) && steps > 0)) throw new InvalidArgumentError('--steps must be a positive integer.');
  return steps;
}

function percent(fraction: number): string {
  return `${(100 * fraction).toFixed(1)}%`;
}

export function pretrainCommand(): Command {
  return new Command('pretrain')
    .description('stage 1: train the rotation-prediction encoder (RotNet) on all training images, labels unused (resumes from its newest checkpoint)')
    .option('--run <dir>', 'run directory (run.dir)')
    .option('--steps <n>', 'optimizer updates in all (pretrain.steps)', parseSteps)
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  s3gan pretrain --config configs/mnist.yaml --run runs/mnist-1pct\n' +
        '  s3gan pretrain --run runs/mnist-1pct --steps 4000   # continue a finished run further\n' +
        '  s3gan pretrain --run runs/try --set pretrain.architecture=resnet --set pretrain.width=16\n' +
        '\nWrites pretrain/encoder/ (outputs: rotation logits, pooled features of blocks 0..3), pretrain/report.json\n' +
        '(held-out rotation accuracy; chance is 25%) and pretrain/checkpoints/; logs to metrics.jsonl.',
    )
    .action(async (flags: PretrainFlags, self: Command) => {
      const overrides = [...flagOverride('--run', 'run.dir', flags.run), ...flagOverride('--steps', 'pretrain.steps', flags.steps)];
      const { config } = await commandConfig(self, overrides, flags.run);
      const p = config.pretrain;
      const plan =
        `${p.architecture} width ${p.width} on ${config.data.name} at ${config.data.imageSize}px: ${formatCount(p.steps)} steps of ${p.batchSize} images × 4 rotations, ` +
        `${percent(p.heldOutFraction)} held out → ${resolve(config.run.dir)}`;
      const dryRun = globalFlags(self).dryRun;
      const loaded = await loadPlannedDataset(config, ['pretrain'], dryRun ? undefined : `pretrain ${plan}`);
      if (dryRun) {
        print(`would pretrain ${plan}`);
        return;
      }
      const { dataset, run } = await openStageRun(config, 'pretrain', plan, loaded, true);
      try {
        const result = await runPretrainStage(run, dataset, config, { stop: signalStopRequest() });
        const report = result.report as PretrainReport;
        if (result.skipped) {
          print(`already pretrained: ${formatCount(report.steps)} steps (raise pretrain.steps or --steps to continue)`);
        } else {
          const resumed = result.resumedFrom > 0 ? `, resumed from step ${formatCount(result.resumedFrom)}` : '';
          print(`pretrained ${formatCount(report.steps)} steps (${formatCount(report.imagesSeen)} images × 4 rotations${resumed}) in ${formatDuration(report.wallSeconds)}`);
        }
        print(`held-out rotation accuracy: ${percent(report.heldOutRotationAccuracy)} on ${formatCount(report.heldOutImages)} images (chance 25.0%)`);
        print(`block feature sizes: ${report.blockFeatureSizes.join(', ')}`);
        print(`encoder: ${run.file(PRETRAIN_ENCODER_DIR)}`);
        print(`report: ${run.file(PRETRAIN_REPORT_FILE)}`);
        print(`metrics: ${run.file(METRICS_FILE)}`);
      } finally {
        await run.close();
      }
    });
}
