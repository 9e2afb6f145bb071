/**
 * Choosing a fine-tuning source by recall (Grigoryev, Voynov & Babenko, ICLR 2022, their recipe for
 * choosing the checkpoint: the recall of a source's samples against the target data predicts the
 * quality after fine-tuning; docs/ALGORITHMS.md § Fine-tuning). Each
 * candidate's G-EMA generates `samples` images; they and the target's training images are read by
 * the evaluation network, and the candidate is scored by recall and precision with k = 5 (a target
 * image is covered when it lies within the distance from some generated image to that image's 5th
 * nearest generated neighbour), FID and KID. Candidates are ranked by recall, best first.
 */
import * as path from 'node:path';
import { readModelDir } from '../artifacts/model-files.js';
import type { Config } from '../config/schema.js';
import type { Dataset } from '../data/types.js';
import type { FeatureMatrix } from '../metrics/feature-matrix.js';
import { fidFromStats } from '../metrics/fid.js';
import { kid } from '../metrics/kid.js';
import { precisionRecall } from '../metrics/precision-recall.js';
import { gaussianStats } from '../metrics/stats.js';
import '../nn/layers/index.js';
import type { CandidateScore } from '../stages/select-source-file.js';
import { readFinetuneSource } from '../training/gan/finetune-source.js';
import { UserError, invariant } from '../util/errors.js';
import type { ProgressStream } from '../util/progress.js';
import { prepareEvaluation } from './evaluator.js';
import { balancedClasses, GeneratedImages, generatorShape } from './generate.js';
import { imageBatch, imageCount, indexRange } from './images.js';
import { readImages } from './readout.js';
import { evaluationSplit, referenceIndices } from './reference.js';

/** Neighbour index of select-source's recall and precision (the paper's k = 5). */
export const SELECT_SOURCE_K = 5;

/** Recall, precision (k = 5), FID and KID of `generated` [n, dim] against `target` [m, dim]. */
export function scoreAgainstTarget(target: FeatureMatrix, generated: FeatureMatrix, seed: number): Pick<CandidateScore, 'recall' | 'precision' | 'fid' | 'kid'> {
  const { recall, precision } = precisionRecall(target, generated, { k: SELECT_SOURCE_K });
  const fid = fidFromStats(gaussianStats(target, 'target features'), gaussianStats(generated, 'generated features'));
  return { recall, precision, fid, kid: kid(target, generated, { seed }).mean };
}

/** Candidates best first: by recall, ties by lower FID, then by the order given. */
export function rankByRecall<T extends { readonly recall: number; readonly fid: number }>(scores: readonly T[]): T[] {
  return scores
    .map((score, i) => ({ score, i }))
    .sort((a, b) => b.score.recall - a.score.recall || a.score.fid - b.score.fid || a.i - b.i)
    .map(({ score }) => score);
}

export interface SelectSourceRequest {
  readonly dataset: Dataset;
  /** The target config: its data and evaluation network. */
  readonly config: Config;
  /** Run or checkpoint directories of the candidate sources. */
  readonly candidates: readonly string[];
  /** Generated images per candidate, and target training images (at most the split's, or `targetIndices`'). */
  readonly samples: number;
  /**
   * The training images the target GAN trains on (split indices; e.g. only the labelled subset of
   * a method that trains on it alone). Default: the whole training split.
   */
  readonly targetIndices?: Int32Array;
  /** The flag or key that named the candidates, for messages. */
  readonly key?: string;
  readonly progressStream?: ProgressStream;
  readonly log?: (line: string) => void;
}

export interface SelectSourceResult {
  /** Every candidate, best first. */
  readonly ranking: CandidateScore[];
  readonly realSamples: number;
  readonly extractor: string;
}

/** Scores every candidate against the target's training images; see the file comment. */
export async function selectSource(request: SelectSourceRequest): Promise<SelectSourceResult> {
  const { dataset, config, samples } = request;
  const key = request.key ?? 'finetune.candidates';
  if (request.candidates.length === 0) throw new UserError(`${key}: name at least one candidate source`);
  if (samples <= SELECT_SOURCE_K) throw new UserError(`samples: ${samples} is too few for recall with k = ${SELECT_SOURCE_K} (more than ${SELECT_SOURCE_K} needed)`);
  // Every candidate is read (and refused if it is none) before the evaluation network is loaded.
  const sources = [];
  for (const candidate of request.candidates) sources.push(await readFinetuneSource(candidate, key));
  const channels = dataset.train.shape[3];
  const evaluator = await prepareEvaluation({
    dataset,
    config: { data: config.data, eval: { ...config.eval, split: 'train' } },
    metrics: ['fid', 'kid', 'precision-recall'],
    realSamples: samples,
    withReference: false,
    progressStream: request.progressStream,
    log: request.log,
  });
  try {
    const extractor = evaluator.features;
    invariant(extractor !== undefined, 'select-source: evaluator without features');
    // The target's images: `samples` of them, spread evenly over the pool (the whole split by default).
    const trainImages = evaluationSplit(dataset, 'train');
    const pool = request.targetIndices ?? indexRange(0, imageCount(trainImages));
    const indices = Int32Array.from(referenceIndices(pool.length, samples), (i) => pool[i]);
    if (indices.length <= SELECT_SOURCE_K) throw new UserError(`the target has ${indices.length} training images: recall with k = ${SELECT_SOURCE_K} needs more than ${SELECT_SOURCE_K}`);
    const [{ features: target }] = await readImages(indices.length, (start, n) => imageBatch(trainImages, indices.subarray(start, start + n), evaluator.geometry), [extractor]);
    const scores: CandidateScore[] = [];
    for (const source of sources) {
      const model = await readModelDir(path.join(source.checkpoint, 'generator-ema'));
      try {
        const shape = generatorShape(model);
        if (shape.imageSize !== config.data.imageSize || shape.channels !== channels) {
          throw new UserError(`${key}: ${source.given} generates ${shape.imageSize}×${shape.imageSize}×${shape.channels} images, the target is ${config.data.imageSize}×${config.data.imageSize}×${channels} (data.imageSize, channels)`);
        }
        const images = new GeneratedImages(model, balancedClasses(samples, shape.conditional ? source.state.numClasses : 0), config.seed);
        const [readout] = await readImages(samples, (start, n) => images.next(start, n), [extractor]);
        const score = scoreAgainstTarget(target, readout.features, config.seed);
        scores.push({ candidate: source.given, checkpoint: source.checkpoint, weightsHash: source.weightsHash, ...score });
        request.log?.(`${source.given}: recall ${score.recall.toFixed(3)}, precision ${score.precision.toFixed(3)}, FID ${score.fid.toFixed(2)}, KID ${score.kid.toFixed(4)}`);
      } finally {
        model.dispose();
      }
    }
    return { ranking: rankByRecall(scores), realSamples: indices.length, extractor: extractor.description.name };
  } finally {
    evaluator.dispose();
  }
}
