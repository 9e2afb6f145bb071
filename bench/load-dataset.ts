/**
 * Dataset load time, cold (decoding the sources and writing the decode cache) and warm (from the
 * cache), one JSON line per measurement:
 *   npm run bench:data [-- mnist fashion-mnist]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadDataset, parseDatasetName } from '../src/data/registry.js';
import type { CacheStatus } from '../src/data/decode-cache.js';

const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['mnist', 'fashion-mnist'];
for (const raw of names) {
  const name = parseDatasetName(raw);
  const cacheDir = mkdtempSync(join(tmpdir(), 's3gan-bench-cache-'));
  for (const run of ['cold', 'warm', 'warm']) {
    let cache: CacheStatus | undefined;
    const start = performance.now();
    const dataset = await loadDataset({ name, imageSize: 32, channels: 1, cacheDir, skipCorrupt: false }, { onCache: (status) => (cache = status) });
    const ms = performance.now() - start;
    console.log(JSON.stringify({ bench: 'load-dataset', dataset: name, run, cache, ms: Math.round(ms), images: dataset.train.shape[0] + (dataset.test?.shape[0] ?? 0) }));
  }
  rmSync(cacheDir, { recursive: true, force: true });
}
