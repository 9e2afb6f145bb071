/**
 * select-source.json: the candidates select-source scored, ranked by recall, and the one chosen
 * (the first). The finetune stage reads `chosen` when finetune.from is not set.
 */
import { z } from 'zod';
import { writeJsonAtomic } from '../artifacts/atomic-write.js';
import { readJsonFile } from '../artifacts/json-file.js';

export const candidateScoreSchema = z.strictObject({
  /** The candidate as given (a run or checkpoint directory). */
  candidate: z.string().min(1),
  /** The checkpoint whose G-EMA was sampled, and its weights hash. */
  checkpoint: z.string().min(1),
  weightsHash: z.string().min(1),
  /** Fraction of target images inside the generated manifold (k = 5). */
  recall: z.number(),
  /** Fraction of generated images inside the target manifold (k = 5). */
  precision: z.number(),
  fid: z.number(),
  kid: z.number(),
});
export type CandidateScore = z.infer<typeof candidateScoreSchema>;

export const sourceChoiceSchema = z.strictObject({
  version: z.literal(1),
  /** The candidate ranked first (highest recall). */
  chosen: z.string().min(1),
  /** Neighbour index of recall and precision. */
  k: z.number().int().positive(),
  /** Generated images per candidate; target training images compared with them. */
  samples: z.number().int().positive(),
  realSamples: z.number().int().positive(),
  /** The evaluation network whose features were compared. */
  extractor: z.string(),
  /** Every candidate, best first. */
  ranking: z.array(candidateScoreSchema).min(1),
  createdAt: z.string(),
});
export type SourceChoice = z.infer<typeof sourceChoiceSchema>;

export async function readSourceChoice(file: string): Promise<SourceChoice> {
  return readJsonFile(file, sourceChoiceSchema, 'select-source result');
}

export async function writeSourceChoice(file: string, choice: SourceChoice): Promise<void> {
  await writeJsonAtomic(file, choice);
}
