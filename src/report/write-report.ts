/**
 * `report.html` of a run: gathered from the run's artifacts (report-data.ts), rendered
 * (report-html.ts) and written atomically into the run directory. It only reads the run otherwise,
 * so it can be made while the run is still training.
 */
import * as path from 'node:path';
import { writeFileAtomic } from '../artifacts/atomic-write.js';
import { gatherReport } from './report-data.js';
import { reportHtml } from './report-html.js';
import { REPORT_FILE } from '../artifacts/run-layout.js';

/** Writes `<runDir>/report.html`; returns its path. A directory without manifest.json is refused before anything is written. */
export async function writeReport(runDir: string): Promise<string> {
  const data = await gatherReport(runDir);
  const file = path.join(data.runDir, REPORT_FILE);
  await writeFileAtomic(file, reportHtml(data));
  return file;
}
