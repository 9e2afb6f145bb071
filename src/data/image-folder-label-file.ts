/**
 * The label file a user gives with a flat image folder (data.labelFile): which image has which
 * class. Not to be confused with a run's pseudo-labels (pseudo-labels-file.ts). Two formats, told
 * apart by the extension:
 *   - CSV (`.csv`): a header `file,label`, then one `<file>,<label>` row per labelled image;
 *     fields may be double-quoted ("a,b.png"), blank lines are ignored.
 *   - JSON (`.json`): either `{"<file>": "<label>", …}` or
 *     `{"classes": ["<label>", …], "labels": {"<file>": "<label>", …}}`, the second fixing the
 *     class order.
 * `<file>` is the image's path relative to the image folder, with '/' separators.
 * Only the syntax is checked here; image-folder.ts checks the entries against the folder.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { UserError, errorMessage } from '../util/errors.js';

export interface LabelEntry {
  /** Image path relative to the folder, '/'-separated, as written in the file (normalised). */
  readonly file: string;
  readonly label: string;
  /** 1-based line in the label file, for messages (undefined when it cannot be located). */
  readonly line?: number;
}

export interface LabelFile {
  /** Absolute path of the label file. */
  readonly path: string;
  readonly entries: readonly LabelEntry[];
  /** Class order declared by the file itself (JSON `classes`), when it declares one. */
  readonly classes?: readonly string[];
}

/** "<file>, line N" or "<file>" for messages about one entry. */
export function entryLocation(labelFile: LabelFile, entry: LabelEntry): string {
  return entry.line === undefined ? `${labelFile.path}, entry "${entry.file}"` : `${labelFile.path}, line ${entry.line}`;
}

/**
 * Checks that the label file has an accepted extension and exists, with the same messages as
 * readLabelFile: the decode cache stats every source before reading, and must not pre-empt them.
 */
export async function checkLabelFile(file: string): Promise<string> {
  const absolute = labelFilePath(file);
  await stat(absolute).catch((error: unknown) => {
    throw labelFileReadError(absolute, error);
  });
  return absolute;
}

/** Reads and parses a label file, choosing the format by its extension. */
export async function readLabelFile(file: string): Promise<LabelFile> {
  const absolute = labelFilePath(file);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    throw labelFileReadError(absolute, error);
  }
  // Spreadsheet exports often start with a byte-order mark, which is not part of the header.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return path.extname(absolute).toLowerCase() === '.csv' ? parseLabelCsv(text, absolute) : parseLabelJson(text, absolute);
}

/** The absolute path of a label file whose extension names one of the two formats. */
function labelFilePath(file: string): string {
  const absolute = path.resolve(file);
  const ext = path.extname(absolute).toLowerCase();
  if (ext !== '.csv' && ext !== '.json') {
    throw new UserError(`data.labelFile ${absolute}: expected a .csv or .json file`);
  }
  return absolute;
}

function labelFileReadError(absolute: string, error: unknown): UserError {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new UserError(`data.labelFile not found: ${absolute}`);
  return new UserError(`cannot read data.labelFile ${absolute}: ${errorMessage(error)}`);
}

/** Parses CSV text with a `file,label` header. `file` names the source in messages. */
export function parseLabelCsv(text: string, file: string): LabelFile {
  const lines = text.split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? '', file, 1).map((f) => f.trim().toLowerCase());
  if (header.length !== 2 || header[0] !== 'file' || header[1] !== 'label') {
    throw new UserError(`${file}, line 1: expected the header "file,label", found "${lines[0] ?? ''}"`);
  }
  const entries: LabelEntry[] = [];
  const seen = new Map<string, number>();
  for (let i = 1; i < lines.length; i++) {
    const line = i + 1;
    if (lines[i].trim() === '') continue;
    const fields = splitCsvLine(lines[i], file, line);
    if (fields.length !== 2) {
      throw new UserError(`${file}, line ${line}: expected 2 fields (file,label), found ${fields.length}`);
    }
    const entry = makeEntry(fields[0].trim(), fields[1].trim(), line, file, `line ${line}`);
    const previous = seen.get(entry.file);
    if (previous !== undefined) {
      throw new UserError(`${file}, line ${line}: image '${entry.file}' is already labelled on line ${previous}`);
    }
    seen.set(entry.file, line);
    entries.push(entry);
  }
  return { path: file, entries };
}

/** Parses JSON text in either accepted shape. `file` names the source in messages. */
export function parseLabelJson(text: string, file: string): LabelFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${file}: invalid JSON: ${errorMessage(error)}`);
  }
  rejectDuplicateKeys(text, file);
  if (!isPlainObject(parsed)) throw new UserError(`${file}: expected a JSON object of "<file>": "<label>" pairs`);
  let mapping: Record<string, unknown> = parsed;
  let classes: string[] | undefined;
  // Where the file → label pairs start in the text, so line numbers point at the right key.
  let searchFrom = 0;
  if ('labels' in parsed || 'classes' in parsed) {
    const { labels, classes: declared, ...rest } = parsed;
    const extra = Object.keys(rest);
    if (extra.length > 0) throw new UserError(`${file}: unexpected key "${extra[0]}" beside "classes" and "labels"`);
    if (!isPlainObject(labels)) throw new UserError(`${file}: "labels" must be an object of "<file>": "<label>" pairs`);
    if (declared !== undefined) {
      if (!Array.isArray(declared) || !declared.every((c) => typeof c === 'string' && c.length > 0)) {
        throw new UserError(`${file}: "classes" must be an array of non-empty strings`);
      }
      if (new Set(declared).size !== declared.length) throw new UserError(`${file}: "classes" lists a class twice`);
      classes = declared as string[];
    }
    mapping = labels;
    searchFrom = Math.max(0, text.indexOf('"labels"'));
  }
  const lines = new LineIndex(text);
  // Keys come back in file order (bar integer-like ones), so each search starts after the last hit.
  let cursor = searchFrom;
  const entries = Object.entries(mapping).map(([key, value]) => {
    const needle = JSON.stringify(key);
    let at = text.indexOf(needle, cursor);
    if (at < 0) at = text.indexOf(needle, searchFrom);
    if (at >= 0) cursor = at + needle.length;
    const line = at < 0 ? undefined : lines.lineAt(at);
    const where = line === undefined ? `entry "${key}"` : `line ${line}`;
    if (typeof value !== 'string') {
      throw new UserError(`${file}, ${where}: the label of '${key}' must be a string, found ${JSON.stringify(value)}`);
    }
    return makeEntry(key, value, line, file, where);
  });
  return { path: file, entries, classes };
}

/**
 * JSON.parse keeps the last of two equal keys without a word, so an image labelled twice would
 * silently lose one label. The yaml parser (JSON is YAML 1.2) reports duplicates with positions.
 */
function rejectDuplicateKeys(text: string, file: string): void {
  const duplicate = parseDocument(text, { uniqueKeys: true }).errors.find((e) => e.code === 'DUPLICATE_KEY');
  if (duplicate === undefined) return;
  const [start] = duplicate.pos;
  const line = new LineIndex(text).lineAt(start);
  throw new UserError(`${file}, line ${line}: key ${jsonStringAt(text, start)} appears twice (JSON keeps only the last); remove one`);
}

/** The JSON string literal starting at `start` (its source text when it does not parse). */
function jsonStringAt(text: string, start: number): string {
  let end = start + 1;
  while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
  const literal = text.slice(start, end + 1);
  try {
    return JSON.stringify(JSON.parse(literal));
  } catch {
    return literal;
  }
}

function makeEntry(rawFile: string, label: string, line: number | undefined, file: string, where: string): LabelEntry {
  if (rawFile === '') throw new UserError(`${file}, ${where}: empty file name`);
  if (label === '') throw new UserError(`${file}, ${where}: empty label for '${rawFile}' (leave unlabelled images out)`);
  const normalised = path.posix.normalize(rawFile).replace(/^\.\//, '');
  if (normalised.startsWith('../') || path.posix.isAbsolute(normalised)) {
    throw new UserError(`${file}, ${where}: '${rawFile}' must be a path inside the image folder`);
  }
  return { file: normalised, label, line };
}

/** Splits one CSV line, honouring double quotes ("" inside quotes is a literal quote). */
function splitCsvLine(text: string, file: string, line: number): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        field += ch;
      }
    } else if (ch === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (ch === ',') {
      fields.push(field);
      field = '';
    } else {
      field += ch;
    }
  }
  if (quoted) throw new UserError(`${file}, line ${line}: unterminated quoted field`);
  fields.push(field);
  return fields;
}

/** Maps character offsets to 1-based line numbers by binary search over the line starts. */
class LineIndex {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }
  lineAt(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
