/**
 * Experiment files: `configs/experiments/<name>.yaml`, a grid of methods × label fractions × seeds
 * over one base config (`s3gan experiment`):
 *
 *     base: mnist                   # a preset name or config file, as --config takes it
 *     set: [gan.steps=2000]         # overrides for every cell, as --set
 *     methods: [s3gan, cgan-full]   # gan.method of the cells
 *     fractions: [0.01, 0.05]       # labels.fraction of the methods that read a labelled subset
 *     seeds: [0, 1]                 # seed and labels.seed of the cells
 *     overrides:                    # per-cell overrides, matched by method (and fraction, seed)
 *       - { methods: [cgan-few], set: [gan.steps=1000] }
 *     eval: { samples: 10000, metrics: [fid, label-accuracy] }   # the final evaluation of G-EMA
 *
 * Validated when read: a mistake is a UserError naming the file, the line and the key.
 */
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { METHOD_NAMES } from '../config/schema.js';
import { EVAL_METRICS } from '../eval/metric-names.js';
import { locate } from '../stages/pipeline-files.js';
import { errorMessage, UserError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';

const assignment = z.string().regex(/^[^=]+=/, 'expected key=value');
const fraction = z.number().gt(0, 'a label fraction is in (0, 1]').max(1, 'a label fraction is in (0, 1]');
const seed = z.number().int().min(0);

const overrideSchema = z.strictObject({
  /** The cells of these methods (default: every method). */
  methods: z.array(z.string()).min(1).optional(),
  fractions: z.array(fraction).min(1).optional(),
  seeds: z.array(seed).min(1).optional(),
  set: z.array(assignment).min(1),
});

const experimentSchema = z.strictObject({
  base: z.string().min(1),
  set: z.array(assignment).default([]),
  methods: z.array(z.string()).min(1),
  fractions: z.array(fraction).default([]),
  seeds: z.array(seed).min(1).default([0]),
  overrides: z.array(overrideSchema).default([]),
  eval: z
    .strictObject({
      /** Generated (and real) images per metric (eval.samples). */
      samples: z.number().int().positive().optional(),
      /** Metrics of the final evaluation (eval.metrics). */
      metrics: z.array(z.enum(EVAL_METRICS)).min(1).optional(),
    })
    .default({}),
});

export type ExperimentSpec = z.infer<typeof experimentSchema>;
export type CellOverride = z.infer<typeof overrideSchema>;

export interface ExperimentFile {
  /** The file's base name without its extension, e.g. 'label-efficiency-mnist'. */
  readonly name: string;
  readonly file: string;
  /** The file as written (shown in the report). */
  readonly text: string;
  readonly spec: ExperimentSpec;
  /** "<file>, line N: <key>" of a key path, for errors found after parsing (a bad --set in `set`). */
  readonly where: (keyPath: readonly PropertyKey[]) => string;
}

function checkMethods(methods: readonly string[], where: (index: number) => string): void {
  methods.forEach((method, i) => {
    if (!(METHOD_NAMES as readonly string[]).includes(method)) {
      throw new UserError(`${where(i)}: unknown method '${method}'${didYouMean(method, METHOD_NAMES)}; methods: ${METHOD_NAMES.join(', ')}`);
    }
  });
}

/** Reads and validates an experiment file. */
export function readExperimentFile(file: string): ExperimentFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError(`${file}: cannot read the experiment file: ${errorMessage(error)}`);
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new UserError(`${file}: not valid YAML: ${doc.errors[0].message.split('\n')[0]}`);
  const parsed = experimentSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`${locate(file, text, issue.path)}: ${issue.message}`);
  }
  const spec = parsed.data;
  const where = (keyPath: readonly PropertyKey[]) => locate(file, text, keyPath);
  checkMethods(spec.methods, (i) => where(['methods', i]));
  spec.overrides.forEach((override, k) => checkMethods(override.methods ?? [], (i) => where(['overrides', k, 'methods', i])));
  const duplicate = spec.methods.find((m, i) => spec.methods.indexOf(m) !== i);
  if (duplicate !== undefined) throw new UserError(`${where(['methods'])}: '${duplicate}' is listed twice`);
  return { name: basename(file, extname(file)), file, text, spec, where };
}
