/**
 * Whether the corpus changed since the index was built is decided by a stat per file: a file whose size and time
 * are unchanged is not read, one whose time changed is hashed, and only a change of its bytes re-ingests.
 * Real engine, real corpus copies in temp directories.
 */
import { readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Engine } from '../../src/rag/engine.js';
import { configFor, copyRealCorpus, MALI, tempDir } from '../support/hardening-fixtures.js';

let root: string;

beforeAll(async () => {
  root = await tempDir('corpus-change');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function openedIndex(name: string) {
  const corpusDir = join(root, `${name}-corpus`);
  const indexDir = join(root, `${name}-index`);
  await copyRealCorpus(corpusDir);
  await Engine.open(configFor(corpusDir, indexDir), { autoIngest: true });
  return { corpusDir, indexDir };
}

async function openNoting(corpusDir: string, indexDir: string) {
  const notices: string[] = [];
  const engine = await Engine.open(configFor(corpusDir, indexDir), { autoIngest: true, onNotice: (m) => notices.push(m) });
  return { engine, notices };
}

describe('a corpus checked by stat', { timeout: 60_000 }, () => {
  test('a file touched (same bytes, new time) opens the index as it is, without re-ingesting', async () => {
    const { corpusDir, indexDir } = await openedIndex('touched');
    const later = new Date(Date.now() + 60_000);
    await utimes(join(corpusDir, MALI), later, later);
    const { notices } = await openNoting(corpusDir, indexDir);
    expect(notices).toEqual([]);
  });

  test('a file edited to the same size is noticed and re-ingested, and the new text answers', async () => {
    const { corpusDir, indexDir } = await openedIndex('edited');
    const file = join(corpusDir, MALI);
    const text = await readFile(file, 'utf8');
    expect(text).toContain('Bamako');
    await writeFile(file, text.replaceAll('Bamako', 'Bamakx'));
    const { engine, notices } = await openNoting(corpusDir, indexDir);
    expect(notices).toEqual(['the corpus changed since the index was built; re-ingesting…']);
    const answer = await engine.ask('What happened in Bamakx?');
    expect(answer.status).toBe('answered');
    expect(answer.citations[0]!.source).toBe(MALI);
  });

  test('a file added is noticed and re-ingested', async () => {
    const { corpusDir, indexDir } = await openedIndex('added');
    await writeFile(join(corpusDir, 'zz-new.txt'), 'Lavrov visited Ulaanbaatar.\n\nThe talks covered mining and rail transit through Mongolia.');
    const { engine, notices } = await openNoting(corpusDir, indexDir);
    expect(notices).toEqual(['the corpus changed since the index was built; re-ingesting…']);
    expect((await engine.sources()).map((s) => s.source)).toContain('zz-new.txt');
  });
});
