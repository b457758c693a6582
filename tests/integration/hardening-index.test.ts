/**
 * An index directory others have tampered with, third round: retrieval tables from another build or with an
 * altered header, manifests that are valid JSON but not manifests, damaged tables together with a damaged record,
 * `current` replaced by a directory, and locks held by a zombie or by nobody. Each is caught at open or at the next
 * ingest, never served, and repaired. Real engine, real `npm run ask` / `npm run ingest` children, temp directories.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cp, lstat, mkdir, readdir, readFile, readlink, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { Engine } from '../../src/rag/engine.js';
import { IndexMismatchError } from '../../src/rag/errors.js';
import { CACHE_DIR, configFor, copyRealCorpus, liveBuild, MALI, MALI_QUESTION, REAL_CORPUS, spawnIngest, until, useIngestScene } from '../support/hardening-fixtures.js';
import { spawnTs } from '../support/spawn-ts.js';

const scene = useIngestScene('index', 0);

const tablesOf = async (indexDir: string) => join(await liveBuild(indexDir), 'retrieval-tables.bin');
const manifestOf = async (indexDir: string) => join(await liveBuild(indexDir), 'manifest.json');

/** `npm run ask` on the real corpus and `indexDir`: its exit code and output. */
async function ask(indexDir: string, question = MALI_QUESTION) {
  const { out, exited } = spawnTs('scripts/ask.ts', { CACHE_DIR, CORPUS_DIR: REAL_CORPUS, INDEX_DIR: indexDir }, scene.root, [question]);
  return { code: await exited, ...out };
}

/** Every source an engine cites for a few questions: all must be files of the corpus it was built from. */
async function citedSources(engine: Engine): Promise<string[]> {
  const cited: string[] = [];
  for (const question of [MALI_QUESTION, 'When was the Union State Treaty signed?', 'What did Lavrov discuss in Burundi?']) {
    cited.push(...(await engine.ask(question)).citations.map((c) => c.source));
  }
  return cited;
}

describe('retrieval tables that do not belong to the build', { timeout: 240_000 }, () => {
  const REYKJAVIK = 'What did Lavrov discuss in Reykjavik?';

  test('tables copied from another build are never used: rebuilt from the records with a notice; only corpus files are cited', async () => {
    // Another build: the same articles under other names, and one about a visit no corpus document mentions.
    const otherCorpus = join(scene.root, 'other-corpus');
    await mkdir(otherCorpus, { recursive: true });
    for (const [i, name] of (await readdir(REAL_CORPUS)).sort().entries()) await cp(join(REAL_CORPUS, name), join(otherCorpus, `doc00${40 + i}.txt`));
    await writeFile(join(otherCorpus, 'doc0050.txt'), 'Lavrov visited Reykjavik on Monday and discussed Arctic fishing quotas with Icelandic officials.\n');
    const otherIndex = join(scene.root, 'other-index');
    await Engine.ingest(configFor(otherCorpus, otherIndex));

    const indexDir = await scene.freshIndexCopy();
    await cp(await tablesOf(otherIndex), await tablesOf(indexDir));
    const notices: string[] = [];
    const engine = await Engine.open(configFor(REAL_CORPUS, indexDir), { onNotice: (m) => notices.push(m) });
    expect(notices).toEqual([expect.stringMatching(/^the retrieval tables of the index are damaged \(checksum mismatch\); rebuilding them/)]);
    const corpus = new Set(await readdir(REAL_CORPUS));
    const cited = await citedSources(engine);
    expect(cited.length).toBeGreaterThan(0);
    for (const source of cited) expect(corpus).toContain(source);
    expect((await engine.ask(REYKJAVIK)).status).toBe('not_found');
  });

  test('three bytes of a file name changed in the tables header: never used; citations name the real files', async () => {
    const indexDir = await scene.freshIndexCopy();
    const file = await tablesOf(indexDir);
    const bytes = await readFile(file);
    const at = bytes.indexOf('004_');
    expect(at).toBeGreaterThan(0);
    bytes.write('999', at);
    await writeFile(file, bytes);
    const asked = await ask(indexDir);
    expect(asked.code).toBe(0);
    expect(asked.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^the retrieval tables of the index are damaged \(checksum mismatch\)/)]);
    expect(asked.stdout).toContain(`(${MALI}, ¶ `);
    expect(asked.stdout).not.toContain('999_');
  });
});

describe('a manifest that is valid JSON but not a manifest', { timeout: 240_000 }, () => {
  test.each(['files', 'documents'])('without "%s": refused at open in one line, rebuilt by ask, repaired by ingest', async (field) => {
    const indexDir = await scene.freshIndexCopy();
    const file = await manifestOf(indexDir);
    const manifest = JSON.parse(await readFile(file, 'utf8'));
    delete manifest[field];
    await writeFile(file, JSON.stringify(manifest));

    const opening = Engine.open(configFor(REAL_CORPUS, indexDir));
    await expect(opening).rejects.toThrow(IndexMismatchError);
    expect(await opening.catch((e: Error) => e.message)).toMatch(new RegExp(`has an invalid manifest \\(${field}: .*\\); run npm run ingest to rebuild it$`));

    const asked = await ask(await scene.freshIndexCopy().then(async (copy) => (await cp(file, await manifestOf(copy)), copy)));
    expect(asked.code).toBe(0);
    expect(asked.stderr).toMatch(/has an invalid manifest .*; rebuilding it from the corpus…/);
    expect(asked.stdout).toContain(`(${MALI}, ¶ `);

    const ingest = spawnIngest(REAL_CORPUS, indexDir, scene.root);
    expect(await ingest.exited).toBe(0);
    expect(ingest.out.stdout).toMatch(/^5 documents \(5 indexed, 0 unchanged\)/m);
    expect((await (await Engine.open(configFor(REAL_CORPUS, indexDir))).ask(MALI_QUESTION)).citations[0]!.source).toBe(MALI);
  });
});

describe('damaged tables and a damaged document record together', { timeout: 240_000 }, () => {
  test('npm run ask rebuilds the index from the corpus and answers (exit 0); npm run summary too', async () => {
    const damage = async () => {
      const indexDir = await scene.freshIndexCopy();
      const tables = await tablesOf(indexDir);
      const bytes = await readFile(tables);
      bytes[bytes.length - 10] ^= 0xff;
      await writeFile(tables, bytes);
      const manifest = JSON.parse(await readFile(await manifestOf(indexDir), 'utf8'));
      // The first line of the packed records is the manifest's first document; the name changed at the same length.
      expect(manifest.documents[0].source).toBe('000_c2b3d48a19ad4320.txt');
      const records = join(await liveBuild(indexDir), 'documents.jsonl');
      const [first, ...rest] = (await readFile(records, 'utf8')).split('\n');
      await writeFile(records, [first!.replaceAll('Burundi', 'Peruvia'), ...rest].join('\n'));
      return indexDir;
    };
    const asked = await ask(await damage());
    expect(asked.code).toBe(0);
    expect(asked.stderr).toMatch(/is damaged \(the record of 000_c2b3d48a19ad4320\.txt in documents\.jsonl is missing or altered\); rebuilding it from the corpus…/);
    expect(asked.stdout).toContain(`(${MALI}, ¶ `);
    const summary = spawnTs('scripts/summary.ts', { CACHE_DIR, CORPUS_DIR: REAL_CORPUS, INDEX_DIR: await damage() }, scene.root, ['--source', '000_c2b3d48a19ad4320.txt']);
    expect(await summary.exited).toBe(0);
    expect(summary.out.stdout).toContain('Burundi');
    expect(summary.out.stdout).not.toContain('Peru');
  });
});

describe('current replaced by a directory', { timeout: 240_000 }, () => {
  async function currentAsDirectory(): Promise<string> {
    const indexDir = await scene.freshIndexCopy();
    const build = await liveBuild(indexDir);
    await rm(join(indexDir, 'current'));
    await cp(build, join(indexDir, 'current'), { recursive: true });
    return indexDir;
  }

  test('open says so in one line; npm run ask rebuilds and answers; npm run ingest repairs it and reports that', async () => {
    const indexDir = await currentAsDirectory();
    const opening = Engine.open(configFor(REAL_CORPUS, indexDir));
    expect(await opening.catch((e: Error) => e.message)).toBe(
      `the index at ${indexDir} is damaged (${join(indexDir, 'current')} is a directory, not a link to a build); run npm run ingest to repair it`,
    );
    const asked = await ask(await currentAsDirectory());
    expect(asked.code).toBe(0);
    expect(asked.stdout).toContain(`(${MALI}, ¶ `);

    const ingest = spawnIngest(REAL_CORPUS, indexDir, scene.root);
    expect(await ingest.exited).toBe(0);
    expect(ingest.out.stdout.split('\n')[0]).toBe(`repaired  ${join(indexDir, 'current')} was a directory, not a link to a build: removed and replaced by the new build`);
    expect((await lstat(join(indexDir, 'current'))).isSymbolicLink()).toBe(true);
    expect(await readdir(join(indexDir, 'builds'))).toHaveLength(1);
  });
});

describe('locks and links a killed ingest leaves', { timeout: 240_000 }, () => {
  const sleepers: ChildProcess[] = [];
  // The parents live until the file is done (they are killed here), however long a loaded machine takes to get there.
  afterAll(() => sleepers.forEach((parent) => parent.kill('SIGKILL')));

  /** A real zombie: a child that exited under a parent (`sleep`) that never reaps it. Returns its pid. */
  async function zombie(): Promise<number> {
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 3600'], { stdio: ['ignore', 'pipe', 'ignore'] });
    sleepers.push(parent);
    const pid = Number(await new Promise<string>((resolve) => parent.stdout!.once('data', (d: Buffer) => resolve(d.toString()))));
    await until(async () => /^\d+ \(sleep\) Z /.test(await readFile(`/proc/${pid}/stat`, 'utf8')), `process ${pid} to exit unreaped`);
    return pid;
  }

  async function lockHeldBy(indexDir: string, record: string): Promise<void> {
    await mkdir(join(indexDir, 'ingest.lock'));
    await writeFile(join(indexDir, 'ingest.lock', 'holder.json'), record);
  }

  test.runIf(process.platform === 'linux')('a zombie holder counts as gone: ask re-ingests a changed corpus at once, without "an ingest is running"', async () => {
    const indexDir = await scene.freshIndexCopy();
    await lockHeldBy(indexDir, JSON.stringify({ pid: await zombie(), thread: 0, host: os.hostname() }));
    const corpus = join(scene.root, `corpus-${scene.nextTrial()}`);
    await copyRealCorpus(corpus);
    await writeFile(join(corpus, 'chad.txt'), 'Lavrov met the foreign minister of Chad in Moscow on Friday to discuss grain deliveries.\n');
    const notices: string[] = [];
    const engine = await Engine.open(configFor(corpus, indexDir), { autoIngest: true, onNotice: (m) => notices.push(m) });
    expect(notices).toEqual(['the corpus changed since the index was built; re-ingesting…']);
    expect((await engine.ask('What did Lavrov discuss with the foreign minister of Chad?')).citations[0]?.source).toBe('chad.txt');
    expect(await stat(join(indexDir, 'ingest.lock')).catch(() => null)).toBeNull();
  });

  test('a holder on another host, which cannot be asked, holds the lock while it refreshes it and is taken over once it is 10 s old', async () => {
    const indexDir = await scene.freshIndexCopy();
    const lock = join(indexDir, 'ingest.lock');
    await lockHeldBy(indexDir, JSON.stringify({ pid: process.pid, thread: 0, host: `not-${os.hostname()}` }));
    await expect(Engine.ingest(configFor(REAL_CORPUS, indexDir))).rejects.toThrow('another ingest is already running on this index');
    const old = new Date(Date.now() - 11_000);
    await utimes(lock, old, old);
    const report = await Engine.ingest(configFor(REAL_CORPUS, indexDir));
    expect(report.documents).toHaveLength(5);
    expect(await stat(lock).catch(() => null)).toBeNull();
  });

  test('an empty lock record, a dead holder renamed aside and a .current-* link are cleared by the next ingest, which runs at once', async () => {
    const indexDir = await scene.freshIndexCopy();
    await lockHeldBy(indexDir, '');
    const old = new Date(Date.now() - 5_000);
    await utimes(join(indexDir, 'ingest.lock'), old, old);
    await mkdir(join(indexDir, 'ingest.lock.dead-4242-abcdef'));
    await symlink(await readlink(join(indexDir, 'current')), join(indexDir, '.current-4242-abcdef'));
    const ingest = spawnIngest(REAL_CORPUS, indexDir, scene.root);
    expect(await ingest.exited).toBe(0);
    expect(ingest.out.stdout).toMatch(/^5 documents \(0 indexed, 5 unchanged\)/m);
    expect((await readdir(indexDir)).sort()).toEqual(['builds', 'current']);
  });
});

