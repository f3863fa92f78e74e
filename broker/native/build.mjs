// Builds the optional native addon (broker/native → build/Release/rocketts_native.node) with the
// node-gyp bundled in npm, against the Node headers npm is configured with (npm_config_nodedir).
// Rebuilds only when a source is newer than the addon. Never fails the build: without a compiler the
// broker runs its JavaScript CRC path (see broker/src/native/native.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const addon = join(here, 'build', 'Release', 'rocketts_native.node');
const sources = ['binding.gyp', ...readdirSync(join(here, 'src')).map((f) => join('src', f))];

const builtAt = existsSync(addon) ? statSync(addon).mtimeMs : 0;
if (process.env.ROCKETTS_NATIVE === '0') {
  console.log('native addon: skipped (ROCKETTS_NATIVE=0)');
} else if (sources.every((f) => statSync(join(here, f)).mtimeMs <= builtAt)) {
  // Up to date.
} else {
  const gyp = findNodeGyp();
  const started = Date.now();
  const run = gyp
    ? spawnSync(process.execPath, [gyp, 'rebuild'], { cwd: here, encoding: 'utf8' })
    : undefined;
  if (run?.status === 0) console.log(`native addon: built in ${Date.now() - started} ms`);
  else {
    if (run) process.stderr.write(`${run.stdout}${run.stderr}`);
    console.warn(
      `native addon: not built (${gyp ? `node-gyp exited with ${run?.status}` : 'node-gyp not found'}); ` +
        'the broker uses its JavaScript CRC path',
    );
  }
}

function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(
      dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
  ];
  return candidates.find((p) => p && existsSync(p));
}
