/**
 * `npm run bench:embedder -- [--json] [--runs N] [--build]`: figures for the offline SIF embedder —
 * word-vector cache build time (when it is built, or always into a temp dir with --build), cache load time and RSS
 * (median over fresh child processes, so no run profits from a warm heap), and embedding throughput on the corpus.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Option } from 'commander';
import { loadConfig } from '../src/config.js';
import { SifEmbeddings } from '../src/rag/embedding/sif-embeddings.js';
import { splitSentences } from '../src/rag/text/sentences.js';
import { median } from '../src/measure/benchmark.js';
import { command, notice, parseArguments, runCli, wholeNumber } from './cli.js';

interface ChildResult {
  /** Whether this load had to build the cache first; `ms` then covers the build. */
  built: boolean;
  ms: number;
  rssMB: number;
  peakRssMB: number;
}

const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;

/** Runs in the child: one timed `SifEmbeddings.load`, reported as one JSON line. */
async function childLoad(cacheDir: string): Promise<void> {
  let built = false;
  const started = performance.now();
  await SifEmbeddings.load(cacheDir, (m) => (built ||= m.includes('building')));
  const ms = performance.now() - started;
  const result: ChildResult = {
    built,
    ms: Math.round(ms * 10) / 10,
    rssMB: mb(process.memoryUsage().rss),
    peakRssMB: mb(process.resourceUsage().maxRSS * 1024),
  };
  console.log(JSON.stringify(result));
}

async function inChild(cacheDir: string): Promise<ChildResult> {
  const self = fileURLToPath(import.meta.url);
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', self, '--child-load', cacheDir], {
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as ChildResult;
}

async function corpusSentences(corpusDir: string): Promise<string[]> {
  const files = (await readdir(corpusDir)).sort();
  const texts = await Promise.all(files.map((f) => readFile(path.join(corpusDir, f), 'utf8')));
  return texts.flatMap((t) => splitSentences(t).map((s) => s.text));
}

/** Sentences per second through embedDocuments (raw SIF + component removal + normalisation), over at least 2 s. */
async function throughput(embedder: SifEmbeddings, sentences: string[]): Promise<number> {
  await embedder.embedDocuments(sentences); // warm-up
  let done = 0;
  const started = performance.now();
  while (performance.now() - started < 2000) {
    await embedder.embedDocuments(sentences);
    done += sentences.length;
  }
  return Math.round(done / ((performance.now() - started) / 1000));
}

await runCli(async () => {
  const program = command('bench:embedder', 'Measure the offline SIF embedder: cache build and load, RSS, throughput.')
    .option('--json', 'print exactly one JSON object')
    .option('--build', 'also time a cache build from the package JSON, into a temporary directory')
    .option('--runs <n>', 'child processes to time loading in', wholeNumber, 5)
    .addOption(new Option('--child-load <dir>').hideHelp());
  const exit = parseArguments(program);
  if (exit !== null) return exit;
  const opts = program.opts<{ json?: boolean; build?: boolean; runs: number; childLoad?: string }>();
  if (opts.childLoad) return childLoad(opts.childLoad);

  const config = loadConfig();
  let build: ChildResult | undefined;
  if (opts.build) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sif-bench-'));
    notice('timing a cache build from the package JSON…');
    build = await inChild(dir).finally(() => rm(dir, { recursive: true, force: true }));
  }
  const loads: ChildResult[] = [];
  for (let i = 0; i < opts.runs; i++) {
    const run = await inChild(config.cacheDir);
    if (run.built) {
      notice('built the word-vector cache (one time)');
      build ??= run;
      i--;
      continue;
    }
    loads.push(run);
  }

  const embedder = await SifEmbeddings.load(config.cacheDir, notice);
  const sentences = await corpusSentences(config.corpusDir);
  const fitted = embedder.withCommonComponent(SifEmbeddings.principalComponent(embedder.embedRaw(sentences)));
  const result = {
    embedder: embedder.id,
    cacheBuildMs: build ? Math.round(build.ms) : null,
    cacheBuildPeakRssMB: build ? build.peakRssMB : null,
    cacheLoadMsMedian: median(loads.map((l) => l.ms)),
    cacheLoadMsRuns: loads.map((l) => l.ms),
    rssAfterLoadMB: median(loads.map((l) => l.rssMB)),
    corpusSentences: sentences.length,
    embedSentencesPerSecond: await throughput(fitted, sentences),
  };
  if (opts.json) {
    console.log(JSON.stringify(result));
    return;
  }
  const rows: Array<[string, string]> = [
    ['embedder', result.embedder],
    ['cache build', build ? `${result.cacheBuildMs} ms (peak RSS ${result.cacheBuildPeakRssMB} MB)` : 'not built (use --build to time one)'],
    [`cache load (median of ${loads.length} processes)`, `${result.cacheLoadMsMedian} ms  [${result.cacheLoadMsRuns.join(', ')}]`],
    ['RSS after load (child, incl. tsx)', `${result.rssAfterLoadMB} MB`],
    [`embed throughput (${result.corpusSentences} corpus sentences)`, `${result.embedSentencesPerSecond.toLocaleString('en')} sentences/s`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
});
