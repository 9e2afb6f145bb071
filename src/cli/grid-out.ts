/**
 * The image format an `--out` flag asks for, by its file extension (PNG, JPEG or WebP); anything
 * else is refused, naming the flag, before any work is done or anything is written.
 */
import * as path from 'node:path';
import { GRID_EXTENSIONS, gridFormatOf, type GridFormat } from '../artifacts/image-grid.js';
import { UserError } from '../util/errors.js';

export function gridOutFormat(out: string): GridFormat {
  const format = gridFormatOf(out);
  if (format !== undefined) return format;
  const ext = path.extname(out);
  const known = Object.keys(GRID_EXTENSIONS).join(', ');
  throw new UserError(`--out ${out}: ${ext === '' ? 'no file extension' : `unknown image extension '${ext}'`}; the format follows the extension: ${known}`);
}
