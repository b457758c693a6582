/**
 * Two ingests at once, questions during a re-ingest, and `/reindex` while a shell ingest holds the lock: one ingest
 * runs, the other is told, and questions keep being answered from the index that is live. Real `npm run ingest`
 * children, real engine, real bot on the loopback Discord.
 */
import { stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { Engine } from '../../src/rag/engine.js';
import { isCallback, isEdit, startHarness, type Harness } from '../support/bot-harness.js';
import { spawnTs } from '../support/spawn-ts.js';
import {
  addBulletins,
  CACHE_DIR,
  configFor,
  copyIndex,
  copyRealCorpus,
  MALI,
  MALI_QUESTION,
  spawnIngest,
  until,
  useIngestScene,
} from '../support/hardening-fixtures.js';

const BULLETINS = 150;
const BUSY_LINE = 'error: another ingest is already running on this index; try again when it finishes';
const scene = useIngestScene('concurrency', BULLETINS);

const started = new Set<ReturnType<typeof spawnIngest>>();

// A test that fails while an ingest is held stopped must not leave it stopped behind it.
afterEach(() => {
  for (const ingest of started) if (ingest.child.exitCode === null && ingest.child.signalCode === null) ingest.child.kill('SIGKILL');
  started.clear();
});

/**
 * An ingest child and whether it has exited. An ingest of the big corpus takes anywhere from 2 to 40 s depending on
 * the machine's load, so a test that needs it running while something else happens does not race it: it holds the
 * ingest stopped (SIGSTOP) once it has the lock, does what it must meanwhile, and lets it go on (SIGCONT).
 */
function trackedIngest(corpusDir: string, indexDir: string) {
  const ingest = spawnIngest(corpusDir, indexDir, scene.root);
  started.add(ingest);
  const state = { running: true };
  void ingest.exited.then(() => (state.running = false));
  /** The lock is taken before the first document is embedded: from the first progress line on, it is held. */
  const holdsLock = () => until(() => /\[1\/\d+\]/.test(ingest.out.stderr), 'the ingest to start embedding');
  /** Waits until it holds the lock, then stops it there: it holds the lock and has written nothing yet. */
  const holdWithLock = async () => {
    await holdsLock();
    ingest.child.kill('SIGSTOP');
  };
  const resume = () => ingest.child.kill('SIGCONT');
  return { ...ingest, state, holdWithLock, resume };
}

// Each test runs an ingest of 155 articles and starts one or two more programs: 40–47 s at a load of 12 on the 2-core
// machine, so 90 s was no margin at a load of 20. Limits against a hang, not speed targets.
describe('two shell ingests on one index', { timeout: 180_000 }, () => {
  test('one runs; the other exits 1 at once with one line saying another ingest is running', async () => {
    const indexDir = join(scene.root, 'two-ingests');
    await copyIndex(scene.template, indexDir);
    const first = trackedIngest(scene.bigCorpus, indexDir);
    await first.holdWithLock();
    const second = trackedIngest(scene.bigCorpus, indexDir);
    expect(await second.exited).toBe(1);
    expect(second.out.stderr.trim().split('\n').at(-1)).toBe(BUSY_LINE);
    expect(second.out.stderr).not.toMatch(/\n\s+at /);
    expect(second.out.stdout).toBe('');
    first.resume();
    expect(await first.exited).toBe(0);
    expect(first.out.stdout).toMatch(new RegExp(`^${BULLETINS + 5} documents \\(`, 'm'));
  });

  test('a holder that has not refreshed the lock for a minute (stopped, or starved of CPU) keeps it, and finishes', async () => {
    const indexDir = join(scene.root, 'stale-looking-lock');
    await copyIndex(scene.template, indexDir);
    const first = trackedIngest(scene.bigCorpus, indexDir);
    await first.holdWithLock();
    // What another process sees when the holder's 2-second refresh has not run for a minute. The holder checks that
    // the lock's mtime is still the one it set, so it is put back before the holder runs again.
    const lock = join(indexDir, 'ingest.lock');
    const { atime, mtime } = await stat(lock);
    const minuteAgo = new Date(Date.now() - 60_000);
    await utimes(lock, minuteAgo, minuteAgo);
    const second = trackedIngest(scene.bigCorpus, indexDir);
    expect(await second.exited).toBe(1);
    expect(second.out.stderr.trim().split('\n').at(-1)).toBe(BUSY_LINE);
    await utimes(lock, atime, mtime);
    first.resume();
    expect(await first.exited).toBe(0);
    expect(first.out.stdout).toMatch(new RegExp(`^${BULLETINS + 5} documents \\(`, 'm'));
  });
});

describe('questions during a re-ingest', { timeout: 180_000 }, () => {
  test('an open engine answers from the old index while the ingest runs, then switches to the new one', async () => {
    const indexDir = join(scene.root, 'asked-during');
    await copyIndex(scene.template, indexDir);
    const engine = await Engine.open(configFor(scene.bigCorpus, indexDir));
    const ingest = trackedIngest(scene.bigCorpus, indexDir);
    await ingest.holdWithLock();
    for (let i = 0; i < 3; i++) {
      const [answer, sources] = await Promise.all([engine.ask(MALI_QUESTION), engine.sources()]);
      expect(answer.status).toBe('answered');
      expect(answer.citations[0]!.source).toBe(MALI);
      expect(sources).toHaveLength(5);
    }
    ingest.resume();
    while (ingest.state.running) {
      const [answer, sources] = await Promise.all([engine.ask(MALI_QUESTION), engine.sources()]);
      expect(answer.status).toBe('answered');
      expect(answer.citations[0]!.source).toMatch(/^(004_51570dea19fac233|bulletin-\d+)\.txt$/);
      // Either the old index or the complete new one: never a half-built one.
      expect([5, BULLETINS + 5]).toContain(sources.length);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await ingest.exited).toBe(0);
    await engine.refresh();
    expect(await engine.sources()).toHaveLength(BULLETINS + 5);
    expect((await engine.ask(MALI_QUESTION)).status).toBe('answered');
  });
});

describe('npm run ask on a changed corpus while an ingest runs', { timeout: 180_000 }, () => {
  test('answers from the live index at once, saying so in one line, instead of refusing', async () => {
    const indexDir = join(scene.root, 'ask-during-ingest');
    await copyIndex(scene.template, indexDir);
    const ingest = trackedIngest(scene.bigCorpus, indexDir);
    await ingest.holdWithLock();
    const asked = spawnTs('scripts/ask.ts', { CACHE_DIR, CORPUS_DIR: scene.bigCorpus, INDEX_DIR: indexDir }, scene.root, [MALI_QUESTION]);
    expect(await asked.exited).toBe(0);
    ingest.resume();
    expect(asked.out.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^an ingest is running; answering from the index of \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/),
    ]);
    expect(asked.out.stdout).toContain(MALI);
    expect(await ingest.exited).toBe(0);
  });
});

describe('/reindex from Discord while a shell ingest holds the lock', { timeout: 180_000 }, () => {
  let harness: Harness;
  let corpusDir: string;
  let indexDir: string;

  beforeAll(async () => {
    corpusDir = join(scene.root, 'bot-corpus');
    indexDir = join(scene.root, 'bot-index');
    await copyRealCorpus(corpusDir);
    harness = await startHarness({ CORPUS_DIR: corpusDir, INDEX_DIR: indexDir, REINDEX_COOLDOWN_SECONDS: '600' });
  }, 180_000);

  afterAll(async () => {
    await harness?.stop();
  });

  test('the admin is told politely that another ingest is running, and questions are still answered', async () => {
    const { discord } = harness;
    await addBulletins(corpusDir, BULLETINS);
    const shell = trackedIngest(corpusDir, indexDir);
    await shell.holdWithLock();
    const reindex = discord.slashCommand('reindex', {}, discord.admin);
    const ask = discord.slashCommand('ask', { question: MALI_QUESTION });
    const told = await discord.waitForRequest(isEdit(reindex), 60_000);
    expect(told.body.content).toBe('Sorry — another ingest is already running on this index; try again when it finishes.');
    expect(told.body.embeds).toEqual([]);
    expect(discord.requests.find(isCallback(reindex))?.body.data.flags).toBe(64);
    const answer = await discord.waitForRequest(isEdit(ask), 60_000);
    expect(answer.body.embeds[0].description).toContain(`\`${MALI}\``);
    shell.resume();
    expect(await shell.exited).toBe(0);
  });

  test('once the shell ingest is done, /reindex runs; right after, the cooldown is explained', async () => {
    const { discord } = harness;
    const began = Date.now();
    const run = discord.slashCommand('reindex', {}, discord.admin);
    // A slow machine may show a progress line first (one edit every 3 s); the report is the edit with an embed.
    const report = await discord.waitForRequest((r) => isEdit(run)(r) && r.body.embeds?.length > 0, 60_000);
    expect(report.body.embeds[0].title).toBe('Re-index finished');
    expect(report.body.embeds[0].description).toMatch(new RegExp(`^${BULLETINS + 5} documents`));
    const again = discord.slashCommand('reindex', {}, discord.admin);
    const refusal = await discord.waitForRequest(isCallback(again));
    expect(refusal.body).toMatchObject({ type: 4, data: { flags: 64 } });
    // The cooldown counts from the end of the run: at most 600 s remain, and no fewer than this test has waited allows.
    const remaining = /^The index was rebuilt moments ago; try again in (\d+) s\.$/.exec(refusal.body.data.content);
    expect(remaining, refusal.body.data.content).not.toBeNull();
    expect(Number(remaining![1])).toBeLessThanOrEqual(600);
    expect(Number(remaining![1])).toBeGreaterThanOrEqual(600 - Math.ceil((Date.now() - began) / 1000) - 1);
  });
});
