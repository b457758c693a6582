/**
 * Measurements behind `npm run bench`: load times, cold and warm question latency, ingest throughput, and real
 * on-disk indexes at synthetic scale (ingest, size, opening cold in a fresh process, peak RSS while answering,
 * recall against exact search, and the full answer path). Everything runs the product's own code: the engine, the
 * local index store with HNSW_PARAMS and, with a Chroma server, the collection ingest writes (fillChromaCollection).
 * Answers always go through an Engine; only the vector-level figures (recall against exact search) reach below it,
 * since they measure the index itself.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, readlink, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import type { HNSWLib } from '@langchain/community/vectorstores/hnswlib';
import { Document } from '@langchain/core/documents';
import type { Embeddings } from '@langchain/core/embeddings';
import hnswlib from 'hnswlib-node';
import type { Config } from '../config.js';
import { chromaClient, fillChromaCollection } from '../rag/index/chroma-store.js';
import type { Chunk } from '../rag/ingest/chunk.js';
import { createEmbedder, type CorpusEmbedder } from '../rag/embedding/corpus-embedder.js';
import { Engine } from '../rag/engine.js';
import { HNSW_PARAMS } from '../rag/index/contract.js';
import { LocalIndexStore } from '../rag/index/hnsw-store.js';
import { loadRetrievalTables } from '../rag/search/retrieval-tables.js';
import { retrievalTablesFile } from '../rag/search/document-work.js';
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

async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? await directoryBytes(path) : (await stat(path)).size;
  }
  return total;
}

export interface LoadTimes {
  embedderMs: number;
  indexMs: number;
}

/** Median over `runs` of creating the embedder and of opening the index on disk (checks and tables included). */
export async function measureLoads(config: Config, runs: number): Promise<LoadTimes & { embedder: CorpusEmbedder }> {
  const embedderRuns: number[] = [];
  const indexRuns: number[] = [];
  let embedder: CorpusEmbedder | undefined;
  for (let i = 0; i < runs; i++) {
    const made = await timed(() => createEmbedder(config));
    embedder = made.value;
    embedderRuns.push(made.ms);
    const store = new LocalIndexStore(config.corpusDir, config.indexDir, made.value, retrievalTablesFile);
    indexRuns.push((await timed(async () => loadRetrievalTables((await store.open())!))).ms);
  }
  return { embedderMs: median(embedderRuns), indexMs: median(indexRuns), embedder: embedder! };
}

export interface IngestThroughput {
  files: number;
  bytes: number;
  chunks: number;
  /** Median wall time of a full build from nothing (clean, chunk, embed, HNSW, write). */
  ms: number;
  mbPerS: number;
  chunksPerS: number;
}

/** Builds the corpus into fresh index directories `runs` times; the last build is left in `keepDir` if given. */
export async function measureIngest(corpusDir: string, embedder: CorpusEmbedder, runs: number, keepDir?: string): Promise<IngestThroughput> {
  const names = (await readdir(corpusDir)).filter((n) => !n.startsWith('.'));
  let bytes = 0;
  for (const n of names) bytes += (await stat(join(corpusDir, n))).size;
  const times: number[] = [];
  let chunks = 0;
  for (let i = 0; i < runs; i++) {
    const indexDir = keepDir && i === runs - 1 ? keepDir : await mkdtemp(join(os.tmpdir(), 'bench-ingest-'));
    const { value: report, ms } = await timed(() => new LocalIndexStore(corpusDir, indexDir, embedder, retrievalTablesFile).ingest());
    chunks = report.chunks;
    times.push(ms);
    if (indexDir !== keepDir) await rm(indexDir, { recursive: true, force: true });
  }
  const ms = median(times);
  return {
    files: names.length,
    bytes,
    chunks,
    ms: Math.round(ms),
    mbPerS: Math.round((bytes / 1048576 / (ms / 1000)) * 100) / 100,
    chunksPerS: Math.round(chunks / (ms / 1000)),
  };
}

/** The chunks of the index at `indexDir`: the material synthetic corpora are made of. */
export async function indexedChunks(corpusDir: string, indexDir: string, embedder: CorpusEmbedder): Promise<Chunk[]> {
  const index = await new LocalIndexStore(corpusDir, indexDir, embedder, retrievalTablesFile).open();
  if (!index) throw new Error(`no index at ${indexDir}`);
  return (await loadRetrievalTables(index)).chunks;
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
}

/** `node scripts/launch.mjs scripts/ask.ts --json "…"` (what `npm run ask` runs) from process start to answer, index on disk. */
export async function measureColdAsk(question: string, indexDir: string, runs: number, corpusDir?: string): Promise<ColdAsk> {
  const env = { ...process.env, INDEX_DIR: indexDir, ...(corpusDir ? { CORPUS_DIR: corpusDir } : {}) };
  const times: number[] = [];
  let status = '';
  for (let i = 0; i < runs; i++) {
    const run = await runProcess(process.execPath, ['scripts/launch.mjs', 'scripts/ask.ts', '--json', question], env);
    status = (JSON.parse(run.stdout) as { status: string }).status;
    times.push(run.ms);
  }
  return { runs: times.map(Math.round), medianMs: Math.round(median(times)), status };
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
  hnsw: typeof HNSW_PARAMS;
  /** `npm run ingest` of the whole corpus (real and synthetic files) from nothing. */
  ingestMs: number;
  /** The build on disk, and the retrieval tables file within it. */
  indexBytes: number;
  tablesBytes: number;
  /** Cold `npm run ask` over the index, process start to answer. */
  coldAsk: ColdAsk;
  queries: number;
  /** HNSW k=10 through the vector store the retriever uses. */
  hnswQuery: Latency;
  /** Exact k=10 by hnswlib's brute-force index (native, like HNSW) over the same vectors. */
  bruteForceQuery: Latency;
  speedup: number;
  recallAt10: number;
  /** With `--store chroma`: the same vectors and queries on a Chroma server. */
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
async function searchFigures(queryVectors: number[][], truths: Truth[], search: (q: number[]) => Promise<[unknown, number][]>, warmup: number) {
  for (const q of queryVectors.slice(0, warmup)) await search(q);
  const times: number[] = [];
  let found = 0;
  for (const [i, q] of queryVectors.entries()) {
    const approx = await timed(() => search(q));
    times.push(approx.ms);
    found += Math.min(K, approx.value.filter(([, distance]) => distance <= truths[i]!.bound + 1e-6).length);
  }
  return { query: latency(times), recallAt10: Math.round((found / (K * queryVectors.length)) * 1000) / 1000 };
}

/** Ratio of the p50s to three significant digits (a slower search shows as a fraction, not as 0). */
const speedupOver = (exact: Latency, approx: Latency) => Number((exact.p50 / Math.max(approx.p50, 0.001)).toPrecision(3));

export interface ChromaFigures {
  /** Writing every vector (with its chunk text and metadata) into a new collection, in the server's batch size. */
  writeMs: number;
  /** k=10 through LangChain's Chroma store (an HTTP round trip to the server on loopback). */
  query: Latency;
  speedup: number;
  recallAt10: number;
}

/** The same vectors in a new collection on a Chroma server, the same queries; the collection is deleted afterwards. */
async function measureChroma(url: string, embeddings: Embeddings, vectors: number[][], docs: Document[], queryVectors: number[][], truths: Truth[], exact: Latency, progress: Progress): Promise<ChromaFigures> {
  const collection = `bench-${vectors.length}-${randomBytes(3).toString('hex')}`;
  try {
    const filled = await timed(() => fillChromaCollection({ url, collection, embeddings, vectors, documents: docs, ids: docs.map((d) => String(d.metadata.id)) }));
    progress('Chroma collection written');
    const figures = await searchFigures(queryVectors, truths, (q) => filled.value.similaritySearchVectorWithScore(q, K), K);
    progress('Chroma recall and query latency measured');
    return { writeMs: Math.round(filled.ms), ...figures, speedup: speedupOver(exact, figures.query) };
  } finally {
    await chromaClient(url).deleteCollection({ name: collection }).catch(() => undefined);
  }
}

/** Recall and latency of the HNSW index ingest wrote, against exact search over the vectors it holds. */
async function measureVectors(embedder: CorpusEmbedder, corpusDir: string, indexDir: string, questions: string[], progress: Progress, chromaUrl?: string) {
  const index = (await new LocalIndexStore(corpusDir, indexDir, embedder, retrievalTablesFile).open())!;
  const store = index.vectors as HNSWLib;
  const count = store.index.getCurrentCount();
  const vectors = Array.from({ length: count }, (_, label) => store.index.getPoint(label));
  const exact = new hnswlib.BruteforceSearch('cosine', embedder.dimensions);
  exact.initIndex(count);
  vectors.forEach((v, i) => exact.addPoint(v, i));
  const queries = embedder.forQueries(index.manifest.embedderState);
  const queryVectors = await queries.embedDocuments(questions);
  const truths = queryVectors.map((q) => {
    const began = performance.now();
    const { distances } = exact.searchKnn(q, K);
    return { bound: Math.max(...distances), ms: performance.now() - began };
  });
  const bruteForceQuery = latency(truths.map((t) => t.ms));
  const hnsw = await searchFigures(queryVectors, truths, (q) => store.similaritySearchVectorWithScore(q, K), 0);
  progress('recall and query latency measured');
  let chroma: ChromaFigures | undefined;
  if (chromaUrl) {
    const chunks = (await loadRetrievalTables(index)).chunks;
    const labels = store.index.getIdsList();
    const docs = labels.map((label) => {
      const chunk = chunks[label]!;
      return new Document({ pageContent: chunk.text, metadata: { id: chunk.id, source: chunk.source, start: chunk.start, end: chunk.end } });
    });
    chroma = await measureChroma(chromaUrl, queries, labels.map((l) => vectors[l]!), docs, queryVectors, truths, bruteForceQuery, progress);
  }
  return { queries: queryVectors.length, hnswQuery: hnsw.query, bruteForceQuery, speedup: speedupOver(bruteForceQuery, hnsw.query), recallAt10: hnsw.recallAt10, chroma };
}

type Progress = (message: string) => void;

/**
 * A real corpus of `total` chunks on disk — the real articles plus synthetic ones around them — ingested as
 * `npm run ingest` does, then: opened cold in a fresh process (`openWorker`) and by a cold `npm run ask`, and the
 * vectors' recall@10 against exact search.
 */
export async function measureScale(options: {
  embedder: CorpusEmbedder;
  /** The real corpus and its chunks (the material synthetic articles are made of). */
  corpusDir: string;
  material: Chunk[];
  total: number;
  questions: string[];
  coldQuestion: string;
  coldRuns: number;
  /** Opens the index in a fresh process and returns its figures (bench runs itself with --open-worker). */
  openWorker: (corpusDir: string, indexDir: string) => Promise<OpenFigures>;
  seed?: number;
  /** A Chroma server to measure beside HNSW on the same vectors and queries. */
  chromaUrl?: string;
  onProgress?: Progress;
}): Promise<ScaleResult> {
  const { embedder, total } = options;
  const began = performance.now();
  const progress: Progress = (m) => options.onProgress?.(`  ${total.toLocaleString('en')}: ${m} (${Math.round((performance.now() - began) / 1000)} s)`);
  const dir = await mkdtemp(join(os.tmpdir(), 'bench-scale-'));
  const corpusDir = join(dir, 'corpus');
  const indexDir = join(dir, 'index');
  try {
    await mkdir(corpusDir);
    for (const name of (await readdir(options.corpusDir)).filter((n) => !n.startsWith('.'))) await copyFile(join(options.corpusDir, name), join(corpusDir, name));
    await writeSyntheticCorpus(options.material, Math.max(0, total - options.material.length), options.seed ?? total, corpusDir);
    progress('corpus written');
    const ingest = await timed(() => new LocalIndexStore(corpusDir, indexDir, embedder, retrievalTablesFile).ingest());
    progress(`ingested (${ingest.value.chunks.toLocaleString('en')} chunks)`);
    const build = join(indexDir, await readlink(join(indexDir, 'current')));
    const vectors = await measureVectors(embedder, corpusDir, indexDir, options.questions, progress, options.chromaUrl);
    const opened = await options.openWorker(corpusDir, indexDir);
    progress('opened and answered in a fresh process');
    const coldAsk = await measureColdAsk(options.coldQuestion, indexDir, options.coldRuns, corpusDir);
    progress('cold asks measured');
    return {
      chunks: ingest.value.chunks,
      syntheticChunks: ingest.value.chunks - options.material.length,
      hnsw: HNSW_PARAMS,
      ingestMs: Math.round(ingest.ms),
      indexBytes: await directoryBytes(build),
      tablesBytes: (await stat(join(build, 'retrieval-tables.bin'))).size,
      coldAsk,
      ...vectors,
      ...opened,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
