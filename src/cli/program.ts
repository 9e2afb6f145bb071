/**
 * The s3gan command line. Each command turns flags into one validated config and calls the
 * library; this file only wires commands and the exit-code policy:
 * 0 success, 2 bad input (UserError or a flag commander rejects), 1 an internal error (a bug),
 * 130 / 143 training stopped by SIGINT / SIGTERM after writing a checkpoint.
 */
import { Command, CommanderError } from 'commander';
import { UserError } from '../util/errors.js';
import { InterruptedError } from '../util/interrupt.js';
import { packageVersion } from '../util/package-root.js';
import { didYouMean } from '../util/suggest.js';
import { collect } from './context.js';
import { configCommand } from './commands/config.js';
import { dataCommand } from './commands/data.js';
import { labelsCommand } from './commands/labels.js';
import { backendCommand } from './commands/backend.js';
import { pretrainCommand } from './commands/pretrain.js';
import { pseudoLabelCommand } from './commands/pseudo-label.js';
import { runCommand } from './commands/run.js';
import { trainCommand } from './commands/train.js';
import { sampleCommand } from './commands/sample.js';
import { evalCommand } from './commands/eval.js';
import { fidCommand } from './commands/fid.js';
import { reportCommand } from './commands/report.js';
import { experimentCommand } from './commands/experiment.js';
import { workerCommand } from './commands/worker.js';
import { finetuneCommand } from './commands/finetune.js';
import { selectSourceCommand } from './commands/select-source.js';

/**
 * Commander's own errors ("error: unknown option") as one line with the prefix every s3gan error
 * has; its did-you-mean comes on a line of its own, which is joined on.
 */
const ERROR_OUTPUT = {
  outputError: (text: string, write: (text: string) => void) => write(`s3gan: ${text.trim().replace(/\s*\n\s*/g, ' ')} (run with --help for usage)\n`),
};

/**
 * `s3gan help NAME...` for a command that does not exist: commander would print the root help and
 * exit 2 without saying why, so it is refused here with the nearest command's name.
 */
function checkHelpTarget(program: Command, argv: readonly string[]): void {
  if (argv[0] !== 'help') return;
  let level = program;
  for (const name of argv.slice(1)) {
    if (name.startsWith('-')) return;
    const next = level.commands.find((c) => c.name() === name || c.aliases().includes(name));
    if (next === undefined) {
      const known = level.commands.map((c) => c.name());
      const where = level === program ? '' : ` of '${level.name()}'`;
      throw new UserError(`help ${argv.slice(1).join(' ')}: unknown command '${name}'${where}${didYouMean(name, known)}; commands: ${known.join(', ')}`);
    }
    level = next;
  }
}

export function buildProgram(): Command {
  const program = new Command('s3gan')
    .description('Class-conditional GANs from few labels: rotation pretraining, pseudo-labels, S3GAN training.')
    .version(packageVersion())
    .option('-c, --config <file>', 'config file (default: s3gan.config.*, .s3ganrc*, or "s3gan" in package.json, searched in the working directory)')
    .option('-s, --set <key=value>', 'override one config key, e.g. --set gan.batchSize=32 (repeatable)', collect, [])
    .option('--dry-run', 'validate and show what would be done, without doing it')
    .enablePositionalOptions(false)
    .configureOutput(ERROR_OUTPUT)
    .addHelpText('after', '\nExamples:\n  s3gan run --config quickstart --run runs/quickstart\n  s3gan data inspect mnist --out grid.png\n  s3gan config show --config configs/mnist.yaml --set gan.batchSize=32\n  s3gan labels --run runs/mnist-1pct --set labels.fraction=0.01\n  s3gan pretrain --config configs/mnist.yaml --run runs/mnist-1pct\n  s3gan pseudo-label --run runs/mnist-1pct\n  s3gan train --config configs/mnist.yaml --method cgan-full --run runs/mnist-full\n  s3gan sample --run runs/mnist-full --ema --out samples.png\n  s3gan eval --run runs/mnist-full --ema --samples 10000');
  program.addCommand(configCommand());
  program.addCommand(dataCommand());
  program.addCommand(labelsCommand());
  program.addCommand(runCommand());
  program.addCommand(pretrainCommand());
  program.addCommand(pseudoLabelCommand());
  program.addCommand(trainCommand());
  program.addCommand(sampleCommand());
  program.addCommand(evalCommand());
  program.addCommand(fidCommand());
  program.addCommand(backendCommand());
  program.addCommand(reportCommand());
  program.addCommand(experimentCommand());
  program.addCommand(workerCommand());
  program.addCommand(finetuneCommand());
  program.addCommand(selectSourceCommand());
  // Global options are valid after a subcommand too: `s3gan config show --set a=b`.
  for (const command of program.commands) inheritGlobalOptions(command, program);
  return program;
}

/** Lets every subcommand parse the root's global options. */
function inheritGlobalOptions(command: Command, root: Command): void {
  command.exitOverride();
  command.configureOutput(ERROR_OUTPUT);
  for (const option of root.options) {
    if (option.long === '--version') continue;
    if (!command.options.some((o) => o.long === option.long)) command.addOption(option);
  }
  for (const child of command.commands) inheritGlobalOptions(child, root);
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  program.exitOverride();
  try {
    checkHelpTarget(program, argv);
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" to commander; they exit cleanly.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof InterruptedError) {
      process.stderr.write(`s3gan: ${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof UserError) {
      process.stderr.write(`s3gan: error: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`s3gan: internal error (please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}
