// Starts a command (`node scripts/launch.mjs scripts/ask.ts …`) from its bundle in dist/, which `npm ci` builds (the
// `prepare` script, scripts/build.mjs), because loading the TypeScript through tsx, or even the modules one file at a
// time, costs most of a cold start. When a source file (code, or a data file the bundle holds: word lists, the answer
// model, the country tables) or the lock file is newer than the bundle (someone edited the code, refitted the model or
// installed a package since), the TypeScript source runs through tsx instead, so a stale build is never used.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
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
    else if (/\.(?:ts|json)$/.test(item.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const fresh =
  existsSync(compiled) &&
  statSync(compiled).mtimeMs >=
    Math.max(newestSource(join(root, 'src')), newestSource(join(root, 'scripts')), statSync(join(root, 'package-lock.json')).mtimeMs);
process.argv = [process.argv[0], fresh ? compiled : source, ...args];
// Stack traces (shown with --debug) name the TypeScript sources' lines rather than the bundle's.
if (fresh && args.includes('--debug')) process.setSourceMapsEnabled(true);
// V8 compiles a regular expression to machine code on its second run. The date tagger's grammar (chrono-node) is
// dozens of large case-insensitive patterns, and compiling them cost a cold `ask` 0.1–0.2 s, more than the parse itself;
// a command that runs each a few times keeps them interpreted, and a long ingest still compiles those it runs often.
setFlagsFromString('--regexp-tier-up-ticks=100');
if (!fresh) await import('tsx/esm');
await import(pathToFileURL(fresh ? compiled : source).href);
