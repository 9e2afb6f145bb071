/**
 * `s3gan report --run DIR`: writes DIR/report.html, one page that opens from disk with the config,
 * each stage's status and results, the pseudo-label report and its confusion matrix, the training
 * curves, sample grids over time and the evaluation history. Reads the run; can run while it trains.
 */
import { Command } from 'commander';
import { writeReport } from '../../report/write-report.js';
import { print } from '../context.js';

export function reportCommand(): Command {
  return new Command('report')
    .description("write <run>/report.html: config, stages, pseudo-labels, curves, sample grids and evaluations of a run")
    .requiredOption('--run <dir>', 'run directory')
    .addHelpText('after', '\nExample:\n  s3gan report --run runs/quickstart   # then open runs/quickstart/report.html')
    .action(async (flags: { run: string }) => {
      print(`report: ${await writeReport(flags.run)}`);
    });
}
