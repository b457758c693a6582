/**
 * Crashes and damage: an ingest killed with SIGKILL at several moments leaves the previous index answering, and an
 * index damaged on disk is detected when it is opened, then rebuilt from the corpus or refused with one line.
 * Real `npm run ingest` child processes, real engine, temp directories.
 */
import { readdir, readFile, readlink, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { Engine } from '../../src/rag/engine.js';
import { IndexMismatchError } from '../../src/rag/errors.js';
import {
  CACHE_DIR,
  configFor,
  liveBuild,
  MALI,
  MALI_QUESTION,
  REAL_CORPUS,
  spawnIngest,
  until,
  useIngestScene,
} from '../support/hardening-fixtures.js';
import { spawnTs } from '../support/spawn-ts.js';

const BULLETINS = 250;
const scene = useIngestScene('crash', BULLETINS);

/** The index in `indexDir` opens without a rebuild, holds the five articles and answers from them. */
async function expectPreviousIndexAnswering(indexDir: string): Promise<void> {
  const engine = await Engine.open(configFor(REAL_CORPUS, indexDir));
  expect((await engine.sources()).map((s) => s.source)).toHaveLength(5);
  const answer = await engine.ask(MALI_QUESTION);
  expect(answer.status).toBe('answered');
  expect(answer.citations[0]!.source).toBe(MALI);
}

const buildsIn = async (indexDir: string) => (await readdir(join(indexDir, 'builds'))).sort();

// Up to two ingests of 255 articles each: 54–90 s on this 2-core machine under loads of 12–20.
describe('kill -9 of an ingest', { timeout: 180_000 }, () => {
  test('npm run ask right after it answers from the previous index, and the next ingest takes the lock at once', async () => {
    const indexDir = await scene.freshIndexCopy();
    const ingest = spawnIngest(scene.bigCorpus, indexDir, scene.root);
    await until(() => /\[1\/\d+\]/.test(ingest.out.stderr), 'the ingest to take the lock and start embedding');
    ingest.child.kill('SIGKILL');
    expect(await ingest.exited).toBeNull();
    const asked = spawnTs('scripts/ask.ts', { CACHE_DIR, CORPUS_DIR: REAL_CORPUS, INDEX_DIR: indexDir }, scene.root, [MALI_QUESTION]);
    expect(await asked.exited).toBe(0);
    expect(asked.out.stdout).toContain(MALI);
    expect(asked.out.stderr).toBe('');
    const next = spawnIngest(REAL_CORPUS, indexDir, scene.root);
    expect(await next.exited).toBe(0);
    expect(next.out.stdout).toMatch(/^5 documents \(/m);
  });

  test.each([100, 500, 1000])('%i ms after it starts: the previous index still answers', async (ms) => {
    const indexDir = await scene.freshIndexCopy();
    const live = await readlink(join(indexDir, 'current'));
    const ingest = spawnIngest(scene.bigCorpus, indexDir, scene.root);
    await new Promise((resolve) => setTimeout(resolve, ms));
    ingest.child.kill('SIGKILL');
    expect(await ingest.exited).toBeNull();
    expect(await readlink(join(indexDir, 'current'))).toBe(live);
    await expectPreviousIndexAnswering(indexDir);
  });

  test('while it embeds documents: the previous index still answers', async () => {
    const indexDir = await scene.freshIndexCopy();
    const ingest = spawnIngest(scene.bigCorpus, indexDir, scene.root);
    await until(() => ingest.out.stderr.includes(`/${BULLETINS + 5}] bulletin-0010`), 'the ingest to embed its tenth bulletin');
    ingest.child.kill('SIGKILL');
    expect(await ingest.exited).toBeNull();
    await expectPreviousIndexAnswering(indexDir);
  });

  test('while it writes the new build: the previous index still answers, and the next ingest clears the half-written build', async () => {
    const indexDir = await scene.freshIndexCopy();
    const [live] = await buildsIn(indexDir);
    const ingest = spawnIngest(scene.bigCorpus, indexDir, scene.root);
    await until(async () => (await buildsIn(indexDir)).length > 1, 'the new build directory to appear', 60_000);
    ingest.child.kill('SIGKILL');
    expect(await ingest.exited).toBeNull();
    const halfWritten = (await buildsIn(indexDir)).find((b) => b !== live)!;
    expect(await stat(join(indexDir, 'builds', halfWritten, 'manifest.json')).catch(() => null)).toBeNull();
    await expectPreviousIndexAnswering(indexDir);

    // The killed ingest's lock names a process that is gone: the next ingest takes it over at once, not after 10 s.
    const lock = join(indexDir, 'ingest.lock');
    expect((await stat(lock)).mtimeMs).toBeGreaterThan(Date.now() - 10_000);
    const next = spawnIngest(scene.bigCorpus, indexDir, scene.root);
    expect(await next.exited).toBe(0);
    expect(next.out.stdout).toMatch(new RegExp(`^${BULLETINS + 5} documents \\(`, 'm'));
    const builds = await buildsIn(indexDir);
    expect(builds).toHaveLength(1);
    expect(builds).not.toContain(halfWritten);
    expect(builds).not.toContain(live);
  });
});

/** Each way an index can be damaged on disk, applied to a copy of the template. */
const damages: [string, (buildDir: string) => Promise<void>][] = [
  ['hnswlib.index truncated', (b) => truncateToHalf(join(b, 'hnswlib.index'))],
  ['hnswlib.index with one byte changed', (b) => flipByte(join(b, 'hnswlib.index'))],
  ['cleaned.txt truncated', (b) => truncateToHalf(join(b, 'cleaned.txt'))],
  ['manifest.json truncated', (b) => truncateToHalf(join(b, 'manifest.json'))],
  ['manifest.json from another embedder', (b) => claimOtherEmbedder(join(b, 'manifest.json'))],
  ['the live build directory deleted', (b) => rm(b, { recursive: true })],
];

async function truncateToHalf(file: string): Promise<void> {
  await truncate(file, Math.floor((await stat(file)).size / 2));
}

async function flipByte(file: string): Promise<void> {
  const bytes = await readFile(file);
  const at = Math.floor(bytes.length / 2);
  bytes[at] = bytes[at]! ^ 0xff;
  await writeFile(file, bytes);
}

/** Still valid JSON, but the Mali article now says Peru: serving it would be a wrong answer. */
async function rewriteMaliRecord(buildDir: string): Promise<void> {
  const manifest = JSON.parse(await readFile(join(buildDir, 'manifest.json'), 'utf8'));
  const file = join(buildDir, 'documents.jsonl');
  const lines = (await readFile(file, 'utf8')).split('\n');
  const at = manifest.documents.findIndex((d: { source: string }) => d.source === MALI);
  lines[at] = lines[at]!.replaceAll('Mali', 'Peru');
  await writeFile(file, lines.join('\n'));
}

/** The Mali article's cleaned text (what answers quote) now says Peru, at the same length: only its CRC-32 tells. */
async function rewriteMaliText(buildDir: string): Promise<void> {
  const file = join(buildDir, 'cleaned.txt');
  const text = await readFile(file, 'utf8');
  const header = `==> ${MALI} <==\n\n`;
  const start = text.indexOf(header) + header.length;
  const end = text.indexOf('\n==> ', start);
  await writeFile(file, text.slice(0, start) + text.slice(start, end).replaceAll('Mali', 'Peru') + text.slice(end));
}

async function claimOtherEmbedder(file: string): Promise<void> {
  const manifest = JSON.parse(await readFile(file, 'utf8'));
  manifest.embedder = { id: 'openai:text-embedding-3-small', dimensions: 1536 };
  await writeFile(file, JSON.stringify(manifest));
}

async function damagedCopy(damage: (buildDir: string) => Promise<void>): Promise<string> {
  const indexDir = await scene.freshIndexCopy();
  await damage(join(indexDir, await readlink(join(indexDir, 'current'))));
  return indexDir;
}

describe('a damaged index', { timeout: 180_000 }, () => {
  test.each(damages)('%s: refused at open with one line that says to re-ingest', async (_name, damage) => {
    const indexDir = await damagedCopy(damage);
    const opening = Engine.open(configFor(REAL_CORPUS, indexDir));
    await expect(opening).rejects.toThrow(IndexMismatchError);
    const message = await opening.catch((e: Error) => e.message);
    expect(message).toMatch(/damaged|unreadable|built by embedder openai/);
    expect(message).toMatch(/run npm run ingest/);
    expect(message).not.toContain('\n');
  });

  test.each(damages)('%s: rebuilt from the corpus when opened to answer, with a notice, then answers correctly', async (_name, damage) => {
    const indexDir = await damagedCopy(damage);
    const notices: string[] = [];
    const engine = await Engine.open(configFor(REAL_CORPUS, indexDir), { autoIngest: true, onNotice: (m) => notices.push(m) });
    expect(notices.some((n) => /rebuilding it from the corpus/.test(n))).toBe(true);
    const answer = await engine.ask(MALI_QUESTION);
    expect(answer.status).toBe('answered');
    expect(answer.citations[0]!.source).toBe(MALI);
    expect(answer.answer).not.toMatch(/Peru/);
    expect((await engine.ask('What did Lavrov discuss in Peru?')).status).toBe('not_found');
  });
});

describe('a document record damaged on disk', { timeout: 180_000 }, () => {
  test('is found at open: refused in one line, or rebuilt from the corpus when opened to answer; the next ingest embeds that record again', async () => {
    const indexDir = await damagedCopy(rewriteMaliRecord);
    const opening = Engine.open(configFor(REAL_CORPUS, indexDir));
    expect(await opening.catch((e: Error) => e.message)).toMatch(/^the index at .* is damaged \(the record of 004_51570dea19fac233\.txt in documents\.jsonl is missing or altered\); run npm run ingest/);
    const notices: string[] = [];
    const engine = await Engine.open(configFor(REAL_CORPUS, await damagedCopy(rewriteMaliRecord)), { autoIngest: true, onNotice: (m) => notices.push(m) });
    expect(notices).toEqual([expect.stringMatching(/is damaged \(the record of 004_51570dea19fac233\.txt in documents\.jsonl is missing or altered\); rebuilding it from the corpus…$/)]);
    const answer = await engine.ask(MALI_QUESTION);
    expect(answer.citations[0]!.source).toBe(MALI);
    expect(answer.answer).not.toMatch(/Peru/);
    const report = await Engine.ingest(configFor(REAL_CORPUS, indexDir));
    expect(report.documents.find((d) => d.source === MALI)?.status).toBe('indexed');
    expect(report.documents.filter((d) => d.status === 'unchanged')).toHaveLength(4);
  });

  test('a cleaned text altered is found at open too: refused in one line naming it, or rebuilt when opened to answer', async () => {
    const opening = Engine.open(configFor(REAL_CORPUS, await damagedCopy(rewriteMaliText)));
    expect(await opening.catch((e: Error) => e.message)).toMatch(/^the index at .* is damaged \(the cleaned text of 004_51570dea19fac233\.txt in cleaned\.txt is missing or altered\); run npm run ingest/);
    const engine = await Engine.open(configFor(REAL_CORPUS, await damagedCopy(rewriteMaliText)), { autoIngest: true });
    const answer = await engine.ask(MALI_QUESTION);
    expect(answer.citations[0]!.source).toBe(MALI);
    expect(answer.answer).not.toMatch(/Peru/);
  });
});

/** The retrieval tables file of a build, as the tables module writes it: "RAGTABLE", then its format number. */
const tablesFile = (buildDir: string) => join(buildDir, 'retrieval-tables.bin');

/** Tables an older version wrote: format 0, and a manifest that vouches for them as they are. */
async function olderTablesFormat(buildDir: string): Promise<void> {
  const bytes = await readFile(tablesFile(buildDir));
  bytes.writeUInt32LE(0, 8);
  await writeFile(tablesFile(buildDir), bytes);
  const manifest = JSON.parse(await readFile(join(buildDir, 'manifest.json'), 'utf8'));
  manifest.files['retrieval-tables.bin'].crc32 = crc32(bytes);
  await writeFile(join(buildDir, 'manifest.json'), JSON.stringify(manifest));
}

describe('damaged or older retrieval tables', { timeout: 180_000 }, () => {
  const cases: [string, (buildDir: string) => Promise<void>, RegExp][] = [
    ['one byte changed', (b) => flipByte(tablesFile(b)), /retrieval tables of the index are damaged/],
    ['truncated', (b) => truncateToHalf(tablesFile(b)), /retrieval tables of the index are damaged/],
    ['deleted', (b) => rm(tablesFile(b)), /retrieval tables of the index are damaged/],
    ['of an older format', olderTablesFormat, /retrieval tables of the index are of an older format \(0; this version reads \d+\)/],
  ];

  test.each(cases)('%s: never trusted; rebuilt from the stored documents with a notice, then answers correctly', async (_name, damage, notice) => {
    const indexDir = await damagedCopy(damage);
    const notices: string[] = [];
    const engine = await Engine.open(configFor(REAL_CORPUS, indexDir), { onNotice: (m) => notices.push(m) });
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(notice);
    const answer = await engine.ask(MALI_QUESTION);
    expect(answer.status).toBe('answered');
    expect(answer.citations[0]!.source).toBe(MALI);
    expect((await engine.ask('What did Lavrov discuss in Peru?')).status).toBe('not_found');
  });

  test.each([
    ['one byte changed', (b: string) => flipByte(tablesFile(b)), /damaged \(checksum mismatch\)/],
    ['of an older format', olderTablesFormat, /of an older format \(0; this version reads \d+\)/],
  ])('%s: npm run ask says so on one line, rebuilds them from the stored documents, stores them and answers (exit 0); the next ask is quiet', async (_name, damage, why) => {
    const indexDir = await damagedCopy(damage);
    const env = { CACHE_DIR, CORPUS_DIR: REAL_CORPUS, INDEX_DIR: indexDir };
    const asked = spawnTs('scripts/ask.ts', env, scene.root, [MALI_QUESTION]);
    expect(await asked.exited).toBe(0);
    expect(asked.out.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^the retrieval tables of the index are ${why.source}; rebuilding them from the stored documents and storing them…$`))]);
    expect(asked.out.stdout).toContain(MALI);
    // What was stored is what an ingest of the same corpus stores.
    const stored = await readFile(tablesFile(await liveBuild(indexDir)));
    expect(stored.equals(await readFile(tablesFile(await liveBuild(scene.template))))).toBe(true);
    const again = spawnTs('scripts/ask.ts', env, scene.root, [MALI_QUESTION]);
    expect(await again.exited).toBe(0);
    expect(again.out.stderr).toBe('');
    expect(again.out.stdout).toContain(MALI);
  });
});

describe('a damaged index from the command line', { timeout: 180_000 }, () => {
  async function ask(env: Record<string, string>) {
    const { out, exited } = spawnTs('scripts/ask.ts', { CACHE_DIR, ...env }, scene.root, [MALI_QUESTION]);
    return { code: await exited, ...out };
  }

  test('npm run ask says it is rebuilding, then answers (exit 0)', async () => {
    const indexDir = await damagedCopy(damages[0]![1]);
    const { code, stdout, stderr } = await ask({ CORPUS_DIR: REAL_CORPUS, INDEX_DIR: indexDir });
    expect(code).toBe(0);
    expect(stderr).toMatch(/is damaged \(hnswlib\.index is missing or altered\); rebuilding it from the corpus/);
    expect(stdout).toContain(`(${MALI}, ¶ `);
    expect(stderr + stdout).not.toMatch(/\n\s+at /);
  });

  test('when it cannot rebuild (the corpus is gone), npm run ask refuses with one line and no stack trace', async () => {
    const indexDir = await damagedCopy(damages[0]![1]);
    const { code, stdout, stderr } = await ask({ CORPUS_DIR: join(scene.root, 'no-such-corpus'), INDEX_DIR: indexDir });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n').at(-1)).toBe(`error: corpus directory not found: ${join(scene.root, 'no-such-corpus')} (set CORPUS_DIR)`);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
