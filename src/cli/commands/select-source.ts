/**
 * `s3gan select-source`: ranks candidate source GANs for fine-tuning on the configured (target)
 * data by the recall (k = 5) of their G-EMA samples against the target's training images, with
 * precision, FID and KID beside it (docs/ALGORITHMS.md § Fine-tuning). With --run the ranking and
 * the choice are recorded in the run's select-source.json, which `s3gan finetune --run` then uses.
 */
import { Command, InvalidArgumentError } from 'commander';
import { resolve } from 'node:path';
import { selectSource, SELECT_SOURCE_K } from '../../eval/select-source.js';
import { flagOverride } from '../../config/overrides.js';
import { formatRanking, runSelectSourceStage, targetImageIndices } from '../../stages/select-source-stage.js';
import { finetuneSettings } from '../../stages/finetune-stage.js';
import { STDERR_HOOKS, loadConfiguredDataset } from '../load-dataset.js';
import { openStageRun } from '../stage-run.js';
import { commandConfig, globalFlags, print } from '../context.js';
import { SELECT_SOURCE_FILE } from '../../artifacts/run-layout.js';
import { readFinetuneSource } from '../../training/gan/finetune-source.js';
import { UserError } from '../../util/errors.js';

interface SelectSourceFlags {
  candidates?: string[];
  samples?: number;
  run?: string;
}

function positiveInteger(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected an integer ≥ 1');
  return n;
}

export function selectSourceCommand(): Command {
  return new Command('select-source')
    .description(`rank candidate source GANs for fine-tuning by the recall (k = ${SELECT_SOURCE_K}) of their samples against the target's training images`)
    .option('--candidates <dirs...>', 'run or checkpoint directories of the candidates (default finetune.candidates)')
    .option('--samples <n>', 'generated images per candidate, and target images (default finetune.samples)', positiveInteger)
    .option('--run <dir>', 'record the ranking and the choice in this run directory (select-source.json)')
    .addHelpText('after', '\nExamples:\n  s3gan select-source --candidates runs/mnist-full runs/kmnist --config configs/fashion-1k.yaml\n  s3gan select-source --candidates runs/a runs/b --config target.yaml --run runs/ft')
    .action(async (flags: SelectSourceFlags, self: Command) => {
      const { config } = await commandConfig(self, flagOverride('--run', 'run.dir', flags.run), flags.run);
      const settings = finetuneSettings(config);
      const candidates = flags.candidates ?? settings.candidates;
      const key = flags.candidates === undefined ? 'finetune.candidates' : '--candidates';
      const samples = flags.samples ?? settings.samples;
      // Every candidate is checked before anything is loaded or written.
      if (candidates.length === 0) throw new UserError(`${key}: name at least one candidate source (--candidates RUN…)`);
      for (const candidate of candidates) await readFinetuneSource(candidate, key);
      const plan = `${candidates.length} candidate(s) against ${config.data.name} training images, ${samples} samples each`;
      if (globalFlags(self).dryRun) {
        print(`would rank ${plan}`);
        return;
      }
      if (flags.run === undefined) {
        process.stderr.write(`select-source: ${plan}\n`);
        const dataset = await loadConfiguredDataset(config);
        const result = await selectSource({ dataset, config, candidates, samples, key, targetIndices: targetImageIndices(dataset, config), ...STDERR_HOOKS });
        for (const line of formatRanking({ ranking: result.ranking, k: SELECT_SOURCE_K })) print(line);
        print(`chosen: ${result.ranking[0].candidate}`);
        return;
      }
      const { dataset, run } = await openStageRun(config, 'select-source', `${plan} → ${resolve(config.run.dir)}`);
      try {
        const { choice } = await runSelectSourceStage(run, dataset, config, { candidates, samples, key, ...STDERR_HOOKS });
        for (const line of formatRanking(choice)) print(line);
        print(`chosen: ${choice.chosen} (${run.file(SELECT_SOURCE_FILE)})`);
      } finally {
        await run.close();
      }
    });
}
