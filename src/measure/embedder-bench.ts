/**
 * Figures for the offline SIF embedder behind `npm run bench:embedder`: word-vector cache build time, cache load
 * time and RSS (each load in a fresh process, so no run profits from a warm heap), and embedding throughput on the
 * corpus. It measures the embedding stage itself, below the engine.
 */
import { readdir, readFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../config.js';
import { SifEmbeddings } from '../rag/embedding/sif-embeddings.js';
import { splitSentences } from '../rag/text/sentences.js';
import { median } from './benchmark.js';

export interface LoadRun {
  /** Whether this load had to build the cache first; `ms` then covers the build. */
  built: boolean;
  ms: number;
  rssMB: number;
  peakRssMB: number;
}

const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;

/** One timed `SifEmbeddings.load`: what a fresh process measures and reports. */
export async function timeLoad(cacheDir: string): Promise<LoadRun> {
  let built = false;
  const started = performance.now();
  await SifEmbeddings.load(cacheDir, (m) => (built ||= m.includes('building')));
  const ms = performance.now() - started;
  return {
    built,
    ms: Math.round(ms * 10) / 10,
    rssMB: mb(process.memoryUsage().rss),
    peakRssMB: mb(process.resourceUsage().maxRSS * 1024),
  };
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

export interface EmbedderFigures {
  embedder: string;
  cacheBuildMs: number | null;
  cacheBuildPeakRssMB: number | null;
  cacheLoadMsMedian: number;
  cacheLoadMsRuns: number[];
  rssAfterLoadMB: number;
  corpusSentences: number;
  embedSentencesPerSecond: number;
}

/**
 * Times `runs` loads, each through `loadInFreshProcess`, plus (with `build`) a cache build into a temporary
 * directory, then the throughput over the corpus's sentences.
 */
export async function measureEmbedder(options: {
  config: Config;
  runs: number;
  build: boolean;
  loadInFreshProcess: (cacheDir: string) => Promise<LoadRun>;
  onNotice: (message: string) => void;
}): Promise<EmbedderFigures> {
  const { config, loadInFreshProcess, onNotice } = options;
  let build: LoadRun | undefined;
  if (options.build) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sif-bench-'));
    onNotice('timing a cache build from the package JSON…');
    build = await loadInFreshProcess(dir).finally(() => rm(dir, { recursive: true, force: true }));
  }
  const loads: LoadRun[] = [];
  while (loads.length < options.runs) {
    const run = await loadInFreshProcess(config.cacheDir);
    if (!run.built) loads.push(run);
    else {
      onNotice('built the word-vector cache (one time)');
      build ??= run;
    }
  }
  const embedder = await SifEmbeddings.load(config.cacheDir, onNotice);
  const sentences = await corpusSentences(config.corpusDir);
  const fitted = embedder.withCommonComponent(SifEmbeddings.principalComponent(embedder.embedRaw(sentences)));
  return {
    embedder: embedder.id,
    cacheBuildMs: build ? Math.round(build.ms) : null,
    cacheBuildPeakRssMB: build ? build.peakRssMB : null,
    cacheLoadMsMedian: median(loads.map((l) => l.ms)),
    cacheLoadMsRuns: loads.map((l) => l.ms),
    rssAfterLoadMB: median(loads.map((l) => l.rssMB)),
    corpusSentences: sentences.length,
    embedSentencesPerSecond: await throughput(fitted, sentences),
  };
}
