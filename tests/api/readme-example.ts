import { readFileSync } from 'node:fs';

/** The js block of README.md's "From code" section: the API example. */
export function apiExample(): string {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('\n## From code\n'), readme.indexOf('\n## ', readme.indexOf('\n## From code\n') + 1));
  const block = /```js\n([\s\S]*?)```/.exec(section);
  if (block === null) throw new Error('README.md has no js block under "## From code"');
  return block[1];
}

/** The example's one line of settings, which tests replace with tiny ones. */
export const SETTINGS_LINE = /^const settings = \{.*\};$/m;

/** The example with `settings` in place of its settings line (the only change the tests make to it). */
export function apiExampleWith(settings: Record<string, unknown>): string {
  return apiExample().replace(SETTINGS_LINE, `const settings = ${JSON.stringify(settings)};`);
}
