/**
 * Loading the configured dataset, as every command does it: a progress line while decoding, then
 * on stderr what the user did not choose but should know (stages/stage-start.ts).
 */
import type { Config } from '../config/schema.js';
import type { Dataset } from '../data/types.js';
import { loadConfiguredDataset as loadWithHooks, type StageStartHooks } from '../stages/stage-start.js';

export { loadNotes } from '../stages/stage-start.js';

/** Where the CLI sends the library's lines for people, and its progress bars: stderr (stdout is for results). */
export const STDERR_HOOKS: Required<StageStartHooks> = { log: (line) => void process.stderr.write(`${line}\n`), progressStream: process.stderr };

/** Loads the dataset `config` describes and reports on stderr what was decided while loading. */
export async function loadConfiguredDataset(config: Config): Promise<Dataset> {
  return loadWithHooks(config, STDERR_HOOKS);
}
