/**
 * The select-source stage: ranks finetune.candidates by the recall of their samples against the
 * target's training images (eval/select-source.ts) and records the ranking and the choice in
 * select-source.json, which the finetune stage then starts from. A done stage whose candidates,
 * their weights and the target settings are unchanged is skipped.
 */
import { existsSync } from 'node:fs';
import type { RunDir } from '../artifacts/run-dir.js';
import { SELECT_SOURCE_FILE } from '../artifacts/run-layout.js';
import { configHash } from '../config/hash.js';
import type { Config } from '../config/schema.js';
import type { Dataset } from '../data/types.js';
import { SELECT_SOURCE_K, selectSource } from '../eval/select-source.js';
import { readFinetuneSource } from '../training/gan/finetune-source.js';
import type { ProgressStream } from '../util/progress.js';
import { getMethod } from '../methods/methods.js';
import { configuredSubset } from './labelled-subset.js';
import { readSourceChoice, writeSourceChoice, type SourceChoice } from './select-source-file.js';

export const SELECT_SOURCE_STAGE = 'select-source';

export interface SelectSourceStageOptions {
  readonly candidates: readonly string[];
  readonly samples: number;
  /** The flag or key that named the candidates, for messages. */
  readonly key?: string;
  readonly progressStream?: ProgressStream;
  readonly log?: (line: string) => void;
}

/** What the choice depends on: the candidates' weights, the samples, and the target's data and evaluation network. */
async function selectSourceHash(config: Config, options: SelectSourceStageOptions): Promise<string> {
  const weights = [];
  for (const candidate of options.candidates) weights.push((await readFinetuneSource(candidate, options.key)).weightsHash);
  const { network, extractorPath, extractorLayer, extractorInputSize, extractorInputRange, classifierWidth, classifierEpochs, classifierSeed } = config.eval;
  return configHash({
    seed: config.seed,
    data: config.data,
    method: config.gan.method,
    labels: config.labels,
    eval: { network, extractorPath, extractorLayer, extractorInputSize, extractorInputRange, classifierWidth, classifierEpochs, classifierSeed },
    candidates: options.candidates,
    weights,
    samples: options.samples,
  });
}

/**
 * The target images select-source compares with: those the configured method trains on (only the
 * labelled subset for a method that trains on it alone, e.g. cgan-few), else the whole split.
 */
export function targetImageIndices(dataset: Dataset, config: Config): Int32Array | undefined {
  return getMethod(config.gan.method).labelSource === 'subset-only' ? configuredSubset(dataset, config).indices : undefined;
}

/** Ranks the candidates in `run` (or returns the recorded ranking when nothing changed). */
export async function runSelectSourceStage(run: RunDir, dataset: Dataset, config: Config, options: SelectSourceStageOptions): Promise<{ choice: SourceChoice; skipped: boolean }> {
  const hash = await selectSourceHash(config, options);
  const file = run.file(SELECT_SOURCE_FILE);
  const record = (await run.manifest()).stages[SELECT_SOURCE_STAGE];
  if (record?.status === 'done' && record.configHash === hash && existsSync(file)) return { choice: await readSourceChoice(file), skipped: true };
  const result = await selectSource({ dataset, config, candidates: options.candidates, samples: options.samples, targetIndices: targetImageIndices(dataset, config), key: options.key, progressStream: options.progressStream, log: options.log });
  await run.markStage(SELECT_SOURCE_STAGE, { status: 'running', artifacts: [], configHash: hash });
  const choice: SourceChoice = {
    version: 1,
    chosen: result.ranking[0].candidate,
    k: SELECT_SOURCE_K,
    samples: options.samples,
    realSamples: result.realSamples,
    extractor: result.extractor,
    ranking: result.ranking,
    createdAt: new Date().toISOString(),
  };
  await writeSourceChoice(file, choice);
  await run.markStage(SELECT_SOURCE_STAGE, { status: 'done', artifacts: [SELECT_SOURCE_FILE], configHash: hash });
  return { choice, skipped: false };
}

/** The ranking as a table for people: one row per candidate, best first. */
export function formatRanking(choice: Pick<SourceChoice, 'ranking' | 'k'>): string[] {
  const width = Math.max(9, ...choice.ranking.map((s) => s.candidate.length));
  const header = `${'rank'.padEnd(5)}${'candidate'.padEnd(width + 2)}${`recall@${choice.k}`.padStart(10)}${'precision'.padStart(11)}${'FID'.padStart(10)}${'KID'.padStart(10)}`;
  const rows = choice.ranking.map(
    (s, i) => `${String(i + 1).padEnd(5)}${s.candidate.padEnd(width + 2)}${s.recall.toFixed(3).padStart(10)}${s.precision.toFixed(3).padStart(11)}${s.fid.toFixed(2).padStart(10)}${s.kid.toFixed(4).padStart(10)}`,
  );
  return [header, ...rows];
}
