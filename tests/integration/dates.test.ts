/**
 * Dated documents: a question about "the latest" is answered from the newest document that answers it. The dates come
 * from the documents themselves: here the seed articles as markdown files whose front matter states a date.
 */
import { mkdtempSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { Engine } from '../../src/rag/engine.js';

const DATES: Record<string, string> = {
  '000_c2b3d48a19ad4320': '2023-05-30',
  '001_e09e45f6e40bd673': '2023-09-12',
  '002_b32f95e2bef2da54': '2023-12-20',
  '003_aed676f35e158f01': '2024-01-15',
  '004_51570dea19fac233': '2024-02-27',
};

let plain: Engine;
let dated: Engine;

beforeAll(async () => {
  const temp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
  const corpus = temp('dates-corpus-');
  for (const [name, date] of Object.entries(DATES)) {
    const text = await readFile(join('corpus', `${name}.txt`), 'utf8');
    await writeFile(join(corpus, `${name}.md`), `---\ndate: ${date}\n---\n\n${text}`);
  }
  const env = { ...process.env };
  plain = await Engine.open(loadConfig({ ...env, INDEX_DIR: temp('dates-plain-') }, '/nonexistent'), { autoIngest: true });
  dated = await Engine.open(loadConfig({ ...env, CORPUS_DIR: corpus, INDEX_DIR: temp('dates-index-') }, '/nonexistent'), { autoIngest: true });
}, 180_000);

describe('questions about the latest', () => {
  it('are answered from the newest of the documents that answer them', async () => {
    const question = 'What did Lavrov discuss most recently?';
    const undated = await plain.ask(question);
    expect(undated.citations.map((c) => c.source)).not.toEqual(expect.arrayContaining(['004_51570dea19fac233.txt']));
    const latest = await dated.ask(question);
    expect(latest.status).toBe('answered');
    expect(new Set(latest.citations.map((c) => c.source))).toEqual(new Set(['004_51570dea19fac233.md']));
    expect(latest.citations[0]!.date).toBe('2024-02-27');
  });

  it('leave other questions as they were', async () => {
    const question = 'When was the Union State Treaty signed?';
    const [fromDated, fromPlain] = [await dated.ask(question), await plain.ask(question)];
    expect(fromDated.status).toBe(fromPlain.status);
    // The sentence that answers is the same; a runner-up quoted beside it may differ, as the markdown files' front
    // matter and headings change the scores of sentences that are close.
    const signed = (a: typeof fromPlain) => a.citations.find((c) => /signed in 1999/.test(c.quote));
    expect(signed(fromDated)?.quote).toBeDefined();
    expect(signed(fromDated)?.quote).toBe(signed(fromPlain)?.quote);
    expect(signed(fromDated)?.source).toBe(signed(fromPlain)?.source.replace('.txt', '.md'));
  });
});
