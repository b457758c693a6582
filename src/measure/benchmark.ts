/**
 * Measurements behind `npm run bench`: start-up (in process and cold, beside Node's own start in the same run),
 * question latency, ingest throughput and memory, and real on-disk indexes at synthetic scale (size against the
 * cleaned text, opening cold in a fresh process, peak RSS while answering, recall against exact search, and the full
 * answer path). Everything runs through the engine, as the product does: ingest is `Engine.ingest` (what
 * `npm run ingest` runs, on its worker thread), questions go to `Engine.ask`, and the vector-level figures use the
 * engine's measurement calls (`embedQuestions`, `nearestChunks`, `documentVectors`) rather than the stores. Exact
 * search, the yardstick of recall, is hnswlib's brute-force index over the vectors the engine reports.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, lstat, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import hnswlib from 'hnswlib-node';
import type { Config } from '../config.js';
import { Engine, type Chunk } from '../rag/engine.js';
import { corpusWords, scoreAnswers, type EvalQuestion, type ScoredAnswer } from './evaluate.js';
import { sentenceSource, syntheticCorpus } from './synthetic.js';

export interface Latency {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles in milliseconds, rounded to 0.01 ms. */
export function latency(samples: number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? 0;
  const round = (x: number) => Math.round(x * 100) / 100;
  return { n: sorted.length, p50: round(at(0.5)), p95: round(at(0.95)), p99: round(at(0.99)), max: round(sorted[sorted.length - 1] ?? 0) };
}

export const median = (xs: number[]) => latency(xs).p50;

async function timed<T>(work: () => Promise<T> | T): Promise<{ value: T; ms: number }> {
  const began = performance.now();
  const value = await work();
  return { value, ms: performance.now() - began };
}

export const peakRssMB = () => Math.round(process.resourceUsage().maxRSS / 1024);

/** Bytes of every file under `dir`, the folder's own entries and links counted as they are, never followed. */
export async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? await directoryBytes(path) : (await lstat(path)).size;
  }
  return total;
}

/** The same configuration over another corpus and index (and, for Chroma, another collection). */
export function configFor(config: Config, corpusDir: string, indexDir: string, store: Partial<Config['store']> = {}): Config {
  return { ...config, corpusDir, indexDir, store: { ...config.store, ...store } };
}

/** Median over `runs` of opening the engine over the index on disk in this process (embedder, index, tables). */
export async function measureOpenInProcess(config: Config, runs: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push((await timed(() => Engine.open(config))).ms);
  return median(times);
}

export interface IngestThroughput {
  files: number;
  bytes: number;
  chunks: number;
  /** Median wall time of a build from nothing (read, clean, chunk, embed, index, write), as `npm run ingest` runs it. */
  ms: number;
  mbPerS: number;
  chunksPerS: number;
  /** With `fresh`: peak RSS of the process that ran the ingest (the largest of the runs). */
  peakRssMB?: number;
}

/** Files and bytes of the corpus folder (what ingest throughput is counted in). */
async function corpusSize(corpusDir: string): Promise<{ files: number; bytes: number }> {
  const names = (await readdir(corpusDir)).filter((n) => !n.startsWith('.'));
  let bytes = 0;
  for (const n of names) bytes += (await stat(join(corpusDir, n))).size;
  return { files: names.length, bytes };
}

/** What one ingest reports back, in this process or a fresh one. */
export interface IngestRun {
  ms: number;
  chunks: number;
  peakRssMB: number;
}

/** `Engine.ingest` of `config`'s corpus into its index, timed in this process: what `--ingest-worker` prints. */
export async function ingestOnce(config: Config): Promise<IngestRun> {
  const { value: report, ms } = await timed(() => Engine.ingest(config));
  return { ms: Math.round(ms), chunks: report.chunks, peakRssMB: peakRssMB() };
}

/**
 * Builds the corpus into fresh index directories `runs` times through `ingest` (in this process, or in a fresh one
 * so that its peak memory is the ingest's own); the last build is left in `keepDir` if given.
 */
export async function measureIngest(
  config: Config,
  runs: number,
  options: { keepDir?: string; ingest?: (config: Config) => Promise<IngestRun> } = {},
): Promise<IngestThroughput> {
  const { files, bytes } = await corpusSize(config.corpusDir);
  const ingest = options.ingest ?? ingestOnce;
  const done: IngestRun[] = [];
  for (let i = 0; i < runs; i++) {
    const indexDir = options.keepDir && i === runs - 1 ? options.keepDir : await mkdtemp(join(os.tmpdir(), 'bench-ingest-'));
    done.push(await ingest({ ...config, indexDir }));
    if (indexDir !== options.keepDir) await rm(indexDir, { recursive: true, force: true });
  }
  const ms = median(done.map((r) => r.ms));
  const chunks = done[done.length - 1]!.chunks;
  return {
    files,
    bytes,
    chunks,
    ms: Math.round(ms),
    mbPerS: Math.round((bytes / 1048576 / (ms / 1000)) * 100) / 100,
    chunksPerS: Math.round(chunks / (ms / 1000)),
    ...(options.ingest ? { peakRssMB: Math.max(...done.map((r) => r.peakRssMB)) } : {}),
  };
}

/** The chunks of the index `config` names, through the engine: the material synthetic corpora are made of. */
export async function indexedChunks(config: Config): Promise<Chunk[]> {
  return [...(await Engine.open(config)).chunks()];
}

/**
 * Writes `chunks` synthetic chunks (from the real chunks' sentences) as .txt articles into `dir` (a new directory
 * when not given).
 */
export async function writeSyntheticCorpus(material: Chunk[], chunks: number, seed = 7, dir?: string): Promise<string> {
  const into = dir ?? (await mkdtemp(join(os.tmpdir(), 'bench-corpus-')));
  await mkdir(into, { recursive: true });
  for (const doc of syntheticCorpus(sentenceSource(material), chunks, seed)) await writeFile(join(into, doc.source), doc.text);
  return into;
}

/** Wall time of the question latency in one process, after `warmup` questions; each question timed on its own. */
export async function measureQuestions(engine: Engine, questions: string[], warmup: number): Promise<Latency> {
  for (const q of questions.slice(0, warmup)) await engine.ask(q);
  const samples: number[] = [];
  for (const q of questions) samples.push((await timed(() => engine.ask(q))).ms);
  return latency(samples);
}

export interface ProcessRun {
  ms: number;
  stdout: string;
}

/** Runs a command to its end; wall time from spawn to exit. Throws with its stderr when it fails. */
export function runProcess(command: string, args: string[], env: NodeJS.ProcessEnv, options: { showProgress?: boolean } = {}): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const began = performance.now();
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
      if (options.showProgress) process.stderr.write(d);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - began;
      if (code === 0) resolve({ ms, stdout });
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${stderr.trim().split('\n').pop()}`));
    });
  });
}

export interface ColdAsk {
  runs: number[];
  medianMs: number;
  status: string;
  /** `node -e 0` before the first ask and after each: Node's own start on this machine at those moments. */
  nodeFloor: { runs: number[]; medianMs: number };
  /**
   * Median over the runs of each ask's time divided by the mean of the `node -e 0` just before and just after it: load
   * on the machine stretches both alike, so this moves less than the times themselves.
   */
  ratio: number;
}

/**
 * `node scripts/launch.mjs scripts/ask.ts --json "…"` (what `npm run ask` runs) from process start to answer, index
 * on disk, between runs of `node -e 0`; one untimed ask first, so that no run pays for a cold disk cache.
 */
export async function measureColdAsk(question: string, indexDir: string, runs: number, corpusDir?: string): Promise<ColdAsk> {
  const env = { ...process.env, INDEX_DIR: indexDir, ...(corpusDir ? { CORPUS_DIR: corpusDir } : {}) };
  const ask = () => runProcess(process.execPath, ['scripts/launch.mjs', 'scripts/ask.ts', '--json', question], env);
  const floor = async () => (await runProcess(process.execPath, ['-e', '0'], env)).ms;
  await ask();
  const times: number[] = [];
  const floors = [await floor()];
  const ratios: number[] = [];
  let status = '';
  for (let i = 0; i < runs; i++) {
    const run = await ask();
    status = (JSON.parse(run.stdout) as { status: string }).status;
    times.push(run.ms);
    floors.push(await floor());
    ratios.push(run.ms / ((floors[i]! + floors[i + 1]!) / 2));
  }
  return {
    runs: times.map(Math.round),
    medianMs: Math.round(median(times)),
    status,
    nodeFloor: { runs: floors.map(Math.round), medianMs: Math.round(median(floors)) },
    ratio: Math.round(median(ratios) * 10) / 10,
  };
}

export interface BatchCost {
  questions: number;
  oneMs: number;
  allMs: number;
  /** (time for all − time for one) / (questions − 1): what each further question adds, process start included. */
  perFurtherQuestionMs: number;
  /** The engine's own timings.totalMs of questions 2…n in the batch process (ms resolution). */
  engineMs: Latency;
}

/** `ask --batch` with one question and with many: the difference is what each further question costs. */
export async function measureBatch(questions: string[], indexDir: string, runs: number): Promise<BatchCost> {
  const dir = await mkdtemp(join(os.tmpdir(), 'bench-batch-'));
  const lines = (qs: string[]) => qs.map((question, i) => JSON.stringify({ id: `b${i}`, question })).join('\n');
  await writeFile(join(dir, 'one.jsonl'), lines(questions.slice(0, 1)));
  await writeFile(join(dir, 'all.jsonl'), lines(questions));
  const env = { ...process.env, INDEX_DIR: indexDir };
  const one: number[] = [];
  const all: number[] = [];
  const engineMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    one.push((await runProcess(process.execPath, ['scripts/launch.mjs', 'scripts/ask.ts', '--batch', join(dir, 'one.jsonl')], env)).ms);
    const run = await runProcess(process.execPath, ['scripts/launch.mjs', 'scripts/ask.ts', '--batch', join(dir, 'all.jsonl')], env);
    const answers = run.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { timings?: { totalMs: number } });
    if (answers.length !== questions.length) throw new Error(`ask --batch answered ${answers.length} of ${questions.length} questions`);
    engineMs.push(...answers.slice(1).map((a) => a.timings?.totalMs ?? NaN));
    all.push(run.ms);
  }
  await rm(dir, { recursive: true, force: true });
  const oneMs = median(one);
  const allMs = median(all);
  return {
    questions: questions.length,
    oneMs: Math.round(oneMs),
    allMs: Math.round(allMs),
    perFurtherQuestionMs: Math.round(((allMs - oneMs) / (questions.length - 1)) * 100) / 100,
    engineMs: latency(engineMs),
  };
}

/** `count` items taken at even steps through the list (all of them when it is shorter). */
function spread<T>(items: T[], count: number): T[] {
  if (items.length <= count) return items;
  return Array.from({ length: count }, (_, i) => items[Math.floor((i * items.length) / count)]!);
}

export interface OpenFigures {
  /** Engine.open as `npm run ask` calls it (corpus checked by stat, index and tables read), in a fresh process. */
  openMs: number;
  /** Retrieval + answer composition per question, after a warm-up. */
  answerPath: Latency;
  /** The real documents' evaluation questions answered with the synthetic chunks around them. */
  quality?: { hitAt3: number; factCoverage: number; notFoundCorrect: number; notFoundTotal: number };
  /** Peak RSS of the process after opening and answering every question. */
  peakRssMB: number;
}

/**
 * Opens the engine over the index on disk as `npm run ask` does and answers: the figures of one fresh process.
 * Run it in a process of its own (bench's --open-worker) so that nothing before it is in memory.
 */
export async function measureOpen(options: { config: Config; questions: string[]; evalQuestions: EvalQuestion[]; warmup: number; answerQueries: number }): Promise<OpenFigures> {
  const opened = await timed(() => Engine.open(options.config, { autoIngest: true }));
  const engine = opened.value;
  for (const q of options.questions.slice(0, options.warmup)) await engine.ask(q);
  const answerTimes: number[] = [];
  for (const q of spread(options.questions, options.answerQueries)) answerTimes.push((await timed(() => engine.ask(q))).ms);
  const answers = new Map<string, ScoredAnswer>();
  for (const q of options.evalQuestions) answers.set(q.id, await engine.ask(q.question));
  const scored = scoreAnswers(options.evalQuestions, answers, await corpusWords(options.config.corpusDir));
  return {
    openMs: Math.round(opened.ms),
    answerPath: latency(answerTimes),
    quality: options.evalQuestions.length
      ? { hitAt3: scored.hitAt3, factCoverage: scored.factCoverage, notFoundCorrect: scored.notFoundCorrect, notFoundTotal: scored.notFoundTotal }
      : undefined,
    peakRssMB: peakRssMB(),
  };
}

export interface ScaleResult extends OpenFigures {
  chunks: number;
  syntheticChunks: number;
  hnsw: ReturnType<Engine['indexFacts']>['hnsw'];
  /** `npm run ingest` of the whole corpus (real and synthetic files) from nothing, in a fresh process. */
  ingestMs: number;
  /** The corpus files' bytes over the ingest's wall time. */
  ingestMbPerS: number;
  /** Peak RSS of that ingest's process. */
  ingestPeakRssMB: number;
  /** Everything under INDEX_DIR after the ingest, against the bytes of the documents' cleaned text. */
  indexBytes: number;
  cleanedTextBytes: number;
  /** Cold `npm run ask` over the index, process start to answer. */
  coldAsk: ColdAsk;
  queries: number;
  /** k=10 through the engine's vector store, as retrieval's dense stage asks it. */
  hnswQuery: Latency;
  /** Exact k=10 by hnswlib's brute-force index (native, like HNSW) over the same vectors. */
  bruteForceQuery: Latency;
  speedup: number;
  recallAt10: number;
  /** With `--store chroma`: the same corpus ingested into a Chroma server, the same queries. */
  chroma?: ChromaFigures;
}

/** k of every vector search below, as the retriever asks. */
const K = 10;

/** One query's exact neighbours: the distance of the tenth, and how long exact search took. */
interface Truth {
  bound: number;
  ms: number;
}

/**
 * Latency and recall@10 of a k-NN search against exact search. A neighbour at the distance of the tenth true one is
 * as near as it: ties must not count as misses. The first `warmup` queries are run untimed first (a server's first
 * query also loads its index).
 */
async function searchFigures(queryVectors: number[][], truths: Truth[], engine: Engine, warmup: number) {
  for (const q of queryVectors.slice(0, warmup)) await engine.nearestChunks(q, K);
  const times: number[] = [];
  let found = 0;
  for (const [i, q] of queryVectors.entries()) {
    const approx = await timed(() => engine.nearestChunks(q, K));
    times.push(approx.ms);
    found += Math.min(K, approx.value.filter(({ distance }) => distance <= truths[i]!.bound + 1e-6).length);
  }
  return { query: latency(times), recallAt10: Math.round((found / (K * queryVectors.length)) * 1000) / 1000 };
}

/** Ratio of the p50s to three significant digits (a slower search shows as a fraction, not as 0). */
const speedupOver = (exact: Latency, approx: Latency) => Number((exact.p50 / Math.max(approx.p50, 0.001)).toPrecision(3));

export interface ChromaFigures {
  /** `npm run ingest` of the same corpus with VECTOR_STORE=chroma into a new collection. */
  ingestMs: number;
  /** k=10 through the engine over the Chroma store (an HTTP round trip to the server on loopback). */
  query: Latency;
  speedup: number;
  recallAt10: number;
}

/**
 * The same corpus ingested through the engine into new collections on a Chroma server, the same queries; every
 * collection the ingest made (their names start with the one given) is deleted afterwards.
 */
async function measureChroma(config: Config, queryVectors: number[][], truths: Truth[], exact: Latency, progress: Progress): Promise<ChromaFigures> {
  const collection = `bench-${randomBytes(3).toString('hex')}`;
  const lockDir = await mkdtemp(join(os.tmpdir(), 'bench-chroma-'));
  const chroma = configFor(config, config.corpusDir, lockDir, { kind: 'chroma', chromaCollection: collection });
  try {
    const ingest = await timed(() => Engine.ingest(chroma));
    progress('Chroma collection ingested');
    const figures = await searchFigures(queryVectors, truths, await Engine.open(chroma), K);
    progress('Chroma recall and query latency measured');
    return { ingestMs: Math.round(ingest.ms), ...figures, speedup: speedupOver(exact, figures.query) };
  } finally {
    const { ChromaClient } = await import('chromadb');
    const url = new URL(config.store.chromaUrl);
    const client = new ChromaClient({ host: url.hostname, port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80), ssl: url.protocol === 'https:' });
    const made = (await client.listCollections().catch(() => [])).filter((c) => c.name.startsWith(collection));
    for (const c of made) await client.deleteCollection({ name: c.name }).catch(() => undefined);
    await rm(lockDir, { recursive: true, force: true });
  }
}

/**
 * Recall and latency of the vector store the engine answers from, against exact search over the vectors the engine
 * reports it holds; and the size of the documents' cleaned text, read in the same pass.
 */
async function measureVectors(config: Config, questions: string[], progress: Progress, chromaUrl?: string) {
  const engine = await Engine.open(config);
  const { chunks } = engine.indexFacts();
  const exact = new hnswlib.BruteforceSearch('cosine', engine.indexFacts().embedder.dimensions);
  exact.initIndex(chunks);
  let label = 0;
  let cleanedTextBytes = 0;
  for await (const doc of engine.documentVectors()) {
    cleanedTextBytes += doc.textBytes;
    for (const v of doc.vectors) exact.addPoint(v, label++);
  }
  const queryVectors = await engine.embedQuestions(questions);
  const truths = queryVectors.map((q) => {
    const began = performance.now();
    const { distances } = exact.searchKnn(q, K);
    return { bound: Math.max(...distances), ms: performance.now() - began };
  });
  const bruteForceQuery = latency(truths.map((t) => t.ms));
  const hnsw = await searchFigures(queryVectors, truths, engine, 0);
  progress('recall and query latency measured');
  const chroma = chromaUrl ? await measureChroma(configFor(config, config.corpusDir, config.indexDir, { chromaUrl }), queryVectors, truths, bruteForceQuery, progress) : undefined;
  return {
    cleanedTextBytes,
    queries: queryVectors.length,
    hnswQuery: hnsw.query,
    bruteForceQuery,
    speedup: speedupOver(bruteForceQuery, hnsw.query),
    recallAt10: hnsw.recallAt10,
    hnsw: engine.indexFacts().hnsw,
    chroma,
  };
}

type Progress = (message: string) => void;

/**
 * A real corpus of `total` chunks on disk — the real articles plus synthetic ones around them — ingested as
 * `npm run ingest` does in a fresh process (`ingestWorker`), then: its size on disk, opened cold in a fresh process
 * (`openWorker`) and by a cold `npm run ask`, and the vectors' recall@10 against exact search.
 */
export async function measureScale(options: {
  config: Config;
  /** The real corpus's chunks: the material synthetic articles are made of. */
  material: Chunk[];
  total: number;
  questions: string[];
  coldQuestion: string;
  coldRuns: number;
  /** Ingests in a fresh process and reports its time, chunks and peak memory (bench runs itself with --ingest-worker). */
  ingestWorker: (config: Config) => Promise<IngestRun>;
  /** Opens the index in a fresh process and returns its figures (bench runs itself with --open-worker). */
  openWorker: (corpusDir: string, indexDir: string) => Promise<OpenFigures>;
  seed?: number;
  /** A Chroma server to measure beside HNSW on the same corpus and queries. */
  chromaUrl?: string;
  onProgress?: Progress;
}): Promise<ScaleResult> {
  const { config: base, total } = options;
  const began = performance.now();
  const progress: Progress = (m) => options.onProgress?.(`  ${total.toLocaleString('en')}: ${m} (${Math.round((performance.now() - began) / 1000)} s)`);
  const dir = await mkdtemp(join(os.tmpdir(), 'bench-scale-'));
  const config = configFor(base, join(dir, 'corpus'), join(dir, 'index'));
  try {
    await mkdir(config.corpusDir);
    for (const name of (await readdir(base.corpusDir)).filter((n) => !n.startsWith('.'))) await copyFile(join(base.corpusDir, name), join(config.corpusDir, name));
    await writeSyntheticCorpus(options.material, Math.max(0, total - options.material.length), options.seed ?? total, config.corpusDir);
    progress('corpus written');
    const { bytes } = await corpusSize(config.corpusDir);
    const ingest = await options.ingestWorker(config);
    progress(`ingested (${ingest.chunks.toLocaleString('en')} chunks)`);
    const indexBytes = await directoryBytes(config.indexDir);
    const vectors = await measureVectors(config, options.questions, progress, options.chromaUrl);
    const opened = await options.openWorker(config.corpusDir, config.indexDir);
    progress('opened and answered in a fresh process');
    const coldAsk = await measureColdAsk(options.coldQuestion, config.indexDir, options.coldRuns, config.corpusDir);
    progress('cold asks measured');
    return {
      chunks: ingest.chunks,
      syntheticChunks: ingest.chunks - options.material.length,
      ingestMs: ingest.ms,
      ingestMbPerS: Math.round((bytes / 1048576 / (ingest.ms / 1000)) * 100) / 100,
      ingestPeakRssMB: ingest.peakRssMB,
      indexBytes,
      coldAsk,
      ...vectors,
      ...opened,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
