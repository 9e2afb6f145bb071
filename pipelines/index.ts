/** Every pipeline, and the one that trains a given method. */
import type { Pipeline } from '../src/stages/pipeline.js';
import { UserError } from '../src/util/errors.js';
import baselines from './baselines.js';
import cganKmeans from './cgan-kmeans.js';
import coTraining from './co-training.js';
import s2gan from './s2gan.js';
import s3gan from './s3gan.js';

export const PIPELINES: readonly Pipeline[] = [s3gan, s2gan, coTraining, cganKmeans, baselines];

/** The pipeline whose methods include `method`. */
export function pipelineFor(method: string): Pipeline {
  const pipeline = PIPELINES.find((p) => (p.methods as readonly string[]).includes(method));
  if (pipeline === undefined) throw new UserError(`no pipeline trains method '${method}' (gan.method); methods: ${PIPELINES.flatMap((p) => p.methods).join(', ')}`);
  return pipeline;
}
