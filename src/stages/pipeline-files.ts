/**
 * Pipelines as data: `pipelines/<name>.yaml` in the package root (found as configs/ presets are),
 * one file per pipeline, naming its stages from the stage registry (stage-registry.ts):
 *
 *     # why this pipeline exists (comments are free)
 *     name: s3gan                          # the file's own name, without .yaml
 *     summary: pretrain → pseudo-label → conditional GAN with rotation losses
 *     methods: [s3gan]                     # gan.method values this pipeline trains
 *     stages: [pretrain, pseudo-label, gan]
 *     overrides: [pseudoLabel.source=kmeans]   # optional: config under the user's own, as --set
 *     selectedBy: finetune                 # optional: a config that sets this key runs this pipeline,
 *                                          # whatever its method (methods may then be [])
 *
 * Every file is validated when read: a mistake is a UserError naming the file and the key. A method
 * belongs to at most one pipeline.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { METHOD_NAMES } from '../config/schema.js';
import { errorMessage, UserError } from '../util/errors.js';
import { packageRoot } from '../util/package-root.js';
import { didYouMean } from '../util/suggest.js';
import { definePipeline, type Pipeline } from './pipeline.js';
import { getStage } from './stage-registry.js';

/** The directory of the shipped pipeline files. */
export function pipelinesDir(): string {
  return join(packageRoot(), 'pipelines');
}

const pipelineFileSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a kebab-case name'),
  summary: z.string().min(1),
  methods: z.array(z.string()),
  stages: z.array(z.string()).min(1),
  overrides: z.array(z.string().regex(/^[^=]+=/, 'expected key=value')).optional(),
  selectedBy: z.string().regex(/^[A-Za-z][\w.]*$/, 'expected a config key').optional(),
});

/** "<file>, line N: <key>" for a key path in a YAML document, or "<file>: <key>" when it has no line. */
export function locate(file: string, text: string, keyPath: readonly PropertyKey[]): string {
  const key = keyPath.map(String).join('.');
  const lineCounter = new LineCounter();
  const node = parseDocument(text, { lineCounter }).getIn(keyPath as unknown[], true) as { range?: [number, number, number] } | undefined;
  const at = node?.range === undefined ? '' : `, line ${lineCounter.linePos(node.range[0]).line}`;
  return `${file}${at}: ${key === '' ? '(document)' : key}`;
}

/** Reads and validates one pipeline file; its stage names resolve through the stage registry. */
export function readPipelineFile(file: string): Pipeline {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError(`${file}: cannot read the pipeline file: ${errorMessage(error)}`);
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new UserError(`${file}: not valid YAML: ${doc.errors[0].message.split('\n')[0]}`);
  const parsed = pipelineFileSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`${locate(file, text, issue.path)}: ${issue.message}`);
  }
  const content = parsed.data;
  if (content.methods.length === 0 && content.selectedBy === undefined) throw new UserError(`${locate(file, text, ['methods'])}: name at least one method (or a selectedBy key)`);
  const own = basename(file, '.yaml');
  if (content.name !== own) throw new UserError(`${locate(file, text, ['name'])}: '${content.name}' must be the file's name, '${own}'`);
  content.methods.forEach((method, i) => {
    if (!(METHOD_NAMES as readonly string[]).includes(method)) {
      throw new UserError(`${locate(file, text, ['methods', i])}: unknown method '${method}'${didYouMean(method, METHOD_NAMES)}; methods: ${METHOD_NAMES.join(', ')}`);
    }
  });
  const stages = content.stages.map((name, i) => getStage(name, locate(file, text, ['stages', i])));
  return definePipeline({
    name: content.name,
    summary: content.summary,
    methods: content.methods as Pipeline['methods'],
    stages,
    ...(content.overrides === undefined ? {} : { overrides: content.overrides }),
    ...(content.selectedBy === undefined ? {} : { selectedBy: content.selectedBy }),
  });
}

/** Every pipeline in `dir` (default: the shipped pipelines/), by file name; a method claimed by two is a UserError. */
export function listPipelines(dir: string = pipelinesDir()): Pipeline[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
  const pipelines = files.map((f) => readPipelineFile(join(dir, f)));
  const owner = new Map<string, string>();
  for (const pipeline of pipelines) {
    for (const method of pipeline.methods) {
      const other = owner.get(method);
      if (other !== undefined) throw new UserError(`${join(dir, `${pipeline.name}.yaml`)}: methods: '${method}' is already trained by ${join(dir, `${other}.yaml`)}`);
      owner.set(method, pipeline.name);
    }
  }
  return pipelines;
}

/** Whether `config` sets the dotted `key` (an empty list counts as unset). */
function setsKey(config: unknown, key: string): boolean {
  let value: unknown = config;
  for (const part of key.split('.')) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[part] : undefined;
  return value !== undefined && !(Array.isArray(value) && value.length === 0);
}

/**
 * The pipeline whose methods include `method` (gan.method); with `config`, first a pipeline whose
 * selectedBy key the config sets (e.g. the finetune pipeline for a config with a finetune section).
 */
export function pipelineFor(method: string, pipelines: readonly Pipeline[] = listPipelines(), config?: unknown): Pipeline {
  const selected = config === undefined ? undefined : pipelines.find((p) => p.selectedBy !== undefined && setsKey(config, p.selectedBy));
  if (selected !== undefined) return selected;
  const pipeline = pipelines.find((p) => (p.methods as readonly string[]).includes(method));
  if (pipeline === undefined) throw new UserError(`no pipeline trains method '${method}' (gan.method); methods: ${pipelines.flatMap((p) => p.methods).join(', ')}`);
  return pipeline;
}
