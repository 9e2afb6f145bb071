import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADDON_PATH } from '../../../src/backend/onednn/addon.js';
import { nativeTest } from './helpers.js';

// A child process calls the addon's matmul with GEMM-sized products (those of the bench-32
// generator's first layer and its gradients) while the V8 profiler interrupts it with SIGPROF every
// 100 µs. A signal taken inside oneDNN's GEMM kernel used to corrupt the heap (common.h,
// SignalsHeld): before the addon held signals around the call, this child aborted on every try.
const CHILD = `
const addon = require(process.argv[process.argv.length - 1]);
addon.setThreads(1);
let seed = 1;
const random = (n) => { const a = new Float32Array(n); for (let i = 0; i < n; i++) { seed = (seed * 16807) % 2147483647; a[i] = seed / 2147483647 - 0.5; } return a; };
const products = [[128, 2048, 32, true, false], [32, 128, 2048, false, true], [32, 2048, 128, false, false]];
for (let round = 0; round < 200; round++) {
  for (const [m, n, k, ta, tb] of products) addon.matmul(random(m * k), random(k * n), new Float32Array(m * n), 1, 1, m, n, k, ta, tb, null, 0, 0, 0);
}
console.log('done');
`;

nativeTest('GEMM calls interrupted by profiler signals leave the heap intact', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 's3gan-signals-'));
  const result = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-interval', '100', '--cpu-prof-dir', dir, '-e', CHILD, ADDON_PATH], { encoding: 'utf8', timeout: 120_000 });
  t.is(result.signal, null, `the child died by ${String(result.signal)}: ${result.stderr}`);
  t.is(result.status, 0, result.stderr);
  t.is(result.stdout.trim(), 'done');
  t.is(readdirSync(dir).filter((name) => name.endsWith('.cpuprofile')).length, 1, 'the profile was written');
});
