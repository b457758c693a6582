/**
 * A corpus file swapped for a link to a file outside the corpus while ingest reads it: what is checked and what is
 * read must be the same file, so the outside file's text can never come in. Another thread swaps the name back and
 * forth as fast as it can while the corpus is loaded again and again.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { expect, test } from 'vitest';
import { loadCorpus } from '../../src/rag/ingest/load.js';

const SECRET = 'root:x:0:0 the outside secret';
const INSIDE = 'Lavrov met Diop in Moscow to discuss security.';

/** Renames a fresh link to `outside`, then a fresh copy of the article, over `target`, until told to stop. */
const SWAPPER = `
const { renameSync, symlinkSync, writeFileSync, rmSync } = require('node:fs');
const { workerData, parentPort } = require('node:worker_threads');
const { dir, outside, inside } = workerData;
let running = true;
parentPort.on('message', () => (running = false));
const loop = () => {
  for (let i = 0; i < 500 && running; i++) {
    rmSync(dir + '/.link', { force: true });
    symlinkSync(outside, dir + '/.link');
    renameSync(dir + '/.link', dir + '/article.txt');
    writeFileSync(dir + '/.file', inside);
    renameSync(dir + '/.file', dir + '/article.txt');
  }
  if (running) setImmediate(loop);
  else parentPort.close();
};
loop();
`;

test('a file swapped for a link outside the corpus between check and read is never read through the link', { timeout: 30_000 }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'load-race-'));
  const dir = join(root, 'corpus');
  await mkdir(dir);
  const outside = join(root, 'passwd.txt');
  await writeFile(outside, SECRET);
  await writeFile(join(dir, 'article.txt'), INSIDE);
  const swapper = new Worker(SWAPPER, { eval: true, workerData: { dir, outside, inside: INSIDE } });
  const seen = { inside: 0, link: 0, outside: 0 };
  try {
    // Until both states have been met many times (a loaded machine takes longer), within a bound.
    const met = () => seen.inside > 10 && seen.link > 10;
    for (const until = Date.now() + 20_000; Date.now() < until && !met(); ) {
      const { files, skipped } = await loadCorpus(dir);
      for (const f of files) {
        if (f.text.includes('root:x')) seen.outside++;
        else if (f.text === INSIDE) seen.inside++;
      }
      seen.link += skipped.filter((s) => /symbolic link/.test(s.reason)).length;
    }
  } finally {
    swapper.postMessage('stop');
    await new Promise((done) => swapper.once('exit', done));
  }
  // Both states were met many times, and the outside file never came in.
  expect(seen.inside).toBeGreaterThan(10);
  expect(seen.link).toBeGreaterThan(10);
  expect(seen.outside).toBe(0);
});
