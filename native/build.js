// Builds the onednn addon (native/build/Release/s3gan_onednn.node) when oneDNN's headers are
// installed, and otherwise says so in one line and succeeds, so that `npm ci` works on machines
// without libdnnl-dev (s3gan then reports how to get the backend when it is selected).
// Run through npm (`npm run build:native`, or the install script): npm hands node-gyp the
// configured Node headers, where a plain `node-gyp` may try to download them.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const HEADER = '/usr/include/oneapi/dnnl/dnnl.hpp';
const here = dirname(fileURLToPath(import.meta.url));
const required = process.argv.includes('--required');

if (!existsSync(HEADER)) {
  const message = `s3gan: onednn backend not built (no ${HEADER}); to build it: apt-get install -y libdnnl-dev, then npm run build:native`;
  console.log(message);
  process.exit(required ? 1 : 0);
}

// npm sets npm_config_node_gyp to its bundled node-gyp; fall back to one on PATH.
const gyp = process.env.npm_config_node_gyp;
const [command, args] = gyp ? [process.execPath, [gyp]] : ['node-gyp', []];
const result = spawnSync(command, [...args, 'rebuild', '--directory', here], { stdio: 'inherit' });
if (result.status !== 0) {
  console.error(`s3gan: building the onednn addon failed (node-gyp exit ${result.status ?? result.signal})`);
  // A failed optional build must not fail `npm ci`, unless asked to (npm run build:native).
  process.exit(required ? 1 : 0);
}
