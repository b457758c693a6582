/**
 * An ingest spread over a pool of file workers builds the same index whatever the pool's size, byte for byte; and the
 * compact build (each vector stored once, in the HNSW index, plus two numbers per chunk) gives an unchanged document
 * its raw vectors back at the next ingest, so it is not embedded again and its vectors are what a fresh ingest gives.
 */
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import hnswlib from 'hnswlib-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createEmbedder, type CorpusEmbedder } from '../../src/rag/embedding/corpus-embedder.js';
import { LocalIndexStore } from '../../src/rag/index/hnsw-store.js';
import { retrievalTablesFile } from '../../src/rag/search/document-work.js';
import { Engine } from '../../src/rag/engine.js';
import { cleanedText } from '../support/cleaned-texts.js';
import { projectRoot } from '../support/spawn-ts.js';

let workDir: string;
let corpusDir: string;
let embedder: CorpusEmbedder;

const live = (indexDir: string) => join(indexDir, 'current');
const configFor = (indexDir: string) =>
  loadConfig({ CORPUS_DIR: corpusDir, INDEX_DIR: indexDir, CACHE_DIR: join(projectRoot, 'data/cache') }, join(workDir, 'no.env'));

async function ingest(indexDir: string, poolSize: number) {
  return new LocalIndexStore(corpusDir, indexDir, embedder, retrievalTablesFile, { poolSize }).ingest();
}

/** Every file of the live build but the manifest (it holds the build's time), by its path in the build. */
async function buildFiles(indexDir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of await readdir(live(indexDir), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name === 'manifest.json') continue;
    const path = join(entry.parentPath, entry.name);
    files.set(path.slice(live(indexDir).length + 1), await readFile(path));
  }
  return files;
}

/** The vectors the HNSW index of the live build holds, in index order. */
async function indexedVectors(indexDir: string): Promise<number[][]> {
  const index = new hnswlib.HierarchicalNSW('cosine', embedder.dimensions);
  await index.readIndex(join(live(indexDir), 'hnswlib.index'));
  return Array.from({ length: index.getCurrentCount() }, (_, label) => index.getPoint(label));
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'ingest-pool-'));
  corpusDir = join(workDir, 'corpus');
  // The seed articles, the desk's dev set (markdown and HTML among them) and rewritten copies, with one file twice.
  await cp(join(projectRoot, 'corpus'), corpusDir, { recursive: true });
  await cp(join(projectRoot, 'eval/desk/corpus'), join(corpusDir, 'desk'), { recursive: true });
  await cp(join(projectRoot, 'tests/fixtures/seed-copies'), join(corpusDir, 'copies'), { recursive: true });
  await cp(join(corpusDir, '004_51570dea19fac233.txt'), join(corpusDir, 'desk', 'mali-again.txt'));
  embedder = await createEmbedder(configFor(join(workDir, 'unused')));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('ingest on a pool of file workers', { timeout: 300_000 }, () => {
  it('builds the same tables, vectors, records and cleaned texts with one worker as with two, byte for byte', async () => {
    const one = join(workDir, 'index-1');
    const two = join(workDir, 'index-2');
    const [reportOne, reportTwo] = [await ingest(one, 1), await ingest(two, 2)];
    expect(reportTwo.chunks).toBe(reportOne.chunks);
    expect(reportOne.documents.find((d) => d.source === 'desk/mali-again.txt')?.warning).toMatch(/same content as/);
    const [filesOne, filesTwo] = [await buildFiles(one), await buildFiles(two)];
    expect([...filesTwo.keys()].sort()).toEqual([...filesOne.keys()].sort());
    expect([...filesOne.keys()]).toEqual(expect.arrayContaining(['retrieval-tables.bin', 'raw-residues.bin', 'hnswlib.index', 'documents.jsonl', 'cleaned.txt']));
    for (const [name, bytes] of filesOne) expect(filesTwo.get(name)!.equals(bytes), name).toBe(true);
  });

  it('reuses the raw vectors of unchanged documents at the next ingest: nothing embedded again, the same vectors as a fresh build', async () => {
    const indexDir = join(workDir, 'index-reuse');
    await ingest(indexDir, 2);
    const again = await ingest(indexDir, 2);
    expect(again.documents.filter((d) => d.status === 'indexed')).toEqual([]);
    const fresh = await indexedVectors(join(workDir, 'index-1'));
    const reused = await indexedVectors(indexDir);
    expect(reused).toHaveLength(fresh.length);
    // Restored from float32 copies in the HNSW index: equal to float32 precision, not bit for bit.
    const worst = Math.max(...fresh.map((v, i) => Math.max(...v.map((x, j) => Math.abs(x - reused[i]![j]!)))));
    expect(worst).toBeLessThan(1e-5);
    expect((await readFile(join(live(indexDir), 'retrieval-tables.bin'))).equals(await readFile(join(workDir, 'index-1', 'current', 'retrieval-tables.bin')))).toBe(true);
  });

  it('answers and summarises from the compact build: quotes are cut from the cleaned texts it stores', async () => {
    const indexDir = join(workDir, 'index-1');
    const engine = await Engine.open(configFor(indexDir));
    const answer = await engine.ask('What did Lavrov discuss in Mali?');
    expect(answer.citations.length).toBeGreaterThan(0);
    for (const c of answer.citations) expect(cleanedText(indexDir, c.source).slice(c.start, c.end)).toBe(c.quote);
    const summary = await engine.summarize({ source: '004_51570dea19fac233.txt' });
    expect(summary.summary).toContain('Diop');
    for (const c of summary.citations) expect(cleanedText(indexDir, c.source).slice(c.start, c.end)).toBe(c.quote);
  });

  it('refuses an index of the previous format in one line, and an ingest rebuilds it', async () => {
    const indexDir = join(workDir, 'index-old');
    await ingest(indexDir, 2);
    const manifestFile = join(live(indexDir), 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8'));
    await writeFile(manifestFile, JSON.stringify({ ...manifest, format: manifest.format - 1 }));
    const refused = await Engine.open(configFor(indexDir)).catch((e: Error) => e.message);
    expect(refused).toMatch(/^the index at .* is of another format \(\d+; this version reads \d+\): run npm run ingest$/);
    const rebuilt = await ingest(indexDir, 2);
    expect(rebuilt.documents.filter((d) => d.status === 'unchanged' && !d.warning)).toEqual([]);
    expect((await (await Engine.open(configFor(indexDir))).ask('What did Lavrov discuss in Mali?')).citations[0]!.quote).toMatch(/Mali|Diop|Bamako/);
  });
});
