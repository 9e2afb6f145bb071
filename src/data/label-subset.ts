/**
 * The labelled subset: which training images keep their label. Every method of an experiment
 * reads the same subset (written to the run directory as image ids), and for one seed the subsets
 * of different budgets are nested (1% ⊂ 5% ⊂ 10%), so label-efficiency curves compare like with like.
 *
 * How nesting is guaranteed: within each class the images are put in a fixed order (sorted by id,
 * so the order does not depend on how the files were read), shuffled by a generator seeded with
 * (seed, class), and a budget takes a prefix of that order. A larger budget takes a longer prefix.
 */
import { UserError } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import { UNLABELLED, type ImageSplit } from './types.js';

/**
 * - fraction f (0 < f ≤ 1): the same number of images from every class, round(f · N / K) for N
 *   labelled images in K classes (1% of MNIST: 60 per class, 600 in all). A class with fewer
 *   images than that gives all it has. f = 1 keeps every label.
 * - perClass k: exactly k images of every class (an error if a class has fewer).
 */
export type LabelBudget = { readonly fraction: number } | { readonly perClass: number };

export interface LabelledSubset {
  readonly seed: number;
  readonly budget: LabelBudget;
  /** Indices into the split, ascending. */
  readonly indices: Int32Array;
  /** Image ids, in the order of `indices`. */
  readonly ids: readonly string[];
  /** True class of each chosen image, in the order of `indices`. */
  readonly labels: Int32Array;
  /** Chosen images per class. */
  readonly countPerClass: readonly number[];
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Labelled images of each class, in the seeded order every budget takes a prefix of. */
export function classOrders(split: ImageSplit, numClasses: number, seed: number): Int32Array[] {
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < split.labels.length; i++) {
    const label = split.labels[i];
    if (label === UNLABELLED) continue;
    if (label < 0 || label >= numClasses) throw new Error(`internal invariant failed: label ${label} of ${split.ids[i]} outside 0..${numClasses - 1}`);
    byClass[label].push(i);
  }
  return byClass.map((members, c) => {
    members.sort((a, b) => compareIds(split.ids[a], split.ids[b]));
    const order = Int32Array.from(members);
    return new Rng(seed, c + 1).shuffle(order) as Int32Array;
  });
}

/** Images per class a budget asks for (before capping at a class's size); bad budgets are UserErrors. */
function perClassTarget(budget: LabelBudget, labelledCount: number, numClasses: number): number {
  if ('fraction' in budget) {
    const f = budget.fraction;
    if (!(f > 0 && f <= 1)) throw new UserError(`labels.fraction must be > 0 and ≤ 1, got ${f}`);
    if (f === 1) return Infinity;
    const target = Math.round((f * labelledCount) / numClasses);
    if (target < 1) {
      throw new UserError(`labels.fraction=${f} gives less than one image per class (${labelledCount} labelled images, ${numClasses} classes); use a larger fraction or labels.perClass`);
    }
    return target;
  }
  return budget.perClass;
}

/** How many images of a class of `classSize` a budget takes. */
function takeCount(budget: LabelBudget, target: number, classSize: number, className: string): number {
  if ('fraction' in budget) return Math.min(target, classSize);
  const k = target;
  if (!(Number.isInteger(k) && k >= 1)) throw new UserError(`labels.perClass must be a positive integer, got ${k}`);
  if (k > classSize) {
    throw new UserError(`labels.perClass=${k} is more than class '${className}' has (${classSize} labelled images)`);
  }
  return k;
}

/**
 * Chooses the labelled subset of `split` (its labels are the ground truth the subset keeps).
 * Images already unlabelled in the split are never chosen.
 */
export function labelledSubset(split: ImageSplit, classNames: readonly string[], budget: LabelBudget, seed: number): LabelledSubset {
  const orders = classOrders(split, classNames.length, seed);
  const labelledCount = orders.reduce((n, order) => n + order.length, 0);
  const target = perClassTarget(budget, labelledCount, classNames.length);
  if ('perClass' in budget) {
    // Name the smallest class: it is the one that decides whether the budget fits.
    const smallest = orders.reduce((best, order, c) => (order.length < orders[best].length ? c : best), 0);
    takeCount(budget, target, orders[smallest].length, classNames[smallest]);
  }
  const chosen: number[] = [];
  const countPerClass = orders.map((order, c) => {
    const count = takeCount(budget, target, order.length, classNames[c]);
    for (let i = 0; i < count; i++) chosen.push(order[i]);
    return count;
  });
  const indices = Int32Array.from(chosen).sort();
  return {
    seed,
    budget,
    indices,
    ids: Array.from(indices, (i) => split.ids[i]),
    labels: Int32Array.from(indices, (i) => split.labels[i]),
    countPerClass,
  };
}

/** The split's labels with everything outside the subset marked UNLABELLED. */
export function maskToSubset(split: ImageSplit, subset: LabelledSubset): Int32Array {
  const masked = new Int32Array(split.labels.length).fill(UNLABELLED);
  for (const i of subset.indices) masked[i] = split.labels[i];
  return masked;
}
