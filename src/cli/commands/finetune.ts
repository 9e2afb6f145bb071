/**
 * `s3gan finetune`: the GAN of gan.method trained on the configured (target) data, starting from a
 * source GAN's G, G-EMA and D (docs/ALGORITHMS.md § Fine-tuning). The source is checked against
 * the target config before the run directory is touched; a killed fine-tuning resumes from the
 * run's own newest checkpoint.
 */
import { Command } from 'commander';
import { resolve } from 'node:path';
import { flagOverride } from '../../config/overrides.js';
import { checkFinetuneSource, finetuneSettings, finetuneSourcePath, runFinetuneStage } from '../../stages/finetune-stage.js';
import { finalSampleGrid } from '../../stages/gan-stage.js';
import { signalStopRequest } from '../../util/interrupt.js';
import { STDERR_HOOKS } from '../load-dataset.js';
import { loadPlannedDataset } from '../plan-dataset.js';
import { openStageRun } from '../stage-run.js';
import { commandConfig, formatCount, globalFlags, print } from '../context.js';

interface FinetuneFlags {
  from?: string;
  run?: string;
  method?: string;
  steps?: string;
}

export function finetuneCommand(): Command {
  return new Command('finetune')
    .description("fine-tune a trained GAN on the configured data: G, G-EMA and D start from the source's weights (resumes from the run's newest checkpoint)")
    .option('--from <dir>', "source: a run directory (its newest GAN checkpoint) or a checkpoint directory (finetune.from; default: the run's select-source choice)")
    .option('--run <dir>', 'run directory of the fine-tuned GAN (run.dir)')
    .option('--method <name>', 'training method (gan.method)')
    .option('--steps <n>', 'generator steps in all (gan.steps)')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  s3gan finetune --from runs/mnist-full --config configs/fashion-1k.yaml --run runs/fashion-from-mnist\n' +
        '  s3gan finetune --from runs/mnist-full --run runs/ft --set finetune.freezeDBlocks=2\n' +
        '  s3gan finetune --from runs/mnist-full --run runs/ft-g --set finetune.init=generator',
    )
    .action(async (flags: FinetuneFlags, self: Command) => {
      const overrides = [
        ...flagOverride('--from', 'finetune.from', flags.from),
        ...flagOverride('--run', 'run.dir', flags.run),
        ...flagOverride('--method', 'gan.method', flags.method),
        ...flagOverride('--steps', 'gan.steps', flags.steps),
      ];
      const { config } = await commandConfig(self, overrides, flags.run);
      const gan = config.gan;
      const named = await finetuneSourcePath(config, resolve(config.run.dir));
      const settings = finetuneSettings(config);
      const plan = `${gan.method} on ${config.data.name} from ${named.path} (init ${settings.init}, FreezeD ${settings.freezeDBlocks}): ${formatCount(gan.steps)} steps of batch ${gan.batchSize} → ${resolve(config.run.dir)}`;
      const dryRun = globalFlags(self).dryRun;
      const loaded = await loadPlannedDataset(config, ['gan'], dryRun ? undefined : `finetune ${plan}`);
      // Refused before the run directory is opened: nothing is written for a source that cannot fit.
      await checkFinetuneSource(config, loaded, named.path, flags.from === undefined ? named.key : '--from');
      if (dryRun) {
        print(`would fine-tune ${plan}`);
        return;
      }
      const { dataset, run } = await openStageRun(config, 'finetune', plan, loaded, true);
      try {
        const result = await runFinetuneStage(run, dataset, config, { ...STDERR_HOOKS, stop: signalStopRequest() });
        if (result.resumedFrom >= gan.steps) print(`already trained: ${formatCount(result.step)} steps (raise gan.steps or --steps to continue)`);
        else print(`fine-tuned ${formatCount(result.step)} steps from ${result.source.checkpoint}${result.resumedFrom > 0 ? ` (resumed from step ${formatCount(result.resumedFrom)})` : ''}`);
        print(`samples: ${finalSampleGrid(run, result.step)}`);
        print(`checkpoint: ${result.checkpoint ?? ''}`);
      } finally {
        await run.close();
      }
    });
}
