/**
 * The one façade over the pipeline: ask, summarize, sources, reindex, and retrieve for measurement. Front ends (CLI
 * scripts, the Discord bot) and measurement (src/measure) hold an engine and nothing else of src/rag's stages.
 */
import type { Config } from '../config.js';
import { composeAnswer, decide, deliberate, notFoundMessage, type ComposedAnswer, type Deliberation } from './compose/answer.js';
import { NewsDesk } from './compose/desk.js';
import { Statements, type StoryView } from './compose/stories.js';
import { buildTimeline } from './compose/timeline.js';
import { mentionsOwnTerms, understandFollowUp } from './compose/follow-up.js';
import type { GroundedGenerator } from './compose/generate.js';
import { summarizeSource, summarizeTopic } from './compose/summarize.js';
import { createEmbedder, type CorpusEmbedder } from './embedding/corpus-embedder.js';
import { CorpusFileError, IndexMismatchError, IndexWriteError, IngestBusyError, ingestStopped, InvalidQuestionError, UnknownSourceError } from './errors.js';
import type { IndexStore, LoadedIndex, Manifest } from './index/contract.js';
import { ingestInWorker } from './ingest-worker.js';
import { openIndexStore } from './index/open-store.js';
import type { Chunk } from './ingest/chunk.js';
import { prepareDateTagger } from './ingest/dates.js';
import { additionReport, saveAdditions } from './ingest/additions.js';
import { fileSha256, statCorpus } from './ingest/load.js';
import { HybridRetriever } from './search/hybrid-retriever.js';
import { buildRetrievalTables, encodeRetrievalTables, loadRetrievalTables, RetrievalTables, storedRetrievalTables } from './search/retrieval-tables.js';
import { contextualText, retrievalTablesFile } from './search/document-work.js';
import { ScopeView } from './scope-view.js';
import { analyseQuestion, questionTerms, type QuestionAnalysis } from './text/question.js';
import {
  MAX_TURNS,
  type AddOptions,
  type AddReport,
  type Answer,
  type AnswerEngine,
  type AskOptions,
  type Citation,
  type IngestProgress,
  type IngestReport,
  type NearestDocuments,
  type NewDocument,
  type RetrievedSources,
  type Scope,
  type ScopeOption,
  type SourceInfo,
  type Story,
  type Summary,
  type SummaryRequest,
  type Timeline,
  type TimelineRequest,
} from './types.js';

export type { Chunk } from './ingest/chunk.js';

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
  /** Stops a build made while opening (first run, changed corpus) before it goes live; the reason is thrown. */
  signal?: AbortSignal;
}

interface Live {
  index: LoadedIndex;
  retriever: HybridRetriever;
  /** What the manifest says of each document (title, date, paragraphs), by file name. */
  documents: Map<string, Manifest['documents'][number]>;
  /** The story each copy belongs to, by file name; documents without copies are in none. */
  stories: Map<string, Story>;
  /** Stories, documents and sentences as the news desk reads them (compose/stories.ts). */
  storyView: StoryView;
}

/** Minimum time between two looks at the index directory for a build made by another process. */
const REFRESH_INTERVAL_MS = 2000;

export class Engine implements AnswerEngine {
  private live: Live;
  private lastRefresh = Date.now();
  private readonly generator: GroundedGenerator | null;
  /** Aborted by stop(): a running reindex ends before its build goes live. */
  private readonly stopping = new AbortController();
  private reindexing: Promise<unknown> | null = null;

  private constructor(
    private readonly config: Config,
    private readonly embedder: CorpusEmbedder,
    private readonly store: IndexStore,
    live: Live,
    private readonly notice: (message: string) => void,
    generator: GroundedGenerator | null,
  ) {
    this.live = live;
    this.generator = generator;
  }

  static async open(config: Config, options: EngineOptions = {}): Promise<Engine> {
    const notice = options.onNotice ?? (() => undefined);
    const embedder = await createEmbedder(config, notice);
    const store = await openIndexStore(config, embedder, retrievalTablesFile);
    const rebuild = async (why: string) => {
      // Said once the ingest holds the lock (its first progress report): an ask that finds one running says so instead.
      let announced = false;
      await store.ingest((p) => {
        if (!announced) notice(why);
        announced = true;
        options.onProgress?.(p);
      }, options.signal);
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
    } else if (options.autoIngest && !store.shared && (await corpusChanged(config.corpusDir, index.manifest))) {
      const builtAt = index.manifest.builtAt;
      try {
        index = await rebuild(`the corpus changed since the index was built; re-ingesting…`);
      } catch (e) {
        // The ingest under way will bring the change; the live index stays whole meanwhile, so it answers.
        if (e instanceof IngestBusyError) notice(`an ingest is running; answering from the index of ${when(builtAt)}`);
        // Nothing usable left in the corpus: the index on disk still answers, and the notice says why it was kept.
        else if (e instanceof CorpusFileError) notice(e.message);
        // A full or read-only disk: the change cannot be stored, but the intact live index can still answer.
        else if (e instanceof IndexWriteError) {
          notice(`the corpus changed, but the index could not be updated: ${e.why}; answering from the unchanged index of ${when(builtAt)}`);
        } else throw e;
      }
    }
    let tables = storedRetrievalTables(index!);
    if (tables && !(tables instanceof RetrievalTables) && options.autoIngest && store.storeTables) {
      // Until they are stored again, every open would rebuild unusable tables in memory (after an upgrade that changed
      // their format or the analysis of words, each `ask` would): rebuilt once from the stored records, and stored.
      notice(`the retrieval tables of the index are ${tables.unusable}; rebuilding them from the stored documents and storing them…`);
      const rebuilt = buildRetrievalTables(await index!.records());
      tables = rebuilt;
      try {
        const stored = await store.storeTables(index!, encodeRetrievalTables(rebuilt));
        if (stored) {
          index = stored;
          // Decoded from what was stored, its texts read when asked: the rebuilt tables hold every document's text.
          tables = storedRetrievalTables(stored);
        }
      } catch (e) {
        // An ingest under way stores its own; a disk that takes no writes leaves this open the tables rebuilt in memory.
        if (e instanceof IndexWriteError) notice(`the rebuilt retrieval tables could not be stored: ${e.why}`);
        else if (!(e instanceof IngestBusyError)) throw e;
      }
    }
    // The language-model path (LangChain's messages and chat models) loads only when a model is configured.
    const generator = config.llm.provider === 'none' ? null : (await import('./compose/generate.js')).createGenerator(config.llm);
    return new Engine(config, embedder, store, await Engine.serve(index!, embedder, notice, tables), notice, generator);
  }

  /**
   * Ingests the corpus into the configured store without opening it for questions (`npm run ingest`), on a worker
   * thread so that aborting `signal` (SIGTERM) is heard at once and stops it cleanly.
   */
  static ingest(
    config: Config,
    options: Pick<EngineOptions, 'onNotice' | 'onProgress'> & { signal?: AbortSignal } = {},
  ): Promise<IngestReport> {
    return ingestInWorker(config, options);
  }

  private static async serve(
    index: LoadedIndex,
    embedder: CorpusEmbedder,
    notice: (message: string) => void,
    stored?: ReturnType<typeof storedRetrievalTables>,
  ): Promise<Live> {
    const tables = await loadRetrievalTables(index, notice, stored);
    const retriever = new HybridRetriever(tables, index.vectors, embedder.forQueries(index.manifest.embedderState), embedder.wordVector?.bind(embedder));
    const stories = new Map((index.manifest.stories ?? []).flatMap((story) => story.documents.map((source) => [source, story] as const)));
    const documents = new Map(index.manifest.documents.map((d) => [d.source, d]));
    const storyView: StoryView = {
      storyOf: (source) => stories.get(source),
      document: (source) => {
        const d = documents.get(source);
        return { source, title: d?.title ?? source, ...(d?.date ? { date: d.date } : {}) };
      },
      sentencesOf: (source) => retriever.sentencesOf(source),
    };
    return { index, retriever, documents, stories, storyView };
  }

  async ask(rawQuestion: string, options: AskOptions = {}): Promise<Answer> {
    const began = performance.now();
    const question = normalizeQuestion(rawQuestion);
    const history = (options.history ?? []).slice(-MAX_TURNS);
    const previous = history.at(-1);
    await this.refreshIfDue();
    await prepareDateTagger();
    // A misspelt name is read as the corpus writes it, and the answer says how the question was read.
    const asked = this.live.retriever.respelled(question);
    const understood = previous ? understandFollowUp(asked, previous) : asked;
    const asRead = understood === question ? {} : { understood };
    const view = this.view(options.scope);
    const desk = new NewsDesk(this.live.storyView);
    const { passages, ...composedAnswer } = desk.review(understood, await this.compose(asked, understood, desk, view.sources));
    const extractive: Answer = {
      question,
      ...asRead,
      ...composedAnswer,
      answer: view.text(composedAnswer.answer),
      citations: view.renamed(this.located(composedAnswer.citations)),
      ...(composedAnswer.closest ? { closest: view.renamed(this.located(composedAnswer.closest)) } : {}),
      flags: view.renamed(composedAnswer.flags),
      timings: { totalMs: Math.round(performance.now() - began) },
    };
    // The abstention rule stays in charge: a model is asked only when the corpus holds an answer.
    if (!this.generator || extractive.status === 'not_found') return extractive;
    const generated = await this.generator.answer(question, passages, extractive, history);
    return { ...generated, ...asRead, citations: view.renamed(this.located(generated.citations)), flags: view.renamed(generated.flags) };
  }

  /** The live corpus as a scope (corpus subfolders) sees it; the whole of it without one. */
  private view(scope?: Scope): ScopeView {
    return new ScopeView(this.live.index.manifest.documents, scope);
  }

  /**
   * The offline answer to `understood` (the question as asked, its names spelt as the corpus spells them, or a
   * follow-up read with its conversation), drawn from `sources` only when given (a scope), each fact its copies
   * state counted once (`desk`).
   */
  private async compose(question: string, understood: string, desk: NewsDesk, sources?: string[]): Promise<ComposedAnswer> {
    const { retriever } = this.live;
    const analysis = analyseQuestion(understood);
    const composed = composeAnswer(desk.collapse(await retriever.retrieve(analysis, { sources })), retriever);
    if (composed.status !== 'answered') return composed;
    const cited = new Set(composed.citations.map((c) => c.source));
    if (understood !== question && !mentionsOwnTerms(question, [...cited].flatMap((source) => retriever.sentencesOf(source)))) {
      // The carried-over subject is answered, but not what the follow-up itself adds: those documents come closest.
      const closest = composed.citations.filter((c, i, all) => all.findIndex((d) => d.source === c.source) === i);
      return { status: 'not_found', answer: notFoundMessage(closest), citations: [], flags: [], passages: [] };
    }
    if (!analysis.asksLatest) return composed;
    // "What did Lavrov discuss most recently?": of the dated documents that answer it, the one dated last.
    const newest = await this.newestAnswering(analysis, cited, desk, sources);
    return newest ?? composed;
  }

  /** The answer from the newest dated document among the answering evidence, when that is not what was cited; else null. */
  private async newestAnswering(analysis: QuestionAnalysis, cited: Set<string>, desk: NewsDesk, sources?: string[]): Promise<ComposedAnswer | null> {
    const { retriever, documents } = this.live;
    const considered = decide(deliberate(await retriever.retrieve(analysis, { sources }), retriever)).scored.slice(0, 10);
    const dated = [...new Set(considered.map((c) => c.evidence.sentence.source))]
      .map((source) => ({ source, date: documents.get(source)?.date }))
      .filter((d): d is { source: string; date: string } => !!d.date)
      .sort((a, b) => b.date.localeCompare(a.date));
    for (const { source } of dated) {
      if (cited.size === 1 && cited.has(source)) return null;
      const answer = composeAnswer(desk.collapse(await retriever.retrieve(analysis, { sources: [source] })), retriever);
      if (answer.status === 'answered') return answer;
    }
    return null;
  }

  /**
   * What the answer decision rests on for a question, before any weight is applied: what fitting the answer model
   * (src/measure/fit-answers.ts) reads, and tries models on without retrieving again.
   */
  async deliberate(rawQuestion: string): Promise<Deliberation> {
    const question = normalizeQuestion(rawQuestion);
    await this.refreshIfDue();
    const { retriever } = this.live;
    return deliberate(await retriever.retrieve(analyseQuestion(question)), retriever);
  }

  /**
   * Citations with the paragraph of their document each stands in, so a reader can find it, and the date the
   * document states, so a reader sees how recent it is.
   */
  private located(citations: Citation[]): Citation[] {
    return citations.map((c) => {
      const doc = this.live.documents.get(c.source);
      if (!doc) return c;
      const paragraph = 1 + doc.paragraphStarts.filter((start) => start <= c.start).length;
      return { ...c, ...(doc.date ? { date: doc.date } : {}), paragraph };
    });
  }

  /** What a question is about and the documents closest to it, whether or not they answer it: the gap report's view. */
  async nearest(rawQuestion: string, count = 3, options: ScopeOption = {}): Promise<NearestDocuments> {
    const question = normalizeQuestion(rawQuestion);
    await this.refreshIfDue();
    const { retriever } = this.live;
    const view = this.view(options.scope);
    const retrieval = await retriever.retrieve(question, { sources: view.sources });
    const asked = questionTerms(question);
    const wordsOf = (keys: Iterable<string>) => [...new Set([...keys].map((t) => asked.find((q) => q.term === t)?.word ?? t))];
    const sources = [...new Set(retrieval.chunks.map((i) => retriever.chunks[i]!.source))].slice(0, count);
    return {
      keyTerms: wordsOf(retrieval.keyTerms.keys()),
      unknownTerms: wordsOf(retrieval.unknownTerms),
      documents: view.renamed(sources.map((source) => ({ source, title: this.live.documents.get(source)?.title ?? source }))),
    };
  }

  async summarize(request: SummaryRequest, options: ScopeOption = {}): Promise<Summary> {
    await this.refreshIfDue();
    const { retriever, index } = this.live;
    const view = this.view(options.scope);
    const located = (summary: Summary) => view.summary({ ...summary, citations: this.located(summary.citations) });
    if ('source' in request) {
      // Outside the scope a document is not there at all: the same answer as for a name no document has.
      const doc = index.manifest.documents.find((d) => view.visible(d.source) && (d.source === request.source || d.aliases.includes(request.source)));
      if (!doc) throw new UnknownSourceError(`no indexed document named ${request.source}; /sources or npm run summary -- --list shows them`);
      const [record] = await index.records([doc.source]);
      return located(summarizeSource(retriever, record!));
    }
    return located(await summarizeTopic(retriever, normalizeQuestion(request.topic), (sources) => index.records(sources), (source) => view.visible(source)));
  }

  /** Where retrieval ranks each document before any answer is composed: what evaluation reads. */
  async retrieve(rawQuestion: string): Promise<RetrievedSources> {
    const question = normalizeQuestion(rawQuestion);
    await this.refreshIfDue();
    const { retriever } = this.live;
    const retrieval = await retriever.retrieve(question);
    return {
      chunkSources: retrieval.chunks.map((i) => retriever.chunks[i]!.source),
      evidenceSources: retrieval.evidence.map((e) => e.sentence.source),
    };
  }

  /** Measurement: the chunks of the live index, in index order (what benchmarks build synthetic corpora from). */
  chunks(): readonly Chunk[] {
    return this.live.retriever.chunks;
  }

  /** Measurement: HNSW parameters, embedder and size of the live build, as its manifest records them. */
  indexFacts(): Pick<Manifest, 'hnsw' | 'embedder' | 'chunks'> & { documents: number } {
    const { hnsw, embedder, chunks, documents } = this.live.index.manifest;
    return { hnsw, embedder, chunks, documents: documents.length };
  }

  /** Measurement: questions as vectors, embedded as retrieval embeds them under the live build's embedder state. */
  embedQuestions(questions: string[]): Promise<number[][]> {
    return this.embedder.forQueries(this.live.index.manifest.embedderState).embedDocuments(questions);
  }

  /** Measurement: the vector store's own k nearest chunks to `vector` (retrieval's dense stage), with their distances. */
  async nearestChunks(vector: number[], k: number): Promise<{ id: string; distance: number }[]> {
    const found = await this.live.index.vectors.similaritySearchVectorWithScore(vector, k);
    return found.map(([doc, distance]) => ({ id: String(doc.metadata.id), distance }));
  }

  /**
   * Measurement: every document of the live index, a few at a time, with the size of its cleaned text in bytes and
   * its chunks' vectors as the vector store holds them: embedded as ingest embeds them, under the build's embedder
   * state (the store keeps each vector once, as float32, so the two agree to float32 precision).
   */
  async *documentVectors(): AsyncGenerator<{ source: string; textBytes: number; vectors: number[][] }> {
    const { index } = this.live;
    const sources = index.manifest.documents.map((d) => d.source);
    for (let i = 0; i < sources.length; i += 100) {
      for (const record of await index.records(sources.slice(i, i + 100))) {
        const raw = await this.embedder.embedRaw(record.chunks.map(contextualText));
        const vectors = this.embedder.finishWith(raw, index.manifest.embedderState);
        yield { source: record.source, textBytes: Buffer.byteLength(record.text), vectors };
      }
    }
  }

  /** The dated events about a subject in date order (compose/timeline.ts); throws InvalidQuestionError for bad input. */
  async timeline(request: TimelineRequest): Promise<Timeline> {
    const subject = normalizeQuestion(request.subject);
    for (const bound of [request.since, request.until]) {
      if (bound !== undefined && !/^\d{4}(?:-\d{2}(?:-\d{2})?)?$/.test(bound)) {
        throw new InvalidQuestionError(`${bound} is not a date (write 2023, 2023-02 or 2023-02-07)`);
      }
    }
    await this.refreshIfDue();
    await prepareDateTagger();
    const { retriever, storyView } = this.live;
    const timeline = buildTimeline({ ...request, subject }, retriever.sentences, storyView, new Statements(storyView));
    return {
      ...timeline,
      events: timeline.events.map((e) => ({
        ...e,
        citations: this.located(e.citations),
        ...(e.otherDates ? { otherDates: e.otherDates.map((o) => ({ ...o, citation: this.located([o.citation])[0]! })) } : {}),
      })),
      undated: this.located(timeline.undated),
    };
  }

  async sources(options: ScopeOption = {}): Promise<SourceInfo[]> {
    await this.refreshIfDue();
    const view = this.view(options.scope);
    return this.live.index.manifest.documents.filter((d) => view.visible(d.source)).map((d) => ({
      source: view.nameOf(d.source),
      aliases: view.otherNames(d.source, d.aliases),
      title: d.title,
      ...(d.date ? { date: d.date } : {}),
      chunks: d.chunks,
      placeholders: d.placeholders,
      ...(this.live.stories.has(d.source) ? { story: this.live.stories.get(d.source) } : {}),
    }));
  }

  async reindex(onProgress?: (p: IngestProgress) => void): Promise<IngestReport> {
    const signal = this.stopping.signal;
    // Off the main thread, so questions keep being answered from the live index while a long document is embedded.
    const ingest = ingestInWorker(this.config, { onProgress, signal });
    this.reindexing = ingest.catch(() => undefined);
    const report = await ingest;
    await this.refresh();
    return report;
  }

  async addDocuments(files: NewDocument[], options: AddOptions = {}): Promise<AddReport> {
    await this.refreshIfDue();
    const indexed = new Map(this.live.index.manifest.documents.map((d) => [d.sha256, d.source]));
    const additions = await saveAdditions(this.config.corpusDir, files, { ...options, indexed });
    if (!additions.saved.length) return additionReport(additions, null, this.live.documents);
    const ingest = await this.reindex(options.onProgress).catch((e: unknown) => {
      if (!(e instanceof IngestBusyError)) throw e;
      throw new IngestBusyError(`${e.message}; the files were saved into the corpus and the next ingest takes them in`);
    });
    return additionReport(additions, ingest, this.live.documents);
  }

  async stop(): Promise<void> {
    this.stopping.abort(ingestStopped('the bot shutting down'));
    await this.reindexing;
  }

  async refresh(): Promise<boolean> {
    this.lastRefresh = Date.now();
    if (!(await this.store.changed(this.live.index))) return false;
    const index = await this.store.open();
    if (!index) return false;
    this.live = await Engine.serve(index, this.embedder, this.notice);
    return true;
  }

  private async refreshIfDue(): Promise<void> {
    if (Date.now() - this.lastRefresh >= REFRESH_INTERVAL_MS) await this.refresh();
  }
}

/** A build time as people read it: "2026-11-27 12:40 UTC". */
const when = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

/**
 * True when the corpus on disk no longer matches what the index was built from (added, removed or edited files).
 * A `stat` per file decides; only a file whose size or modification time differs is hashed, and it counts as
 * changed only if its bytes do (a `touch` or a copy that kept the bytes changes nothing).
 */
async function corpusChanged(corpusDir: string, manifest: Manifest): Promise<boolean> {
  const now = await statCorpus(corpusDir);
  const names = Object.keys(now);
  if (names.length !== Object.keys(manifest.corpus).length) return true;
  const indexed = new Map<string, string>();
  for (const d of manifest.documents) for (const name of [d.source, ...d.aliases]) indexed.set(name, d.sha256);
  for (const name of names) {
    const before = manifest.corpus[name];
    if (!before) return true;
    if (before.size === now[name]!.size && before.mtimeMs === now[name]!.mtimeMs) continue;
    const sha = indexed.get(name);
    // A file skipped at ingest (empty, binary, too large…) that changed may now be readable: ingest decides.
    if (!sha || (await fileSha256(corpusDir, name)) !== sha) return true;
  }
  return false;
}
