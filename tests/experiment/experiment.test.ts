import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runExperiment, type ExperimentResults } from '../../src/index.js';
import { CLI, dirSnapshot, s3gan, tempDir } from '../cli/helpers.js';
import { writeMnistSubset } from '../cli/mnist-idx.js';

const root = tempDir('s3gan-experiment-');
// One cache for the in-process runs and the commands alike, not ~/.cache: data.cacheDir is part of
// every cell's config, so a grid run with another cache would be another grid.
const cacheHome = path.join(root, 'cache');
const cli = (args: readonly string[]) => s3gan(args, { cacheHome });
const mnistDir = writeMnistSubset(path.join(root, 'mnist-small'), { train: 400, test: 200 });
/** 2 methods (s3gan, s2gan) × 2 fractions × 1 seed on tiny networks; s2gan at 0.1 trains 3 steps instead of 2. */
const TINY_GRID = 'tests/experiment/fixtures/tiny.yaml';
const SET = { 'data.path': mnistDir, 'data.cacheDir': path.join(cacheHome, 's3gan') };
const DATA = Object.entries(SET).flatMap(([key, value]) => ['--set', `${key}=${value}`]);
const CELLS = ['s3gan-f0.05-s0', 's3gan-f0.1-s0', 's2gan-f0.05-s0', 's2gan-f0.1-s0'];

interface StageRecord {
  status: string;
  configHash?: string;
  reusedFrom?: string;
}

function stages(runDir: string): Record<string, StageRecord> {
  return (JSON.parse(readFileSync(path.join(runDir, 'manifest.json'), 'utf8')) as { stages: Record<string, StageRecord> }).stages;
}

/** Every file under `dir` with its content hash and modification time: a recomputed file changes one or the other. */
function filesAndTimes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [file, hash] of Object.entries(dirSnapshot(dir))) out[file] = hash === 'dir' ? hash : `${hash} ${statSync(path.join(dir, file)).mtimeMs}`;
  return out;
}

/** The run directories (cells and shared) in which `stage` ran rather than being adopted. */
function ranIn(out: string, stage: string): string[] {
  return ['cells', 'shared'].flatMap((group) =>
    readdirSync(path.join(out, group))
      .map((name) => `${group}/${name}`)
      .filter((dir) => {
        const record = stages(path.join(out, dir))[stage];
        return record?.status === 'done' && record.reusedFrom === undefined;
      }),
  );
}

let finished: { out: string; results: ExperimentResults } | undefined;

test.serial('runExperiment runs every cell, shares the encoder and the labels per fraction, and hands the results to the writers', async (t) => {
  const out = path.join(root, 'grid');
  const summary = await runExperiment({ config: TINY_GRID, out, set: SET });
  const results = summary.results;
  if (results === undefined) return t.fail('no results');
  finished = { out, results };
  t.is(results.name, 'tiny');
  t.deepEqual(results.cells.map((c) => c.id), CELLS);
  for (const cell of results.cells) {
    t.is(typeof cell.metrics.fid, 'number', cell.id);
    t.is(typeof cell.metrics['label-accuracy'], 'number', cell.id);
    t.is(typeof cell.pseudoLabelAccuracy, 'number', cell.id);
    t.true(cell.sampleGrid !== undefined && existsSync(path.join(out, cell.sampleGrid)), cell.id);
    t.true(existsSync(path.join(out, cell.configFile)), cell.id);
    t.is(stages(path.join(out, cell.runDir)).eval.status, 'done');
  }
  // The writers' files are all there: the table, the csv, a plot per metric and the report.
  for (const file of ['results.json', 'results.csv', 'table.md', 'report.html', 'plots/fid-vs-label-fraction.png', 'plots/label-accuracy-vs-label-fraction.png']) {
    t.true(existsSync(path.join(out, file)), file);
  }
  t.regex(readFileSync(path.join(out, 'table.md'), 'utf8'), /\| s3gan \| 5 %|\| s3gan \| 0\.05/);
  // The per-cell override reached its cell only.
  const evaluatedStep = (id: string) => (JSON.parse(readFileSync(path.join(out, 'cells', id, 'eval/results.json'), 'utf8')) as { step: number; generator: string }).step;
  t.deepEqual(CELLS.map(evaluatedStep), [2, 2, 2, 3]);

  // Computed once: pretraining ran in one shared run directory, the labels in one per fraction.
  const pretrain = ranIn(out, 'pretrain');
  t.is(pretrain.length, 1);
  t.regex(pretrain[0], /^shared\/pretrain-[0-9a-f]{16}$/);
  const labels = ranIn(out, 'pseudo-label');
  t.is(labels.length, 2);
  t.true(labels.every((dir) => dir.startsWith('shared/pseudo-label-')));
  for (const id of CELLS) {
    const own = stages(path.join(out, 'cells', id));
    t.is(own.pretrain.reusedFrom, `../../${pretrain[0]}`);
    t.is(own.pretrain.configHash, stages(path.join(out, pretrain[0])).pretrain.configHash);
    const from = own['pseudo-label'].reusedFrom ?? '';
    t.true(labels.some((dir) => from === `../../${dir}`), `${id}: ${from}`);
    // The adopted encoder is there; its checkpoints stayed behind.
    t.true(existsSync(path.join(out, 'cells', id, 'pretrain/encoder/model.json')));
    t.false(existsSync(path.join(out, 'cells', id, 'pretrain/checkpoints')));
  }
  // Cells of one fraction share their labels, the two fractions do not.
  const labelSource = (id: string) => stages(path.join(out, 'cells', id))['pseudo-label'].reusedFrom;
  t.is(labelSource('s3gan-f0.05-s0'), labelSource('s2gan-f0.05-s0'));
  t.not(labelSource('s3gan-f0.05-s0'), labelSource('s3gan-f0.1-s0'));
  t.deepEqual(
    results.shared.map((s) => [s.stage, s.cells.length]),
    [['pretrain', 4], ['pseudo-label', 2], ['pseudo-label', 2]],
  );

  // A rerun recomputes nothing: every file of every run directory is untouched.
  const before = { cells: filesAndTimes(path.join(out, 'cells')), shared: filesAndTimes(path.join(out, 'shared')) };
  const again = await runExperiment({ config: TINY_GRID, out, set: SET });
  t.deepEqual({ cells: filesAndTimes(path.join(out, 'cells')), shared: filesAndTimes(path.join(out, 'shared')) }, before);
  t.deepEqual(again.results?.cells, results.cells);
});

test.serial('--dry-run lists every cell and shared stage with an estimate and writes nothing; on a finished grid it says each is skipped', (t) => {
  const out = path.join(root, 'dry');
  const result = cli(['experiment', '--config', TINY_GRID, '--out', out, '--dry-run', ...DATA]);
  t.is(result.code, 0, result.stderr);
  for (const id of CELLS) t.regex(result.stdout, new RegExp(`cells/${id} .*~\\d+`));
  t.is(result.stdout.match(/shared\/pretrain-/g)?.length, 1);
  t.is(result.stdout.match(/shared\/pseudo-label-/g)?.length, 2);
  t.regex(result.stdout, /estimate/);
  t.false(existsSync(out));

  if (finished === undefined) return t.fail('the grid test did not finish');
  const before = dirSnapshot(finished.out);
  const done = cli(['experiment', '--config', TINY_GRID, '--out', finished.out, '--dry-run', ...DATA]);
  t.is(done.code, 0, done.stderr);
  t.is(done.stdout.match(/will be skipped/g)?.length, CELLS.length + 3);
  t.deepEqual(dirSnapshot(finished.out), before);
});

test.serial('a grid killed after its first cell resumes: the finished cell is not recomputed, and --parallel gives the same numbers', async (t) => {
  const out = path.join(root, 'killed');
  const child = spawn(process.execPath, [CLI, 'experiment', '--config', TINY_GRID, '--out', out, ...DATA], { env: { ...process.env, S3GAN_QUIET_BACKEND: '1' } });
  let stderr = '';
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
  await new Promise<void>((resolve) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes(`cells/${CELLS[0]}: done`)) resolve();
    });
    child.on('close', () => resolve());
  });
  child.kill('SIGKILL');
  t.is(await exited, 'SIGKILL', stderr);
  const first = filesAndTimes(path.join(out, 'cells', CELLS[0]));
  t.false(existsSync(path.join(out, 'cells', CELLS[3], 'eval/results.json')), 'killed before the last cell');

  const rerun = cli(['experiment', '--config', TINY_GRID, '--out', out, ...DATA]);
  t.is(rerun.code, 0, rerun.stderr);
  t.regex(rerun.stderr, new RegExp(`cells/${CELLS[0]}: already done`));
  t.deepEqual(filesAndTimes(path.join(out, 'cells', CELLS[0])), first);
  for (const id of CELLS) t.is(stages(path.join(out, 'cells', id)).eval.status, 'done', id);

  // The same grid as child processes, two at a time: the same evaluation numbers as one at a time.
  const parallel = path.join(root, 'parallel');
  const result = cli(['experiment', '--config', TINY_GRID, '--out', parallel, '--parallel', '2', ...DATA]);
  t.is(result.code, 0, result.stderr);
  const numbers = (dir: string, id: string) => (JSON.parse(readFileSync(path.join(dir, 'cells', id, 'eval/results.json'), 'utf8')) as { metrics: { metric: string; value: number }[] }).metrics.map((m) => [m.metric, m.value]);
  for (const id of CELLS) t.deepEqual(numbers(parallel, id), numbers(out, id), id);
  t.is(ranIn(parallel, 'pretrain').length, 1);
});

test.serial('a bad experiment file is refused with its file and key named, exit 2, nothing written', (t) => {
  const out = path.join(root, 'bad');
  const cases: [file: string, text: string, expected: RegExp][] = [
    ['unknown-method.yaml', 'base: quickstart\nmethods: [s3gan, cgan-ful]\nfractions: [0.1]\n', /unknown-method\.yaml, line 2: methods\.1: unknown method 'cgan-ful'.*cgan-full.*methods: .*s3gan/],
    ['bad-set.yaml', 'base: quickstart\nset: [gan.stepz=3]\nmethods: [gan]\n', /bad-set\.yaml, line 2: set\.0/],
    ['bad-fraction.yaml', 'base: quickstart\nmethods: [s3gan]\nfractions: [0.1, 2]\n', /bad-fraction\.yaml, line 3: fractions\.1: a label fraction is in \(0, 1\]/],
    ['no-fractions.yaml', 'base: quickstart\nmethods: [gan, s3gan]\n', /no-fractions\.yaml, line 2: methods\.1: 's3gan' reads a labelled subset/],
    ['unknown-key.yaml', 'base: quickstart\nmethods: [gan]\nseed: [0]\n', /unknown-key\.yaml.*seed/],
  ];
  for (const [name, text, expected] of cases) {
    const file = path.join(root, name);
    writeFileSync(file, text);
    const result = cli(['experiment', '--config', file, '--out', out]);
    t.is(result.code, 2, `${name}: ${result.stderr}`);
    t.regex(result.stderr, expected, name);
    t.is(result.stderr.trim().split('\n').length, 1, name);
    t.false(existsSync(out), name);
  }
});
