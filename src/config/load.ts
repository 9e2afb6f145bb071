/**
 * Turns config files, presets and `--set` overrides into one validated, frozen Config.
 *
 * Order (later wins): schema defaults ← presets named by `extends` (recursively, depth first) ←
 * the config file (found by cosmiconfig or given with --config) ← `--set key.path=value`.
 * Objects merge key by key; arrays and scalars replace. Each leaf remembers which file set it, so
 * a validation error names the file (and, for YAML, the line).
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { readdirSync } from 'node:fs';
import { cosmiconfig } from 'cosmiconfig';
import { UserError, errorMessage } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import { packageRoot } from '../util/package-root.js';
import { configSchema, EXCLUSIVE_KEY_GROUPS, type Config } from './schema.js';
import { applyOverride, overrideKey, type ConfigOverride } from './overrides.js';
import { formatIssues, type Provenance } from './issues.js';

export const MODULE_NAME = 's3gan';

/** Where cosmiconfig looks, in order, in the working directory. */
export const SEARCH_PLACES = [
  'package.json',
  '.s3ganrc',
  '.s3ganrc.json',
  '.s3ganrc.yaml',
  '.s3ganrc.yml',
  '.s3ganrc.js',
  '.s3ganrc.ts',
  '.s3ganrc.mjs',
  '.s3ganrc.cjs',
  's3gan.config.json',
  's3gan.config.yaml',
  's3gan.config.yml',
  's3gan.config.js',
  's3gan.config.ts',
  's3gan.config.mjs',
  's3gan.config.cjs',
];

function explorer() {
  return cosmiconfig(MODULE_NAME, { searchPlaces: SEARCH_PLACES });
}

export interface LoadConfigOptions {
  /** Explicit config file (the --config flag); when absent cosmiconfig searches `cwd`. */
  readonly configFile?: string;
  /** `key.path=value` strings from --set (or command-flag overrides), applied in order. */
  readonly overrides?: readonly ConfigOverride[];
  /** Directory searched for s3gan.config.*, .s3ganrc*, or a "s3gan" key in package.json. */
  readonly cwd?: string;
  /**
   * A config given as an object (the content a config file would have, `extends` included) instead
   * of a file; errors name it as `source`. Used by the library API; excludes `configFile`.
   */
  readonly content?: { readonly value: Readonly<Record<string, unknown>>; readonly source: string };
}

export interface LoadedConfig {
  readonly config: Config;
  /** Files merged, in order (presets first); empty when only defaults apply. */
  readonly files: readonly string[];
}

type Plain = Record<string, unknown>;

function isPlainObject(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Preset names shipped in configs/ (file names without .yaml). */
export function presetNames(): string[] {
  const dir = join(packageRoot(), 'configs');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => basename(f, '.yaml'))
    .sort();
}

/** A bare name (no slash, no extension) is a preset in configs/; anything else a path relative to `fromDir`. */
function resolveExtends(reference: string, fromDir: string, fromFile: string): string {
  const looksLikePath = reference.includes('/') || reference.includes('\\') || extname(reference) !== '';
  if (!looksLikePath) {
    const preset = join(packageRoot(), 'configs', `${reference}.yaml`);
    if (!existsSync(preset)) {
      throw new UserError(
        `${fromFile}: extends '${reference}': no such preset${didYouMean(reference, presetNames())}; presets: ${presetNames().join(', ')}`,
      );
    }
    return preset;
  }
  const file = isAbsolute(reference) ? reference : resolve(fromDir, reference);
  if (!existsSync(file)) throw new UserError(`${fromFile}: extends '${reference}': file not found (${file})`);
  return file;
}

/** Merges `source` into `target` (mutating it), recording which file set each leaf. */
function mergeInto(target: Plain, source: Plain, origin: string, provenance: Provenance, prefix: string[] = []): void {
  for (const [key, value] of Object.entries(source)) {
    const path = [...prefix, key];
    if (isPlainObject(value)) {
      if (!isPlainObject(target[key])) target[key] = {};
      mergeInto(target[key] as Plain, value, origin, provenance, path);
    } else {
      target[key] = value;
      provenance.set(path.join('.'), origin);
    }
  }
}

/**
 * A parser's error as one line: cosmiconfig's YAML and JSON errors repeat the file name and add a
 * code frame ("> 1 | { broken", "    |   ^"), which the message names by line and column already.
 */
export function parserErrorLine(message: string): string {
  const kept = message
    .replace(/^(YAML|JSON) Error in [^\n]*?:\s*/, '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^>?\s*\d*\s*\|/.test(line) && !/^[-\s^|]+$/.test(line))
    .map((line) => line.replace(/ while parsing '.*$/, ''));
  return [...new Set(kept)].join('; ');
}

async function readConfigFile(file: string): Promise<Plain> {
  let loaded: { config: unknown } | null;
  try {
    loaded = await explorer().load(file);
  } catch (error) {
    throw new UserError(`cannot read config file ${file}: ${parserErrorLine(errorMessage(error))}`);
  }
  const content = loaded?.config ?? {};
  if (!isPlainObject(content)) throw new UserError(`config file ${file}: expected a mapping of sections at the top level`);
  return content;
}

/** Loads `file` and what it extends into `target`, presets first. */
async function mergeFile(file: string, target: Plain, provenance: Provenance, files: string[], chain: string[]): Promise<void> {
  if (chain.includes(file)) throw new UserError(`config 'extends' cycle: ${[...chain, file].join(' → ')}`);
  await mergeContent({ ...(await readConfigFile(file)) }, file, dirname(file), target, provenance, files, [...chain, file]);
  files.push(file);
}

/** Merges a config's `content` (from `origin`, whose relative `extends` paths start at `dir`) into `target`, presets first. */
async function mergeContent(content: Plain, origin: string, dir: string, target: Plain, provenance: Provenance, files: string[], chain: string[]): Promise<void> {
  const parents = content.extends;
  delete content.extends;
  if (parents !== undefined) {
    const list = Array.isArray(parents) ? parents : [parents];
    for (const parent of list) {
      if (typeof parent !== 'string') throw new UserError(`${origin}: extends: expected a preset name or file path`);
      await mergeFile(resolveExtends(parent, dir, origin), target, provenance, files, chain);
    }
  }
  clearExcluded(target, leafKeys(content), provenance);
  mergeInto(target, content, origin, provenance);
}

/** Dotted paths of the leaves of `source` (a config file's content). */
function leafKeys(source: Plain, prefix = ''): string[] {
  return Object.entries(source).flatMap(([key, value]) => (isPlainObject(value) ? leafKeys(value, `${prefix}${key}.`) : [`${prefix}${key}`]));
}

/**
 * Before a source that sets `keys` is applied: removes from `target` the keys that exclude one of
 * them (EXCLUSIVE_KEY_GROUPS) and that an earlier source set, so the later source's choice wins.
 */
function clearExcluded(target: Plain, keys: readonly string[], provenance: Provenance): void {
  for (const group of EXCLUSIVE_KEY_GROUPS) {
    if (!group.some((key) => keys.includes(key))) continue;
    for (const other of group.filter((key) => !keys.includes(key))) {
      const path = other.split('.');
      const parent = path.slice(0, -1).reduce<unknown>((node, key) => (isPlainObject(node) ? node[key] : undefined), target);
      if (isPlainObject(parent)) delete parent[path[path.length - 1]];
      provenance.delete(other);
    }
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** Finds, merges, overrides and validates the configuration. Bad input throws a UserError. */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const cwd = options.cwd ?? process.cwd();
  const raw: Plain = {};
  const provenance: Provenance = new Map();
  const files: string[] = [];

  // 1. The config file: explicit, or found by cosmiconfig in cwd (none when given as an object).
  let file: string | undefined;
  if (options.content !== undefined) {
    if (options.configFile !== undefined) throw new UserError(`${options.content.source}: give a config file or a config object, not both`);
    if (!isPlainObject(options.content.value)) throw new UserError(`${options.content.source}: expected a mapping of sections at the top level`);
  } else if (options.configFile !== undefined) {
    file = resolve(cwd, options.configFile);
    const bareName = !/[\\/]/.test(options.configFile) && extname(options.configFile) === '';
    if (bareName && !existsSync(file)) {
      // `--config quickstart`: a preset shipped in configs/, usable from any directory.
      file = join(packageRoot(), 'configs', `${options.configFile}.yaml`);
      if (!existsSync(file)) {
        throw new UserError(`--config ${options.configFile}: no such file or preset${didYouMean(options.configFile, presetNames())}; presets: ${presetNames().join(', ')}`);
      }
    }
    if (!existsSync(file) || !statSync(file).isFile()) throw new UserError(`--config ${options.configFile}: file not found (${file})`);
  } else {
    try {
      file = (await explorer().search(cwd))?.filepath;
    } catch (error) {
      throw new UserError(`cannot read the config found in ${cwd}: ${errorMessage(error)}`);
    }
  }

  // 2. Presets it extends, then the file itself.
  if (file !== undefined) await mergeFile(file, raw, provenance, files, []);
  else if (options.content !== undefined) await mergeContent(structuredClone({ ...options.content.value }), options.content.source, cwd, raw, provenance, files, []);

  // 3. Command-line overrides (one source: setting both keys of an exclusive group there is an error).
  clearExcluded(raw, (options.overrides ?? []).map(overrideKey), provenance);
  for (const override of options.overrides ?? []) applyOverride(raw, override, configSchema, provenance);

  // 4. Validate once; every default is filled in by the schema.
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new UserError(formatIssues(parsed.error.issues, raw, provenance));
  return { config: deepFreeze(parsed.data), files };
}
