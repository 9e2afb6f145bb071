/**
 * A synthetic experiment for the results writers: s3gan and cgan-few at 1 % and 5 % of the labels
 * with seeds 0 and 1, cgan-full on all labels (seeds 0 and 1), and gan (no labels, seed 0 only).
 * The numbers are chosen so that means and sample stds are easy to work out by hand; the sample
 * grids and resolved configs are real files under the output folder.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import type { CellResult, ExperimentResults, SharedStageResult } from '../../src/experiment/cell-result.js';

interface CellSpec {
  readonly method: string;
  readonly labelFraction: number | null;
  readonly seed: number;
  readonly fid: number;
  readonly labelAccuracy?: number;
  readonly pseudoLabelAccuracy?: number;
  readonly wallSeconds: number;
}

export const CELL_SPECS: readonly CellSpec[] = [
  { method: 's3gan', labelFraction: 0.01, seed: 0, fid: 20, labelAccuracy: 0.8, pseudoLabelAccuracy: 0.7, wallSeconds: 100 },
  { method: 's3gan', labelFraction: 0.01, seed: 1, fid: 24, labelAccuracy: 0.9, pseudoLabelAccuracy: 0.8, wallSeconds: 110 },
  { method: 's3gan', labelFraction: 0.05, seed: 0, fid: 15, labelAccuracy: 0.9, pseudoLabelAccuracy: 0.9, wallSeconds: 120 },
  { method: 's3gan', labelFraction: 0.05, seed: 1, fid: 17, labelAccuracy: 0.94, pseudoLabelAccuracy: 0.92, wallSeconds: 130 },
  { method: 'cgan-few', labelFraction: 0.01, seed: 0, fid: 40, labelAccuracy: 0.3, wallSeconds: 50 },
  { method: 'cgan-few', labelFraction: 0.01, seed: 1, fid: 50, labelAccuracy: 0.5, wallSeconds: 51 },
  { method: 'cgan-few', labelFraction: 0.05, seed: 0, fid: 30, labelAccuracy: 0.6, wallSeconds: 52 },
  { method: 'cgan-few', labelFraction: 0.05, seed: 1, fid: 36, labelAccuracy: 0.64, wallSeconds: 53 },
  { method: 'cgan-full', labelFraction: 1, seed: 0, fid: 10, labelAccuracy: 0.97, wallSeconds: 60 },
  { method: 'cgan-full', labelFraction: 1, seed: 1, fid: 13, labelAccuracy: 0.99, wallSeconds: 61.25 },
  { method: 'gan', labelFraction: null, seed: 0, fid: 35, wallSeconds: 40 },
];

export function cellId(spec: Pick<CellSpec, 'method' | 'labelFraction' | 'seed'>): string {
  const fraction = spec.labelFraction === null ? 'none' : spec.labelFraction === 1 ? 'all' : `f${spec.labelFraction}`;
  return `${spec.method}-${fraction}-s${spec.seed}`;
}

/** The experiment config as written; markup in it must reach the page as text. */
export const CONFIG_TEXT = 'name: label-efficiency-test\n# <b>not bold</b> & <script>no script</script>\nmethods: [s3gan, cgan-few, cgan-full, gan]\n';

/** Writes the cells' sample grids (8×8 PNGs) and resolved configs under `outDir`; returns the results. */
export async function writeFixture(outDir: string): Promise<ExperimentResults> {
  const cells: CellResult[] = [];
  for (const [k, spec] of CELL_SPECS.entries()) {
    const id = cellId(spec);
    const runDir = `cells/${id}`;
    mkdirSync(path.join(outDir, runDir, 'gan', 'samples'), { recursive: true });
    const grid = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 20 * k, g: 100, b: 200 } } }).png().toBuffer();
    // One file name that must be URL-encoded in the page ('#' would start a fragment).
    const gridName = k === 0 ? 'final #1.png' : 'final.png';
    writeFileSync(path.join(outDir, runDir, 'gan', 'samples', gridName), grid);
    writeFileSync(path.join(outDir, runDir, 'resolved-config.json'), JSON.stringify({ gan: { method: spec.method }, seed: spec.seed }));
    const metrics: Record<string, number> = { fid: spec.fid };
    if (spec.labelAccuracy !== undefined) metrics['label-accuracy'] = spec.labelAccuracy;
    cells.push({
      id,
      method: spec.method,
      labelFraction: spec.labelFraction,
      seed: spec.seed,
      runDir,
      metrics,
      ...(spec.pseudoLabelAccuracy === undefined ? {} : { pseudoLabelAccuracy: spec.pseudoLabelAccuracy }),
      wallSeconds: spec.wallSeconds,
      // FID falls towards the final value; label accuracy rises towards it.
      curve: [0, 100, 200].map((step) => ({
        step,
        fid: spec.fid + (200 - step) / 2,
        ...(spec.labelAccuracy === undefined ? {} : { labelAccuracy: spec.labelAccuracy * (0.5 + step / 400) }),
      })),
      sampleGrid: `${runDir}/gan/samples/${gridName}`,
      configFile: `${runDir}/resolved-config.json`,
    });
  }
  const s3ganCells = cells.filter((c) => c.method === 's3gan');
  const shared: SharedStageResult[] = [
    { stage: 'pretrain', hash: 'a1b2c3', runDir: 'shared/pretrain-a1b2c3', wallSeconds: 300, cells: s3ganCells.filter((c) => c.seed === 0).map((c) => c.id), accuracy: 0.95 },
    { stage: 'pretrain', hash: 'd4e5f6', runDir: 'shared/pretrain-d4e5f6', wallSeconds: 310, cells: s3ganCells.filter((c) => c.seed === 1).map((c) => c.id), accuracy: 0.96 },
    ...s3ganCells.map((c) => ({
      stage: 'pseudo-label',
      hash: `p-${c.id}`,
      runDir: `shared/pseudo-label-${c.id}`,
      wallSeconds: 10,
      cells: [c.id],
      accuracy: c.pseudoLabelAccuracy,
    })),
  ];
  return { name: 'label-efficiency-test', command: 's3gan experiment --config configs/experiments/label-efficiency-test.yaml --out "runs/exp one"', configText: CONFIG_TEXT, cells, shared };
}
