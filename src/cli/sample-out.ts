/**
 * What `s3gan sample --out` writes, by the form of its value: a grid image (.png, .jpg/.jpeg,
 * .webp), an array file (.npy: uint8 [n, height, width, channels]), or a folder of PNGs (a path
 * ending in '/', or an existing folder). Checked before any work is done or anything is written.
 */
import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { GRID_EXTENSIONS, gridFormatOf, type GridFormat } from '../artifacts/image-grid.js';
import { UserError } from '../util/errors.js';

export type SampleOut = { readonly kind: 'grid'; readonly format: GridFormat } | { readonly kind: 'npy' } | { readonly kind: 'png-dir' };

/** The extension of array files. */
export const NPY_EXTENSION = '.npy';

function isDirectory(target: string): boolean {
  try {
    return statSync(target).isDirectory();
  } catch {
    return false;
  }
}

/** The output `out` asks for; a UserError naming --out when it asks for none. */
export function sampleOut(out: string): SampleOut {
  if (out.endsWith('/') || out.endsWith(path.sep) || isDirectory(out)) {
    checkOutFolder(out);
    return { kind: 'png-dir' };
  }
  const ext = path.extname(out);
  if (ext.toLowerCase() === NPY_EXTENSION) return { kind: 'npy' };
  const format = gridFormatOf(out);
  if (format !== undefined) return { kind: 'grid', format };
  const grids = Object.keys(GRID_EXTENSIONS).join(', ');
  throw new UserError(
    `--out ${out}: ${ext === '' ? 'no file extension' : `unknown extension '${ext}'`}; the format follows the extension: ${grids} (a grid), ${NPY_EXTENSION} (an array), or a trailing / (a folder of PNGs)`,
  );
}

/** A folder of PNGs is written new: an existing folder must be empty, so that nothing is overwritten. */
function checkOutFolder(out: string): void {
  let entries: string[];
  try {
    entries = readdirSync(out);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT') return;
    if (code === 'ENOTDIR') throw new UserError(`--out ${out}: a file of that name exists; a folder of PNGs needs a new or empty folder`);
    throw error;
  }
  if (entries.length > 0) throw new UserError(`--out ${out}: the folder exists and is not empty (${entries.length} entries); choose a new or empty folder`);
}
