/**
 * `s3gan eval --run DIR`: scores a run's generator (newest checkpoint or --step; G-EMA with --ema)
 * against the real split of eval.split, writes eval/results.json and prints the table. The domain
 * classifier and the real reference features are cached under data.cacheDir, so only the first
 * evaluation of a dataset trains and reads them.
 */
import { Command, InvalidArgumentError } from 'commander';
import * as path from 'node:path';
import { evaluateInRun } from '../../api/evaluate.js';
import { formatSkipped, type MetricRequest } from '../../eval/applicability.js';
import { formatClassifierAccuracy } from '../../eval/domain-classifier-cache.js';
import { parseMetricList } from '../../eval/metric-names.js';
import { formatPerClassLabelAccuracy, formatResultWarnings, formatResultsTable } from '../../eval/results.js';
import { configMetrics, findCheckpoint, selectEvalMetrics } from '../../stages/eval-stage.js';
import { checkRunData } from '../../stages/eval-run-data.js';
import { flagOverride } from '../../config/overrides.js';
import { STDERR_HOOKS } from '../load-dataset.js';
import { loadPlannedDataset } from '../plan-dataset.js';
import { commandConfig, formatCount, globalFlags, print } from '../context.js';
import { GAN_CHECKPOINTS_DIR } from '../../artifacts/run-layout.js';

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

export function evalCommand(): Command {
  return new Command('eval')
    .description("score a run's generator: FID, KID, IS, precision/recall, density/coverage, intra-FID, CAS, label accuracy → eval/results.json")
    .option('--run <dir>', 'run directory (run.dir)')
    .option('--samples <n>', 'generated (and real) images per metric (eval.samples)', integer('--samples', 2))
    .option('--ema', "use the generator's weight average (G-EMA), as papers report")
    .option(
      '--metrics <list>',
      'comma-separated metrics (eval.metrics): fid, kid, is, precision-recall, density-coverage, intra-fid, cas, label-accuracy; or all: every one that applies to this run and dataset (the others are named, with why, and recorded as skipped)',
      (value: string) => (value.trim() === 'all' ? 'all' : parseMetricList(value, '--metrics').join(',')),
    )
    .option('--step <n>', 'use the checkpoint of this step instead of the newest', integer('--step', 0))
    .option('--seed <s>', 'noise seed (default: the config seed)', integer('--seed', 0))
    .addHelpText(
      'after',
      '\nExamples:\n  s3gan eval --run runs/mnist-full --ema\n  s3gan eval --run runs/mnist-full --ema --samples 1000 --metrics fid,label-accuracy --step 4000\n\n' +
        'Label accuracy, intra-FID and CAS need a conditional generator; CAS also a labelled test split. A named metric\n' +
        'that cannot apply is refused before anything runs; with --metrics all it is skipped. Label accuracy is also\n' +
        'printed per class, and recorded per class in eval/results.json.\n\nThe domain classifier (default feature extractor) and the real features are cached under data.cacheDir;\nset eval.extractorPath and eval.extractorLayer to use a tfjs model on disk (e.g. a converted InceptionV3) instead.',
    )
    .action(async (flags: EvalFlags, self: Command) => {
      // `all` is a request, not a config value: the run's eval.metrics stay as they were.
      const all = flags.metrics === 'all';
      const overrides = [
        ...flagOverride('--run', 'run.dir', flags.run),
        ...flagOverride('--samples', 'eval.samples', flags.samples),
        ...(all ? [] : flagOverride('--metrics', 'eval.metrics', flags.metrics)),
      ];
      const { config } = await commandConfig(self, overrides, flags.run);
      const checkpoint = await findCheckpoint(path.resolve(config.run.dir, GAN_CHECKPOINTS_DIR), config.run.dir, flags.step);
      checkRunData(config, 'drop the --config or --set that changes them');
      // Which metrics apply is decided from the dataset and the checkpoint before the run is opened.
      const request: MetricRequest = all
        ? { kind: 'all', source: '--metrics' }
        : flags.metrics === undefined
          ? configMetrics(config)
          : { kind: 'named', metrics: config.eval.metrics, source: '--metrics' };
      const dataset = await loadPlannedDataset(config, ['eval']);
      const selection = await selectEvalMetrics(config, dataset, checkpoint.path, request);
      const generatorKind = flags.ema ? 'generator-ema' : 'generator';
      const plan = `${path.join(checkpoint.path, generatorKind)} (step ${formatCount(checkpoint.step)}) on ${formatCount(config.eval.samples)} images: ${selection.metrics.join(', ')} against the ${config.eval.split} split of ${config.data.name}`;
      if (globalFlags(self).dryRun) {
        for (const line of formatSkipped(selection.skipped)) process.stderr.write(`${line}\n`);
        print(`would evaluate ${plan}`);
        return;
      }
      process.stderr.write(`eval ${plan}\n`);
      const { results, file } = await evaluateInRun(config, dataset, STDERR_HOOKS, { ema: flags.ema === true, step: checkpoint.step, seed: flags.seed, metrics: request });
      for (const line of formatResultWarnings(results.metrics)) process.stderr.write(`${line}\n`);
      print(formatResultsTable(results));
      for (const line of formatPerClassLabelAccuracy(results)) print(line);
      if (results.classifier !== null) print(`domain classifier: ${formatClassifierAccuracy(results.classifier)}`);
      print(`results: ${file}`);
    });
}
