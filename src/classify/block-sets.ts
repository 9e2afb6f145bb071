/**
 * Which encoder blocks feed the stage-2 classifier (docs/ALGORITHMS.md § Linear classifier): one
 * block, or several whose pooled features are concatenated. Adjacent blocks see the image at two
 * scales; on Fashion-MNIST, blocks 1 and 2 together classify better than either alone
 * (docs/recipes.md § Fashion-MNIST pseudo-labels).
 */
import type { FeatureMatrix } from '../metrics/feature-matrix.js';
import { UserError } from '../util/errors.js';

/** Encoder block indices in ascending order, at least one. */
export type BlockSet = readonly number[];

/** How `pseudoLabel.block: auto` builds its candidates (pseudoLabel.autoBlocks). */
export type AutoBlocks = 'single' | 'adjacent-pairs';

/** The candidate block sets that cross-validation compares, in the order it reports them. */
export function autoBlockSets(mode: AutoBlocks, blockCount: number): BlockSet[] {
  const singles = Array.from({ length: blockCount }, (_, k) => [k]);
  if (mode === 'single') return singles;
  const pairs = Array.from({ length: blockCount - 1 }, (_, k) => [k, k + 1]);
  return [...singles, ...pairs];
}

/** The configured `pseudoLabel.block` as a block set, checked against the encoder's blocks. */
function configuredBlockSet(block: number | readonly number[], blockCount: number): BlockSet {
  const blocks = typeof block === 'number' ? [block] : [...block];
  const shown = typeof block === 'number' ? String(block) : `[${block.join(', ')}]`;
  for (const k of blocks) {
    if (k >= blockCount) throw new UserError(`pseudoLabel.block is ${shown}, but the encoder has blocks 0..${blockCount - 1} (or auto)`);
  }
  if (new Set(blocks).size !== blocks.length) throw new UserError(`pseudoLabel.block is ${shown}, which lists a block twice`);
  return blocks.sort((a, b) => a - b);
}

/**
 * The blocks `pseudoLabel` fixes (null for auto), checked: each exists, none twice, and one block
 * only for the s4l classifier, whose class head sits on a single block.
 */
export function configuredBlocks(
  settings: { readonly block: 'auto' | number | readonly number[]; readonly source: string; readonly classifier: string },
  blockCount: number,
): BlockSet | null {
  if (settings.block === 'auto') return null;
  const blocks = configuredBlockSet(settings.block, blockCount);
  if (blocks.length > 1 && settings.source === 'classifier' && settings.classifier === 's4l') {
    throw new UserError(`pseudoLabel.block lists ${blocks.length} blocks, but the s4l classifier puts its head on one block: give one block, or auto`);
  }
  return blocks;
}

/** '2' for one block, '1+2' for several: how reports and logs name a block set. */
export function blockSetName(blocks: BlockSet): string {
  return blocks.join('+');
}

/** 'block 2' or 'blocks 1+2' (in ascending order): how logs, plans and reports name blocks. */
export function blocksPhrase(block: number | readonly number[]): string {
  if (typeof block === 'number') return `block ${block}`;
  const blocks = [...block].sort((a, b) => a - b);
  return `${blocks.length === 1 ? 'block' : 'blocks'} ${blockSetName(blocks)}`;
}

/** The value a report records: the block's index, or the list when there are several. */
export function blockSetValue(blocks: BlockSet): number | number[] {
  return blocks.length === 1 ? blocks[0] : [...blocks];
}

/** Row-wise concatenation of matrices with the same rows: [n, Σ d_k]. One matrix is returned as is. */
export function concatColumns(parts: readonly FeatureMatrix[]): FeatureMatrix {
  if (parts.length === 1) return parts[0];
  const rows = parts[0].rows;
  for (const part of parts) if (part.rows !== rows) throw new Error(`concatColumns: ${part.rows} rows where ${rows} were expected`);
  const cols = parts.reduce((sum, part) => sum + part.cols, 0);
  const data = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let offset = r * cols;
    for (const part of parts) {
      data.set(part.data.subarray(r * part.cols, (r + 1) * part.cols), offset);
      offset += part.cols;
    }
  }
  return { rows, cols, data };
}
