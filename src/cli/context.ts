/**
 * What every command shares: the global flags (--config, --set, --dry-run) turned into one
 * validated Config, and the process-level error policy (UserError → message only, exit code 2).
 */
import type { Command } from 'commander';
import { runConfigFile } from '../api/options.js';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import type { ConfigOverride } from '../config/overrides.js';

export interface GlobalFlags {
  readonly config?: string;
  readonly set: string[];
  readonly dryRun: boolean;
}

/**
 * The global flags of `command`. They may be given before or after the subcommand's name, so
 * each level of the chain parsed some: --set values are joined root first, the innermost
 * --config wins, and --dry-run anywhere counts.
 */
export function globalFlags(command: Command): GlobalFlags {
  const chain: Command[] = [];
  for (let c: Command | null = command; c !== null; c = c.parent) chain.unshift(c);
  let config: string | undefined;
  const set: string[] = [];
  let dryRun = false;
  for (const level of chain) {
    const flags = level.opts<{ config?: string; set?: string[]; dryRun?: boolean }>();
    if (flags.config !== undefined) config = flags.config;
    set.push(...(flags.set ?? []));
    dryRun ||= flags.dryRun === true;
  }
  return { config, set, dryRun };
}

/**
 * Loads the config for a command. `extraOverrides` are command flags that stand for config keys
 * (e.g. `data inspect fashion-mnist` is `--set data.name=fashion-mnist`); explicit --set wins over them.
 * `runDir` (a --run flag): without --config, an existing run continues with the config it was
 * started with (its resolved-config.json), so `s3gan train --run DIR` needs no other flag.
 */
export async function commandConfig(command: Command, extraOverrides: readonly ConfigOverride[] = [], runDir?: string): Promise<LoadedConfig> {
  const flags = globalFlags(command);
  const configFile = flags.config ?? runConfigFile(runDir);
  return loadConfig({ configFile, overrides: [...extraOverrides, ...flags.set] });
}

/** Accumulates a repeatable option's values. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Writes a line to stdout (results) — diagnostics and progress go to stderr. */
export function print(line = ''): void {
  process.stdout.write(line + '\n');
}

/** 60000 → "60,000". */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
