/**
 * Refuses to compare a run's generator with real images prepared differently from its training
 * data (another dataset, size or fit, given by a config or an override), which would give
 * meaningless numbers. Used by `s3gan eval` and by the library's evaluate().
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Config } from '../config/schema.js';
import { UserError, errorMessage } from '../util/errors.js';
import { RESOLVED_CONFIG_FILE } from '../artifacts/run-layout.js';

/** The data keys that decide which real images the generator is compared with. */
const DATA_KEYS = ['name', 'path', 'labelFile', 'classNames', 'imageSize', 'channels', 'fit'] as const;

/** `hint`: how the user drops the setting that differs (e.g. 'drop the --config or --set that changes them'). */
export function checkRunData(config: Config, hint: string): void {
  const file = path.resolve(config.run.dir, RESOLVED_CONFIG_FILE);
  if (!existsSync(file)) return;
  let recorded: Record<string, unknown>;
  try {
    recorded = (JSON.parse(readFileSync(file, 'utf8')) as { data?: Record<string, unknown> }).data ?? {};
  } catch (error) {
    throw new UserError(`cannot read ${file}: ${errorMessage(error)}`);
  }
  for (const key of DATA_KEYS) {
    const mine = JSON.stringify(config.data[key] ?? null);
    const theirs = JSON.stringify(recorded[key] ?? null);
    if (mine !== theirs) {
      throw new UserError(`data.${key} is ${mine} but run ${config.run.dir} was trained with ${theirs}: evaluate with the run's data settings (${hint}; the run's config is ${file})`);
    }
  }
}
