import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The installed s3gan package's root directory (where package.json and configs/ are), found by
 * walking up from this module, so it works both from sources and from dist/.
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string };
      if (parsed.name === 's3gan') return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('internal invariant failed: s3gan package.json not found above ' + import.meta.url);
    dir = parent;
  }
}

/** The version in s3gan's package.json. */
export function packageVersion(): string {
  const parsed = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return parsed.version;
}
