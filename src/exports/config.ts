/** `s3gan/config`: the one config schema, loading (files, presets, overrides) and hashing. */
export { loadConfig, presetNames, type LoadConfigOptions, type LoadedConfig } from '../config/load.js';
export { configSchema, METHOD_NAMES, BACKEND_NAMES, type Config, type ConfigInput } from '../config/schema.js';
export { configHash } from '../config/hash.js';
export type { ConfigOverride } from '../config/overrides.js';
