/**
 * `s3gan worker --queue redis://HOST:PORT[/DB]`: takes the cells and shared stages of experiment
 * grids enqueued by `s3gan experiment --queue` and runs them into their experiment's run root
 * (src/experiment/queue/worker.ts), until Ctrl-C or SIGTERM.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { runWorker } from '../../experiment/queue/worker.js';
import { UserError } from '../../util/errors.js';

interface WorkerFlags {
  queue?: string;
  concurrency: number;
  lockDurationMs?: number;
}

function positiveInteger(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${flag} must be an integer ≥ 1, got '${value}'`);
    return n;
  };
}

export function workerCommand(): Command {
  return new Command('worker')
    .description("run the cells of experiment grids queued with 's3gan experiment --queue', into their shared run root")
    .option('--queue <url>', 'the Redis of the queue, redis://HOST:PORT[/DB]')
    .option('--concurrency <n>', 'units run at once, each as a child process (default 1)', positiveInteger('--concurrency'), 1)
    // Tests only: a short lock hands a killed worker's unit on within seconds instead of 30.
    .addOption(new Option('--lock-duration-ms <ms>', 'how long a silent worker keeps its unit (tests)').argParser(positiveInteger('--lock-duration-ms')).hideHelp())
    .addHelpText(
      'after',
      '\nEvery worker must see the experiment folder at the path the grid was queued with (a shared\n' +
        'filesystem). Ctrl-C or SIGTERM: the running units stop at a step boundary with a checkpoint,\n' +
        'go back to the queue, and the worker exits. A killed worker\'s unit is taken by another worker,\n' +
        'which resumes it from its newest checkpoint.\n' +
        '\nExample:\n' +
        '  s3gan worker --queue redis://queuehost:6379 --concurrency 2',
    )
    .action(async (flags: WorkerFlags) => {
      if (flags.queue === undefined) throw new UserError('--queue: name the Redis of the queue, e.g. --queue redis://localhost:6379');
      const controller = new AbortController();
      const onSignal = () => controller.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        process.stderr.write(`worker: taking units from ${flags.queue}\n`);
        await runWorker({
          queue: flags.queue,
          concurrency: flags.concurrency,
          lockDurationMs: flags.lockDurationMs,
          signal: controller.signal,
          log: (line) => process.stderr.write(`${line}\n`),
        });
      } finally {
        process.removeListener('SIGINT', onSignal);
        process.removeListener('SIGTERM', onSignal);
      }
    });
}
