/**
 * `s3gan experiment --config configs/experiments/<name>.yaml`: a grid of methods × label fractions
 * × seeds (src/experiment/), each cell a run directory, shared stages run once, finished cells
 * skipped, then the results table, plots and report in the output folder.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { runExperiment } from '../../experiment/runner.js';
import { UserError } from '../../util/errors.js';
import { globalFlags, print } from '../context.js';

interface ExperimentFlags {
  out?: string;
  parallel?: number;
  unit?: string;
  unitHash?: string;
  queue?: string;
}

function positiveInteger(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${flag} must be an integer ≥ 1, got '${value}'`);
    return n;
  };
}

/** `--set key=value` strings as the library's `set` record (the values are typed by the config schema). */
function setRecord(assignments: readonly string[]): Record<string, string> {
  const set: Record<string, string> = {};
  for (const text of assignments) {
    const at = text.indexOf('=');
    if (at <= 0) throw new UserError(`--set ${text}: expected key=value`);
    set[text.slice(0, at)] = text.slice(at + 1);
  }
  return set;
}

export function experimentCommand(): Command {
  return new Command('experiment')
    .description('run a grid of methods × label fractions × seeds (configs/experiments/*.yaml), sharing stages, then write its table, plots and report')
    .option('--out <dir>', 'output folder (default: runs/experiments/<name>)')
    .option('--parallel <n>', 'cells run at once, as child processes (default 1)', positiveInteger('--parallel'))
    .option('--queue <url>', "run the cells on 's3gan worker's: enqueue them in Redis at redis://HOST:PORT[/DB], follow them, then write the results")
    .addOption(new Option('--unit <key>', 'run one cell or shared stage of the grid (used by --parallel and workers)').hideHelp())
    .addOption(new Option('--unit-hash <hash>', 'with --unit: the config hash the unit must have (used by workers)').hideHelp())
    .addHelpText(
      'after',
      '\n--config names the experiment file; --set applies to every cell; --dry-run lists the cells and\n' +
        'shared stages with estimated times and writes nothing. A rerun skips finished cells and resumes\n' +
        'a killed one. Each cell logs to <out>/logs/<cell>.log.\n' +
        '\nExamples:\n' +
        '  s3gan experiment --config configs/experiments/label-efficiency-mnist.yaml --dry-run\n' +
        '  s3gan experiment --config configs/experiments/label-efficiency-mnist.yaml\n' +
        '  s3gan experiment --config configs/experiments/label-efficiency-cifar10.yaml --out runs/c10 --parallel 2\n' +
        '  s3gan experiment --config configs/experiments/label-efficiency-cifar10.yaml --out /shared/c10 --queue redis://queuehost:6379',
    )
    .action(async (flags: ExperimentFlags, self: Command) => {
      const global = globalFlags(self);
      if (global.config === undefined) throw new UserError('--config: name the experiment file, e.g. --config configs/experiments/label-efficiency-mnist.yaml');
      const set = setRecord(global.set);
      // Ctrl-C stops training at a step boundary with a checkpoint written; a second one quits at once.
      const controller = new AbortController();
      const onSignal = () => controller.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      // A worker's unit (spawned with an IPC channel) reports its stages, and stops when its worker dies.
      const send = flags.unit === undefined ? undefined : process.send?.bind(process);
      if (send !== undefined) process.once('disconnect', onSignal);
      try {
        const summary = await runExperiment({
          config: global.config,
          out: flags.out,
          set,
          parallel: flags.parallel,
          dryRun: global.dryRun,
          unit: flags.unit,
          unitHash: flags.unitHash,
          queue: flags.queue,
          onUnitStage: send === undefined ? undefined : (stage) => void send({ stage }),
          signal: controller.signal,
          log: (line) => process.stderr.write(`${line}\n`),
          progress: process.stderr,
        });
        if (global.dryRun) {
          print(`would run into ${summary.out}:`);
          for (const line of summary.plan) print(line);
        } else if (summary.results !== undefined) {
          print(`experiment ${summary.results.name}: ${summary.results.cells.length} cells, results in ${summary.out}`);
        }
      } finally {
        process.removeListener('SIGINT', onSignal);
        process.removeListener('SIGTERM', onSignal);
        process.removeListener('disconnect', onSignal);
      }
    });
}
