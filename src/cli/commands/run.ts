/**
 * `s3gan run`: every stage of the pipeline that trains gan.method, in order, in one run directory.
 * Stages whose artifacts are complete for this config are skipped and a killed stage resumes, so
 * the same command continues an interrupted run.
 */
import { Command } from 'commander';
import { resolve } from 'node:path';
import { listPipelines, pipelineConfig, runInRun } from '../../api/run.js';
import { budgetText } from '../../config/derived.js';
import { signalStopRequest } from '../../util/interrupt.js';
import { formatDuration } from '../../util/progress.js';
import { flagOverride } from '../../config/overrides.js';
import { STDERR_HOOKS } from '../load-dataset.js';
import { loadPlannedDataset } from '../plan-dataset.js';
import { commandConfig, globalFlags, print } from '../context.js';

interface RunFlags {
  run?: string;
  method?: string;
  skipCorrupt?: boolean;
}

export function runCommand(): Command {
  const rows = listPipelines().map((p) => ({ methods: p.methods.join(', ') || `(${p.selectedBy ?? ''} set)`, stages: p.stages.map((s) => s.name).join(' → ') }));
  const width = Math.max(...rows.map((row) => row.methods.length));
  const pipelines = rows.map((row) => `  ${row.methods.padEnd(width)}  ${row.stages}`).join('\n');
  return new Command('run')
    .description('run every stage of the pipeline of gan.method in one run directory (skips finished stages, resumes a killed one)')
    .option('--run <dir>', 'run directory (run.dir)')
    .option('--method <name>', 'training method (gan.method); it picks the pipeline')
    .option('--skip-corrupt', 'skip undecodable images, naming them (data.skipCorrupt)')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  s3gan run --config quickstart --run runs/quickstart\n' +
        '  s3gan run --config configs/mnist.yaml --run runs/mnist-1pct --set labels.fraction=0.01\n' +
        '  s3gan run --config configs/mnist.yaml --method s3gan-co --run runs/mnist-co\n' +
        `\nPipelines (methods: stages):\n${pipelines}`,
    )
    .action(async (flags: RunFlags, self: Command) => {
      const overrides = [
        ...flagOverride('--run', 'run.dir', flags.run),
        ...flagOverride('--method', 'gan.method', flags.method),
        ...(flags.skipCorrupt === true ? ['data.skipCorrupt=true'] : []),
      ];
      // The pipeline follows from the method; its own settings (e.g. k-means labels) go under the
      // user's flags, so an explicit --set still wins.
      const { config, pipeline } = await pipelineConfig(async (pipelineOverrides) => (await commandConfig(self, [...pipelineOverrides, ...overrides], flags.run)).config);
      const stages = pipeline.stages.map((s) => s.name).join(' → ');
      const plan = `${config.gan.method} on ${config.data.name} with ${budgetText(config)}: ${stages} → ${resolve(config.run.dir)}`;
      const dryRun = globalFlags(self).dryRun;
      const loaded = await loadPlannedDataset(config, pipeline.stages.map((s) => s.name), dryRun ? undefined : `run ${plan}`);
      if (dryRun) {
        print(`would run ${plan}`);
        return;
      }
      const started = Date.now();
      // Each stage's summary as it ends: a long run shows e.g. the pseudo-label accuracy hours before its end.
      const result = await runInRun(config, pipeline, loaded, {
        ...STDERR_HOOKS,
        stop: signalStopRequest(),
        onStageDone: (_index, _total, stage, outcome) => {
          print(`${stage.name}${outcome.skipped ? ' (already done)' : ''}:`);
          for (const line of outcome.summary) print(`  ${line}`);
        },
      });
      print(`run directory: ${result.runDir} (${formatDuration((Date.now() - started) / 1000)})`);
    });
}
