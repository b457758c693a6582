/**
 * The entry of a worker thread that runs the module at `moduleUrl`, whichever form that module runs in: the compiled
 * .js in dist/ as it is, or the TypeScript source (tests, or a build older than the source) behind a small module that
 * first registers tsx in the worker — on Node 20 a worker's `--import` does not apply to its own entry file.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

export function workerEntry(moduleUrl: string): URL {
  const self = new URL(moduleUrl);
  if (!self.pathname.endsWith('.ts')) return self;
  const tsx = pathToFileURL(join(dirname(createRequire(moduleUrl).resolve('tsx/package.json')), 'dist/esm/api/index.mjs'));
  const boot = `const { register } = await import(${JSON.stringify(tsx.href)}); register(); await import(${JSON.stringify(self.href)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(boot)}`);
}
