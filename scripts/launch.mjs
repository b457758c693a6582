// Starts a command (`node scripts/launch.mjs scripts/ask.ts …`) from its compiled copy in dist/, which `npm ci` builds
// (the `prepare` script), because loading TypeScript through tsx costs about half a second at every start. When a
// source file is newer than the compiled copy (someone edited the code since), the TypeScript source runs through
// tsx instead, so a stale build is never used.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname, '..');
const [entry, ...args] = process.argv.slice(2);
const source = resolve(root, entry);
const compiled = join(root, 'dist', relative(root, source)).replace(/\.ts$/, '.js');

function newestSource(dir) {
  let newest = 0;
  for (const item of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, item.name);
    if (item.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (item.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const fresh =
  existsSync(compiled) &&
  statSync(compiled).mtimeMs >= Math.max(newestSource(join(root, 'src')), newestSource(join(root, 'scripts')));
process.argv = [process.argv[0], fresh ? compiled : source, ...args];
if (!fresh) await import('tsx/esm');
await import(pathToFileURL(fresh ? compiled : source).href);
