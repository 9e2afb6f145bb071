/**
 * The library is self-contained: nothing under src/ imports a project file outside src/ (pipelines/
 * and configs/ are data the library reads at run time, found from the package root).
 */
import test from 'ava';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../src/util/package-root.js';
import { tempDir } from './temp.js';

/** Every module specifier of a TypeScript source: static imports and re-exports, side-effect imports, import(). */
export function moduleSpecifiers(source: string): string[] {
  const patterns = [/\b(?:import|export)\s[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g];
  return patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((match) => match[1]));
}

/** The relative imports of the .ts files under `srcDir` that resolve outside it, as "file: specifier". */
export function importsLeaving(srcDir: string): string[] {
  const files = readdirSync(srcDir, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
  return files.flatMap((file) => {
    const absolute = path.join(srcDir, file);
    return moduleSpecifiers(readFileSync(absolute, 'utf8'))
      .filter((specifier) => specifier.startsWith('.'))
      .filter((specifier) => path.relative(srcDir, path.resolve(path.dirname(absolute), specifier)).startsWith('..'))
      .map((specifier) => `src/${file}: ${specifier}`);
  });
}

test('no module under src/ imports a project file outside src/', (t) => {
  t.deepEqual(importsLeaving(path.join(packageRoot(), 'src')), []);
});

test('the scan catches static, re-exported, side-effect and dynamic imports that leave src/, and only those', (t) => {
  const root = tempDir('s3gan-imports-');
  const src = path.join(root, 'src');
  mkdirSync(path.join(src, 'api'), { recursive: true });
  const source = [
    "import { a } from '../../pipelines/index.js';",
    "export { b } from '../../outside.js';",
    "import '../../bench/setup.js';",
    "const c = await import('../../tests/x.js');",
    "import type { D } from '../stages/inside.js';",
    "import * as tf from '@tensorflow/tfjs';",
  ].join('\n');
  writeFileSync(path.join(src, 'api', 'run.ts'), source);
  t.deepEqual(importsLeaving(src).sort(), [
    'src/api/run.ts: ../../bench/setup.js',
    'src/api/run.ts: ../../outside.js',
    'src/api/run.ts: ../../pipelines/index.js',
    'src/api/run.ts: ../../tests/x.js',
  ]);
});
