import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { METHOD_NAMES } from '../../src/config/schema.js';
import { listPipelines, pipelineFor, readPipelineFile } from '../../src/stages/pipeline-files.js';
import { getStage, stageNames } from '../../src/stages/stage-registry.js';
import { UserError } from '../../src/util/errors.js';
import { tempDir } from '../temp.js';

test('the shipped pipelines: every method is trained by exactly one, through registered stages', (t) => {
  const pipelines = listPipelines();
  t.deepEqual(pipelines.map((p) => p.name), ['baselines', 'cgan-kmeans', 'co-training', 'finetune', 's2gan', 's3gan']);
  for (const method of METHOD_NAMES) t.is(pipelines.filter((p) => (p.methods as readonly string[]).includes(method)).length, 1, method);
  t.deepEqual(pipelineFor('s3gan').stages.map((s) => s.name), ['pretrain', 'pseudo-label', 'gan']);
  t.is(pipelineFor('s3gan').stages[2], getStage('gan'));
  t.deepEqual(pipelineFor('s3gan-co').stages.map((s) => s.name), ['gan']);
  t.deepEqual(pipelineFor('cgan-kmeans').overrides, ['pseudoLabel.source=kmeans']);
  t.is(pipelineFor('s3gan').overrides, undefined);
  t.throws(() => pipelineFor('s3gann'), { instanceOf: UserError, message: /no pipeline trains method 's3gann' \(gan\.method\)/ });
});

test('the stage registry fails loudly on an unknown name, with a suggestion', (t) => {
  t.deepEqual(stageNames(), ['pretrain', 'pseudo-label', 'gan', 'select-source', 'finetune']);
  t.throws(() => getStage('pseudolabel', 'x.yaml: stages.1'), { instanceOf: UserError, message: "x.yaml: stages.1: unknown stage 'pseudolabel' (did you mean 'pseudo-label'?); stages: pretrain, pseudo-label, gan, select-source, finetune" });
});

/** A pipelines directory holding `files` (name → YAML text). */
function pipelinesDir(files: Record<string, string>): string {
  const dir = path.join(tempDir('s3gan-pipelines-'), 'pipelines');
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const GOOD = 'name: mine\nsummary: one stage\nmethods: [gan]\nstages: [gan]\n';

test('a valid pipeline file reads as a pipeline', (t) => {
  const dir = pipelinesDir({ 'mine.yaml': `# comments are free\n${GOOD}overrides: [gan.steps=3]\n` });
  const [mine] = listPipelines(dir);
  t.is(mine.name, 'mine');
  t.deepEqual(mine.methods, ['gan']);
  t.deepEqual(mine.stages.map((s) => s.name), ['gan']);
  t.deepEqual(mine.overrides, ['gan.steps=3']);
});

// Each bad file, and the message that names its file and key.
const BAD: readonly [title: string, text: string, message: RegExp][] = [
  ['unknown stage', 'name: mine\nsummary: s\nmethods: [gan]\nstages: [pretrain, pseudolabel]\n', /mine\.yaml, line 4: stages\.1: unknown stage 'pseudolabel' \(did you mean 'pseudo-label'\?\)/],
  ['unknown method', 'name: mine\nsummary: s\nmethods: [s3gann]\nstages: [gan]\n', /mine\.yaml, line 3: methods\.0: unknown method 's3gann' \(did you mean 's3gan'\?\)/],
  ['missing key', 'name: mine\nmethods: [gan]\nstages: [gan]\n', /mine\.yaml: summary: /],
  ['unknown key', `${GOOD}stage: [gan]\n`, /mine\.yaml.*: Unrecognized key.*"stage"/],
  ['wrong type', 'name: mine\nsummary: s\nmethods: gan\nstages: [gan]\n', /mine\.yaml, line 3: methods: /],
  ['name not the file name', 'name: yours\nsummary: s\nmethods: [gan]\nstages: [gan]\n', /mine\.yaml, line 1: name: 'yours' must be the file's name, 'mine'/],
  ['override without =', `${GOOD}overrides: [gan.steps]\n`, /mine\.yaml, line 5: overrides\.0: expected key=value/],
  ['not YAML', 'name: [mine\n', /mine\.yaml: not valid YAML/],
];

for (const [title, text, message] of BAD) {
  test(`a pipeline file with ${title} is a UserError naming the file and key`, (t) => {
    const dir = pipelinesDir({ 'mine.yaml': text });
    const error = t.throws(() => readPipelineFile(path.join(dir, 'mine.yaml')), { instanceOf: UserError });
    t.regex(error.message, message);
    t.true(error.message.startsWith(path.join(dir, 'mine.yaml')), error.message);
  });
}

test('two pipelines that claim one method are refused, naming both files', (t) => {
  const dir = pipelinesDir({ 'mine.yaml': GOOD, 'yours.yaml': GOOD.replace('mine', 'yours') });
  t.throws(() => listPipelines(dir), { instanceOf: UserError, message: `${path.join(dir, 'yours.yaml')}: methods: 'gan' is already trained by ${path.join(dir, 'mine.yaml')}` });
});

test('the finetune pipeline is chosen by a config with a finetune section, whatever the method; a file without methods needs selectedBy', (t) => {
  const finetune = pipelineFor('cgan-full', listPipelines(), { gan: { method: 'cgan-full' }, finetune: { candidates: ['runs/a'] } });
  t.is(finetune.name, 'finetune');
  t.deepEqual(finetune.stages.map((s) => s.name), ['select-source', 'finetune']);
  t.is(pipelineFor('cgan-full', listPipelines(), { gan: { method: 'cgan-full' } }).name, 'baselines');
  const dir = pipelinesDir({ 'none.yaml': 'name: none\nsummary: nothing\nmethods: []\nstages: [gan]\n' });
  t.throws(() => listPipelines(dir), { instanceOf: UserError, message: /none\.yaml, line 3: methods: name at least one method \(or a selectedBy key\)/ });
});
