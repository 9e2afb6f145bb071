/**
 * Chooses the compute backend once per process, before any tensor exists. `auto` takes the fastest
 * that works: tfjs-node-gpu (libtensorflow with CUDA) → tfjs-node (libtensorflow on the CPU) →
 * onednn (s3gan's native kernels) → the pure-JavaScript cpu backend, which is about 1,500× slower
 * and is therefore announced loudly. An explicitly named backend that cannot be used is an error,
 * never silently replaced.
 *
 * Loading is injectable (`loaders`) so that the order and the failure handling can be tested
 * without the native packages, and so that a backend's loader can be swapped for a new one.
 */
import * as tf from '@tensorflow/tfjs';
import { errorMessage, UserError } from '../util/errors.js';
import { BUILD_COMMANDS } from './onednn/addon.js';

/** What `backend.name` in the config accepts. */
export const BACKEND_REQUESTS = ['auto', 'tensorflow-gpu', 'tensorflow', 'onednn', 'cpu'] as const;
export type BackendRequest = (typeof BACKEND_REQUESTS)[number];
/** A concrete backend (what `auto` resolves to). */
export type BackendName = Exclude<BackendRequest, 'auto'>;

/** The order `auto` tries, fastest first. */
export const AUTO_ORDER: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'onednn', 'cpu'];

/**
 * The name each backend is registered under in tfjs: both tfjs-node packages register
 * 'tensorflow'; onednn registers a backend of its own.
 */
export const TFJS_BACKEND_NAMES: Readonly<Record<BackendName, string>> = {
  'tensorflow-gpu': 'tensorflow',
  tensorflow: 'tensorflow',
  onednn: 'onednn',
  cpu: 'cpu',
};

/**
 * Imports and registers one backend with tfjs, or throws an Error whose message says why it is not
 * available. May return a description (versions, devices) for the run's manifest.
 */
export type BackendLoader = () => Promise<string | void>;
export type BackendLoaders = Readonly<Record<BackendName, BackendLoader>>;

/** One backend `auto` tried and could not use. */
export interface BackendAttempt {
  readonly name: BackendName;
  readonly error: string;
}

export interface BackendSelection {
  /** The s3gan backend in use. */
  readonly name: BackendName;
  /** Its tfjs name (tf.getBackend()). */
  readonly tfjsName: string;
  /** Versions and kind, e.g. 'tfjs 4.22.0, pure JavaScript'. */
  readonly detail: string;
  /** The faster backends tried first, and why each failed (empty when the first choice worked). */
  readonly tried: readonly BackendAttempt[];
}

/**
 * Imports an optional package. "Not installed" gets a short reason of its own; any other failure
 * (a missing shared library, an ABI mismatch) keeps its own message, which is what the user needs.
 */
async function importOptional(specifier: string): Promise<unknown> {
  try {
    return (await import(specifier)) as unknown;
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'ERR_MODULE_NOT_FOUND' && errorMessage(error).includes(`'${specifier}'`)) {
      throw new Error(`${specifier} is not installed`);
    }
    throw error;
  }
}

/** The package version a tfjs-node module reports as `version[key]`, when it does. */
function moduleVersion(module: unknown, key: string): string {
  const version = (module as { version?: Record<string, unknown> } | null)?.version?.[key];
  return typeof version === 'string' ? version : 'unknown version';
}

/** Loads tfjs-node-gpu: libtensorflow with CUDA. */
export async function loadTensorflowGpu(): Promise<string> {
  const module = await importOptional('@tensorflow/tfjs-node-gpu');
  return `tfjs-node-gpu ${moduleVersion(module, 'tfjs-node')}, libtensorflow with CUDA`;
}

/** Loads tfjs-node: libtensorflow on the CPU. */
export async function loadTensorflow(): Promise<string> {
  const module = await importOptional('@tensorflow/tfjs-node');
  return `tfjs-node ${moduleVersion(module, 'tfjs-node')}, libtensorflow on the CPU`;
}

/**
 * Loads s3gan's onednn backend: tfjs's cpu backend with the hot kernels on oneDNN, through the
 * addon in native/. Its import is deferred so that machines without the addon never load it.
 */
export async function loadOnednn(): Promise<string> {
  const { registerOnednnBackend } = await import('./onednn/index.js');
  const addon = registerOnednnBackend();
  return `oneDNN ${addon.dnnlVersion()} through s3gan's addon, tfjs ${tf.version.tfjs}`;
}

/** The pure-JavaScript cpu backend, which ships with @tensorflow/tfjs and always loads. */
export async function loadCpu(): Promise<string> {
  await import('@tensorflow/tfjs-backend-cpu');
  return `tfjs ${tf.version.tfjs}, pure JavaScript`;
}

export const defaultLoaders: BackendLoaders = {
  'tensorflow-gpu': loadTensorflowGpu,
  tensorflow: loadTensorflow,
  onednn: loadOnednn,
  cpu: loadCpu,
};

/** Options of selectBackend beyond the backend's name. */
export interface SelectOptions {
  /** `backend.threads`: CPU threads for the native kernels, 0 = all cores. Applies to onednn. */
  readonly threads?: number;
}

/**
 * Applies `threads` to the current backend when it is onednn (the other backends take their
 * thread counts from their own libraries) and returns the count in effect, if it applied.
 */
async function applyThreads(tfjsName: string, threads: number | undefined): Promise<number | undefined> {
  if (threads === undefined || tfjsName !== TFJS_BACKEND_NAMES.onednn) return undefined;
  const { setOnednnThreads } = await import('./onednn/index.js');
  return setOnednnThreads(threads);
}

/** Loads one backend and makes it tfjs's current one; throws with the reason when it cannot. */
async function activate(name: BackendName, loaders: BackendLoaders, options: SelectOptions): Promise<BackendSelection> {
  const loaded = (await loaders[name]()) ?? `tfjs ${tf.version.tfjs}`;
  const tfjsName = TFJS_BACKEND_NAMES[name];
  // setBackend resolves false (rather than throwing) when the backend's own initialisation fails.
  if (!(await tf.setBackend(tfjsName))) throw new Error(`tfjs could not initialise its '${tfjsName}' backend`);
  await tf.ready();
  const threads = await applyThreads(tfjsName, options.threads);
  const detail = threads === undefined ? loaded : `${loaded}, ${threads} thread${threads === 1 ? '' : 's'}`;
  return { name, tfjsName, detail, tried: [] };
}

/** The warning printed when `auto` ends on the cpu backend: what it costs, why, and what to do. */
export function cpuFallbackWarning(tried: readonly BackendAttempt[]): string {
  const rule = '='.repeat(78);
  return [
    rule,
    "WARNING: no native backend could be loaded; s3gan runs on the pure-JavaScript 'cpu' backend.",
    'It is about 1,500x slower than a native backend: training that takes an hour elsewhere',
    'takes weeks here. Only tiny configs (tests, smoke runs) are practical.',
    '',
    'Why the faster backends were not used:',
    ...tried.map((attempt) => `  ${attempt.name}: ${attempt.error}`),
    '',
    'To get a faster backend:',
    '  - npm install @tensorflow/tfjs-node (or @tensorflow/tfjs-node-gpu with CUDA) on a machine',
    '    where its install step can download libtensorflow; or',
    "  - s3gan's onednn backend, built on oneDNN (Debian/Ubuntu):",
    ...BUILD_COMMANDS.map((command) => `      ${command}`),
    'Set S3GAN_QUIET_BACKEND=1 to hide this warning.',
    rule,
  ].join('\n');
}

/**
 * Loads and activates the backend `requested` (a `backend.name` value) and returns what was chosen.
 * `auto` tries AUTO_ORDER and records each failure; ending on cpu prints cpuFallbackWarning through
 * `log` unless the environment sets S3GAN_QUIET_BACKEND=1. A named backend that fails is a
 * UserError naming `backend.name` and the reason. `options.threads` (`backend.threads`) sets the
 * native kernels' thread count when the chosen backend is onednn.
 */
export async function selectBackend(
  requested: BackendRequest,
  loaders: BackendLoaders = defaultLoaders,
  log: (message: string) => void = console.error,
  options: SelectOptions = {},
): Promise<BackendSelection> {
  if (!(BACKEND_REQUESTS as readonly string[]).includes(requested)) {
    throw new UserError(`backend.name must be one of ${BACKEND_REQUESTS.join(', ')}; got '${String(requested)}'`);
  }

  if (requested !== 'auto') {
    try {
      return await activate(requested, loaders, options);
    } catch (error) {
      throw new UserError(
        `backend.name is '${requested}', but that backend cannot be used: ${errorMessage(error)}. ` +
          `Install it, or set backend.name to 'auto' to use the fastest available one`,
      );
    }
  }

  const tried: BackendAttempt[] = [];
  for (const name of AUTO_ORDER) {
    try {
      const selection = { ...(await activate(name, loaders, options)), tried };
      if (name === 'cpu' && process.env.S3GAN_QUIET_BACKEND !== '1') log(cpuFallbackWarning(tried));
      return selection;
    } catch (error) {
      tried.push({ name, error: errorMessage(error) });
    }
  }
  const reasons = tried.map((attempt) => `  ${attempt.name}: ${attempt.error}`).join('\n');
  throw new UserError(`backend.name is 'auto', but no backend could be loaded:\n${reasons}`);
}

/** The one line that says which backend a run uses, e.g. "backend: cpu (tfjs 4.22.0, pure JavaScript)". */
export function describeBackend(selection: Pick<BackendSelection, 'name' | 'detail'>): string {
  return `backend: ${selection.name} (${selection.detail})`;
}

/** Prints describeBackend(selection) through `log`. */
export function reportBackend(
  selection: Pick<BackendSelection, 'name' | 'detail'>,
  log: (message: string) => void = console.error,
): void {
  log(describeBackend(selection));
}
