/**
 * The one façade over the pipeline: ask, summarize, sources, reindex, and retrieve for measurement. Front ends (CLI
 * scripts, the Discord bot) and measurement (src/measure) hold an engine and nothing else of src/rag's stages.
 */
import type { Config } from '../config.js';
import { composeAnswer } from './compose/answer.js';
import { createGenerator, type GroundedGenerator } from './compose/generate.js';
import { summarizeSource, summarizeTopic } from './compose/summarize.js';
import { createEmbedder, type CorpusEmbedder } from './embedding/corpus-embedder.js';
import { IndexMismatchError, InvalidQuestionError, UnknownSourceError } from './errors.js';
import type { IndexStore, LoadedIndex } from './index/contract.js';
import { openIndexStore } from './index/open-store.js';
import { loadCorpus } from './ingest/load.js';
import { HybridRetriever } from './search/hybrid-retriever.js';
import type { Answer, AnswerEngine, IngestProgress, IngestReport, RetrievedSources, SourceInfo, Summary, SummaryRequest } from './types.js';

export const MAX_QUESTION_CHARS = 2000;

/** Control and format characters carry no meaning in a question and must not reach the analyzers. */
const CONTROL = /[\p{Cc}\u2028\u2029]+/gu;
/** Zero-width spaces, joiners, soft hyphens and BOMs sit inside words ("Lav\u200brov"): removed, not spaced. */
const FORMAT_CHARACTERS = /\p{Cf}+/gu;

export function normalizeQuestion(raw: string): string {
  const question = raw.replace(FORMAT_CHARACTERS, '').replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  if (!question) throw new InvalidQuestionError('the question is empty');
  if (question.length > MAX_QUESTION_CHARS) {
    throw new InvalidQuestionError(`the question is too long (${question.length} characters; the limit is ${MAX_QUESTION_CHARS})`);
  }
  if (!/[\p{L}\p{N}]/u.test(question)) throw new InvalidQuestionError('the question has no words to search for');
  return question;
}

export interface EngineOptions {
  /**
   * Build the index when there is none, or when it is damaged or the corpus changed since it was built (the CLI).
   * A shared store (Chroma) serves other replicas, so it is only ever built here when it holds no index at all.
   */
  autoIngest?: boolean;
  /** One-line notices for the person waiting: "building the index (first run)…". */
  onNotice?: (message: string) => void;
  onProgress?: (p: IngestProgress) => void;
  /** Serve from this store instead of the one VECTOR_STORE names (measurement over a synthetic index). */
  store?: IndexStore;
}

interface Live {
  index: LoadedIndex;
  retriever: HybridRetriever;
}

/** Minimum time between two looks at the index directory for a build made by another process. */
const REFRESH_INTERVAL_MS = 2000;

export class Engine implements AnswerEngine {
  private live: Live;
  private lastRefresh = Date.now();
  private readonly generator: GroundedGenerator | null;

  private constructor(
    config: Config,
    private readonly embedder: CorpusEmbedder,
    private readonly store: IndexStore,
    live: Live,
  ) {
    this.live = live;
    this.generator = createGenerator(config.llm);
  }

  static async open(config: Config, options: EngineOptions = {}): Promise<Engine> {
    const notice = options.onNotice ?? (() => undefined);
    const embedder = await createEmbedder(config, notice);
    const store = options.store ?? (await openIndexStore(config, embedder));
    const rebuild = async (why: string) => {
      notice(why);
      await store.ingest(options.onProgress);
      return store.open();
    };
    let index: LoadedIndex | null;
    try {
      index = await store.open();
    } catch (e) {
      // A shared store built by another embedder belongs to whoever configured it so: only an explicit ingest replaces it.
      if (!(e instanceof IndexMismatchError) || !options.autoIngest || store.shared) throw e;
      index = await rebuild(`${e.message.replace(/; run npm run ingest.*$/, '')}; rebuilding it from the corpus…`);
    }
    if (!index) {
      if (!options.autoIngest) throw new IndexMismatchError(`no index at ${store.location}; run npm run ingest first`);
      index = await rebuild(`no index at ${store.location} yet; building it from ${config.corpusDir} (first run)…`);
    } else if (options.autoIngest && !store.shared && (await corpusChanged(config.corpusDir, index))) {
      index = await rebuild(`the corpus changed since the index was built; re-ingesting…`);
    }
    return new Engine(config, embedder, store, Engine.serve(index!, embedder));
  }

  /** Ingests the corpus into the configured store without opening it for questions (`npm run ingest`). */
  static async ingest(config: Config, options: Pick<EngineOptions, 'onNotice' | 'onProgress'> = {}): Promise<IngestReport> {
    const embedder = await createEmbedder(config, options.onNotice);
    return (await openIndexStore(config, embedder)).ingest(options.onProgress);
  }

  private static serve(index: LoadedIndex, embedder: CorpusEmbedder): Live {
    const retriever = new HybridRetriever(index, embedder.forQueries(index.manifest.embedderState), embedder.wordVector?.bind(embedder));
    return { index, retriever };
  }

  async ask(rawQuestion: string): Promise<Answer> {
    const began = performance.now();
    const question = normalizeQuestion(rawQuestion);
    await this.refreshIfDue();
    const { retriever } = this.live;
    const retrieval = await retriever.retrieve(question);
    const { passages, ...composedAnswer } = composeAnswer(question, retrieval, retriever.sentences);
    const extractive: Answer = { question, ...composedAnswer, timings: { totalMs: Math.round(performance.now() - began) } };
    // The abstention rule stays in charge: a model is asked only when the corpus holds an answer.
    if (!this.generator || extractive.status === 'not_found') return extractive;
    return this.generator.answer(question, passages, extractive);
  }

  async summarize(request: SummaryRequest): Promise<Summary> {
    await this.refreshIfDue();
    const { retriever, index } = this.live;
    if ('source' in request) {
      const doc = index.documents.find((d) => d.source === request.source || d.aliases.includes(request.source));
      if (!doc) throw new UnknownSourceError(`no indexed document named ${request.source}; /sources or npm run summary -- --list shows them`);
      return summarizeSource(retriever, doc.source);
    }
    return summarizeTopic(retriever, normalizeQuestion(request.topic));
  }

  /** Where retrieval ranks each document before any answer is composed: what evaluation reads. */
  async retrieve(rawQuestion: string): Promise<RetrievedSources> {
    const question = normalizeQuestion(rawQuestion);
    await this.refreshIfDue();
    const { retriever, index } = this.live;
    const retrieval = await retriever.retrieve(question);
    return {
      chunkSources: retrieval.chunks.map((i) => index.chunks[i]!.source),
      evidenceSources: retrieval.evidence.map((e) => e.sentence.source),
    };
  }

  async sources(): Promise<SourceInfo[]> {
    await this.refreshIfDue();
    return this.live.index.manifest.documents.map((d) => ({
      source: d.source,
      aliases: d.aliases,
      title: d.title,
      chunks: d.chunks,
      placeholders: d.placeholders,
    }));
  }

  async reindex(onProgress?: (p: IngestProgress) => void): Promise<IngestReport> {
    const report = await this.store.ingest(onProgress);
    await this.refresh();
    return report;
  }

  async refresh(): Promise<boolean> {
    this.lastRefresh = Date.now();
    if (!(await this.store.changed(this.live.index))) return false;
    const index = await this.store.open();
    if (!index) return false;
    this.live = Engine.serve(index, this.embedder);
    return true;
  }

  private async refreshIfDue(): Promise<void> {
    if (Date.now() - this.lastRefresh >= REFRESH_INTERVAL_MS) await this.refresh();
  }
}

/** True when the corpus on disk no longer matches what the index was built from (added, removed or edited files). */
async function corpusChanged(corpusDir: string, index: LoadedIndex): Promise<boolean> {
  const { files } = await loadCorpus(corpusDir);
  const indexed = new Map<string, string>();
  for (const d of index.manifest.documents) for (const name of [d.source, ...d.aliases]) indexed.set(name, d.sha256);
  return files.length !== indexed.size || files.some((f) => indexed.get(f.source) !== f.sha256);
}
