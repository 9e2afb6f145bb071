/**
 * The published package, as a user gets it: `npm pack` of the built project, installed into an
 * empty directory, then the CLI and the library run from there. Catches what the repository's own
 * tests cannot: a runtime file missing from "files", a dependency declared only as a dev one, a
 * bin or export that points nowhere, source maps that point at sources the package lacks.
 *
 * The install runs without the network (`--prefer-offline` asks the registry only for what the
 * cache lacks): it is seeded with the project's own lockfile, so that npm keeps the versions the
 * project was installed with, whose tarballs `npm ci` left in the cache, instead of resolving
 * newer ones. The seed pins versions only; which packages are installed comes from s3gan's
 * package.json in the tarball (the rest of the lockfile is extraneous and pruned).
 * `--ignore-scripts` skips the native build, as `npm install --ignore-scripts` would.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { packageRoot } from '../../src/util/package-root.js';
import { TINY_EVAL, tinyGan, tinyMnist } from '../api/fixtures.js';
import { apiExampleWith } from '../api/readme-example.js';
import { tempDir } from '../temp.js';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment without what an enclosing `npm test` sets for its own project (its prefix, its package). */
function cleanEnv(): NodeJS.ProcessEnv {
  const kept = new Set(['npm_config_cache', 'npm_config_userconfig', 'npm_config_globalconfig']);
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) || kept.has(key.toLowerCase())));
  return { ...env, S3GAN_QUIET_BACKEND: '1', NO_UPDATE_NOTIFIER: '1' };
}

function run(command: string, args: readonly string[], cwd: string): Run {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: cleanEnv(), timeout: 240_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function runOk(command: string, args: readonly string[], cwd: string): Run {
  const result = run(command, args, cwd);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.code}:\n${result.stderr}${result.stdout}`);
  return result;
}

/** The project's lockfile turned into a consumer's: its root has no dependencies of its own, nothing is dev. */
function seedLockfile(consumer: string): void {
  const lock = JSON.parse(readFileSync(join(packageRoot(), 'package-lock.json'), 'utf8')) as {
    name: string;
    version?: string;
    packages: Record<string, Record<string, unknown>>;
  };
  const packages: Record<string, Record<string, unknown>> = { '': { name: 'consumer' } };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '') continue;
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...rest } = entry;
    packages[path] = rest;
  }
  const { version: _version, ...header } = lock;
  writeFileSync(join(consumer, 'package-lock.json'), JSON.stringify({ ...header, name: 'consumer', packages }, null, 2));
}

interface Installed {
  /** The consumer project's directory. */
  readonly app: string;
  /** node_modules/s3gan in it. */
  readonly installed: string;
  /** Paths in the tarball, relative to the package root. */
  readonly files: readonly string[];
  readonly seconds: number;
}

let installed: Installed | undefined;

test.before(() => {
  const started = Date.now();
  const work = tempDir('s3gan-pack-');
  // `--ignore-scripts`: `prepare` would rebuild dist/, which the tests run from and is built already.
  const packed = runOk('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], packageRoot());
  const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];

  const app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  seedLockfile(app);
  const flags = ['--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund'];
  runOk('npm', ['install', ...flags, join(work, info.filename)], app);
  installed = {
    app,
    installed: join(app, 'node_modules', 's3gan'),
    files: info.files.map((file) => file.path),
    seconds: (Date.now() - started) / 1000,
  };
});

/** The s3gan executable npm linked into the consumer (npx finds the same one, at a second's cost). */
function bin(app: string): string {
  return join(app, 'node_modules', '.bin', 's3gan');
}

function get(): Installed {
  if (installed === undefined) throw new Error('internal invariant failed: the package was not installed');
  return installed;
}

test('the tarball holds the licence, the compiled library, CLI and pipelines, the presets, the evaluation networks and the browser page; no tests or sources', (t) => {
  const { files, seconds } = get();
  t.log(`npm pack and npm install took ${seconds.toFixed(1)} s`);
  for (const file of ['LICENSE', 'README.md', 'package.json', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/cli/main.js', 'pipelines/s3gan.yaml', 'configs/quickstart.yaml', 'native/build.js', 'native/binding.gyp',
    'data/networks/mnist/weights.bin', 'data/networks/fashion-mnist/network.json', 'src/web/generator-page/index.html']) {
    t.true(files.includes(file), `${file} is not in the package`);
  }
  // src/web holds the browser page's own files (HTML, CSS, browser JS), copied into every export.
  t.deepEqual(files.filter((file) => /^(src\/(?!web\/)|tests|bench|dist\/tests|dist\/bench)\//.test(file) || /(?<!\.d)\.ts$/.test(file)), []);
  t.regex(readFileSync(join(get().installed, 'LICENSE'), 'utf8'), /Apache License\s+Version 2\.0/);
});

test('npx s3gan --help runs the installed CLI', (t) => {
  const result = run('npx', ['--no', '--', 's3gan', '--help'], get().app);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /^Usage: s3gan /);
  t.regex(result.stdout, /\brun \[options\]/);
});

test('an ESM script imports the package and loads a preset shipped in it', (t) => {
  const { app } = get();
  const script = [
    "import * as s3gan from 's3gan';",
    "const { config } = await s3gan.loadConfig({ configFile: 'quickstart' });",
    "console.log(JSON.stringify({ dataset: config.data.name, userError: typeof s3gan.UserError }));",
  ].join('\n');
  writeFileSync(join(app, 'check.mjs'), script);
  const result = run(process.execPath, ['check.mjs'], app);
  t.is(result.code, 0, result.stderr);
  t.deepEqual(JSON.parse(result.stdout), { dataset: 'mnist', userError: 'function' });
});

test('the run pipelines ship: s3gan run --dry-run plans the quickstart from the installed copy', (t) => {
  const { app } = get();
  const result = run(bin(app), ['run', '--dry-run', '--config', 'quickstart', '--set', 'run.dir=quick'], app);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout + result.stderr, /would run s3gan on mnist .*pretrain → pseudo-label → gan/);
  t.false(existsSync(join(app, 'quick')));
});

test('installed without its scripts, s3gan backend says the onednn addon was not built, where, and the command to build it', (t) => {
  const { app, installed: root } = get();
  const result = run(bin(app), ['backend'], app);
  t.is(result.code, 0, result.stderr);
  const addon = join(root, 'native/build/Release/s3gan_onednn.node');
  t.true(result.stdout.includes(`not onednn: the onednn addon is not built (${addon} does not exist`), result.stdout);
  t.true(result.stdout.includes(`--ignore-scripts`));
  t.true(result.stdout.includes(`apt-get install -y libdnnl-dev, then npm run build:native --prefix ${root}`));
});

test('one copy of tfjs-core: tfjs is a peer that s3gan shares with the application', (t) => {
  const { app } = get();
  const listed = runOk('npm', ['ls', '@tensorflow/tfjs-core', '--all', '--parseable'], app);
  const copies = new Set(listed.stdout.trim().split('\n').map((path) => relative(app, path)));
  t.deepEqual([...copies], ['node_modules/@tensorflow/tfjs-core']);
  t.deepEqual(Object.keys(readPackage(join(app, 'node_modules/s3gan')).peerDependencies ?? {}).sort(), [
    '@tensorflow/tfjs',
    '@tensorflow/tfjs-backend-cpu',
    '@tensorflow/tfjs-node',
    '@tensorflow/tfjs-node-gpu',
  ]);
});

function readPackage(dir: string): { peerDependencies?: Record<string, string> } {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { peerDependencies?: Record<string, string> };
}

/** Every file under `dir` with the given ending, recursively. */
function filesEndingWith(dir: string, ending: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith(ending))
    .map((file) => join(dir, file));
}

test('source maps resolve in the installed package: each names a map that ships, and carries its sources', (t) => {
  const { installed: root } = get();
  const scripts = filesEndingWith(join(root, 'dist'), '.js');
  t.true(scripts.length > 100);
  for (const script of scripts) {
    const reference = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(script, 'utf8'))?.[1];
    if (reference === undefined) continue;
    const mapFile = join(script, '..', reference);
    if (!existsSync(mapFile)) {
      t.fail(`${relative(root, script)} names ${reference}, which the package lacks`);
      continue;
    }
    const map = JSON.parse(readFileSync(mapFile, 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
    const carried = map.sourcesContent?.filter((content) => typeof content === 'string').length ?? 0;
    if (carried !== map.sources.length) t.fail(`${relative(root, mapFile)} points at ${map.sources.join(', ')} without their text`);
  }
  t.pass();
});

test("README's API example runs against the installed package: train, sample, evaluate (tiny settings, cpu backend)", (t) => {
  const { app } = get();
  const settings = { ...tinyGan(tinyMnist()), ...TINY_EVAL, 'gan.method': 'cgan-full', 'gan.steps': 2, 'eval.samples': 20 };
  writeFileSync(join(app, 'api-example.mjs'), apiExampleWith(settings));
  const result = run(process.execPath, ['api-example.mjs'], app);
  t.is(result.code, 0, result.stderr);
  const lines = result.stdout.trim().split('\n');
  t.is(lines[0], `trained 2 steps: ${join(app, 'runs/api-mnist/gan/samples/step-00000002.png')}`);
  t.regex(lines[1], /^fid \d+\.\d{3}$/);
  t.regex(lines[2], /^label-accuracy \d\.\d{3}$/);
});
