/**
 * Ingest, second round: a signal stops an ingest cleanly, a long document does not stall the process that asks for
 * the ingest, a corpus with nothing usable never replaces the live index, and odd file names (too long for the file
 * system once ".txt" is added, or holding a newline) neither break ingest nor its report. Real `npm run ingest`
 * children, real engine, temp directories.
 */
import { mkdir, readdir, readFile, readlink, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { Engine } from '../../src/rag/engine.js';
import { CorpusFileError } from '../../src/rag/errors.js';
import {
  CACHE_DIR,
  configFor,
  copyRealCorpus,
  MALI,
  MALI_QUESTION,
  REAL_CORPUS,
  spawnIngest,
  TOGO,
  until,
  writeLongArticle,
  useIngestScene,
} from '../support/hardening-fixtures.js';
import { cleanedText } from '../support/cleaned-texts.js';
import { spawnTs } from '../support/spawn-ts.js';

const BULLETINS = 150;
const scene = useIngestScene('ingest', BULLETINS);

const buildsIn = async (indexDir: string) => (await readdir(join(indexDir, 'builds'))).sort();

/** The index in `indexDir` holds the five articles and answers from them. */
async function expectFiveArticlesAnswering(indexDir: string): Promise<void> {
  const engine = await Engine.open(configFor(REAL_CORPUS, indexDir));
  expect(await engine.sources()).toHaveLength(5);
  const answer = await engine.ask(MALI_QUESTION);
  expect(answer.citations[0]!.source).toBe(MALI);
}

describe('a signal stops npm run ingest cleanly', { timeout: 90_000 }, () => {
  test.each([
    ['SIGTERM', 'while it embeds documents', (stderr: string, _builds: string[]) => stderr.includes(`/${BULLETINS + 5}] bulletin-0010`)],
    ['SIGINT', 'while it writes the new build', (_stderr: string, builds: string[]) => builds.length > 1],
  ] as const)('%s %s: one line, exit 1, the live index untouched, the half build removed, the lock released', async (signal, _when, reached) => {
    const indexDir = await scene.freshIndexCopy();
    const live = await readlink(join(indexDir, 'current'));
    const builds = await buildsIn(indexDir);
    const ingest = spawnIngest(scene.bigCorpus, indexDir, scene.root);
    await until(async () => reached(ingest.out.stderr, await buildsIn(indexDir)), `the ingest to get there`, 60_000);
    ingest.child.kill(signal);
    expect(await ingest.exited).toBe(1);
    expect(ingest.out.stderr.trim().split('\n').at(-1)).toBe(`error: ingest stopped by ${signal}; the index in use was not changed`);
    expect(ingest.out.stderr).not.toMatch(/\n\s+at /);
    expect(await readlink(join(indexDir, 'current'))).toBe(live);
    expect(await buildsIn(indexDir)).toEqual(builds);
    expect(await stat(join(indexDir, 'ingest.lock')).catch(() => null)).toBeNull();
    await expectFiveArticlesAnswering(indexDir);
  });
});

describe('a signal stops the first build of npm run ask cleanly', { timeout: 90_000 }, () => {
  test('SIGTERM while it writes: one line, exit 1, no answer, no build left behind', async () => {
    const indexDir = join(scene.root, `first-run-${scene.nextTrial()}`);
    const ask = spawnTs('scripts/ask.ts', { CORPUS_DIR: scene.bigCorpus, INDEX_DIR: indexDir, CACHE_DIR }, scene.root, [MALI_QUESTION]);
    await until(async () => (await readdir(join(indexDir, 'builds')).catch(() => [])).length > 0, 'the first build to be written', 60_000);
    ask.child.kill('SIGTERM');
    expect(await ask.exited).toBe(1);
    expect(ask.out.stderr.trim().split('\n').at(-1)).toBe('error: ingest stopped by SIGTERM; the index in use was not changed');
    expect(ask.out.stdout).toBe('');
    // A build's folder is made as its first documents are read and written; stopped, nothing of it is left, nor builds/.
    expect(await readdir(join(indexDir, 'builds')).catch(() => [])).toEqual([]);
  });
});

describe('a long document is ingested off the main thread', { timeout: 90_000 }, () => {
  test('while the engine re-ingests a 480 KB article, its thread keeps running and a question is answered', async () => {
    const corpus = join(scene.root, 'long-corpus');
    await copyRealCorpus(corpus);
    const LONG = 'zz-long-dispatch.txt';
    // Long enough that its cleaning and embedding outlast an answer on the main thread and three timer ticks: at
    // 120 KB they at times did not (1 run in 3 failed on Node 20, 2 in 3 on Node 24, after issue 21's changes).
    await writeLongArticle(join(corpus, LONG), 480 * 1024);
    const engine = await Engine.open(configFor(corpus, await scene.freshIndexCopy()));
    let ticks = 0;
    let counting = false;
    const timer = setInterval(() => counting && ticks++, 20);
    let answered: Promise<string> | undefined;
    let answeredWhileIngesting = false;
    try {
      const report = await engine.reindex((p) => {
        if (p.stage === 'embed' && p.source === LONG) {
          counting = true;
          answered = engine.ask(MALI_QUESTION).then((a) => {
            answeredWhileIngesting = counting;
            return a.citations[0]!.source;
          });
        }
        if (p.stage === 'index') counting = false;
      });
      expect(report.documents.find((d) => d.source === LONG)?.status).toBe('indexed');
    } finally {
      clearInterval(timer);
    }
    // The long article's cleaning, chunking and embedding ran elsewhere: timers fired and the question got its answer.
    expect(await answered).toBe(MALI);
    expect(answeredWhileIngesting).toBe(true);
    expect(ticks).toBeGreaterThanOrEqual(3);
    expect(await engine.sources()).toHaveLength(6);
  });
});

describe('a corpus with nothing usable never goes live', { timeout: 90_000 }, () => {
  let junk: string;
  beforeAll(async () => {
    junk = join(scene.root, 'junk-corpus');
    await mkdir(join(junk, 'sub'), { recursive: true });
    await writeFile(join(junk, 'empty.txt'), '');
    await writeFile(join(junk, 'photo.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0]));
    // Subfolders are read: junk in one is skipped like junk at the top.
    await writeFile(join(junk, 'sub', 'notes.pdf'), Buffer.from('%PDF-1.4'));
  });

  test('the engine keeps serving the previous index; the ingest fails with one line naming why', async () => {
    const indexDir = await scene.freshIndexCopy();
    const live = await readlink(join(indexDir, 'current'));
    const engine = await Engine.open(configFor(junk, indexDir));
    const ingest = engine.reindex();
    await expect(ingest).rejects.toThrow(CorpusFileError);
    await expect(ingest).rejects.toThrow(
      `no document in ${junk} could be indexed (3 skipped, e.g. empty.txt: empty file); the index in use was not changed`,
    );
    expect(await readlink(join(indexDir, 'current'))).toBe(live);
    expect(await buildsIn(indexDir)).toEqual([live.split('/').pop()]);
    expect(await engine.refresh()).toBe(false);
    expect(await engine.sources()).toHaveLength(5);
    expect((await engine.ask(MALI_QUESTION)).citations[0]!.source).toBe(MALI);
  });

  test('npm run ingest over an empty folder exits 1 with one line; npm run ask still answers from the index', async () => {
    const indexDir = await scene.freshIndexCopy();
    const empty = join(scene.root, 'empty-corpus');
    await mkdir(empty, { recursive: true });
    const ingest = spawnIngest(empty, indexDir, scene.root);
    expect(await ingest.exited).toBe(1);
    expect(ingest.out.stderr.trim()).toBe(`error: no document in ${empty} could be indexed (the folder holds no files); the index in use was not changed`);
    expect(ingest.out.stdout).toBe('');
    // `ask` rebuilds when the corpus changed; with nothing usable left it says so and answers from the index it has.
    const notices: string[] = [];
    const engine = await Engine.open(configFor(empty, indexDir), { autoIngest: true, onNotice: (m) => notices.push(m) });
    expect(notices.at(-1)).toBe(`no document in ${empty} could be indexed (the folder holds no files); the index in use was not changed`);
    expect((await engine.ask(MALI_QUESTION)).citations[0]!.source).toBe(MALI);
  });
});

describe('odd file names', { timeout: 90_000 }, () => {
  // 125 Cyrillic letters: 250 bytes, 254 with ".txt": a name at the limit of most file systems.
  const LONG_NAME = `${'Лавров'.repeat(21).slice(0, 125)}.txt`;
  const NEWLINE_NAME = 'togo\nembassy.txt';
  let corpus: string;
  beforeAll(async () => {
    corpus = join(scene.root, 'names-corpus');
    await copyRealCorpus(corpus);
    await writeFile(join(corpus, LONG_NAME), `Field notes.\n\n${await readFile(join(REAL_CORPUS, MALI), 'utf8')}`);
    await writeFile(join(corpus, NEWLINE_NAME), `Embassy notes.\n\n${await readFile(join(REAL_CORPUS, TOGO), 'utf8')}`);
  });

  test('a 254-byte name is indexed, cited and summarized; its cleaned text is kept under its name', async () => {
    expect(Buffer.byteLength(LONG_NAME)).toBe(254);
    const indexDir = join(scene.root, `names-index-${scene.nextTrial()}`);
    const engine = await Engine.open(configFor(corpus, indexDir), { autoIngest: true });
    expect((await engine.sources()).map((s) => s.source)).toContain(LONG_NAME);
    const summary = await engine.summarize({ source: LONG_NAME });
    expect(summary.citations.every((c) => c.source === LONG_NAME)).toBe(true);
    expect(cleanedText(indexDir, LONG_NAME)).toMatch(/^Field notes\./);
  });

  test('npm run ingest prints a name with a newline on one line, the newline shown as \\n', async () => {
    const ingest = spawnIngest(corpus, join(scene.root, `names-index-${scene.nextTrial()}`), scene.root);
    expect(await ingest.exited).toBe(0);
    const lines = ingest.out.stdout.trim().split('\n');
    // The file is a copy of the Togo article, so it is named twice: as a document, and in its story's line.
    expect(lines.filter((l) => l.includes('togo'))).toEqual([
      expect.stringMatching(/^indexed {3}togo\\nembassy\.txt — “.+” \(\d+ chunks\)$/),
      expect.stringMatching(/^ {2}story-\w+: 002_b32f95e2bef2da54\.txt, togo\\nembassy\.txt$/),
    ]);
    expect(lines.filter(Boolean).every((l) => /^(indexed|unchanged|skipped|removed)\s|^\d+ documents|^Copies of one story|^ {2}story-/.test(l))).toBe(true);
  });
});
