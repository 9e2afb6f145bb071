/**
 * `s3gan pseudo-label`: stage 2 in a run directory whose encoder is pretrained: a label for every
 * training image from the few labels, the labels file the GAN stage reads, and a report of how good
 * those labels are (with the raw-pixel baseline).
 */
import { Command } from 'commander';
import { resolve } from 'node:path';
import { blocksPhrase } from '../../classify/block-sets.js';
import { budgetText } from '../../config/derived.js';
import type { Config } from '../../config/schema.js';
import { formatPseudoLabelReport } from '../../stages/pseudo-label-report.js';
import { runPseudoLabelStage } from '../../stages/pseudo-label-stage.js';
import { openStageRun } from '../stage-run.js';
import { flagOverride } from '../../config/overrides.js';
import { loadPlannedDataset } from '../plan-dataset.js';
import { commandConfig, globalFlags, print } from '../context.js';
import { PSEUDO_LABELS_FILE, PSEUDO_LABEL_REPORT_FILE, PSEUDO_LABEL_REPORT_TEXT } from '../../artifacts/run-layout.js';

interface PseudoLabelFlags {
  run?: string;
  block?: string;
  kmeans?: boolean;
}

/** The blocks part of the plan line: 'block 2', 'blocks 1+2', 'block auto' or 'block auto (single blocks and adjacent pairs)'. */
function blockPlan(p: Config['pseudoLabel']): string {
  if (p.block !== 'auto') return blocksPhrase(p.block);
  return p.autoBlocks === 'adjacent-pairs' ? 'block auto (single blocks and adjacent pairs)' : 'block auto';
}

export function pseudoLabelCommand(): Command {
  return new Command('pseudo-label')
    .description('stage 2: fit a classifier on the pretrained encoder with the labelled subset (linear on frozen features, or S4L fine-tuning) and label every training image')
    .option('--run <dir>', 'run directory (run.dir), with a pretrained encoder')
    .option('--block <k|[j,k]|auto>', 'encoder block whose features are used, or a list of blocks whose features are concatenated (pseudoLabel.block)')
    .option('--kmeans', 'cluster the features instead (pseudoLabel.source=kmeans), the unsupervised baseline')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  s3gan pseudo-label --config configs/mnist.yaml --run runs/mnist-1pct\n' +
        '  s3gan pseudo-label --run runs/mnist-1pct --set labels.fraction=0.001 --block 2\n' +
        '  s3gan pseudo-label --run runs/mnist-1pct --set pseudoLabel.classifier=s4l\n' +
        '\nWrites labels/labels.json (a label and confidence per training image, by image id),\n' +
        'labels/report.json and labels/report.txt (accuracy on the unlabelled training images and the\n' +
        'test split, per class, confusion matrix, and the same classifier on raw pixels).',
    )
    .action(async (flags: PseudoLabelFlags, self: Command) => {
      const overrides = [
        ...flagOverride('--run', 'run.dir', flags.run),
        ...flagOverride('--block', 'pseudoLabel.block', flags.block),
        ...(flags.kmeans === true ? ['pseudoLabel.source=kmeans'] : []),
      ];
      const { config } = await commandConfig(self, overrides, flags.run);
      const p = config.pseudoLabel;
      const how =
        p.source === 'kmeans'
          ? 'k-means clusters'
          : p.classifier === 's4l'
            ? `S4L: encoder fine-tuned ${p.s4lSteps} steps on rotation + labelled cross-entropy`
            : `linear classifier, ${blockPlan(p)}, ${p.folds}-fold CV over L2 ${p.l2Strengths.join('/')}`;
      const plan = `${config.data.name} with ${budgetText(config)} (seed ${config.labels.seed}): ${how} → ${resolve(config.run.dir)}`;
      const dryRun = globalFlags(self).dryRun;
      const loaded = await loadPlannedDataset(config, ['pseudo-label'], dryRun ? undefined : `pseudo-label ${plan}`);
      if (dryRun) {
        print(`would pseudo-label ${plan}`);
        return;
      }
      const { dataset, run } = await openStageRun(config, 'pseudo-label', plan, loaded, true);
      try {
        const result = await runPseudoLabelStage(run, dataset, config, { log: (line) => process.stderr.write(`${line}\n`) });
        if (result.skipped) print('already labelled with these settings:');
        for (const line of formatPseudoLabelReport(result.report)) print(line);
        print();
        print(`labels: ${run.file(PSEUDO_LABELS_FILE)}`);
        print(`report: ${run.file(PSEUDO_LABEL_REPORT_FILE)} (${run.file(PSEUDO_LABEL_REPORT_TEXT)})`);
      } finally {
        await run.close();
      }
    });
}
