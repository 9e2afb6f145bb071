/**
 * Reading a JSON artifact through its schema: a missing, unparsable or malformed file is a UserError
 * that names the file, what it is, and (when malformed) the first offending field.
 */
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { errorMessage, UserError } from '../util/errors.js';

/**
 * The content of `file` validated by `schema`. `what` names the artifact in messages ("checkpoint
 * state"); `readHint` is appended when the file cannot be read (e.g. which command makes it).
 */
export async function readJsonFile<S extends z.ZodType>(file: string, schema: S, what: string, readHint = ''): Promise<z.output<S>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new UserError(`cannot read ${what} ${file}: ${errorMessage(error)}${readHint}`);
  }
  const result = schema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new UserError(`${what} ${file} is malformed: ${issue.path.join('.')}: ${issue.message}`);
  }
  return result.data;
}
