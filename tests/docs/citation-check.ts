/**
 * What a citation in the sources may point at: a section of docs/ALGORITHMS.md, written
 * `docs/ALGORITHMS.md § <heading>`, or another file of the repository. Pure functions over file
 * text, so the rules are tested on small strings as well as on the whole tree.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** The algorithms document, as every citation must spell it (from the repository root). */
export const ALGORITHMS_DOC = 'docs/ALGORITHMS.md';

/** Folders whose files are scanned, and the file kinds that hold comments. */
export const SCANNED_DIRS = ['src', 'pipelines', 'native', 'bench', 'tests', 'configs', 'data'] as const;
const SCANNED_EXTENSIONS = /\.(ts|js|mjs|cjs|cc|cpp|h|hpp|py|gyp|yaml|yml|html|css)$/;
/** Not sources: native build output, and this checker and its test, which spell the bad forms. */
const SKIPPED = new Set(['native/build', 'tests/docs', 'data/fixtures']);

/** Files that live outside the repository (the PyTorch peer of docs/benchmark.md). */
const OUTSIDE_FILES = ['reference_step.py'];
/** A relative path of a document (`..` steps, then names), as a citation writes one; code paths are resolved from dist/ and are not citations. */
const RELATIVE_PATH = /(?<![\w./-])((?:\.\.\/)+[\w./-]*\.(?:md|txt|pdf))\b/g;

/** The headings of a markdown document (any level), outside fenced code. */
export function markdownHeadings(markdown: string): string[] {
  const headings: string[] = [];
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const match = fenced ? null : /^#{1,6}\s+(.+?)\s*$/.exec(line);
    if (match !== null) headings.push(match[1]);
  }
  return headings;
}

/** The names a citation may use for a heading: the heading, and its part before " — " if any. */
function citableNames(headings: readonly string[]): Set<string> {
  return new Set(headings.flatMap((heading) => [heading, heading.split(' — ')[0]]));
}

/** Comment continuation lines joined into one line, so a citation wrapped across lines reads whole. */
export function joinCommentLines(text: string): string {
  return text.replace(/[ \t]*\r?\n[ \t]*(?:\*(?!\/)|\/\/+|#)?[ \t]*/g, ' ');
}

/** A citation's section: from after "§" to the first closing punctuation (or ". "), trimmed. */
function citedSection(after: string): string | undefined {
  const match = /^\s*§\s*(.*?)\s*(?:[)\],;:"'`]|\.(?:\s|$)|$)/.exec(after);
  return match === null || match[1] === '' ? undefined : match[1];
}

export interface CheckContext {
  /** Headings of docs/ALGORITHMS.md. */
  readonly headings: readonly string[];
  /** Whether a repository-relative path names an existing file or folder. */
  readonly exists: (repoPath: string) => boolean;
}

/**
 * Problems with the citations in one file's text, each a line for a failure message.
 * @param file the file's path from the repository root (for messages and relative paths).
 */
export function citationProblems(file: string, text: string, context: CheckContext): string[] {
  const problems: string[] = [];
  const joined = joinCommentLines(text);
  const names = citableNames(context.headings);
  // 1. Every mention of the algorithms document is docs/ALGORITHMS.md § <an existing heading>.
  for (const match of joined.matchAll(/[\w./-]*ALGORITHMS\.md/g)) {
    const spelled = match[0];
    if (spelled !== ALGORITHMS_DOC) {
      problems.push(`${file}: cites '${spelled}'; write ${ALGORITHMS_DOC} § <section>`);
      continue;
    }
    const section = citedSection(joined.slice(match.index + spelled.length));
    if (section === undefined) {
      problems.push(`${file}: cites ${ALGORITHMS_DOC} without a section; write ${ALGORITHMS_DOC} § <section>`);
    } else if (!names.has(section)) {
      problems.push(`${file}: cites ${ALGORITHMS_DOC} § ${section}, which is not a heading of ${ALGORITHMS_DOC}`);
    }
  }
  // 2. Nothing leads out of the repository.
  for (const fragment of OUTSIDE_FILES) {
    if (joined.includes(fragment)) problems.push(`${file}: mentions '${fragment}', which is outside the repository`);
  }
  for (const match of joined.matchAll(RELATIVE_PATH)) {
    // Resolved from the file's folder, a path that climbs above the repository root leaves it.
    if (path.posix.normalize(path.posix.join(path.posix.dirname(file), match[1])).startsWith('..')) {
      problems.push(`${file}: mentions '${match[1]}', which is outside the repository`);
    }
  }
  // 3. Every document named in capitals (README.md, docs/X.md) exists where the path says.
  for (const match of joined.matchAll(/(?<![\w./-])((?:\.{1,2}\/|[\w-]+\/)*[A-Z][A-Z0-9_-]*\.md)\b/g)) {
    const cited = match[1];
    if (cited.endsWith('ALGORITHMS.md')) continue;
    const fromRoot = path.posix.normalize(cited);
    const fromFile = path.posix.normalize(path.posix.join(path.posix.dirname(file), cited));
    const inside = [fromRoot, fromFile].filter((p) => !p.startsWith('..') && context.exists(p));
    if (inside.length === 0) problems.push(`${file}: cites '${cited}', which is not a file of the repository`);
  }
  return problems;
}

/** Every scanned file of the repository at `root`, as paths from the root. */
export function scannedFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    if (SKIPPED.has(dir)) return;
    for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const child = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile() && SCANNED_EXTENSIONS.test(entry.name)) files.push(child);
    }
  };
  for (const dir of SCANNED_DIRS) if (existsSync(path.join(root, dir))) walk(dir);
  return files;
}

/** The check context of the repository at `root`. */
export function repositoryContext(root: string): CheckContext {
  return {
    headings: markdownHeadings(readFileSync(path.join(root, ALGORITHMS_DOC), 'utf8')),
    exists: (repoPath) => existsSync(path.join(root, repoPath)),
  };
}
