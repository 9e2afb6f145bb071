/**
 * The labels of an image folder's images, from either layout (see image-folder.ts):
 *   (a) class subfolders: `<root>/<class>/…`, and for the test split `<root>/test/<class>/…`;
 *   (b) a label file: the images it lists labelled, the others UNLABELLED.
 * Class indices follow data.classNames, else the label file's "classes", else the sorted class
 * names; so a folder that holds no images is refused rather than dropped, which would shift the
 * index of every later class.
 */
import path from 'node:path';
import { UserError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import { TEST_FOLDER, isTestId } from './image-folder-split.js';
import { entryLocation, type LabelFile } from './image-folder-label-file.js';
import { UNLABELLED } from './types.js';

export interface Labelling {
  readonly classNames: readonly string[];
  /** Per image id, in id order. */
  readonly labels: Int32Array;
}

/** Subfolders (names, sorted) of the root and, when present, of its test/ folder. */
export interface FolderListing {
  readonly top: readonly string[];
  readonly test: readonly string[];
}

/** Layout (a): the class of an image is its top-level folder, or the folder below test/. */
export function labelsFromSubfolders(
  root: string,
  ids: readonly string[],
  folders: FolderListing,
  given?: readonly string[],
): Labelling {
  const loose = ids.find((id) => classFolderOf(id) === undefined);
  if (loose !== undefined) {
    const where = isTestId(loose) ? `a class subfolder of ${path.join(root, TEST_FOLDER)}` : 'a class subfolder';
    throw new UserError(
      `data.path: ${path.join(root, loose)} is not in ${where}; put each image in a folder named after its class, or give data.labelFile`,
    );
  }
  rejectEmptyFolders(root, ids, folders);
  const trainFolders = uniqueSorted(ids.filter((id) => !isTestId(id)).map((id) => classFolderOf(id) as string));
  const classNames = given === undefined ? trainFolders : checkedClassNames(given);
  for (const folder of trainFolders) {
    if (!classNames.includes(folder)) {
      throw new UserError(
        `${path.join(root, folder)}: folder '${folder}' is not one of data.classNames${didYouMean(folder, classNames)}; ` +
          `classes: ${classNames.join(', ')}`,
      );
    }
  }
  for (const folder of uniqueSorted(ids.filter(isTestId).map((id) => classFolderOf(id) as string))) {
    if (!classNames.includes(folder)) {
      const known = given === undefined ? `has no training folder ${path.join(root, folder)}` : 'is not one of data.classNames';
      throw new UserError(
        `${path.join(root, TEST_FOLDER, folder)}: test class '${folder}' ${known}${didYouMean(folder, classNames)}; classes: ${classNames.join(', ')}`,
      );
    }
  }
  const index = new Map(classNames.map((name, i) => [name, i]));
  const labels = Int32Array.from(ids, (id) => index.get(classFolderOf(id) as string) as number);
  return { classNames, labels };
}

/** Layout (b): labels from the label file; images it does not list are unlabelled. */
export function labelsFromFile(root: string, ids: readonly string[], labelFile: LabelFile, given?: readonly string[]): Labelling {
  if (labelFile.entries.length === 0) throw new UserError(`${labelFile.path}: labels no image`);
  if (given !== undefined && labelFile.classes !== undefined && given.join('\n') !== labelFile.classes.join('\n')) {
    throw new UserError(
      `data.classNames (${given.join(', ')}) differs from the "classes" of ${labelFile.path} (${labelFile.classes.join(', ')})`,
    );
  }
  const classNames = checkedClassNames(given ?? labelFile.classes ?? uniqueSorted(labelFile.entries.map((e) => e.label)));
  const classIndex = new Map(classNames.map((name, i) => [name, i]));
  const imageIndex = new Map(ids.map((id, i) => [id, i]));
  const labels = new Int32Array(ids.length).fill(UNLABELLED);
  for (const entry of labelFile.entries) {
    const where = entryLocation(labelFile, entry);
    const i = imageIndex.get(entry.file);
    if (i === undefined) {
      throw new UserError(`${where}: image '${entry.file}' does not exist in ${root}${didYouMean(entry.file, ids)}`);
    }
    const label = classIndex.get(entry.label);
    if (label === undefined) {
      throw new UserError(
        `${where}: unknown class '${entry.label}'${didYouMean(entry.label, classNames)}; classes: ${classNames.join(', ')}`,
      );
    }
    labels[i] = label;
  }
  return { classNames, labels };
}

/** Sorts by UTF-16 code unit, the same on every machine and locale (localeCompare is not). */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The class folder of an id in layout (a), or undefined for an image outside any class folder. */
function classFolderOf(id: string): string | undefined {
  const rest = isTestId(id) ? id.slice(TEST_FOLDER.length + 1) : id;
  const slash = rest.indexOf('/');
  return slash < 0 ? undefined : rest.slice(0, slash);
}

/** Every class folder (and test/) must hold an image: an empty one would silently lose its class. */
function rejectEmptyFolders(root: string, ids: readonly string[], folders: FolderListing): void {
  const candidates = [...folders.top, ...folders.test.map((name) => `${TEST_FOLDER}/${name}`)];
  for (const folder of candidates) {
    if (!ids.some((id) => id.startsWith(`${folder}/`))) {
      const what = folder === TEST_FOLDER ? 'the test folder' : 'class folder';
      throw new UserError(
        `data.path: ${what} ${path.join(root, folder)} holds no images (.png .jpg .jpeg .webp); add images or remove the folder`,
      );
    }
  }
}

function checkedClassNames(names: readonly string[]): readonly string[] {
  if (names.length === 0) throw new UserError('data.classNames is empty');
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate !== undefined) throw new UserError(`data.classNames lists '${duplicate}' twice`);
  return names;
}

function uniqueSorted(values: readonly string[]): string[] {
  return [...new Set(values)].sort(compareCodeUnits);
}
