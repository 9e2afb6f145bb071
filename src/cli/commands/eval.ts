/**
 * `s3gan eval --run DIR`: scores a run's generator (newest checkpoint or --step; G-EMA with --ema)
 * against the real split of eval.split, writes eval/results.json and prints the table. The domain
 * classifier and the real reference features are cached under data.cacheDir, so only the first
 * evaluation of a dataset trains and reads them.
 */
import { Command, InvalidArgumentError } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { GAN_CHECKPOINTS_DIR, RESOLVED_CONFIG_FILE } from '../../artifacts/run-dir.js';
import type { Config } from '../../config/schema.js';
import { parseMetricList } from '../../eval/metric-names.js';
import { formatResultsTable } from '../../eval/results.js';
import { findCheckpoint, runEvalStage } from '../../stages/eval-stage.js';
import { UserError, errorMessage } from '../../util/errors.js';
import { openStageRun } from '../stage-run.js';
import { loadPlannedDataset } from '../plan-dataset.js';
import { commandConfig, formatCount, globalFlags, print } from '../context.js';

interface EvalFlags {
  run?: string;
  samples?: number;
  ema?: boolean;
  metrics?: string;
  step?: number;
  seed?: number;
}

function integer(flag: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${flag} must be an integer ≥ ${min}, got '${value}'`);
    return n;
  };
}

/** The data keys that decide which real images the generator is compared with. */
const DATA_KEYS = ['name', 'path', 'labelFile', 'classNames', 'imageSize', 'channels', 'fit'] as const;

/**
 * Refuses to compare a run's generator with real images prepared differently from its training
 * data (another dataset, size or fit, given by --config or --set), which would give meaningless numbers.
 */
function checkRunData(config: Config): void {
  const file = path.resolve(config.run.dir, RESOLVED_CONFIG_FILE);
  if (!existsSync(file)) return;
  let recorded: Record<string, unknown>;
  try {
    recorded = (JSON.parse(readFileSync(file, 'utf8')) as { data?: Record<string, unknown> }).data ?? {};
  } catch (error) {
    throw new UserError(`cannot read ${file}: ${errorMessage(error)}`);
  }
  for (const key of DATA_KEYS) {
    const mine = JSON.stringify(config.data[key] ?? null);
    const theirs = JSON.stringify(recorded[key] ?? null);
    if (mine !== theirs) {
      throw new UserError(`data.${key} is ${mine} but run ${config.run.dir} was trained with ${theirs}: evaluate with the run's data settings (drop the --config or --set that changes them; the run's config is ${file})`);
    }
  }
}

export function evalCommand(): Command {
  return new Command('eval')
    .description("score a run's generator: FID, KID, IS, precision/recall, density/coverage, intra-FID, CAS, label accuracy → eval/results.json")
    .option('--run <dir>', 'run directory (run.dir)')
    .option('--samples <n>', 'generated (and real) images per metric (eval.samples)', integer('--samples', 2))
    .option('--ema', "use the generator's weight average (G-EMA), as papers report")
    .option('--metrics <list>', 'comma-separated metrics (eval.metrics): fid, kid, is, precision-recall, density-coverage, intra-fid, cas, label-accuracy, or all', (value: string) =>
      parseMetricList(value, '--metrics').join(','),
    )
    .option('--step <n>', 'use the checkpoint of this step instead of the newest', integer('--step', 0))
    .option('--seed <s>', 'noise seed (default: the config seed)', integer('--seed', 0))
    .addHelpText(
      'after',
      '\nExamples:\n  s3gan eval --run runs/mnist-full --ema\n  s3gan eval --run runs/mnist-full --ema --samples 1000 --metrics fid,label-accuracy --step 4000\n\nThe domain classifier (default feature extractor) and the real features are cached under data.cacheDir;\nset eval.extractorPath and eval.extractorLayer to use a tfjs model on disk (e.g. a converted InceptionV3) instead.',
    )
    .action(async (flags: EvalFlags, self: Command) => {
      const overrides = [
        ...(flags.run === undefined ? [] : [`run.dir=${flags.run}`]),
        ...(flags.samples === undefined ? [] : [`eval.samples=${flags.samples}`]),
        ...(flags.metrics === undefined ? [] : [`eval.metrics=${flags.metrics}`]),
      ];
      const { config } = await commandConfig(self, overrides, flags.run);
      const checkpoint = await findCheckpoint(path.resolve(config.run.dir, GAN_CHECKPOINTS_DIR), config.run.dir, flags.step);
      const generatorKind = flags.ema ? 'generator-ema' : 'generator';
      const plan = `${path.join(checkpoint.path, generatorKind)} (step ${formatCount(checkpoint.step)}) on ${formatCount(config.eval.samples)} images: ${config.eval.metrics.join(', ')} against the ${config.eval.split} split of ${config.data.name}`;
      checkRunData(config);
      const loaded = await loadPlannedDataset(config, ['eval']);
      if (globalFlags(self).dryRun) {
        print(`would evaluate ${plan}`);
        return;
      }
      const { dataset, run } = await openStageRun(config, 'eval', plan, loaded);
      try {
        const { results, file } = await runEvalStage(run, dataset, config, {
          ema: flags.ema === true,
          step: checkpoint.step,
          seed: flags.seed,
          log: (line) => process.stderr.write(`${line}\n`),
        });
        print(formatResultsTable(results));
        if (results.classifier !== null) {
          print(`domain classifier: ${results.classifier.accuracySplit} accuracy ${(100 * results.classifier.testAccuracy).toFixed(2)} % (${formatCount(results.classifier.accuracyImages)} images)`);
        }
        print(`results: ${file}`);
      } finally {
        await run.close();
      }
    });
}
