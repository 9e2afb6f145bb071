/**
 * The bad inputs of the corpus test, one entry each: what the user types (after any files the
 * case writes) and the culprit the one-line error must name.
 */
import { mkdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';

export interface CorpusFixture {
  /** An empty directory of this case's own (also the working directory of the command). */
  readonly dir: string;
  /** --set flags of a tiny cpu pipeline. */
  readonly tiny: readonly string[];
  /** A copy of a finished tiny s3gan run (pretrain, pseudo-labels, 2 GAN steps); resolves to its path. */
  trainedRun(): Promise<string>;
  /** Writes `content` at `rel` inside `dir`; returns the absolute path. */
  write(rel: string, content: string | Buffer): string;
}

export interface CorpusCase {
  readonly name: string;
  /** What the single error line must contain. */
  readonly culprit: RegExp;
  prepare(fixture: CorpusFixture): { args: string[]; watch?: string[] } | Promise<{ args: string[]; watch?: string[] }>;
}

/** An 8×8 grayscale PNG. */
function grayPng(): Promise<Buffer> {
  return sharp(Buffer.alloc(64, 128), { raw: { width: 8, height: 8, channels: 1 } }).png().toBuffer();
}

/** A case with fixed arguments and nothing to prepare. */
function plain(name: string, args: string[], culprit: RegExp): CorpusCase {
  return { name, culprit, prepare: () => ({ args }) };
}

/** A case run against a copy of the trained run, which must be left byte-identical. */
function onRun(name: string, args: (run: string, f: CorpusFixture) => string[], culprit: RegExp, damage?: (run: string) => void): CorpusCase {
  return {
    name,
    culprit,
    prepare: async (f) => {
      const run = await f.trainedRun();
      damage?.(run);
      return { args: args(run, f), watch: [run] };
    },
  };
}

/** A case with a config file of the given YAML text. */
function withConfig(name: string, yaml: string, culprit: RegExp, extra: string[] = ['config', 'show']): CorpusCase {
  return { name, culprit, prepare: (f) => ({ args: [...extra, '--config', f.write('bad.yaml', yaml)] }) };
}

export function corpusCases(): CorpusCase[] {
  return [
    // Config keys and values.
    plain('misspelt --set key', ['config', 'show', '--set', 'gan.batchSzie=32'], /gan\.batchSzie.*gan\.batchSize/),
    plain('--set value of the wrong type', ['config', 'show', '--set', 'gan.batchSize=abc'], /--set gan\.batchSize=abc/),
    plain('--set value out of range', ['config', 'show', '--set', 'gan.batchSize=0'], /gan\.batchSize/),
    plain('--set fraction above 1', ['config', 'show', '--set', 'labels.fraction=1.5'], /labels\.fraction/),
    plain('--set without =', ['config', 'show', '--set', 'nokey'], /--set nokey/),
    plain('--set a whole section', ['config', 'show', '--set', 'gan=1'], /--set gan=1/),
    plain('--set unknown enum value', ['config', 'show', '--set', 'gan.loss=hnige'], /gan\.loss.*hinge/),
    plain('--config preset that does not exist', ['config', 'show', '--config', 'quikstart'], /--config quikstart.*quickstart/),
    plain('--config file that does not exist', ['config', 'show', '--config', 'missing/x.yaml'], /--config missing\/x\.yaml/),
    withConfig('config file with a YAML syntax error', 'gan:\n  width: [1,\n', /bad\.yaml/),
    withConfig('config file with an unknown key', 'gan:\n  widht: 4\n', /gan\.widht.*bad\.yaml, line 2/),
    withConfig('config file with a value of the wrong type', 'gan:\n  width: wide\n', /gan\.width.*bad\.yaml/),
    withConfig('config file extending a missing preset', 'extends: nosuchpreset\n', /extends 'nosuchpreset'/),
    withConfig('config file whose top level is a list', '- 1\n- 2\n', /bad\.yaml/),
    {
      name: 'config files extending each other',
      culprit: /extends' cycle/,
      prepare: (f) => {
        f.write('b.yaml', 'extends: ./c.yaml\n');
        return { args: ['config', 'show', '--config', f.write('c.yaml', 'extends: ./b.yaml\n')] };
      },
    },

    // Command flags.
    plain('--steps not a number', ['train', '--dry-run', '--steps', 'abc'], /--steps abc/),
    plain('--method unknown', ['train', '--dry-run', '--method', 'nosuch'], /nosuch.*--method/),
    plain('--method misspelt', ['run', '--dry-run', '--method', 's3gan-c0'], /s3gan-co.*--method/),
    plain('pretrain --steps 0', ['pretrain', '--dry-run', '--steps', '0'], /--steps/),
    plain('unknown command', ['trian'], /unknown command 'trian'.*train/),
    plain('help for an unknown command', ['help', 'frob'], /unknown command 'frob'/),
    plain('unknown option', ['train', '--bogus'], /--bogus/),
    plain('option without its value', ['train', '--run'], /--run/),
    plain('dataset argument misspelt', ['data', 'inspect', 'mnsit'], /data\.name.*mnist/),
    plain('data inspect --per-class 0', ['data', 'inspect', '--per-class', '0'], /--per-class 0/),
    plain('eval --samples negative', ['eval', '--samples', '-3'], /--samples/),

    // Datasets.
    plain('cifar10 path that does not exist', ['data', 'inspect', 'cifar10', '--path', 'nowhere'], /nowhere/),
    plain('image folder that does not exist', ['data', 'inspect', 'image-folder', '--path', 'nowhere'], /nowhere/),
    {
      name: 'empty image folder',
      culprit: /images/,
      prepare: (f) => {
        mkdirSync(path.join(f.dir, 'empty'));
        return { args: ['data', 'inspect', 'image-folder', '--path', 'empty'] };
      },
    },
    {
      name: 'undecodable image in a folder',
      culprit: /broken\.png/,
      prepare: (f) => {
        f.write('folder/a/broken.png', 'not a png');
        f.write('folder/b/broken2.png', 'not a png');
        return { args: ['data', 'inspect', 'image-folder', '--path', 'folder'] };
      },
    },

    // Run directories.
    {
      name: 'run.dir is a file',
      culprit: /afile.*not a directory/,
      prepare: (f) => ({ args: ['train', '--run', f.write('afile', 'x'), ...f.tiny] }),
    },
    {
      name: 'run directory locked by a live process',
      culprit: /locked by process/,
      prepare: async (f) => {
        const run = await f.trainedRun();
        writeFileSync(path.join(run, '.lock'), JSON.stringify({ pid: process.pid, hostname: os.hostname(), startedAt: new Date().toISOString(), token: 'x' }));
        return { args: ['train', '--run', run, '--steps', '3'], watch: [run] };
      },
    },
    onRun('train a method whose labels are missing', (run) => ['train', '--run', run, '--method', 's3gan', '--steps', '3'], /labels\/labels\.json/, (run) =>
      rmSync(path.join(run, 'labels'), { recursive: true }),
    ),
    onRun('sample with a class the generator lacks', (run) => ['sample', '--run', run, '--class', '10', '--out', path.join(run, 'x.png')], /--class 10/),
    onRun('sample before any training', (run) => ['sample', '--run', run, '--out', 'x.png'], /train first/, (run) =>
      rmSync(path.join(run, 'gan'), { recursive: true }),
    ),
    onRun('eval of a step without a checkpoint', (run) => ['eval', '--run', run, '--step', '999'], /--step 999/),
    onRun('pseudo-label before pretraining', (run) => ['pseudo-label', '--run', run, '--set', 'pseudoLabel.l2Strengths=[0.1]'], /pretrain/, (run) =>
      rmSync(path.join(run, 'pretrain'), { recursive: true }),
    ),
    onRun('a manifest that is not JSON', (run) => ['train', '--run', run, '--steps', '3'], /manifest\.json/, (run) => writeFileSync(path.join(run, 'manifest.json'), '{ broken')),
    onRun('a resolved config that is not JSON', (run) => ['train', '--run', run, '--steps', '3'], /resolved-config\.json/, (run) =>
      writeFileSync(path.join(run, 'resolved-config.json'), '{ broken'),
    ),
    onRun('a pretrained encoder that is not a model', (run) => ['pseudo-label', '--run', run, '--set', 'pseudoLabel.l2Strengths=[0.1]'], /encoder/, (run) =>
      writeFileSync(path.join(run, 'pretrain/encoder/model.json'), '{'),
    ),
    onRun('eval with an unknown metric', (run) => ['eval', '--run', run, '--metrics', 'fdi'], /--metrics.*fdi.*fid/),
    onRun('train with a truncated labels file', (run) => ['train', '--run', run, '--steps', '3'], /labels\.json/, (run) => truncateSync(path.join(run, 'labels/labels.json'), 10)),
    onRun('train with a changed width', (run) => ['train', '--run', run, '--set', 'gan.width=4', '--steps', '3'], /gan\.width/),
    onRun('train with a changed method', (run) => ['train', '--run', run, '--method', 'ssgan', '--steps', '3'], /ssgan|method/),
    onRun('labels with a budget larger than a class', (run) => ['labels', '--run', run, '--set', 'labels.perClass=100000'], /labels\.perClass/),
    {
      name: 'labels file for a folder that lists a missing image',
      culprit: /labels\.csv/,
      prepare: async (f) => {
        f.write('flat/a.png', await grayPng());
        return { args: ['data', 'inspect', 'image-folder', '--path', 'flat', '--label-file', f.write('labels.csv', 'file,label\nnothere.png,0\n')] };
      },
    },
    // Checks that used to fire only deep into a pipeline, or not at all.
    {
      name: 'a .lock that is a directory',
      culprit: /\.lock/,
      prepare: async (f) => {
        const run = await f.trainedRun();
        mkdirSync(path.join(run, '.lock'));
        return { args: ['train', '--run', run, '--steps', '3'], watch: [run] };
      },
    },
    plain('a run directory where nothing can be created', ['train', '--run', '/proc/s3gan-run/x', '--set', 'backend.name=cpu', '--steps', '1', '--method', 'cgan-full'], /\/proc/),
    {
      name: 'a conditional method on a folder of one class',
      culprit: /onlyone.*data\.path|data\.path.*onlyone/,
      prepare: async (f) => {
        for (let i = 0; i < 4; i++) f.write(`onlyone/cats/${i}.png`, await grayPng());
        return { args: ['run', '--dry-run', '--set', 'data.name=image-folder', '--set', 'data.path=onlyone'] };
      },
    },
    {
      name: 'an empty class folder',
      culprit: /dogs/,
      prepare: async (f) => {
        for (let i = 0; i < 4; i++) f.write(`two/cats/${i}.png`, await grayPng());
        mkdirSync(path.join(f.dir, 'two', 'dogs'));
        return { args: ['data', 'inspect', 'image-folder', '--path', 'two'] };
      },
    },
    {
      name: 'a JSON label file with a key twice',
      culprit: /labels\.json.*a\.png/,
      prepare: async (f) => {
        f.write('flat2/a.png', await grayPng());
        f.write('flat2/b.png', await grayPng());
        const labels = f.write('labels.json', '{"a.png": "x", "b.png": "y", "a.png": "y"}');
        return { args: ['data', 'inspect', 'image-folder', '--path', 'flat2', '--label-file', labels] };
      },
    },
    {
      name: 'a label file that does not exist',
      culprit: /data\.labelFile.*nolabels\.csv/,
      prepare: async (f) => {
        f.write('flat3/a.png', await grayPng());
        return { args: ['data', 'inspect', 'image-folder', '--path', 'flat3', '--label-file', 'nolabels.csv'] };
      },
    },
    {
      name: 'cifar10 path one folder above the batches',
      culprit: /cifar-10-batches-bin/,
      prepare: (f) => {
        mkdirSync(path.join(f.dir, 'cifar', 'cifar-10-batches-bin'), { recursive: true });
        return { args: ['data', 'inspect', 'cifar10', '--path', 'cifar'] };
      },
    },
    plain('a rotation method with a batch it cannot rotate', ['run', '--dry-run', '--method', 's3gan', '--set', 'gan.batchSize=10'], /gan\.batchSize/),
    plain('labels.perClass larger than the smallest class', ['run', '--dry-run', '--set', 'labels.perClass=6000'], /labels\.perClass/),
    plain('labels.fraction giving no image of a class', ['run', '--dry-run', '--set', 'labels.fraction=0.00001'], /labels\.fraction/),
    onRun('every checkpoint damaged', (run) => ['train', '--run', run, '--steps', '3'], /delete/, (run) => {
      for (const step of ['00000001', '00000002']) writeFileSync(path.join(run, `gan/checkpoints/step-${step}/state.json`), '{');
    }),
    onRun('sample to a file type it cannot write', (run) => ['sample', '--run', run, '--out', path.join(run, 'x.gif')], /--out/),
  ];
}

