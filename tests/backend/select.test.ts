import test from 'ava';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../../src/util/package-root.js';
import * as tf from '@tensorflow/tfjs';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import {
  AUTO_ORDER,
  cpuFallbackWarning,
  describeBackend,
  selectBackend,
  type BackendLoaders,
  type BackendName,
  type BackendRequest,
} from '../../src/backend/select.js';
import { UserError } from '../../src/util/errors.js';
import { loadAddon } from '../../src/backend/onednn/addon.js';

// Every test changes tfjs's global backend, so they run one at a time.

/** Registers a stand-in under tfjs's name 'tensorflow', as tfjs-node would. */
function registerFakeTensorflow(): void {
  tf.registerBackend('tensorflow', () => new MathBackendCPU());
}

/** Loaders that record their calls; `ok` ones succeed (a fake 'tensorflow' for the tfjs-node ones). */
function fakeLoaders(ok: readonly BackendName[], calls: BackendName[]): BackendLoaders {
  const loader = (name: BackendName) => async () => {
    calls.push(name);
    if (!ok.includes(name)) throw new Error(`no ${name} here`);
    if (name === 'tensorflow' || name === 'tensorflow-gpu') registerFakeTensorflow();
    return `fake ${name}`;
  };
  return { 'tensorflow-gpu': loader('tensorflow-gpu'), tensorflow: loader('tensorflow'), onednn: loader('onednn'), cpu: loader('cpu') };
}

test.afterEach.always(async () => {
  if (tf.engine().registryFactory.tensorflow !== undefined) tf.removeBackend('tensorflow');
  await tf.setBackend('cpu');
});

/** Runs `fn` with S3GAN_QUIET_BACKEND set to `value` (undefined: unset). */
async function withQuiet<T>(value: string | undefined, fn: () => Promise<T>): Promise<T> {
  const saved = process.env.S3GAN_QUIET_BACKEND;
  if (value === undefined) delete process.env.S3GAN_QUIET_BACKEND;
  else process.env.S3GAN_QUIET_BACKEND = value;
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env.S3GAN_QUIET_BACKEND;
    else process.env.S3GAN_QUIET_BACKEND = saved;
  }
}

test.serial('auto tries the fastest first: gpu → tensorflow → onednn → cpu', (t) => {
  t.deepEqual(AUTO_ORDER, ['tensorflow-gpu', 'tensorflow', 'onednn', 'cpu']);
});

test.serial('auto takes the first backend that loads and records the failures before it', async (t) => {
  const calls: BackendName[] = [];
  const logged: string[] = [];
  const selection = await selectBackend('auto', fakeLoaders(['tensorflow', 'cpu'], calls), (m) => logged.push(m));
  t.deepEqual(calls, ['tensorflow-gpu', 'tensorflow']);
  t.deepEqual(selection, {
    name: 'tensorflow',
    tfjsName: 'tensorflow',
    detail: 'fake tensorflow',
    tried: [{ name: 'tensorflow-gpu', error: 'no tensorflow-gpu here' }],
  });
  t.is(tf.getBackend(), 'tensorflow');
  t.deepEqual(logged, []);
});

test.serial('auto falling back to cpu warns loudly with every reason, unless S3GAN_QUIET_BACKEND=1', async (t) => {
  const calls: BackendName[] = [];
  const logged: string[] = [];
  const selection = await withQuiet(undefined, () => selectBackend('auto', fakeLoaders(['cpu'], calls), (m) => logged.push(m)));
  t.deepEqual(calls, ['tensorflow-gpu', 'tensorflow', 'onednn', 'cpu']);
  t.is(selection.name, 'cpu');
  t.is(tf.getBackend(), 'cpu');
  t.deepEqual(
    selection.tried.map((a) => a.name),
    ['tensorflow-gpu', 'tensorflow', 'onednn'],
  );
  t.is(logged.length, 1);
  const warning = logged[0];
  t.is(warning, cpuFallbackWarning(selection.tried));
  t.true(warning.split('\n').length > 8);
  for (const expected of [
    '1,500x slower',
    '  tensorflow-gpu: no tensorflow-gpu here',
    '  tensorflow: no tensorflow here',
    '  onednn: no onednn here',
    'npm install @tensorflow/tfjs-node',
    'apt-get install -y libdnnl-dev',
    'S3GAN_QUIET_BACKEND=1',
  ]) {
    t.true(warning.includes(expected), `warning lacks ${expected}`);
  }

  const quiet: string[] = [];
  await withQuiet('1', () => selectBackend('auto', fakeLoaders(['cpu'], []), (m) => quiet.push(m)));
  t.deepEqual(quiet, []);
});

test.serial('an addon that was never built (install without libdnnl-dev, or --ignore-scripts): auto says so, where, and how to build it', async (t) => {
  const missing = path.join(packageRoot(), 'no-such-build/Release/s3gan_onednn.node');
  const loaders: BackendLoaders = { ...fakeLoaders(['cpu'], []), onednn: async () => void loadAddon(missing) };
  const logged: string[] = [];
  const selection = await withQuiet(undefined, () => selectBackend('auto', loaders, (m) => logged.push(m)));
  t.is(selection.name, 'cpu');
  const build = `npm run build:native --prefix ${packageRoot()}`;
  t.is(
    selection.tried[2].error,
    `the onednn addon is not built (${missing} does not exist: npm install builds it only where libdnnl-dev is ` +
      `installed, and not at all with --ignore-scripts); to build it: apt-get install -y libdnnl-dev, then ${build}`,
  );
  const warning = logged[0].split('\n');
  t.true(warning.includes(`  onednn: ${selection.tried[2].error}`));
  // The commands stand on lines of their own, to be copied as they are.
  t.true(warning.includes('      apt-get install -y libdnnl-dev'));
  t.true(warning.includes(`      ${build}`));

  // Named explicitly, the same reason is the UserError's.
  const error = await t.throwsAsync(selectBackend('onednn', loaders), { instanceOf: UserError });
  t.true(error?.message.includes(`${missing} does not exist`));
  t.true(error?.message.includes(build));
});

test.serial('a loader that succeeds but leaves tfjs without the backend counts as a failure', async (t) => {
  const loaders: BackendLoaders = { ...fakeLoaders(['cpu'], []), 'tensorflow-gpu': async () => 'registered nothing' };
  const selection = await selectBackend('auto', loaders, () => undefined);
  t.is(selection.name, 'cpu');
  t.is(selection.tried[0].name, 'tensorflow-gpu');
  t.regex(selection.tried[0].error, /tensorflow/);
});

test.serial('an explicitly named backend that fails is a UserError naming backend.name and the reason', async (t) => {
  const calls: BackendName[] = [];
  const error = await t.throwsAsync(selectBackend('onednn', fakeLoaders(['cpu'], calls)), { instanceOf: UserError });
  t.deepEqual(calls, ['onednn']);
  t.is(
    error?.message,
    "backend.name is 'onednn', but that backend cannot be used: no onednn here. " +
      "Install it, or set backend.name to 'auto' to use the fastest available one",
  );
});

test.serial('an explicitly named backend that loads is used without trying others', async (t) => {
  const calls: BackendName[] = [];
  const selection = await selectBackend('tensorflow-gpu', fakeLoaders(['tensorflow-gpu', 'cpu'], calls));
  t.deepEqual(calls, ['tensorflow-gpu']);
  t.deepEqual(selection, { name: 'tensorflow-gpu', tfjsName: 'tensorflow', detail: 'fake tensorflow-gpu', tried: [] });
});

test.serial('auto with nothing loadable is a UserError listing every reason', async (t) => {
  await t.throwsAsync(selectBackend('auto', fakeLoaders([], [])), {
    instanceOf: UserError,
    message:
      "backend.name is 'auto', but no backend could be loaded:\n" +
      '  tensorflow-gpu: no tensorflow-gpu here\n  tensorflow: no tensorflow here\n  onednn: no onednn here\n  cpu: no cpu here',
  });
});

test.serial('an unknown backend name is a UserError listing the valid ones', async (t) => {
  await t.throwsAsync(selectBackend('webgpu' as BackendRequest), {
    instanceOf: UserError,
    message: "backend.name must be one of auto, tensorflow-gpu, tensorflow, onednn, cpu; got 'webgpu'",
  });
});

test.serial('the real default loaders: tfjs-node packages absent, then onednn when its addon is built, else cpu', async (t) => {
  const logged: string[] = [];
  const addonBuilt = existsSync(path.join(packageRoot(), 'native/build/Release/s3gan_onednn.node'));
  if (process.env.S3GAN_REQUIRE_ONEDNN === '1') t.true(addonBuilt, 'CI builds the onednn addon');
  const selection = await selectBackend('auto', undefined, (m) => logged.push(m));
  const absent = [
    { name: 'tensorflow-gpu', error: '@tensorflow/tfjs-node-gpu is not installed' },
    { name: 'tensorflow', error: '@tensorflow/tfjs-node is not installed' },
  ];
  if (addonBuilt) {
    t.is(selection.name, 'onednn');
    t.is(tf.getBackend(), 'onednn');
    t.deepEqual(selection.tried, absent);
  } else {
    t.is(selection.name, 'cpu');
    t.deepEqual(selection.tried.slice(0, 2), absent);
    t.regex(selection.tried[2].error, /onednn addon is not built .*apt-get install -y libdnnl-dev/);
  }
  t.deepEqual(logged, []); // ava sets S3GAN_QUIET_BACKEND=1

  await t.throwsAsync(selectBackend('tensorflow'), {
    instanceOf: UserError,
    message: /^backend\.name is 'tensorflow', but that backend cannot be used: @tensorflow\/tfjs-node is not installed\./,
  });
});

test.serial('explicit cpu works for real and is described in one line', async (t) => {
  const selection = await selectBackend('cpu');
  t.is(tf.getBackend(), 'cpu');
  t.deepEqual(selection, { name: 'cpu', tfjsName: 'cpu', detail: `tfjs ${tf.version.tfjs}, pure JavaScript`, tried: [] });
  t.is(describeBackend(selection), `backend: cpu (tfjs ${tf.version.tfjs}, pure JavaScript)`);
  const sum = tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)).dataSync()[0]);
  t.is(sum, 3);
});
