/**
 * `npm run bench:bot -- [--concurrent N] [--rounds R] [--json]`: N users send /ask at the same moment to the real bot
 * (real discord.js client, real engine over corpus/) on the loopback Discord stand-in of the tests; prints the time
 * from each command to its answer (the edit of the deferred reply) reaching Discord, and how many were answered.
 *
 * `npm run bench:bot -- --reindex [--limit S] [--json]`: ingest time of a corpus of one 1 MB article and of one file
 * of 200,000 short lines, then the answer latency of /ask sent every quarter second while /reindex ingests the 1 MB
 * article. An ingest still running after S seconds (default 120) is stopped and reported as such.
 *
 * `npm run bench:bot -- --add [--limit S] [--json]`: an admin `/add`s a 1 MB article (fetched from the stand-in's
 * CDN, as from Discord's) in one channel while /ask is sent every quarter second in another: the time to the /add
 * report (Discord's interaction window is 15 minutes), its progress edits, and the /ask latency meanwhile.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { latency, type Latency } from '../../src/measure/benchmark.js';
import { Engine } from '../../src/rag/engine.js';
import { ingestStopped, IngestStoppedError } from '../../src/rag/errors.js';
import { command, notice, parseArguments, runCli, wholeNumber } from '../../scripts/cli.js';
import { isEdit, startHarness, type Harness } from '../support/bot-harness.js';
import { CACHE_DIR, configFor, copyRealCorpus, writeLongArticle, writeManyLines } from '../support/hardening-fixtures.js';
import type { RecordedRequest } from '../support/discord-standin.js';

const QUESTIONS = ['What did Lavrov discuss in Mali?', 'When did Lavrov arrive in Burundi?', 'What did Russia and Togo announce?'];
const ASK_EVERY_MS = 250;

async function concurrentAsks(concurrent: number, rounds: number) {
  notice('bench: starting the bot on a loopback Discord (builds a temporary index)…');
  const harness = await startHarness();
  const { discord } = harness;
  const samples: number[] = [];
  let sent = 0;
  let answered = 0;
  try {
    for (let round = 0; round < rounds; round++) {
      const asks = Array.from({ length: concurrent }, (_, i) => {
        const user = { ...discord.member, id: `${discord.member.id.slice(0, -4)}${String(1000 + i)}` };
        return { ask: discord.slashCommand('ask', { question: QUESTIONS[i % QUESTIONS.length]! }, user), sentAt: performance.now() };
      });
      sent += asks.length;
      const results = await Promise.allSettled(
        asks.map(async ({ ask, sentAt }) => {
          await discord.waitForRequest(isEdit(ask), 60_000);
          samples.push(performance.now() - sentAt);
        }),
      );
      answered += results.filter((r) => r.status === 'fulfilled').length;
      notice(`bench: burst ${round + 1}/${rounds} done`);
    }
  } finally {
    await harness.stop();
  }
  return { concurrent, rounds, sent, answered, lost: sent - answered, latencyMs: latency(samples) };
}

interface TimedIngest {
  corpus: string;
  /** Wall time of `npm run ingest`'s work (worker start and embedder load included), or null when stopped at the limit. */
  ms: number | null;
  /** The time the ingest itself reports. */
  ingestMs: number | null;
  chunks: number | null;
}

/** Ingests `corpusDir` into a fresh index as `npm run ingest` does, stopping it after `limitMs`. */
async function timedIngest(corpus: string, corpusDir: string, indexDir: string, limitMs: number): Promise<TimedIngest> {
  const stopping = new AbortController();
  const timer = setTimeout(() => stopping.abort(ingestStopped(`the bench's limit of ${limitMs / 1000} s`)), limitMs);
  const began = performance.now();
  try {
    const report = await Engine.ingest(configFor(corpusDir, indexDir, { CACHE_DIR }), { signal: stopping.signal });
    return { corpus, ms: Math.round(performance.now() - began), ingestMs: report.ms, chunks: report.chunks };
  } catch (e) {
    if (e instanceof IngestStoppedError) return { corpus, ms: null, ingestMs: null, chunks: null };
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

interface AsksDuring {
  asked: number;
  answered: number;
  latencyMs: Latency;
  /** Seconds the admin command took to its report, or null when it was still running at the limit (then stopped). */
  seconds: number | null;
  /** Seconds to its first progress edit, and how many there were. */
  firstProgressSeconds: number | null;
  progressEdits: number;
}

const tenths = (ms: number) => Math.round(ms / 100) / 10;

/**
 * /ask every quarter second, in `askIn` (a channel), from the moment `start` sends an admin command until its report
 * (an edit titled `reportTitle`) or the limit.
 */
async function asksDuring(
  harness: Harness,
  limitMs: number,
  start: () => { id: string; token: string },
  reportTitle: string,
  askIn: string,
): Promise<AsksDuring> {
  const { discord } = harness;
  const samples: number[] = [];
  let asked = 0;
  let seconds: number | null = null;
  const command = start();
  const began = performance.now();
  const reported = (r: RecordedRequest) => isEdit(command)(r) && r.body.embeds?.[0]?.title === reportTitle;
  let firstProgressSeconds: number | null = null;
  void discord.waitForRequest((r) => isEdit(command)(r) && !r.body.embeds?.length, limitMs).then(
    () => (firstProgressSeconds = tenths(performance.now() - began)),
    () => undefined,
  );
  const pending: Promise<void>[] = [];
  while (performance.now() - began < limitMs) {
    if (discord.requests.some(reported)) {
      seconds = tenths(performance.now() - began);
      break;
    }
    const sentAt = performance.now();
    const ask = discord.slashCommand('ask', { question: QUESTIONS[asked++ % QUESTIONS.length]! }, discord.member, { channelId: askIn });
    pending.push(discord.waitForRequest(isEdit(ask), 60_000).then(() => void samples.push(performance.now() - sentAt)));
    await new Promise((resolve) => setTimeout(resolve, ASK_EVERY_MS));
  }
  await Promise.allSettled(pending);
  // Still running at the limit: stopped as the bot stops it on shutdown.
  if (seconds === null) await harness.engine.stop();
  const progressEdits = discord.requests.filter((r) => isEdit(command)(r) && !r.body.embeds?.length).length;
  return { asked, answered: samples.length, latencyMs: latency(samples), seconds, firstProgressSeconds, progressEdits };
}

/** /ask every quarter second while an admin's /reindex takes in a 1 MB article written into the corpus. */
async function asksDuringReindex(root: string, limitMs: number): Promise<AsksDuring> {
  const corpus = join(root, 'bot-corpus');
  await copyRealCorpus(corpus);
  const harness: Harness = await startHarness({ CORPUS_DIR: corpus });
  try {
    await writeLongArticle(join(corpus, 'long-dispatch.txt'), 1024 * 1024);
    const { discord } = harness;
    return await asksDuring(harness, limitMs, () => discord.slashCommand('reindex', {}, discord.admin), 'Re-index finished', discord.channelId);
  } finally {
    await harness.stop();
  }
}

/** /ask every quarter second in one channel while an admin /adds a 1 MB article in another. */
async function asksDuringAdd(root: string, limitMs: number): Promise<AsksDuring & { report: string }> {
  const corpus = join(root, 'add-corpus');
  await copyRealCorpus(corpus);
  const article = join(root, 'long-dispatch.txt');
  await writeLongArticle(article, 1024 * 1024);
  const bytes = await readFile(article);
  const harness: Harness = await startHarness({ CORPUS_DIR: corpus });
  try {
    const { discord } = harness;
    const add = () =>
      discord.slashCommand('add', { folder: 'dispatches' }, discord.admin, {
        channelId: discord.secondChannelId,
        files: { file: { filename: 'long-dispatch.txt', bytes } },
      });
    let sent: { id: string; token: string } | undefined;
    const during = await asksDuring(harness, limitMs, () => (sent = add()), 'Added to the corpus', discord.channelId);
    const report = discord.requests.find((r) => isEdit(sent!)(r) && r.body.embeds?.length)?.body.embeds[0].description ?? '';
    return { ...during, report: report.split('\n').filter(Boolean).join(' | ') };
  } finally {
    await harness.stop();
  }
}

async function reindexBench(limitSeconds: number) {
  const root = await mkdtemp(join(tmpdir(), 'bench-reindex-'));
  const limitMs = limitSeconds * 1000;
  try {
    const article = join(root, 'one-article');
    const lines = join(root, 'many-lines');
    await mkdir(article);
    await mkdir(lines);
    await writeLongArticle(join(article, 'long-dispatch.txt'), 1024 * 1024);
    await writeManyLines(join(lines, 'lines.txt'), 200_000);
    notice('bench: ingesting one 1 MB article…');
    const oneArticle = await timedIngest('one 1 MB article', article, join(root, 'index-article'), limitMs);
    notice('bench: ingesting one file of 200,000 lines…');
    const manyLines = await timedIngest('one file of 200,000 lines (4.6 MB)', lines, join(root, 'index-lines'), limitMs);
    notice('bench: /ask every 250 ms while /reindex ingests the 1 MB article…');
    const during = await asksDuringReindex(root, limitMs);
    return { limitSeconds, ingests: [oneArticle, manyLines], asksDuringReindex: during };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

async function addBench(limitSeconds: number) {
  const root = await mkdtemp(join(tmpdir(), 'bench-add-'));
  try {
    notice('bench: /ask every 250 ms in #general while an admin /adds a 1 MB article in another channel…');
    return { limitSeconds, asksDuringAdd: await asksDuringAdd(root, limitSeconds * 1000) };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** One line for /ask latency while an admin command ran. */
function duringLine(what: string, d: AsksDuring, limit: number): string {
  const l = d.latencyMs;
  const progress = d.firstProgressSeconds === null ? 'no progress edit' : `${d.progressEdits} progress edits, the first after ${d.firstProgressSeconds} s`;
  return (
    `/ask every ${ASK_EVERY_MS} ms during ${what}: ${d.answered}/${d.asked} answered, p50 ${l.p50} ms · p95 ${l.p95} ms · max ${l.max} ms; ` +
    `the command ${d.seconds === null ? `was still running after ${limit} s (stopped)` : `reported after ${d.seconds} s`} (${progress})`
  );
}

const seconds = (ms: number | null, limit: number) => (ms === null ? `not finished within ${limit} s (stopped)` : `${(ms / 1000).toFixed(1)} s`);

await runCli(async () => {
  const program = command('bench:bot', 'Concurrent /ask through the real bot on a loopback Discord: latency and losses.')
    .option('--concurrent <n>', 'users asking at the same moment', wholeNumber, 50)
    .option('--rounds <n>', 'bursts to send, one after another', wholeNumber, 3)
    .option('--reindex', 'ingest time of long documents, and /ask latency during a /reindex of one')
    .option('--add', '/ask latency in one channel while an admin /adds a 1 MB article in another')
    .option('--limit <seconds>', 'with --reindex or --add: stop an ingest still running after this long', wholeNumber, 120)
    .option('--json', 'print one JSON object');
  const exit = parseArguments(program);
  if (exit !== null) return exit;
  const options = program.opts<{ concurrent: number; rounds: number; reindex?: boolean; add?: boolean; limit: number; json?: boolean }>();

  if (options.add) {
    const result = await addBench(options.limit);
    if (options.json) return void console.log(JSON.stringify(result));
    const d = result.asksDuringAdd;
    console.log(duringLine('/add of a 1 MB article in another channel', d, options.limit));
    console.log(`the /add report: ${d.report}`);
    return d.answered === d.asked && d.seconds !== null ? 0 : 1;
  }

  if (options.reindex) {
    const result = await reindexBench(options.limit);
    if (options.json) return void console.log(JSON.stringify(result));
    for (const i of result.ingests) {
      const detail = i.ms === null ? '' : ` (the ingest reports ${seconds(i.ingestMs, options.limit)}; ${i.chunks} chunks)`;
      console.log(`ingest of ${i.corpus}: ${seconds(i.ms, options.limit)}${detail}`);
    }
    const d = result.asksDuringReindex;
    console.log(duringLine('/reindex of the 1 MB article', d, options.limit));
    return d.answered === d.asked ? 0 : 1;
  }

  const result = await concurrentAsks(options.concurrent, options.rounds);
  if (options.json) console.log(JSON.stringify(result));
  else {
    const l = result.latencyMs;
    console.log(`${result.concurrent} concurrent /ask × ${result.rounds} bursts: ${result.answered}/${result.sent} answered, ${result.lost} lost`);
    console.log(`command → answer at Discord: p50 ${l.p50} ms · p95 ${l.p95} ms · p99 ${l.p99} ms · max ${l.max} ms`);
  }
  return result.lost ? 1 : 0;
});
