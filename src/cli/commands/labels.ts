/**
 * `s3gan labels --run DIR`: chooses the labelled subset the config asks for and writes it into
 * the run directory (labels/labelled-subset.json), the first artifact of a few-label run. Every
 * later stage and every method of an experiment reads the same file.
 */
import { Command } from 'commander';
import { resolve } from 'node:path';
import { openRunDir } from '../../artifacts/run-dir.js';
import { reportBackend, selectBackend } from '../../backend/select.js';
import { configHash } from '../../config/hash.js';
import { configuredSubset, writeRunLabelledSubset } from '../../stages/labelled-subset.js';
import { flagOverride } from '../../config/overrides.js';
import { commandConfig, formatCount, globalFlags, print } from '../context.js';
import { budgetText } from '../../config/derived.js';
import { loadConfiguredDataset } from '../load-dataset.js';
import { LABELLED_SUBSET_FILE } from '../../artifacts/run-layout.js';

export function labelsCommand(): Command {
  return new Command('labels')
    .description('choose the class-balanced labelled subset (labels.fraction or labels.perClass, labels.seed) and write it to the run directory')
    .option('--run <dir>', 'run directory (run.dir)')
    .action(async (flags: { run?: string }, self: Command) => {
      const { config } = await commandConfig(self, flagOverride('--run', 'run.dir', flags.run), flags.run);
      const target = resolve(config.run.dir, LABELLED_SUBSET_FILE);
      if (globalFlags(self).dryRun) {
        print(`would choose the labelled subset of ${config.data.name} (${budgetText(config)}, seed ${config.labels.seed}) and write ${target}`);
        return;
      }
      const dataset = await loadConfiguredDataset(config);
      // Choose before touching the run directory: a bad budget leaves nothing behind.
      const subset = configuredSubset(dataset, config);

      const run = await openRunDir(config.run.dir, { resolvedConfig: config, configHash: configHash(config) });
      try {
        const backend = await selectBackend(config.backend.name, undefined, undefined, { threads: config.backend.threads });
        reportBackend(backend);
        await run.recordBackend(backend.name, backend.detail);
        await writeRunLabelledSubset(run, dataset, config, subset);
      } finally {
        await run.close();
      }
      print(`labelled subset: ${formatCount(subset.ids.length)} images (${subset.countPerClass.join('/')} per class) → ${target}`);
    });
}
