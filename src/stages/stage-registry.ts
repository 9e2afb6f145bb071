/**
 * The stages a pipeline can name (pipelines/*.yaml `stages`), by manifest stage name: each wraps its
 * stage function and turns the result into summary lines. Stages share nothing but the run
 * directory's artifacts. A new stage is one entry in STAGES.
 */
import { finalSampleGrid, runGanStage } from './gan-stage.js';
import { didYouMean } from '../util/suggest.js';
import { UserError } from '../util/errors.js';
import type { PipelineStage } from './pipeline.js';
import { runPretrainStage } from './pretrain-stage.js';
import { runPseudoLabelStage } from './pseudo-label-stage.js';
import { MODEL_JSON } from '../artifacts/model-files.js';
import { GAN_CHECKPOINTS_DIR, GAN_EXPORT_GENERATOR_EMA_DIR, PRETRAIN_ENCODER_DIR, PSEUDO_LABELS_FILE, SELECT_SOURCE_FILE } from '../artifacts/run-layout.js';
import { FINETUNE_STAGE, finetuneSettings, runFinetuneStage } from './finetune-stage.js';
import { formatRanking, runSelectSourceStage, SELECT_SOURCE_STAGE } from './select-source-stage.js';

function percent(x: number | null | undefined): string {
  return x == null ? 'n/a' : `${(100 * x).toFixed(2)}%`;
}

export const pretrainStage: PipelineStage = {
  name: 'pretrain',
  async run({ run, dataset, config, progressStream, log, stop }) {
    const result = await runPretrainStage(run, dataset, config, { progressStream, log, stop });
    const report = result.report;
    if (report === undefined) throw new Error('pretraining stopped before its last step');
    return {
      skipped: result.skipped,
      summary: [`rotation encoder: held-out rotation accuracy ${percent(report.heldOutRotationAccuracy)} after ${report.steps} steps (${run.file(PRETRAIN_ENCODER_DIR)})`],
    };
  },
};

export const pseudoLabelStage: PipelineStage = {
  name: 'pseudo-label',
  async run({ run, dataset, config, progressStream, log }) {
    const { report, skipped } = await runPseudoLabelStage(run, dataset, config, { progressStream, log });
    const baseline = report.rawPixelBaseline;
    return {
      skipped,
      summary: [
        `pseudo-labels: ${report.description}`,
        `  accuracy on the unlabelled training images ${percent(report.unlabelledTrain.accuracy)}, test split ${percent(report.test?.accuracy)}` +
          (baseline === null ? '' : `; raw-pixel baseline ${percent(baseline.unlabelledTrain.accuracy)} / ${percent(baseline.test?.accuracy)}`),
        `  labels: ${run.file(PSEUDO_LABELS_FILE)}`,
      ],
    };
  },
};

export const ganStage: PipelineStage = {
  name: 'gan',
  async run({ run, dataset, config, progressStream, log, stop }) {
    const result = await runGanStage(run, dataset, config, { progressStream, log, stop });
    return {
      skipped: result.resumedFrom >= config.gan.steps,
      summary: [
        `GAN (${config.gan.method}): ${result.step} steps, ${result.imagesSeen} real images seen`,
        `  samples: ${finalSampleGrid(run, result.step)}`,
        `  checkpoint: ${result.checkpoint ?? run.file(GAN_CHECKPOINTS_DIR)}`,
        `  generator (plain tfjs): ${run.file(`${GAN_EXPORT_GENERATOR_EMA_DIR}/${MODEL_JSON}`)}`,
      ],
    };
  },
};

export const selectSourceStage: PipelineStage = {
  name: SELECT_SOURCE_STAGE,
  async run({ run, dataset, config, progressStream, log }) {
    const settings = finetuneSettings(config);
    // A source named outright needs no ranking.
    if (settings.candidates.length === 0 && settings.from !== undefined) return { skipped: true, summary: [`source: ${settings.from} (finetune.from)`] };
    const { choice, skipped } = await runSelectSourceStage(run, dataset, config, { candidates: settings.candidates, samples: settings.samples, key: 'finetune.candidates', progressStream, log });
    return { skipped, summary: [...formatRanking(choice), `  chosen: ${choice.chosen} (${run.file(SELECT_SOURCE_FILE)})`] };
  },
};

export const finetuneStage: PipelineStage = {
  name: FINETUNE_STAGE,
  async run({ run, dataset, config, progressStream, log, stop }) {
    const result = await runFinetuneStage(run, dataset, config, { progressStream, log, stop });
    return {
      skipped: result.resumedFrom >= config.gan.steps,
      summary: [
        `GAN (${config.gan.method}) fine-tuned from ${result.source.checkpoint}: ${result.step} steps, ${result.imagesSeen} real images seen`,
        `  samples: ${finalSampleGrid(run, result.step)}`,
        `  checkpoint: ${result.checkpoint ?? run.file(GAN_CHECKPOINTS_DIR)}`,
        `  generator (plain tfjs): ${run.file(`${GAN_EXPORT_GENERATOR_EMA_DIR}/${MODEL_JSON}`)}`,
      ],
    };
  },
};

/** Every stage a pipeline can run, by name. */
export const STAGES: Readonly<Record<string, PipelineStage>> = Object.freeze({
  [pretrainStage.name]: pretrainStage,
  [pseudoLabelStage.name]: pseudoLabelStage,
  [ganStage.name]: ganStage,
  [selectSourceStage.name]: selectSourceStage,
  [finetuneStage.name]: finetuneStage,
});

/** The names a pipeline's `stages` may list, in the order they run in a full pipeline. */
export function stageNames(): string[] {
  return Object.keys(STAGES);
}

/** The stage called `name`; an unknown name is a UserError naming `where` (a file and key) and the known ones. */
export function getStage(name: string, where = 'stage'): PipelineStage {
  const stage = Object.hasOwn(STAGES, name) ? STAGES[name] : undefined;
  if (stage === undefined) throw new UserError(`${where}: unknown stage '${name}'${didYouMean(name, stageNames())}; stages: ${stageNames().join(', ')}`);
  return stage;
}
