/**
 * `s3gan train`: the GAN stage in a run directory. On a run that has checkpoints it resumes from the
 * newest one; on a finished run it reports and exits.
 */
import { Command } from 'commander';
import { resolve } from 'node:path';
import { GAN_CHECKPOINTS_DIR, METRICS_FILE } from '../../artifacts/run-dir.js';
import { getMethod } from '../../methods/methods.js';
import { finalSampleGrid, GAN_EXPORT_DIR, runGanStage } from '../../stages/gan-stage.js';
import { signalStopRequest } from '../../util/interrupt.js';
import { openStageRun } from '../stage-run.js';
import { flagOverride } from '../../config/overrides.js';
import { loadPlannedDataset } from '../plan-dataset.js';
import { commandConfig, formatCount, globalFlags, print } from '../context.js';

interface TrainFlags {
  run?: string;
  method?: string;
  steps?: string;
}

export function trainCommand(): Command {
  return new Command('train')
    .description('train the GAN of gan.method in the run directory (resumes from its newest checkpoint)')
    .option('--run <dir>', 'run directory (run.dir)')
    .option('--method <name>', 'training method (gan.method), e.g. s3gan, cgan-full, s3gan-co')
    .option('--steps <n>', 'generator steps in all (gan.steps)')
    .addHelpText('after', '\nExamples:\n  s3gan train --config configs/mnist.yaml --method cgan-full --run runs/mnist-full\n  s3gan train --run runs/mnist-full --steps 2000   # continue a finished run further')
    .action(async (flags: TrainFlags, self: Command) => {
      const overrides = [
        ...flagOverride('--run', 'run.dir', flags.run),
        ...flagOverride('--method', 'gan.method', flags.method),
        ...flagOverride('--steps', 'gan.steps', flags.steps),
      ];
      const { config } = await commandConfig(self, overrides, flags.run);
      const method = getMethod(config.gan.method);
      const gan = config.gan;
      const plan = `${method.name} on ${config.data.name}: ${gan.architecture} width ${gan.width}, ${formatCount(gan.steps)} steps of batch ${gan.batchSize} → ${resolve(config.run.dir)}`;
      const dryRun = globalFlags(self).dryRun;
      const loaded = await loadPlannedDataset(config, ['gan'], dryRun ? undefined : `train ${plan}`);
      if (dryRun) {
        print(`would train ${plan}`);
        return;
      }
      const { dataset, run } = await openStageRun(config, 'train', plan, loaded, true);
      try {
        const result = await runGanStage(run, dataset, config, { log: (line) => process.stderr.write(`${line}\n`), stop: signalStopRequest() });
        if (result.resumedFrom >= gan.steps) {
          print(`already trained: ${formatCount(result.step)} steps (raise gan.steps or --steps to continue)`);
        } else {
          print(`trained ${formatCount(result.step)} steps (${formatCount(result.imagesSeen)} real images seen${result.resumedFrom > 0 ? `, resumed from step ${formatCount(result.resumedFrom)}` : ''})`);
        }
        print(`samples: ${finalSampleGrid(run, result.step)}`);
        print(`checkpoint: ${result.checkpoint ?? run.file(GAN_CHECKPOINTS_DIR)}`);
        print(`generator (plain tfjs): ${run.file(`${GAN_EXPORT_DIR}/generator-ema/model.json`)}`);
        print(`metrics: ${run.file(METRICS_FILE)}`);
      } finally {
        await run.close();
      }
    });
}
