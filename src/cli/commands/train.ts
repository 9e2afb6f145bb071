/**
 * `s3gan train`: the GAN stage in a run directory. On a run that has checkpoints it resumes from the
 * newest one; on a finished run it reports and exits.
 */
import { Command } from 'commander';
import { resolve } from 'node:path';
import { trainInRun } from '../../api/train.js';
import { getMethod } from '../../methods/methods.js';
import { signalStopRequest } from '../../util/interrupt.js';
import { flagOverride } from '../../config/overrides.js';
import { STDERR_HOOKS } from '../load-dataset.js';
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
      const result = await trainInRun(config, loaded, { ...STDERR_HOOKS, stop: signalStopRequest() });
      if (result.alreadyTrained) {
        print(`already trained: ${formatCount(result.step)} steps (raise gan.steps or --steps to continue)`);
      } else {
        print(`trained ${formatCount(result.step)} steps (${formatCount(result.imagesSeen)} real images seen${result.resumedFrom > 0 ? `, resumed from step ${formatCount(result.resumedFrom)}` : ''})`);
      }
      print(`samples: ${result.samples}`);
      print(`checkpoint: ${result.checkpoint}`);
      print(`generator (plain tfjs): ${result.exports.generatorEma}/model.json`);
      print(`metrics: ${result.metricsFile}`);
    });
}
