import test from 'ava';
import { readdirSync } from 'node:fs';
import { s3gan, tempDir } from './helpers.js';

test('--help lists the commands; every command has --help', (t) => {
  const help = s3gan(['--help']);
  t.is(help.code, 0);
  for (const command of ['config', 'data', 'labels', 'backend']) t.regex(help.stdout, new RegExp(`\\b${command}\\b`));
  for (const args of [['config', 'show'], ['config', 'keys'], ['data', 'inspect'], ['labels'], ['backend']]) {
    const result = s3gan([...args, '--help']);
    t.is(result.code, 0, args.join(' '));
    t.regex(result.stdout, /Usage: s3gan/);
  }
});

test('config show with a preset and --set shows the override', (t) => {
  const result = s3gan(['config', 'show', '--config', 'configs/mnist.yaml', '--set', 'gan.batchSize=32']);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /^gan:$/m);
  t.regex(result.stdout, /^ {2}batchSize: 32$/m);
  t.regex(result.stdout, /configs\/mnist\.yaml/);
  const json = s3gan(['--set', 'gan.batchSize=48', 'config', 'show', '--json']);
  t.is((JSON.parse(json.stdout) as { gan: { batchSize: number } }).gan.batchSize, 48, 'global flags also before the command');
});

test('a typo in a key fails with exit code 2 and a suggestion', (t) => {
  const result = s3gan(['config', 'show', '--config', 'configs/mnist.yaml', '--set', 'gan.batchSzie=32']);
  t.is(result.code, 2);
  t.regex(result.stderr, /unknown key 'gan\.batchSzie' \(did you mean 'gan\.batchSize'\?\)/);
  t.notRegex(result.stderr, /at .*\.js:\d+/, 'no stack trace for bad input');
  t.is(result.stdout, '');
});

test('an unknown flag or command exits with 2', (t) => {
  t.is(s3gan(['config', 'show', '--bogus']).code, 2);
  t.is(s3gan(['trian']).code, 2);
});

test('config keys lists every key with its default', (t) => {
  const result = s3gan(['config', 'keys', '--markdown']);
  t.is(result.code, 0);
  t.regex(result.stdout, /\| `gan\.batchSize` \| integer .*\| `64` \|/);
  t.regex(result.stdout, /\| `labels\.fraction` \|/);
  t.regex(result.stdout, /\| `data\.name` \| "mnist" \\\| "fashion-mnist"/);
});

test('--dry-run validates and writes nothing', (t) => {
  const dir = tempDir();
  const result = s3gan(['labels', '--run', `${dir}/run`, '--dry-run']);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /would choose the labelled subset of mnist \(labels\.fraction=0\.01, seed 0\)/);
  const inspect = s3gan(['data', 'inspect', 'mnist', '--out', `${dir}/g.png`, '--dry-run']);
  t.is(inspect.code, 0);
  t.regex(inspect.stdout, /would write/);
  t.is(s3gan(['backend', '--dry-run']).code, 0);
  t.is(s3gan(['config', 'show', '--dry-run']).code, 0);
  t.deepEqual(readdirSync(dir), []);
});
