/**
 * Hostile markup, third round: small markdown and HTML files made to stall a parser are skipped with their reason,
 * by limits checked before the parser sees them, and the rest of the corpus is indexed; whatever passes those
 * limits is read in a worker that is ended when it passes its time or memory budget; a stop ends an ingest busy
 * reading one. Timings are printed by `npm run bench:hostile`, not asserted here beyond "under the old 5 s grace".
 */
import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { hostileFiles, tablePage } from '../../src/measure/hostile-files.js';
import { Engine } from '../../src/rag/engine.js';
import { FileWorker } from '../../src/rag/ingest/file-worker.js';
import { cleanedText } from '../support/cleaned-texts.js';
import { configFor, copyRealCorpus, MALI, MALI_QUESTION, spawnIngest, tempDir, until } from '../support/hardening-fixtures.js';

const REASONS: Record<string, RegExp> = {
  'nested-lists.md': /^nesting deeper than 16 levels \(10000\)$/,
  'emphasis.md': /^more than 1000 emphasis or link markers in one paragraph/,
  'brackets.md': /^more than 1000 emphasis or link markers in one paragraph/,
  'open-links.md': /^more than 1000 emphasis or link markers in one paragraph/,
  'nested-divs.html': /^nesting deeper than 128 levels \(100000\)$/,
  'growing-quotes.md': /^nesting deeper than 16 levels \(3000\)$/,
};

describe('hostile files dropped into the seed articles', { timeout: 180_000 }, () => {
  test('each is skipped with its reason, the seeds are indexed and answer, and a one-table page keeps its table', async () => {
    const root = await tempDir('hostile');
    const corpus = join(root, 'corpus');
    await copyRealCorpus(corpus);
    for (const file of hostileFiles()) await writeFile(join(corpus, file.name), file.text);
    await writeFile(join(corpus, 'cargo-register.html'), tablePage(1024 * 1024));
    const indexDir = join(root, 'index');

    const report = await Engine.ingest(configFor(corpus, indexDir));
    const skipped = Object.fromEntries(report.documents.filter((d) => d.status === 'skipped').map((d) => [d.source, d.warning]));
    expect(Object.keys(skipped).sort()).toEqual(Object.keys(REASONS).sort());
    for (const [name, reason] of Object.entries(REASONS)) expect(skipped[name], name).toMatch(reason);
    expect(report.documents.filter((d) => d.status === 'indexed')).toHaveLength(6);

    // The table is read row by row: every consignment, to the last, is in the text the bot reads.
    const register = report.documents.find((d) => d.source === 'cargo-register.html')!;
    expect(register.chunks).toBeGreaterThan(100);
    const text = cleanedText(indexDir, 'cargo-register.html');
    const rows = tablePage(1024 * 1024).match(/Consignment \d+/g)!;
    expect(text).toContain(`${rows.at(-1)} — Weight: `);
    expect(text.match(/^Consignment \d+ — Weight: \d+ tonnes; Port: Port \d+\.$/gm)).toHaveLength(rows.length);

    const engine = await Engine.open(configFor(corpus, indexDir));
    expect((await engine.ask(MALI_QUESTION)).citations[0]!.source).toBe(MALI);
  });

  test('SIGTERM while a large page is being read ends npm run ingest at once, in one line, lock released', async () => {
    const root = await tempDir('hostile-stop');
    const corpus = join(root, 'corpus');
    await copyRealCorpus(corpus);
    await writeFile(join(corpus, 'cargo-register.html'), tablePage(5 * 1024 * 1024 - 4096));
    const indexDir = join(root, 'index');
    const ingest = spawnIngest(corpus, indexDir, root);
    // The ingest holds the lock and reads the corpus; a moment later its file worker is inside the 5 MB page.
    await until(async () => (await stat(join(indexDir, 'ingest.lock')).catch(() => null)) !== null, 'the ingest to take the lock');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const asked = performance.now();
    ingest.child.kill('SIGTERM');
    expect(await ingest.exited).toBe(1);
    const took = performance.now() - asked;
    expect(ingest.out.stderr.trim().split('\n').at(-1)).toBe('error: ingest stopped by SIGTERM; the index in use was not changed');
    expect(await readdir(indexDir)).toEqual([]);
    // Before this round the ingest waited 5 s for the worker to finish the page before ending it (5.6 s in all); now it
    // stops within a second on an idle machine (npm run bench:hostile -- --ingest). The bound leaves room for a
    // machine under a load of 16, where the process's own exit took 3 s.
    expect(took).toBeLessThan(5000);
  });
});

describe('the file worker', { timeout: 60_000 }, () => {
  test('ends a file that passes its time budget, skips it with the reason, and reads the next file in a new worker', async () => {
    const worker = new FileWorker({ timeBudgetMs: 1000 });
    try {
      expect(await worker.parse('register.html', '.html', tablePage(5 * 1024 * 1024 - 4096))).toEqual({ skipped: 'took longer than 1 s to read' });
      const prepared = await worker.prepare('note.txt', { text: 'Kenya opened a port at Lamu on March 3.', headings: 'shape' });
      expect(prepared).toMatchObject({ text: 'Kenya opened a port at Lamu on March 3.', chunks: [{ id: 'note.txt#0' }] });
    } finally {
      await worker.close();
    }
  });

  test('ends a file that needs more memory than its worker has, and says so', async () => {
    const worker = new FileWorker({ memoryMb: 64, timeBudgetMs: 120_000 });
    try {
      expect(await worker.parse('register.html', '.html', tablePage(5 * 1024 * 1024 - 4096))).toEqual({ skipped: 'needed more than 64 MB of memory to read' });
    } finally {
      await worker.close();
    }
  });
});
