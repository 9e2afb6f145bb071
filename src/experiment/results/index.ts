/** The experiment's results, written into its output folder: results.json (the ExperimentResults). */
import * as path from 'node:path';
import { writeJsonAtomic } from '../../artifacts/atomic-write.js';
import type { ExperimentResults } from '../cell-result.js';

export async function writeExperimentResults(outDir: string, results: ExperimentResults): Promise<void> {
  await writeJsonAtomic(path.join(outDir, 'results.json'), results);
}
