/**
 * The difference between two resolved configs as a list of leaf changes ("gan.steps: 2000 → 4000"),
 * which a run's manifest keeps so that every config a run was continued with can be traced.
 * Objects are compared key by key; arrays and scalars are leaves.
 */

/** One changed config key; `from` is absent for a key that was added, `to` for one that was removed. */
export interface ConfigKeyChange {
  /** Dotted key path, e.g. 'gan.steps'. */
  readonly key: string;
  readonly from?: unknown;
  readonly to?: unknown;
}

type Plain = Record<string, unknown>;

function isPlainObject(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` as JSON would store it (undefined fields dropped), so both sides compare alike. */
export function asJson(value: unknown): unknown {
  const text = JSON.stringify(value) as string | undefined;
  return text === undefined ? undefined : (JSON.parse(text) as unknown);
}

function walk(before: unknown, after: unknown, prefix: string, out: ConfigKeyChange[]): void {
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const key of keys) walk(before[key], after[key], prefix === '' ? key : `${prefix}.${key}`, out);
    return;
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return;
  out.push({ key: prefix === '' ? '(all)' : prefix, ...(before === undefined ? {} : { from: before }), ...(after === undefined ? {} : { to: after }) });
}

/** The leaf changes from `before` to `after` (JSON values), sorted by key path. */
export function configChanges(before: unknown, after: unknown): ConfigKeyChange[] {
  const out: ConfigKeyChange[] = [];
  walk(asJson(before), asJson(after), '', out);
  return out;
}
