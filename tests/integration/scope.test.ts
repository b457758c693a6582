/**
 * Scopes at the engine: one index, a filter at retrieval. A question, a summary, a listing or the gap report's
 * closest documents within a scope draw only on the documents of its folders, and a document whose bytes also stand
 * in another folder is named by its copy inside the scope. Real articles, real index on disk.
 */
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Engine } from '../../src/rag/engine.js';
import { BURUNDI, configFor, MALI, MALI_QUESTION, REAL_CORPUS, tempDir, TOGO } from '../support/hardening-fixtures.js';

const BELARUS = '003_aed676f35e158f01.txt';
let root: string;
let engine: Engine;

beforeAll(async () => {
  root = await tempDir('scope');
  const corpus = join(root, 'corpus');
  for (const [folder, files] of [['africa', [MALI, TOGO, BURUNDI]], ['europe', [BELARUS]]] as const) {
    await mkdir(join(corpus, folder), { recursive: true });
    for (const file of files) await copyFile(join(REAL_CORPUS, file), join(corpus, folder, file));
  }
  // The Mali article also filed under europe: indexed once, under its first name, with this one as an alias.
  await copyFile(join(REAL_CORPUS, MALI), join(corpus, 'europe', 'mali-copy.txt'));
  engine = await Engine.open(configFor(corpus, join(root, 'index')), { autoIngest: true });
}, 120_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const names = (value: unknown) => [...JSON.stringify(value).matchAll(/(?:africa|europe)\/[\w.-]+\.txt/g)].map((m) => m[0]);

describe('a scope sees its own folders only', () => {
  test('a question is answered from the scope, citing the copy inside it; nothing outside is named', async () => {
    const everywhere = await engine.ask(MALI_QUESTION);
    expect(everywhere.citations.map((c) => c.source)).toContain(`africa/${MALI}`);
    const inEurope = await engine.ask(MALI_QUESTION, { scope: ['europe'] });
    expect(inEurope.status).toBe('answered');
    expect(inEurope.citations.map((c) => c.source)).toContain('europe/mali-copy.txt');
    expect(names(inEurope).every((n) => n.startsWith('europe/'))).toBe(true);
  });

  test('what the scope lacks is not found, and the closest documents are the scope’s', async () => {
    const togo = await engine.ask('Where will the Togo embassy open?', { scope: ['europe'] });
    expect(togo.status).toBe('not_found');
    expect(names(togo).every((n) => n.startsWith('europe/'))).toBe(true);
    const nearest = await engine.nearest('Where will the Togo embassy open?', 3, { scope: ['europe'] });
    expect(nearest.documents.map((d) => d.source).every((s) => s.startsWith('europe/'))).toBe(true);
  });

  test('listings, summaries of a topic and of a document stay inside', async () => {
    expect((await engine.sources({ scope: ['europe'] })).map((s) => s.source).sort()).toEqual([`europe/${BELARUS}`, 'europe/mali-copy.txt']);
    expect((await engine.sources({ scope: ['africa'] })).map((s) => s.source).sort()).toEqual([`africa/${MALI}`, `africa/${TOGO}`, `africa/${BURUNDI}`].sort());
    const topic = await engine.summarize({ topic: 'embassy' }, { scope: ['europe'] });
    expect(names(topic).every((n) => n.startsWith('europe/'))).toBe(true);
    await expect(engine.summarize({ source: `africa/${TOGO}` }, { scope: ['europe'] })).rejects.toThrow(`no indexed document named africa/${TOGO}`);
    const own = await engine.summarize({ source: 'europe/mali-copy.txt' }, { scope: ['europe'] });
    expect(names(own)).toContain('europe/mali-copy.txt');
    expect(names(own).every((n) => n.startsWith('europe/'))).toBe(true);
  });

  test('without a scope, everything is seen as before', async () => {
    expect(await engine.sources()).toHaveLength(4);
    expect((await engine.sources()).find((s) => s.source === `africa/${MALI}`)?.aliases).toEqual(['europe/mali-copy.txt']);
  });
});
