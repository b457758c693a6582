/**
 * `npm run bench:ingest -- [--corpus DIR] [--pool N[,N…]] [--runs N] [--scale CHUNKS] [--json]`: a full ingest from
 * nothing with each pool size, each run in a fresh process: throughput (MB of corpus files a second), peak memory,
 * and the build's size on disk against the cleaned text it holds. The load average is printed beside every figure
 * (the machine may be shared). `--scale` ingests instead a synthetic corpus of that many chunks made of the
 * corpus's sentences (peak memory at 100,000 chunks).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { loadConfig } from '../src/config.js';
import { indexedChunks, median, peakRssMB, runProcess, writeSyntheticCorpus } from '../src/measure/benchmark.js';
import { buildSize, corpusBytes, loadAverage, type IngestRun } from '../src/measure/ingest-figures.js';
import { createEmbedder } from '../src/rag/embedding/corpus-embedder.js';
import { LocalIndexStore } from '../src/rag/index/hnsw-store.js';
import { retrievalTablesFile } from '../src/rag/search/document-work.js';
import { command, parseArguments, runCli, table, wholeNumber } from './cli.js';

const MB = 1024 * 1024;
const mb = (bytes: number) => Math.round((bytes / MB) * 100) / 100;

const pools = (value: string) => {
  const parsed = value.split(',').map(Number);
  if (parsed.some((n) => !Number.isInteger(n) || n < 1 || n > 64)) throw new InvalidArgumentError('give pool sizes from 1 to 64, e.g. --pool 1,2');
  return parsed;
};

/** The child: one ingest of `corpusDir` into `indexDir` with `pool` workers; prints an IngestRun. */
async function child(corpusDir: string, indexDir: string, pool: number): Promise<void> {
  const config = loadConfig({ CORPUS_DIR: corpusDir, INDEX_DIR: indexDir }, '/nonexistent');
  const embedder = await createEmbedder(config);
  const loadBefore = loadAverage();
  const began = performance.now();
  const report = await new LocalIndexStore(corpusDir, indexDir, embedder, retrievalTablesFile, { poolSize: pool }).ingest();
  const run: IngestRun = { ms: Math.round(performance.now() - began), chunks: report.chunks, peakRssMB: peakRssMB(), loadBefore, loadAfter: loadAverage() };
  console.log(JSON.stringify(run));
}

async function ingestInChild(corpusDir: string, indexDir: string, pool: number): Promise<IngestRun> {
  // Through the launcher, as npm runs it: the compiled copy when it is fresh, the TypeScript source otherwise.
  const args = ['scripts/launch.mjs', 'scripts/bench-ingest.ts', '--child', corpusDir, indexDir, String(pool)];
  const { stdout } = await runProcess(process.execPath, args, process.env);
  return JSON.parse(stdout.trim().split('\n').pop()!) as IngestRun;
}

await runCli(async () => {
  const program = command('bench:ingest', 'Ingest throughput, peak memory and index size on disk, by pool size.')
    .option('--corpus <dir>', 'the corpus to ingest', 'data/bbc-archive')
    .option('--pool <sizes>', 'file workers of each measured ingest', pools, [1, os.availableParallelism()])
    .option('--runs <n>', 'ingests per pool size (the median is printed)', wholeNumber, 3)
    .option('--scale <chunks>', 'ingest a synthetic corpus of this many chunks made of the corpus’s sentences', wholeNumber)
    .option('--child <args...>', 'internal: one ingest in this process')
    .option('--json', 'print one JSON object');
  const exit = parseArguments(program);
  if (exit !== null) return exit;
  const opts = program.opts<{ corpus: string; pool: number[]; runs: number; scale?: number; child?: string[]; json?: boolean }>();
  if (opts.child) {
    const [corpusDir, indexDir, pool] = opts.child as [string, string, string];
    return child(corpusDir, indexDir, Number(pool));
  }

  const work = await mkdtemp(join(os.tmpdir(), 'bench-ingest-'));
  try {
    let corpusDir = opts.corpus;
    if (opts.scale) {
      const seedIndex = join(work, 'seed-index');
      await ingestInChild(corpusDir, seedIndex, os.availableParallelism());
      const embedder = await createEmbedder(loadConfig({ CORPUS_DIR: corpusDir, INDEX_DIR: seedIndex }, '/nonexistent'));
      corpusDir = await writeSyntheticCorpus(await indexedChunks(corpusDir, seedIndex, embedder), opts.scale, 7, join(work, 'corpus'));
    }
    const corpus = await corpusBytes(corpusDir);
    const results = [];
    for (const pool of opts.pool) {
      const runs: IngestRun[] = [];
      const indexDir = join(work, `index-${pool}`);
      for (let i = 0; i < opts.runs; i++) {
        await rm(indexDir, { recursive: true, force: true });
        runs.push(await ingestInChild(corpusDir, indexDir, pool));
        if (!opts.json) console.error(`pool ${pool}, run ${i + 1}: ${runs[i]!.ms} ms, peak ${runs[i]!.peakRssMB} MB (load ${runs[i]!.loadBefore} → ${runs[i]!.loadAfter})`);
      }
      const ms = median(runs.map((r) => r.ms));
      results.push({
        pool,
        chunks: runs[0]!.chunks,
        ms: Math.round(ms),
        mbPerS: Math.round((corpus.bytes / MB / (ms / 1000)) * 100) / 100,
        peakRssMB: median(runs.map((r) => r.peakRssMB)),
        load: runs.map((r) => [r.loadBefore, r.loadAfter]),
        size: await buildSize(indexDir),
      });
    }
    if (opts.json) {
      console.log(JSON.stringify({ corpus: { dir: corpusDir, ...corpus }, results }));
      return;
    }
    console.log(`${corpus.files} files, ${mb(corpus.bytes)} MB in ${opts.scale ? `a synthetic corpus of ${opts.scale.toLocaleString('en')} chunks` : corpusDir}`);
    console.log(
      table(
        [
          ['pool', 'chunks', 'ingest ms', 'MB/s', 'peak MB', 'index MB', 'cleaned MB', 'index ÷ cleaned', 'load (1 min) before → after'],
          ...results.map((r) => [
            String(r.pool),
            r.chunks.toLocaleString('en'),
            String(r.ms),
            String(r.mbPerS),
            String(r.peakRssMB),
            String(mb(r.size.total)),
            String(mb(r.size.cleanedText)),
            (r.size.total / r.size.cleanedText).toFixed(2),
            r.load.map(([a, b]) => `${a}→${b}`).join(', '),
          ]),
        ],
        { figures: true },
      ),
    );
    const last = results[results.length - 1]!;
    console.log(`\nThe build by part (pool ${last.pool}): ${Object.entries(last.size.parts).map(([name, bytes]) => `${name} ${mb(bytes)} MB`).join(', ')}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});
