/**
 * Measurements behind `npm run bench`: load times, cold and warm question latency, ingest throughput, and the
 * vector index at synthetic scale (build time, size, recall against exact search, and the full answer path).
 * Everything runs the product's own code: the engine, the local index store, hnswStore with HNSW_PARAMS and, with a
 * Chroma server, the collection ingest writes (fillChromaCollection). Answers always go through an Engine; only the
 * vector-level figures (recall against exact search) reach below it, since they measure the index itself.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { HNSWLib } from '@langchain/community/vectorstores/hnswlib';
import { Document } from '@langchain/core/documents';
import type { Embeddings } from '@langchain/core/embeddings';
import hnswlib from 'hnswlib-node';
import type { Config } from '../config.js';
import { chromaClient, fillChromaCollection } from '../rag/index/chroma-store.js';
import type { Chunk } from '../rag/ingest/chunk.js';
import { createEmbedder, type CorpusEmbedder } from '../rag/embedding/corpus-embedder.js';
import { Engine } from '../rag/engine.js';
import { HNSW_PARAMS, type DocumentRecord, type IndexStore, type LoadedIndex } from '../rag/index/contract.js';
import { contextualText } from '../rag/index/corpus-records.js';
import { hnswStore, LocalIndexStore } from '../rag/index/hnsw-store.js';
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

/** Median over `runs` of creating the embedder and of opening the index on disk (checksums included). */
export async function measureLoads(config: Config, runs: number): Promise<LoadTimes & { embedder: CorpusEmbedder }> {
  const embedderRuns: number[] = [];
  const indexRuns: number[] = [];
  let embedder: CorpusEmbedder | undefined;
  for (let i = 0; i < runs; i++) {
    const made = await timed(() => createEmbedder(config));
    embedder = made.value;
    embedderRuns.push(made.ms);
    indexRuns.push((await timed(() => new LocalIndexStore(config.corpusDir, config.indexDir, made.value).open())).ms);
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
    const { value: report, ms } = await timed(() => new LocalIndexStore(corpusDir, indexDir, embedder).ingest());
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

/** Writes `chunks` synthetic chunks (from the live index's sentences) as .txt articles into a new directory. */
export async function writeSyntheticCorpus(base: LoadedIndex, chunks: number, seed = 7): Promise<string> {
  const dir = await mkdtemp(join(os.tmpdir(), 'bench-corpus-'));
  for (const doc of syntheticCorpus(sentenceSource(base.chunks), chunks, seed)) await writeFile(join(dir, doc.source), doc.text);
  return dir;
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
export async function measureColdAsk(question: string, indexDir: string, runs: number): Promise<ColdAsk> {
  const env = { ...process.env, INDEX_DIR: indexDir };
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

export interface ScaleResult {
  chunks: number;
  syntheticChunks: number;
  hnsw: typeof HNSW_PARAMS;
  embedMs: number;
  /** Building the HNSW graph over every vector (hnswStore). */
  buildMs: number;
  indexBytes: number;
  indexLoadMs: number;
  queries: number;
  /** HNSW k=10 through the vector store the retriever uses. */
  hnswQuery: Latency;
  /** Exact k=10 by hnswlib's brute-force index (native, like HNSW) over the same vectors. */
  bruteForceQuery: Latency;
  speedup: number;
  recallAt10: number;
  /** Opening an engine over the enlarged index: mostly building the BM25 indexes over every chunk and sentence. */
  lexicalBuildMs: number;
  /** Retrieval + answer composition per question, after a warm-up. */
  answerPath: Latency;
  /** The real documents' evaluation questions answered with the synthetic chunks around them. */
  quality?: { hitAt3: number; factCoverage: number; notFoundCorrect: number; notFoundTotal: number };
  /** With `--store chroma`: the same vectors and queries on a Chroma server. */
  chroma?: ChromaFigures;
  peakRssMB: number;
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

/** The vector half of a scale run: what leaves it is the store and the corpus state; the raw arrays are dropped. */
async function measureVectors(embedder: CorpusEmbedder, base: LoadedIndex, chunks: Chunk[], questions: string[], dir: string, progress: Progress, chromaUrl?: string) {
  const synthetic = chunks.slice(base.chunks.length);
  const embedded = await timed(() => embedder.embedRaw(synthetic.map(contextualText)));
  progress(`embedded ${synthetic.length} synthetic chunks`);
  const { vectors, state } = embedder.finish([...base.documents.flatMap((d) => d.rawVectors), ...embedded.value]);
  const docs = chunks.map((c) => new Document({ pageContent: c.text, metadata: { id: c.id, source: c.source, start: c.start, end: c.end } }));
  const built = await timed(() => hnswStore(embedder, state, vectors, docs));
  const store = built.value;
  progress('HNSW built');

  const hnswDir = join(dir, 'hnsw');
  await store.save(hnswDir);
  const indexBytes = await directoryBytes(hnswDir);
  const loaded = await timed(() => HNSWLib.load(hnswDir, embedder.forQueries(state)));
  await rm(hnswDir, { recursive: true, force: true });

  const exact = new hnswlib.BruteforceSearch('cosine', embedder.dimensions);
  exact.initIndex(vectors.length);
  vectors.forEach((v, i) => exact.addPoint(v, i));
  const queryVectors = await embedder.forQueries(state).embedDocuments(questions);
  const truths = queryVectors.map((q) => {
    const began = performance.now();
    const { distances } = exact.searchKnn(q, K);
    return { bound: Math.max(...distances), ms: performance.now() - began };
  });
  const bruteForceQuery = latency(truths.map((t) => t.ms));
  const hnsw = await searchFigures(queryVectors, truths, (q) => store.similaritySearchVectorWithScore(q, K), 0);
  progress('recall and query latency measured');
  const chroma = chromaUrl ? await measureChroma(chromaUrl, embedder.forQueries(state), vectors, docs, queryVectors, truths, bruteForceQuery, progress) : undefined;
  return {
    store,
    state,
    figures: {
      embedMs: Math.round(embedded.ms),
      buildMs: Math.round(built.ms),
      indexBytes,
      indexLoadMs: Math.round(loaded.ms),
      queries: queryVectors.length,
      hnswQuery: hnsw.query,
      bruteForceQuery,
      speedup: speedupOver(bruteForceQuery, hnsw.query),
      recallAt10: hnsw.recallAt10,
      chroma,
    },
  };
}

type Progress = (message: string) => void;

/** A store that serves one index built in memory: the engine answers over it as over any other. */
function servingOnly(index: LoadedIndex, location: string): IndexStore {
  return {
    location,
    shared: false,
    open: async () => index,
    changed: async () => false,
    ingest: async () => {
      throw new Error('the synthetic benchmark index is not ingested from a corpus');
    },
  };
}

/**
 * The live index's real chunks plus synthetic ones up to `total`, embedded and indexed as ingest does, then:
 * recall@10 of HNSW against exact search, both latencies, and the full answer path over the enlarged index.
 */
export async function measureScale(options: {
  config: Config;
  embedder: CorpusEmbedder;
  base: LoadedIndex;
  total: number;
  questions: string[];
  evalQuestions: EvalQuestion[];
  corpusDir: string;
  warmup: number;
  /** How many of the questions (spread evenly over the list) time the answer path: at large N each takes long. */
  answerQueries: number;
  seed?: number;
  /** A Chroma server to measure beside HNSW on the same vectors and queries. */
  chromaUrl?: string;
  onProgress?: Progress;
}): Promise<ScaleResult> {
  const { embedder, base, total, questions } = options;
  const began = performance.now();
  const progress: Progress = (m) => options.onProgress?.(`  ${total.toLocaleString('en')}: ${m} (${Math.round((performance.now() - began) / 1000)} s)`);
  const synthetic = syntheticCorpus(sentenceSource(base.chunks), Math.max(0, total - base.chunks.length), options.seed ?? total);
  const chunks = [...base.chunks, ...synthetic.flatMap((d) => d.chunks)];
  const dir = await mkdtemp(join(os.tmpdir(), 'bench-scale-'));
  try {
    const { store, state, figures } = await measureVectors(embedder, base, chunks, questions, dir, progress, options.chromaUrl);
    const manifest = {
      ...base.manifest,
      chunks: chunks.length,
      embedderState: state,
      documents: [
        ...base.manifest.documents,
        ...synthetic.map((d) => ({ source: d.source, aliases: [], sha256: '', title: d.title, chunks: d.chunks.length, placeholders: [] })),
      ],
    };
    const documents: DocumentRecord[] = [
      ...base.documents,
      ...synthetic.map((d) => ({ ...d, aliases: [], sha256: '', placeholders: [], rawVectors: [] })),
    ];
    const index: LoadedIndex = { version: dir, manifest, documents, chunks, vectors: store };
    const engine = await timed(() => Engine.open(options.config, { store: servingOnly(index, dir) }));
    progress('engine opened (BM25 indexes built)');
    const answer = (question: string) => engine.value.ask(question);
    for (const q of questions.slice(0, options.warmup)) await answer(q);
    const answerTimes: number[] = [];
    for (const q of spread(questions, options.answerQueries)) {
      answerTimes.push((await timed(() => answer(q))).ms);
      if (answerTimes.length % 20 === 0) progress(`${answerTimes.length} questions answered`);
    }
    const answers = new Map<string, ScoredAnswer>();
    for (const q of options.evalQuestions) answers.set(q.id, await answer(q.question));
    const scored = scoreAnswers(options.evalQuestions, answers, await corpusWords(options.corpusDir));
    return {
      chunks: chunks.length,
      syntheticChunks: chunks.length - base.chunks.length,
      hnsw: HNSW_PARAMS,
      ...figures,
      lexicalBuildMs: Math.round(engine.ms),
      answerPath: latency(answerTimes),
      quality: options.evalQuestions.length
        ? { hitAt3: scored.hitAt3, factCoverage: scored.factCoverage, notFoundCorrect: scored.notFoundCorrect, notFoundTotal: scored.notFoundTotal }
        : undefined,
      peakRssMB: peakRssMB(),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
