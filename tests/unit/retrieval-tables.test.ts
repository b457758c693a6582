import { readFile } from 'node:fs/promises';
import MiniSearch from 'minisearch';
import { describe, expect, it } from 'vitest';
import type { DocumentRecord } from '../../src/rag/index/contract.js';
import { chunkDocument } from '../../src/rag/ingest/chunk.js';
import { cleanDocument } from '../../src/rag/ingest/clean.js';
import { loadCorpus } from '../../src/rag/ingest/load.js';
import {
  buildRetrievalTables,
  decodeRetrievalTables,
  encodeRetrievalTables,
  RETRIEVAL_TABLES_FORMAT,
  UnusableTablesError,
} from '../../src/rag/search/retrieval-tables.js';
import { questionTerms } from '../../src/rag/text/question.js';
import { terms } from '../../src/rag/text/terms.js';

/** The real articles as ingest records them (vectors are not part of the tables). */
async function records(): Promise<DocumentRecord[]> {
  const { files } = await loadCorpus('corpus');
  return files.map((f) => {
    const cleaned = cleanDocument(f.text);
    const chunks = chunkDocument(f.source, cleaned);
    return { source: f.source, aliases: [], sha256: f.sha256, title: cleaned.title, text: cleaned.text, sections: cleaned.sections, placeholders: cleaned.placeholders, chunks };
  });
}

/** A document's cleaned text by source, as a store gives it to the tables. */
const textsOf = (records: { source: string; text: string }[]) => (source: string) => records.find((r) => r.source === source)!.text;

const questions = async () =>
  (await readFile('eval/dev-questions.jsonl', 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { question: string }).question);

describe('retrieval tables', () => {
  it('rank chunks by BM25 exactly as MiniSearch does over the same chunks, after a round trip through the file', async () => {
    const built = await records();
    const tables = decodeRetrievalTables(encodeRetrievalTables(buildRetrievalTables(built)), textsOf(built));
    const chunks = built.flatMap((r) => r.chunks);
    const analysis = { tokenize: terms, processTerm: (t: string) => t };
    const boost = { text: 1, heading: 0.6, title: 0.4 };
    const mini = new MiniSearch({ fields: ['text', 'heading', 'title'], ...analysis, searchOptions: { ...analysis, boost } });
    mini.addAll(chunks.map((c, id) => ({ id, text: c.text, heading: c.heading, title: c.title })));
    const asked = await questions();
    expect(asked.length).toBeGreaterThan(20);
    for (const question of asked) {
      const queryTerms = questionTerms(question).map((q) => q.term);
      const expected = mini.search(queryTerms.join(' '), { tokenize: (q) => q.split(' '), processTerm: (t) => t }).map((r) => r.id as number);
      expect(tables.lexicalSearch(queryTerms), question).toEqual(expected);
    }
  });

  it('give back every chunk and sentence text exactly as ingest cut it', async () => {
    const built = await records();
    const tables = decodeRetrievalTables(encodeRetrievalTables(buildRetrievalTables(built)), textsOf(built));
    const chunks = built.flatMap((r) => r.chunks);
    expect(tables.chunks.map((c) => c.text)).toEqual(chunks.map((c) => c.text));
    const sentences = new Map(chunks.flatMap((c) => c.sentences.map((s) => [`${c.source}\u0000${s.start}`, s.text])));
    expect(tables.sentences).toHaveLength(sentences.size);
    for (const s of tables.sentences) expect(s.text).toBe(sentences.get(`${s.source}\u0000${s.start}`));
  });

  it('refuse tables whose terms another analysis of words made (text/terms.ts changed since the ingest)', async () => {
    const built = await records();
    const tables = buildRetrievalTables(built);
    const stored = tables.stored;
    const frequent = Array.from(stored.documentFrequency.keys()).reduce((a, b) => (stored.documentFrequency[b]! > stored.documentFrequency[a]! ? b : a));
    stored.terms[frequent] = `${stored.terms[frequent]}x`;
    expect(() => decodeRetrievalTables(encodeRetrievalTables(tables), textsOf(built))).toThrow(/of another analysis of words/);
  });

  it('give every sentence of a dated article its month and year as context, which its byline stated and cleaning dropped', () => {
    const raw = ['Kisumu port tender draws five bidders', '', 'Updated: 8 October 2024 17:40 EAT', '', 'Five companies have bid to run the terminal, the authority said on Tuesday.', '', 'The winner will be named by June.'].join('\n');
    const cleaned = cleanDocument(raw);
    expect(cleaned.date).toBe('2024-10-08');
    expect(cleaned.text).not.toContain('October');
    const record = { source: 'kisumu.txt', aliases: [], sha256: '', title: cleaned.title, date: cleaned.date, text: cleaned.text, sections: cleaned.sections, placeholders: [], chunks: chunkDocument('kisumu.txt', cleaned) };
    const { sentences } = decodeRetrievalTables(encodeRetrievalTables(buildRetrievalTables([record])), textsOf([record]));
    const last = [...sentences].find((s) => s.text.startsWith('The winner'))!;
    expect([...last.context]).toEqual(expect.arrayContaining(terms('October 2024')));
    const undated = decodeRetrievalTables(encodeRetrievalTables(buildRetrievalTables([{ ...record, date: undefined }])), textsOf([record])).sentences;
    expect([...[...undated].find((s) => s.text.startsWith('The winner'))!.context]).not.toContain(terms('October')[0]);
  });

  it('refuse a file with one byte changed, or of another format, saying which', async () => {
    const built = await records();
    const texts = textsOf(built);
    const file = encodeRetrievalTables(buildRetrievalTables(built));
    const damaged = Buffer.from(file);
    damaged[damaged.length - 100] ^= 0xff;
    expect(() => decodeRetrievalTables(damaged, texts)).toThrow(new UnusableTablesError('damaged (checksum mismatch)'));
    const older = Buffer.from(file);
    older.writeUInt32LE(0, 8);
    expect(() => decodeRetrievalTables(older, texts)).toThrow(/of an older format \(0; this version reads \d+\)/);
    const newer = Buffer.from(file);
    newer.writeUInt32LE(RETRIEVAL_TABLES_FORMAT + 1, 8);
    expect(() => decodeRetrievalTables(newer, texts)).toThrow(`of a newer format (${RETRIEVAL_TABLES_FORMAT + 1}; this version reads ${RETRIEVAL_TABLES_FORMAT})`);
    expect(() => decodeRetrievalTables(file.subarray(0, file.length / 2), texts)).toThrow(UnusableTablesError);
  });
});
