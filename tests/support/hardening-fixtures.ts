/**
 * Temp corpora and index directories for the hardening tests: copies of the real articles under chosen names, a
 * larger corpus that keeps an ingest busy for seconds, and configuration pointing at them.
 */
import { cp, mkdir, mkdtemp, readFile, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { Engine } from '../../src/rag/engine.js';
import { projectRoot, spawnTs, type Spawned } from './spawn-ts.js';

export const REAL_CORPUS = join(projectRoot, 'corpus');
export const MALI = '004_51570dea19fac233.txt';
export const BURUNDI = '000_c2b3d48a19ad4320.txt';
export const TOGO = '002_b32f95e2bef2da54.txt';
export const MALI_QUESTION = 'What did Lavrov discuss in Mali?';
/**
 * The word-vector cache the test setup built (global-setup.ts, at the configured CACHE_DIR), as an absolute path: a
 * child in a temp working directory would otherwise build its own.
 */
export const CACHE_DIR = resolve(projectRoot, loadConfig().cacheDir);

export const tempDir = (prefix: string) => mkdtemp(join(tmpdir(), `hardening-${prefix}-`));

/** Configuration as `npm run …` would build it, with no .env read. */
export function configFor(corpusDir: string, indexDir: string, env: Record<string, string> = {}): Config {
  return loadConfig({ ...process.env, CORPUS_DIR: corpusDir, INDEX_DIR: indexDir, ...env }, '/nonexistent');
}

/** The five real articles, copied into `dir`. */
export async function copyRealCorpus(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await cp(REAL_CORPUS, dir, { recursive: true });
}

/**
 * Adds `count` distinct bulletins made of the real articles (each with its own first line, so none is a duplicate):
 * enough text that an ingest stays busy embedding and writing for seconds.
 */
export async function addBulletins(dir: string, count: number): Promise<void> {
  const articles = await Promise.all((await readdir(REAL_CORPUS)).sort().map((name) => readFile(join(REAL_CORPUS, name), 'utf8')));
  await mkdir(dir, { recursive: true });
  for (let n = 1; n <= count; n++) {
    await writeFile(join(dir, `bulletin-${String(n).padStart(4, '0')}.txt`), `Bulletin number ${n}.\n\n${articles[n % articles.length]}`);
  }
}

/**
 * One article of about `bytes` bytes: paragraphs of the real articles, every sentence of each copy marked with its own
 * dispatch number so that none repeats (cleaning drops repeated sentences). What a long report or a pasted dump looks like to ingest.
 */
export async function writeLongArticle(path: string, bytes: number): Promise<void> {
  const articles = await Promise.all((await readdir(REAL_CORPUS)).sort().map((name) => readFile(join(REAL_CORPUS, name), 'utf8')));
  const paragraphs = articles.flatMap((a) => a.split(/\n\s*\n/)).map((p) => p.trim()).filter((p) => p.length > 80 && /[.!?]$/.test(p));
  const parts = ['A long dispatch on Russian diplomacy\n\n'];
  for (let size = 0, n = 0; size < bytes; n++) {
    const part = `${paragraphs[n % paragraphs.length]!.replace(/([.!?])(?=\s|$)/g, ` (dispatch ${n + 1})$1`)}\n\n`;
    parts.push(part);
    size += Buffer.byteLength(part);
  }
  await writeFile(path, parts.join(''));
}

/** A file of `count` short lines, one short sentence each: a log or a list pasted into the corpus (4.6 MB for 200,000). */
export async function writeManyLines(path: string, count: number): Promise<void> {
  await writeFile(path, Array.from({ length: count }, (_, n) => `Diop met Lavrov ${n + 1}.\n`).join(''));
}

/** Copies an index directory as it is on disk (the `current` link is relative, so the copy is self-contained). */
export const copyIndex = (from: string, to: string) => cp(from, to, { recursive: true, verbatimSymlinks: true });

/** A loopback port nobody listens on: connections to it are refused at once. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address() as { port: number };
  await new Promise((closed) => server.close(closed));
  return port;
}

/** `npm run ingest` in a child process, as an admin's shell runs it; its progress lines go to stderr. */
export function spawnIngest(corpusDir: string, indexDir: string, cwd: string): Spawned {
  return spawnTs('scripts/ingest.ts', { CORPUS_DIR: corpusDir, INDEX_DIR: indexDir, CACHE_DIR }, cwd);
}

/** Waits until `condition` holds, checking every few milliseconds; fails naming `what` after `timeoutMs`. */
export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The directory of an index's live build. */
export const liveBuild = async (indexDir: string) => join(indexDir, await readlink(join(indexDir, 'current')));

export interface IngestScene {
  root: string;
  /** An index of the five real articles: the "previous index" each trial starts from. */
  template: string;
  /** The real articles plus generated bulletins, so an ingest of it runs long enough to be interrupted. */
  bigCorpus: string;
  /** A number not used before in this file: names a trial's own directories. */
  nextTrial(): number;
  /** A copy of the template index for one trial. */
  freshIndexCopy(): Promise<string>;
}

/**
 * The scene a test file's trials share, built before its tests and removed after them. Its fields are filled in
 * once the file's `beforeAll` has run.
 */
export function useIngestScene(prefix: string, bulletins: number): IngestScene {
  let trials = 0;
  const scene: IngestScene = {
    root: '',
    template: '',
    bigCorpus: '',
    nextTrial: () => ++trials,
    async freshIndexCopy() {
      const dir = join(scene.root, `index-${scene.nextTrial()}`);
      await copyIndex(scene.template, dir);
      return dir;
    },
  };
  beforeAll(async () => {
    scene.root = await tempDir(prefix);
    scene.template = join(scene.root, 'template-index');
    await Engine.open(configFor(REAL_CORPUS, scene.template), { autoIngest: true });
    scene.bigCorpus = join(scene.root, 'big-corpus');
    await copyRealCorpus(scene.bigCorpus);
    await addBulletins(scene.bigCorpus, bulletins);
  }, 120_000);
  afterAll(() => rm(scene.root, { recursive: true, force: true }));
  return scene;
}
