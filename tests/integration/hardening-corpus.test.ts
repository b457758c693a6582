/**
 * Unusable and unusual corpus files: each is skipped with a reason or indexed under its own name, and the index
 * follows the corpus when files are removed. Real articles under chosen names, real engine, temp directories.
 */
import { copyFile, mkdir, rm, symlink, truncate, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadCorpus } from '../../src/rag/ingest/load.js';
import { MAX_DOCUMENT_BYTES } from '../../src/rag/types.js';
import { Engine } from '../../src/rag/engine.js';
import type { DocumentReport, IngestReport } from '../../src/rag/types.js';
import { BURUNDI, configFor, MALI, MALI_QUESTION, REAL_CORPUS, tempDir, TOGO } from '../support/hardening-fixtures.js';

const MALI_RENAMED = 'Лавров в Мали — визит 2024.txt';
const BURUNDI_RENAMED = 'Burundi visit notes.md';
const TOGO_TWIN = 'embassies copy.txt';
const OUTSIDE_WORDS = 'The Zanzibar pineapple accord was signed by Lavrov in Timbuktu.';
const ARCHIVED_WORDS = 'Harbour Dredging Resumes\n\nThe harbour board of Mombasa resumed dredging the channel in 1998, its chairman said.';

let root: string;
let corpusDir: string;
let engine: Engine;
let report: IngestReport;
const reportFor = (source: string): DocumentReport | undefined => report.documents.find((d) => d.source === source);

beforeAll(async () => {
  root = await tempDir('corpus');
  corpusDir = join(root, 'corpus');
  await mkdir(corpusDir);
  for (const name of ['001_e09e45f6e40bd673.txt', '003_aed676f35e158f01.txt', TOGO]) await copyFile(join(REAL_CORPUS, name), join(corpusDir, name));
  await copyFile(join(REAL_CORPUS, MALI), join(corpusDir, MALI_RENAMED));
  await copyFile(join(REAL_CORPUS, BURUNDI), join(corpusDir, BURUNDI_RENAMED));
  await copyFile(join(REAL_CORPUS, TOGO), join(corpusDir, TOGO_TWIN));
  await writeFile(join(corpusDir, 'empty.txt'), '');
  await writeFile(join(corpusDir, 'blank.md'), '  \n\n\t\n');
  await writeFile(join(corpusDir, 'logo.txt'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52]));
  await writeFile(join(corpusDir, 'utf16.txt'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Lavrov visited Mali.', 'utf16le')]));
  await writeFile(join(corpusDir, 'latin1.txt'), Buffer.from('Caf\xe9 au lait in Bamako, na\xefve r\xe9sum\xe9.', 'latin1'));
  // Sparse and all NUL bytes: were it read, it would cost 50 MB and be reported as binary, not as too large.
  await writeFile(join(corpusDir, 'dump.txt'), '');
  await truncate(join(corpusDir, 'dump.txt'), 50 * 1024 * 1024);
  await writeFile(join(root, 'outside.txt'), OUTSIDE_WORDS);
  await symlink(join(root, 'outside.txt'), join(corpusDir, 'outside-link.txt'));
  await symlink('../outside.txt', join(corpusDir, 'relative-outside-link.txt'));
  // Subfolders are read (files named by their path); links to folders are not followed, inside or out.
  await mkdir(join(corpusDir, 'archive'));
  await writeFile(join(corpusDir, 'archive', 'old.txt'), ARCHIVED_WORDS);
  await symlink(join(corpusDir, 'archive'), join(corpusDir, 'archive-link'));
  await mkdir(join(root, 'elsewhere'));
  await writeFile(join(root, 'elsewhere', 'secret.txt'), OUTSIDE_WORDS);
  await symlink(join(root, 'elsewhere'), join(corpusDir, 'outside-folder'));

  engine = await Engine.open(configFor(corpusDir, join(root, 'index')), { autoIngest: true });
  report = await engine.reindex();
}, 120_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('files that cannot be used are skipped with a reason, the rest is indexed', () => {
  test.each([
    ['empty.txt', 'empty file'],
    ['blank.md', 'no text'],
    ['logo.txt', 'binary file (contains NUL bytes)'],
    ['utf16.txt', 'UTF-16 text (save it as UTF-8)'],
    ['latin1.txt', 'not valid UTF-8 text'],
    ['dump.txt', 'too large (50.0 MB; the limit is 5 MB)'],
    ['outside-link.txt', 'symbolic link pointing outside the corpus directory (not followed)'],
    ['relative-outside-link.txt', 'symbolic link pointing outside the corpus directory (not followed)'],
    ['archive-link', 'a link to a folder (not followed)'],
    ['outside-folder', 'symbolic link pointing outside the corpus directory (not followed)'],
  ])('%s: skipped, "%s"', (source, reason) => {
    expect(reportFor(source)).toMatchObject({ status: 'skipped', chunks: 0, warning: reason });
  });

  test('the usable files are all indexed, under their own names', async () => {
    const indexed = report.documents.filter((d) => d.chunks > 0).map((d) => d.source);
    expect(indexed.sort()).toEqual(['001_e09e45f6e40bd673.txt', '003_aed676f35e158f01.txt', TOGO, BURUNDI_RENAMED, MALI_RENAMED, 'archive/old.txt'].sort());
    expect((await engine.sources()).map((s) => s.source).sort()).toEqual(indexed.sort());
  });

  test('the text behind a link out of the corpus is never read: asking about it finds nothing', async () => {
    const answer = await engine.ask('What did the Zanzibar pineapple accord say?');
    expect(answer.status).toBe('not_found');
    expect(answer.citations).toEqual([]);
  });

  test('a 50 MB file is judged by its size alone: loading the corpus does not read it into memory', async () => {
    const dir = join(root, 'big-only');
    await mkdir(dir);
    await copyFile(join(REAL_CORPUS, MALI), join(dir, MALI));
    await writeFile(join(dir, 'dump.txt'), '');
    await truncate(join(dir, 'dump.txt'), 50 * 1024 * 1024);
    // Buffers count in arrayBuffers while they live; sampling catches one even if it is collected before the end.
    const before = process.memoryUsage().arrayBuffers;
    let peak = before;
    const sample = () => (peak = Math.max(peak, process.memoryUsage().arrayBuffers));
    const sampler = setInterval(sample, 1);
    const loaded = await loadCorpus(dir).finally(() => clearInterval(sampler));
    sample();
    expect(loaded.skipped).toEqual([{ source: 'dump.txt', reason: 'too large (50.0 MB; the limit is 5 MB)' }]);
    expect(loaded.files.map((f) => f.source)).toEqual([MALI]);
    expect(peak - before).toBeLessThan(MAX_DOCUMENT_BYTES);
  });
});

describe('names with spaces and non-ASCII letters', () => {
  test('are cited by their own names', async () => {
    const mali = await engine.ask(MALI_QUESTION);
    expect(mali.status).toBe('answered');
    expect(mali.citations[0]!.source).toBe(MALI_RENAMED);
    const burundi = await engine.ask('When did Lavrov arrive in Burundi?');
    expect(burundi.citations[0]!.source).toBe(BURUNDI_RENAMED);
    expect(burundi.flags).toContainEqual({ kind: 'placeholder', text: '[insert date]', source: BURUNDI_RENAMED });
  });

  test('can be summarized by name', async () => {
    const summary = await engine.summarize({ source: MALI_RENAMED });
    expect(summary.citations.length).toBeGreaterThan(0);
    expect(summary.citations.every((c) => c.source === MALI_RENAMED)).toBe(true);
  });
});

describe('the same document under two names', () => {
  test('is indexed once and both names are known', async () => {
    const sources = await engine.sources();
    const togo = sources.filter((s) => s.source === TOGO || s.aliases.includes(TOGO_TWIN));
    expect(togo).toEqual([expect.objectContaining({ source: TOGO, aliases: [TOGO_TWIN] })]);
    expect(reportFor(TOGO_TWIN)).toMatchObject({ chunks: 0, warning: `same content as ${TOGO}; indexed once` });
  });

  test('either name gives the same summary', async () => {
    const byAlias = await engine.summarize({ source: TOGO_TWIN });
    const byName = await engine.summarize({ source: TOGO });
    expect(byAlias.summary).toBe(byName.summary);
  });
});

describe('a file removed since the last ingest', () => {
  test('its chunks leave the index: the report says removed, and questions about it no longer cite it', async () => {
    await unlink(join(corpusDir, MALI_RENAMED));
    const after = await engine.reindex();
    expect(after.documents.find((d) => d.source === MALI_RENAMED)).toMatchObject({ status: 'removed', chunks: 0 });
    expect((await engine.sources()).map((s) => s.source)).not.toContain(MALI_RENAMED);
    const answer = await engine.ask(MALI_QUESTION);
    expect(answer.citations.map((c) => c.source)).not.toContain(MALI_RENAMED);
    await expect(engine.summarize({ source: MALI_RENAMED })).rejects.toThrow(/no indexed document named/);
  });

  test('a removed second name of a duplicate is reported removed too, and is no longer known', async () => {
    await unlink(join(corpusDir, TOGO_TWIN));
    const after = await engine.reindex();
    expect(after.documents.find((d) => d.source === TOGO_TWIN)).toMatchObject({ status: 'removed' });
    const togo = (await engine.sources()).find((s) => s.source === TOGO);
    expect(togo?.aliases).toEqual([]);
  });
});
