/**
 * The layout of a run directory: every path a stage writes or reads there, relative to the run
 * directory and '/'-separated, defined here and nowhere else. A RunDir resolves them
 * (`run.file(GAN_CHECKPOINTS_DIR)`); code holding only the directory's path uses runPath.
 *
 *     <run.dir>/
 *       resolved-config.json   the full config after defaults, presets and overrides
 *       manifest.json          stages, their artifacts and config hashes, config changes, backend, versions
 *       pretrain/              encoder/, report.json, checkpoints/, curves/
 *       labels/                labelled-subset.json, labels.json (a label per image), report.json/.txt
 *       gan/checkpoints/       generator, EMA, discriminator, optimizer and RNG states
 *       gan/samples/           PNG grids, one row per class (step-*.png), and real.png: training images by label
 *       gan/curves/            PNG charts of losses, accuracies, FID over steps
 *       gan/export/            plain-tfjs generator/ and generator-ema/ of the final step
 *       metrics.jsonl          one JSON object per logged step
 *       eval/                  results.json (the latest evaluation), history.jsonl (every one)
 *       select-source.json     fine-tuning: every candidate source's recall, precision, FID, KID and the choice
 *       report.html            the report page (s3gan report)
 */
import * as path from 'node:path';

/** The resolved config of the latest open, as JSON. */
export const RESOLVED_CONFIG_FILE = 'resolved-config.json';
/** The run's manifest (artifacts/manifest.ts). */
export const MANIFEST_FILE = 'manifest.json';

/** Stage 1 (rotation pretraining) artifacts. */
export const PRETRAIN_DIR = 'pretrain';
/** The final encoder, a tfjs model directory (model.json + weights.bin). */
export const PRETRAIN_ENCODER_DIR = `${PRETRAIN_DIR}/encoder`;
/** The pretraining stage's report (PretrainReport). */
export const PRETRAIN_REPORT_FILE = `${PRETRAIN_DIR}/report.json`;
/** Resumable pretraining checkpoints. */
export const PRETRAIN_CHECKPOINTS_DIR = `${PRETRAIN_DIR}/checkpoints`;
/** Charts of the pretraining stage's metrics over steps. */
export const PRETRAIN_CURVES_DIR = `${PRETRAIN_DIR}/curves`;

/** Stage 2 (labelled subset, pseudo-labelling) artifacts. */
export const LABELS_DIR = 'labels';
/** The labelled subset: image ids and their true labels (data/label-subset-file.ts). */
export const LABELLED_SUBSET_FILE = `${LABELS_DIR}/labelled-subset.json`;
/** A label for every training image, from the pseudo-label stage (data/pseudo-labels-file.ts). */
export const PSEUDO_LABELS_FILE = `${LABELS_DIR}/labels.json`;
/** The pseudo-label stage's accuracy report, as JSON and as text for people. */
export const PSEUDO_LABEL_REPORT_FILE = `${LABELS_DIR}/report.json`;
export const PSEUDO_LABEL_REPORT_TEXT = `${LABELS_DIR}/report.txt`;

/** Stage 3 (GAN training) checkpoints. */
export const GAN_CHECKPOINTS_DIR = 'gan/checkpoints';
/** Stage 3 sample grids. */
export const GAN_SAMPLES_DIR = 'gan/samples';
/** Real training images as the GAN sees them, one row per training label (written when it starts). */
export const GAN_REAL_GRID_FILE = `${GAN_SAMPLES_DIR}/real.png`;
/** Charts of the GAN stage's metrics over steps. */
export const GAN_CURVES_DIR = 'gan/curves';
/** Plain-tfjs exports of the final generator and its average. */
export const GAN_EXPORT_DIR = 'gan/export';
/** The export directories' names inside GAN_EXPORT_DIR (the training loop writes them there). */
export const GAN_EXPORT_NAMES = { generator: 'generator', generatorEma: 'generator-ema' } as const;
/** The exported final generator G. */
export const GAN_EXPORT_GENERATOR_DIR = `${GAN_EXPORT_DIR}/${GAN_EXPORT_NAMES.generator}`;
/** The exported weight average G-EMA. */
export const GAN_EXPORT_GENERATOR_EMA_DIR = `${GAN_EXPORT_DIR}/${GAN_EXPORT_NAMES.generatorEma}`;

/** Training metrics of every stage, one JSON object per line. */
export const METRICS_FILE = 'metrics.jsonl';

/** Evaluation results and plots. */
export const EVAL_DIR = 'eval';
/** The results of the latest evaluation. */
export const EVAL_RESULTS_FILE = `${EVAL_DIR}/results.json`;
/** Every evaluation's results, one JSON line each (an EvalResultsFile). */
export const EVAL_HISTORY_FILE = `${EVAL_DIR}/history.jsonl`;

/** select-source's ranking of candidate sources and its choice (stages/select-source-file.ts). */
export const SELECT_SOURCE_FILE = 'select-source.json';

/** The run's report page (s3gan report). */
export const REPORT_FILE = 'report.html';

/** Absolute path of layout path `rel` in the run directory `runDir`, for code that has no open RunDir. */
export function runPath(runDir: string, rel: string): string {
  return path.join(runDir, rel);
}
