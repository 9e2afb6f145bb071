/**
 * `openRun(dir)`: what an existing run directory holds, read from code without changing it (no
 * lock, nothing written): its manifest, the config it was last run with, which stages are done,
 * and the pipeline that trains its method. `run({ run: dir })` then continues it.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { Manifest, StageStatus } from '../artifacts/manifest.js';
import { readManifest } from '../artifacts/manifest.js';
import { RESOLVED_CONFIG_FILE, runPath } from '../artifacts/run-layout.js';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { listPipelines, pipelineFor } from '../stages/pipeline-files.js';
import type { Pipeline } from '../stages/pipeline.js';
import { UserError } from '../util/errors.js';
import { requireRunDir } from './options.js';

/** An existing run directory, as openRun reads it. */
export interface OpenedRun {
  /** The run directory (absolute). */
  readonly runDir: string;
  /** Its manifest.json, validated. */
  readonly manifest: Manifest;
  /** Its resolved-config.json, validated against the current schema (defaults filled in). */
  readonly config: Config;
  /** The training method (gan.method of the config). */
  readonly method: string;
  /** The pipeline that trains the method (pipelines/<name>.yaml). */
  readonly pipeline: Pipeline;
  /** Status of each of the pipeline's stages, in its order ('pending' for one not started). */
  readonly stages: readonly { readonly stage: string; readonly status: StageStatus }[];
  /** Names of the stages the manifest records as done (any stage, the pipeline's or not, e.g. 'eval'). */
  readonly stagesDone: readonly string[];
}

/**
 * Reads the run directory `dir`. A directory without a manifest or without a resolved config (no
 * stage ever started there) is a UserError naming the missing file; so is an invalid one.
 */
export async function openRun(dir: string): Promise<OpenedRun> {
  const runDir = path.resolve(requireRunDir(dir, 'dir'));
  const manifest = await readManifest(runDir);
  const configFile = runPath(runDir, RESOLVED_CONFIG_FILE);
  if (!existsSync(configFile)) throw new UserError(`${configFile} does not exist: no stage of ${runDir} has started`);
  const { config } = await loadConfig({ configFile });
  const pipeline = pipelineFor(config.gan.method, listPipelines(), config);
  const statusOf = (stage: string): StageStatus => manifest.stages[stage]?.status ?? 'pending';
  return {
    runDir,
    manifest,
    config,
    method: config.gan.method,
    pipeline,
    stages: pipeline.stages.map((s) => ({ stage: s.name, status: statusOf(s.name) })),
    stagesDone: Object.entries(manifest.stages)
      .filter(([, record]) => record.status === 'done')
      .map(([stage]) => stage),
  };
}
