import test from 'ava';
import { readFileSync } from 'node:fs';
import {
  ALGORITHMS_DOC,
  citationProblems,
  joinCommentLines,
  markdownHeadings,
  repositoryContext,
  scannedFiles,
  SCANNED_DIRS,
  type CheckContext,
} from './citation-check.js';

// Tests run from the repository root (ava's working directory).
const ROOT = '.';

/** A small document and repository for the rule tests. */
const TINY: CheckContext = {
  headings: ['Algorithms', 'S3GAN loss', 'Few labels → pseudo-labels', 'MvM — manifold matching via metric learning'],
  exists: (repoPath) => ['README.md', 'docs/benchmark.md', 'docs/RESULTS.md'].includes(repoPath),
};

test('every citation in src, pipelines, native, bench, tests, configs and data names a section of docs/ALGORITHMS.md or a file of the repository', (t) => {
  const context = repositoryContext(ROOT);
  const files = scannedFiles(ROOT);
  let citations = 0;
  const problems: string[] = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    citations += text.split(ALGORITHMS_DOC).length - 1;
    problems.push(...citationProblems(file, text, context));
  }
  t.deepEqual(problems, []);
  // The scan saw the sources and their citations (a scan of nothing would pass vacuously).
  t.true(files.includes('src/training/gan/steps.ts') && files.some((file) => file.startsWith('bench/')), `scanned ${SCANNED_DIRS.join(', ')}: ${files.length} files`);
  t.true(citations >= 20, `${citations} citations of ${ALGORITHMS_DOC}`);
});

test('the headings of docs/ALGORITHMS.md are unique, so a citation names one section', (t) => {
  const headings = markdownHeadings(readFileSync(ALGORITHMS_DOC, 'utf8'));
  t.true(headings.includes('S3GAN loss'));
  t.deepEqual(headings.filter((heading, i) => headings.indexOf(heading) !== i), []);
});

test('a citation of ALGORITHMS.md without the docs/ prefix, or by another path, is refused', (t) => {
  t.deepEqual(citationProblems('src/a.ts', '// Rotation enters L_D through real images only (ALGORITHMS.md, S3GAN loss).', TINY), [
    "src/a.ts: cites 'ALGORITHMS.md'; write docs/ALGORITHMS.md § <section>",
  ]);
  t.is(citationProblems('src/a.ts', '// see ../docs/ALGORITHMS.md § S3GAN loss', TINY).length, 1);
  t.regex(citationProblems('src/a.ts', '/** The methods of docs/ALGORITHMS.md, by name. */', TINY).join('\n'), /without a section/);
});

test('a citation of a section that docs/ALGORITHMS.md does not have is refused', (t) => {
  t.deepEqual(citationProblems('src/a.ts', '// (docs/ALGORITHMS.md § S3GAN losses)', TINY), [
    'src/a.ts: cites docs/ALGORITHMS.md § S3GAN losses, which is not a heading of docs/ALGORITHMS.md',
  ]);
  t.is(citationProblems('src/a.ts', '// (docs/ALGORITHMS.md § stage 3)', TINY).length, 1);
});

test('citations of existing sections pass: wrapped across comment lines, by the heading or its part before the dash', (t) => {
  const wrapped = ['/**', ' * L_D = dLoss + w_d · CE (docs/ALGORITHMS.md', ' * § S3GAN loss). As in SS-GAN, D learns', ' */'].join('\n');
  t.deepEqual(citationProblems('src/a.ts', wrapped, TINY), []);
  t.deepEqual(citationProblems('src/a.ts', "describe('Training method (docs/ALGORITHMS.md § Few labels → pseudo-labels).')", TINY), []);
  t.deepEqual(citationProblems('src/a.ts', '// the triplet loss (docs/ALGORITHMS.md § MvM)', TINY), []);
  t.deepEqual(citationProblems('src/a.ts', '// docs/ALGORITHMS.md § MvM — manifold matching via metric learning: m = 1', TINY), []);
  t.deepEqual(citationProblems('bench/a.py', '# docs/ALGORITHMS.md § S3GAN loss, with w_g = 0.2', TINY), []);
  t.is(joinCommentLines('a\n * b\n// c\n# d'), 'a b c d');
});

test('paths outside the repository and documents that are not in it are refused', (t) => {
  t.deepEqual(citationProblems('src/a.ts', '// style rules: ../../notes/STYLE.md', TINY), [
    "src/a.ts: mentions '../../notes/STYLE.md', which is outside the repository",
    "src/a.ts: cites '../../notes/STYLE.md', which is not a file of the repository",
  ]);
  t.deepEqual(citationProblems('src/training/a.ts', "import { b } from '../b.js';", TINY), [], 'a relative path that stays inside is fine');
  t.deepEqual(citationProblems('src/a.ts', '// the layout of ARCHITECTURE.md', TINY), ["src/a.ts: cites 'ARCHITECTURE.md', which is not a file of the repository"]);
  t.deepEqual(citationProblems('bench/main.ts', ' *   python3 reference_step.py --width 32', TINY), [
    "bench/main.ts: mentions 'reference_step.py', which is outside the repository",
  ]);
  // Files of the repository pass, from the root or relative to the citing file.
  t.deepEqual(citationProblems('docs/x.ts', '// README.md, docs/benchmark.md and ./RESULTS.md', TINY), []);
  t.deepEqual(citationProblems('src/a.ts', '// ../README.md', TINY), []);
});
