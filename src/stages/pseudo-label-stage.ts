/**
 * Stage 2 as one call (docs/ALGORITHMS.md § Few labels → pseudo-labels): frozen features of the
 * pretrained encoder → the block chosen by cross-validation (or the configured one) → a linear
 * classifier fitted on the labelled subset only → a label for every training image (labelled images
 * keep their true label), or k-means clusters for the unsupervised baseline. With classifier s4l the
 * encoder itself is fine-tuned with a class head instead (classify/s4l.ts) and predicts. Writes
 *   labels/labels.json   the labels file the GAN stage reads (joined by image id)
 *   labels/report.json   accuracy on the unlabelled training images and the test split, per class,
 *                        confusion matrix, the raw-pixel baseline (report.txt: the same for people)
 * Ground-truth labels outside the subset are read only to report.
 */
import { existsSync } from 'node:fs';
import { writeFileAtomic, writeJsonAtomic } from '../artifacts/atomic-write.js';
import { readModelDir } from '../artifacts/model-files.js';
import type { RunDir } from '../artifacts/run-dir.js';
import { autoBlockSets, blockSetValue, blocksPhrase, concatColumns, configuredBlocks, type BlockSet } from '../classify/block-sets.js';
import { selectBlock, type CrossValidationOptions } from '../classify/cross-validation.js';
import { kMeans, matchClustersToClasses, clustersToLabels } from '../classify/kmeans.js';
import { fitLinearProbe, predictWithProbe, type LinearProbe, type ProbePrediction } from '../classify/linear-probe.js';
import { pixelFeatures } from '../classify/pixel-features.js';
import { classificationReport, type ClassificationReport } from '../classify/report.js';
import { configHash } from '../config/hash.js';
import type { Config } from '../config/schema.js';
import { readPseudoLabelsFile, writePseudoLabelsFile } from '../data/pseudo-labels-file.js';
import { UNLABELLED, splitSize, type Dataset, type ImageSplit } from '../data/types.js';
import type { FeatureMatrix } from '../metrics/feature-matrix.js';
import { ENCODER_BLOCKS } from '../nn/architectures/rotation-encoder.js';
import { encoderFeatures } from '../training/pretrain/encoder-features.js';
import { meanStepResult, trainS4lClassifier } from '../classify/s4l.js';
import { predictS4l } from '../classify/s4l-predict.js';
import { UserError, errorMessage } from '../util/errors.js';
import { progressFn, type ProgressStream } from '../util/progress.js';
import { planLabelledSubset } from './labelled-subset.js';
import { formatPseudoLabelReport, readPseudoLabelReport, type BaselineReport, type PseudoLabelReport } from './pseudo-label-report.js';
import { PRETRAIN_ENCODER_DIR, PSEUDO_LABELS_FILE, PSEUDO_LABEL_REPORT_FILE, PSEUDO_LABEL_REPORT_TEXT } from '../artifacts/run-layout.js';

export const PSEUDO_LABEL_STAGE = 'pseudo-label';

/** Images per encoder forward pass while extracting features (memory only: inference mode). */
const FEATURE_BATCH = 256;
/** Rows per chunk when predicting the raw-pixel baseline (keeps the float64 pixel matrix small). */
const PREDICT_CHUNK = 10_000;
/** Last S4L updates averaged for the log line (single steps are noisy). */
const S4L_SUMMARY_STEPS = 50;

export interface PseudoLabelStageOptions {
  readonly progressStream?: ProgressStream;
  readonly log?: (line: string) => void;
}

export interface PseudoLabelStageResult {
  readonly report: PseudoLabelReport;
  readonly skipped: boolean;
}

/** The config sections the labels depend on (the s4l settings only when the s4l classifier is used). */
export function pseudoLabelStageHash(config: Config): string {
  const { s4lSteps: _steps, s4lLearningRate: _rate, s4lBatchSize: _batch, s4lLabelledBatchSize: _labelledBatch, s4lClassWeight: _weight, ...shared } = config.pseudoLabel;
  // autoBlocks 'single' is what every run did before the key existed: left out, so that their
  // stages still count as done with the same settings.
  const withAutoBlocks = usesS4l(config) ? config.pseudoLabel : shared;
  const pseudoLabel = withAutoBlocks.autoBlocks === 'single' ? { ...withAutoBlocks, autoBlocks: undefined } : withAutoBlocks;
  return configHash({ seed: config.seed, data: config.data, labels: config.labels, pretrain: config.pretrain, pseudoLabel });
}

function usesS4l(config: Config): boolean {
  return config.pseudoLabel.source === 'classifier' && config.pseudoLabel.classifier === 's4l';
}

/** Accuracy report over the rows whose truth is known and that are not in the labelled subset. */
function unlabelledReport(predicted: Int32Array, split: ImageSplit, labelled: Int32Array, numClasses: number): ClassificationReport {
  const truth = Int32Array.from(split.labels);
  for (const i of labelled) truth[i] = UNLABELLED;
  return classificationReport(predicted, truth, numClasses);
}

function allIndices(split: ImageSplit): Int32Array {
  return Int32Array.from({ length: splitSize(split) }, (_, i) => i);
}

/** Labels predicted by `probe` for every image of `split`, from features made chunk by chunk. */
function predictInChunks(probe: LinearProbe, split: ImageSplit, features: (indices: Int32Array) => FeatureMatrix): Int32Array {
  const count = splitSize(split);
  const labels = new Int32Array(count);
  for (let start = 0; start < count; start += PREDICT_CHUNK) {
    const indices = Int32Array.from({ length: Math.min(PREDICT_CHUNK, count - start) }, (_, k) => start + k);
    labels.set(predictWithProbe(probe, features(indices)).labels, start);
  }
  return labels;
}

/** The raw-pixel baseline: the same cross-validated classifier on pixel values. */
function rawPixelBaseline(dataset: Dataset, labelled: Int32Array, labelledY: Int32Array, numClasses: number, cv: CrossValidationOptions): BaselineReport {
  const train = dataset.train;
  const probe = fitLinearProbe(pixelFeatures(train, labelled), Int32Array.from(labelled, (_, k) => k), labelledY, numClasses, cv);
  const score = probe.crossValidation.accuracyByL2.find((s) => s.l2 === probe.l2)?.mean ?? NaN;
  const test = dataset.test;
  return {
    features: 'raw pixels',
    l2: probe.l2,
    crossValidatedAccuracy: score,
    unlabelledTrain: unlabelledReport(predictInChunks(probe, train, (i) => pixelFeatures(train, i)), train, labelled, numClasses),
    test: test === undefined ? null : classificationReport(predictInChunks(probe, test, (i) => pixelFeatures(test, i)), test.labels, numClasses),
  };
}

export async function runPseudoLabelStage(run: RunDir, dataset: Dataset, config: Config, options: PseudoLabelStageOptions = {}): Promise<PseudoLabelStageResult> {
  const hash = pseudoLabelStageHash(config);
  const settings = config.pseudoLabel;
  const log = options.log ?? (() => undefined);
  const reportFile = run.file(PSEUDO_LABEL_REPORT_FILE);
  // 1. Done with this config and its artifacts in place and readable: nothing to do. A damaged
  //    artifact (a truncated or edited file) is made again rather than failing every later stage.
  const stage = (await run.manifest()).stages[PSEUDO_LABEL_STAGE];
  if (stage?.status === 'done' && stage.configHash === hash && existsSync(reportFile) && existsSync(run.file(PSEUDO_LABELS_FILE))) {
    try {
      await readPseudoLabelsFile(run.file(PSEUDO_LABELS_FILE), dataset);
      return { report: await readPseudoLabelReport(reportFile), skipped: true };
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      log(`labelling again: ${errorMessage(error)}`);
    }
  }
  const encoderDir = run.file(PRETRAIN_ENCODER_DIR);
  if (!existsSync(encoderDir)) {
    throw new UserError(`the pseudo-label stage needs the pretrained encoder ${encoderDir}, which does not exist: run \`s3gan pretrain\` on this run first`);
  }
  const fixedBlocks = configuredBlocks(settings, ENCODER_BLOCKS);

  // 2. The labelled subset (shared by the run's methods) and the encoder, read before the stage starts.
  const subset = await planLabelledSubset(run, dataset, config);
  const encoder = await readModelDir(encoderDir);
  try {
    await run.markStage(PSEUDO_LABEL_STAGE, { status: 'running', artifacts: [], configHash: hash });
    const started = Date.now();
    const train = dataset.train;
    const numClasses = dataset.classNames.length;
    await subset.write();
    const labelled = subset.indices;
    const labelledY = Int32Array.from(labelled, (i) => train.labels[i]);
    const cv: CrossValidationOptions = { folds: settings.folds, l2Strengths: settings.l2Strengths, seed: config.seed };
    const extract = (split: ImageSplit, indices: Int32Array, blocks: BlockSet, label: string) =>
      encoderFeatures(encoder, split, indices, {
        imageSize: config.data.imageSize,
        fit: config.data.fit,
        batchSize: FEATURE_BATCH,
        blocks,
        poolGrid: settings.poolGrid,
        onProgress: progressFn({ label, unit: 'images', stream: options.progressStream }),
      });

    // 3. The blocks: the configured ones, or the best cross-validated candidate on the labelled
    //    subset (k-means has no labels to choose with and takes the last block; so does s4l, whose
    //    head sits on top of the fine-tuned network as in S4L).
    const s4l = usesS4l(config);
    let blocks: BlockSet = fixedBlocks ?? [ENCODER_BLOCKS - 1];
    let blockSelection: PseudoLabelReport['blockSelection'] = null;
    if (fixedBlocks === null && settings.source === 'classifier' && !s4l) {
      const perBlock = await extract(train, labelled, Array.from({ length: ENCODER_BLOCKS }, (_, k) => k), 'features (labelled)');
      const sets = autoBlockSets(settings.autoBlocks, ENCODER_BLOCKS);
      const selection = selectBlock(
        sets.map((set) => concatColumns(set.map((k) => perBlock[k]))),
        labelledY,
        numClasses,
        cv,
        progressFn({ label: 'block selection (cross-validation)', unit: 'candidates', stream: options.progressStream }),
      );
      blocks = sets[selection.bestBlock];
      blockSelection = selection.scores.map((s) => ({ block: blockSetValue(sets[s.block]), accuracy: s.bestAccuracy }));
    }
    const blocksText = blocksPhrase(blocks);
    // Features of `split` from the chosen blocks, concatenated.
    const blockFeatures = async (split: ImageSplit, label: string): Promise<FeatureMatrix> =>
      concatColumns(await extract(split, allIndices(split), blocks, label));
    // Frozen features for k-means and the linear classifier; s4l fine-tunes the encoder instead.
    const frozenFeatures = async (): Promise<FeatureMatrix> => {
      const features = await blockFeatures(train, `features (${blocksText})`);
      log(`features: encoder ${blocksText}, ${features.cols} dimensions`);
      return features;
    };

    // 4. Labels for every training image.
    let labels: Int32Array;
    let confidences: Float32Array | undefined;
    let probabilities: Float32Array | undefined;
    let probe: LinearProbe | undefined;
    let description: string;
    let reportLabels: Int32Array;
    let s4lTest: Int32Array | undefined;
    if (settings.source === 'kmeans') {
      const clustering = kMeans(await frozenFeatures(), numClasses, { seed: config.seed });
      labels = clustering.clusters;
      // Clusters are labels in their own right; for the report they are matched to classes on the
      // labelled subset (Hungarian assignment), the usual clustering-accuracy protocol.
      const matching = matchClustersToClasses(Int32Array.from(labelled, (i) => labels[i]), labelledY, numClasses, numClasses);
      reportLabels = clustersToLabels(labels, matching.clusterToClass);
      description = `k-means (${numClasses} clusters) on encoder ${blocksText} (${settings.poolGrid}×${settings.poolGrid} pooled)`;
    } else {
      let prediction: ProbePrediction;
      if (s4l) {
        // S4L (Zhai et al. 2019): encoder and class head fine-tuned on rotation + labelled
        // cross-entropy, then every image predicted; the test split by the same classifier.
        const training = await trainS4lClassifier(encoder, train, labelled, labelledY, {
          numClasses,
          block: blocks[0],
          steps: settings.s4lSteps,
          learningRate: settings.s4lLearningRate,
          batchSize: settings.s4lBatchSize,
          labelledBatchSize: settings.s4lLabelledBatchSize,
          classWeight: settings.s4lClassWeight,
          seed: config.seed,
          imageSize: config.data.imageSize,
          fit: config.data.fit,
          progressStream: options.progressStream,
        });
        try {
          const end = meanStepResult(training.history.slice(-S4L_SUMMARY_STEPS));
          log(`s4l: ${settings.s4lSteps} steps in ${training.trainSeconds.toFixed(1)} s; last steps: rotation loss ${end.rotationLoss.toFixed(3)}, class loss ${end.classLoss.toFixed(3)}`);
          const predict = (split: ImageSplit, label: string) =>
            predictS4l(training.classifier, split, allIndices(split), {
              imageSize: config.data.imageSize,
              fit: config.data.fit,
              batchSize: FEATURE_BATCH,
              onProgress: progressFn({ label, unit: 'images', stream: options.progressStream }),
            });
          prediction = await predict(train, 's4l predict');
          if (dataset.test !== undefined) s4lTest = (await predict(dataset.test, 's4l predict (test)')).labels;
        } finally {
          training.classifier.dispose();
        }
        description = `S4L classifier (encoder fine-tuned ${settings.s4lSteps} steps on rotation + ${settings.s4lClassWeight} × cross-entropy, head on block ${blocks[0]}) on ${labelled.length} labels`;
      } else {
        const features = await frozenFeatures();
        probe = fitLinearProbe(features, labelled, labelledY, numClasses, cv);
        prediction = predictWithProbe(probe, features);
        description = `linear classifier (L2 ${probe.l2}) on encoder ${blocksText} (${settings.poolGrid}×${settings.poolGrid} pooled), fitted on ${labelled.length} labels`;
      }
      labels = prediction.labels;
      confidences = prediction.confidences;
      if (settings.output === 'soft') probabilities = Float32Array.from(prediction.probabilities.data);
      for (let k = 0; k < labelled.length; k++) {
        labels[labelled[k]] = labelledY[k];
        confidences[labelled[k]] = 1;
        // A labelled image's distribution is its one-hot true class.
        probabilities?.fill(0, labelled[k] * numClasses, (labelled[k] + 1) * numClasses);
        if (probabilities !== undefined) probabilities[labelled[k] * numClasses + labelledY[k]] = 1;
      }
      reportLabels = labels;
    }

    // 5. Reports against ground truth: unlabelled training images, test split, raw-pixel baseline.
    const unlabelledTrain = unlabelledReport(reportLabels, train, labelled, numClasses);
    let test: ClassificationReport | null = null;
    if (s4lTest !== undefined && dataset.test !== undefined) test = classificationReport(s4lTest, dataset.test.labels, numClasses);
    else if (dataset.test !== undefined && probe !== undefined) {
      const testFeatures = await blockFeatures(dataset.test, 'features (test)');
      test = classificationReport(predictWithProbe(probe, testFeatures).labels, dataset.test.labels, numClasses);
    }
    const isLabelled = new Uint8Array(splitSize(train));
    for (const i of labelled) isLabelled[i] = 1;
    let confidenceSum = 0;
    let unlabelledCount = 0;
    if (confidences !== undefined) {
      for (let i = 0; i < confidences.length; i++) {
        if (isLabelled[i]) continue;
        confidenceSum += confidences[i];
        unlabelledCount++;
      }
    }
    const rawPixels = settings.source === 'classifier' ? rawPixelBaseline(dataset, labelled, labelledY, numClasses, cv) : null;

    // 6. Artifacts: labels first, the report last (a report on disk means the labels are too).
    const report: PseudoLabelReport = {
      version: 1,
      configHash: hash,
      dataset: dataset.name,
      classNames: [...dataset.classNames],
      source: settings.source === 'kmeans' ? 'kmeans' : `classifier-${settings.classifier}`,
      description,
      labelledImages: labelled.length,
      trainImages: splitSize(train),
      block: blockSetValue(blocks),
      blockSelection,
      crossValidation: probe?.crossValidation ?? null,
      l2: probe?.l2 ?? null,
      unlabelledTrain,
      test,
      meanConfidence: unlabelledCount > 0 ? confidenceSum / unlabelledCount : null,
      rawPixelBaseline: rawPixels,
      wallSeconds: (Date.now() - started) / 1000,
      time: new Date().toISOString(),
    };
    await run.ensureDir('labels');
    await writePseudoLabelsFile(run.file(PSEUDO_LABELS_FILE), dataset, { source: description, labels, confidences, probabilities });
    await writeFileAtomic(run.file(PSEUDO_LABEL_REPORT_TEXT), `${formatPseudoLabelReport(report).join('\n')}\n`);
    await writeJsonAtomic(reportFile, report);
    await run.markStage(PSEUDO_LABEL_STAGE, { status: 'done', artifacts: [PSEUDO_LABELS_FILE, PSEUDO_LABEL_REPORT_FILE, PSEUDO_LABEL_REPORT_TEXT], configHash: hash });
    return { report, skipped: false };
  } catch (error) {
    await run.markStage(PSEUDO_LABEL_STAGE, { status: 'failed', error: errorMessage(error) });
    throw error;
  } finally {
    encoder.dispose();
  }
}
