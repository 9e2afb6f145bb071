/**
 * What the functions of the library API share: options that choose the config (a file, a preset or
 * an object, then `set` overrides, as --config and --set do on the command line), where lines and
 * progress go, and stopping through an AbortSignal.
 */
import { existsSync } from 'node:fs';
import type { BackendRequest } from '../backend/select.js';
import { loadConfig } from '../config/load.js';
import type { ConfigOverride } from '../config/overrides.js';
import type { Config, ConfigInput } from '../config/schema.js';
import type { StageStartHooks } from '../stages/stage-start.js';
import { UserError } from '../util/errors.js';
import type { StopRequest } from '../util/interrupt.js';
import { SILENT_PROGRESS, type ProgressStream } from '../util/progress.js';
import { RESOLVED_CONFIG_FILE, runPath } from '../artifacts/run-layout.js';

/** A config value as `set` takes it: what `--set key=value` would type, or the value itself. */
export type SettingValue = string | number | boolean | readonly (string | number | boolean)[];

/** A config given as an object: a config file's content, `extends` (preset names or paths) included. */
export type ConfigObject = ConfigInput & { readonly extends?: string | readonly string[] };

export interface ConfigOptions {
  /**
   * A config file, a preset name shipped in configs/ (e.g. 'quickstart'), or a config object.
   * Default: for an existing run directory, the config it was started with (its
   * resolved-config.json); otherwise s3gan.config.* or .s3ganrc* found in the working directory.
   */
  readonly config?: string | ConfigObject;
  /** Overrides by dotted key, applied last, as `--set`: `{ 'gan.steps': 2000, 'labels.fraction': 0.01 }`. */
  readonly set?: Readonly<Record<string, SettingValue>>;
  /** Compute backend (backend.name); default from the config, i.e. 'auto': the fastest that loads. */
  readonly backend?: BackendRequest;
  /** CPU threads for the native kernels (backend.threads; 0 = all cores). */
  readonly threads?: number;
}

export interface OutputOptions {
  /** Lines for people (the plan, the backend, what each stage did). Default: none. */
  readonly log?: (line: string) => void;
  /** Where progress bars go, e.g. process.stderr (a terminal gets a live bar, anything else plain lines). Default: none. */
  readonly progress?: ProgressStream;
}

/** Turns `set` into overrides whose errors name the key as the user wrote it (`set['gan.steps']`). */
export function setOverrides(set: Readonly<Record<string, SettingValue>> = {}): ConfigOverride[] {
  return Object.entries(set).map(([key, value]) => settingOverride(`set['${key}']`, key, value));
}

/** The override of `key` by an option named `option` (e.g. 'steps'). */
export function settingOverride(option: string, key: string, value: SettingValue): ConfigOverride {
  const text = typeof value === 'string' ? value : Array.isArray(value) ? JSON.stringify(value) : String(value);
  return { assignment: `${key}=${text}`, flag: option, value: text };
}

/** The overrides of the options that stand for one config key each; undefined ones are left out. */
export function optionOverrides(options: Readonly<Record<string, [key: string, value: SettingValue | undefined]>>): ConfigOverride[] {
  return Object.entries(options).flatMap(([option, [key, value]]) => (value === undefined ? [] : [settingOverride(option, key, value)]));
}

/**
 * The validated config of `options`, with `extra` overrides under `set` (so `set` wins). Without a
 * `config`, an existing run directory `runDir` continues with the config it was started with.
 */
export async function resolveConfig(options: ConfigOptions, extra: readonly ConfigOverride[] = [], runDir?: string): Promise<Config> {
  const overrides = [
    ...extra,
    ...optionOverrides({ backend: ['backend.name', options.backend], threads: ['backend.threads', options.threads] }),
    ...setOverrides(options.set),
  ];
  const source = options.config;
  if (source !== undefined && typeof source !== 'string') {
    return (await loadConfig({ content: { value: source as Record<string, unknown>, source: 'config' }, overrides })).config;
  }
  return (await loadConfig({ configFile: source ?? runConfigFile(runDir), overrides })).config;
}

/** The resolved-config.json of run directory `runDir`, when there is one. */
export function runConfigFile(runDir: string | undefined): string | undefined {
  const file = runDir === undefined ? undefined : runPath(runDir, RESOLVED_CONFIG_FILE);
  return file !== undefined && existsSync(file) ? file : undefined;
}

/** The stage hooks of `options`: silent unless the caller asked for lines or progress. */
export function outputHooks(options: OutputOptions): Required<StageStartHooks> {
  return { log: options.log ?? (() => undefined), progressStream: options.progress ?? SILENT_PROGRESS };
}

/**
 * A training loop's StopRequest from an AbortSignal: once aborted, training finishes its step,
 * writes a checkpoint and rejects with an InterruptedError, as on Ctrl-C (reported as SIGINT).
 */
export function abortStopRequest(signal: AbortSignal | undefined): StopRequest | undefined {
  if (signal === undefined) return undefined;
  return {
    get requested() {
      return signal.aborted ? 'SIGINT' : undefined;
    },
    listen: () => () => undefined,
  };
}

/** Requires a run directory option (a path). */
export function requireRunDir(run: unknown, option = 'run'): string {
  if (typeof run !== 'string' || run === '') throw new UserError(`${option}: expected the path of a run directory, got ${JSON.stringify(run)}`);
  return run;
}
