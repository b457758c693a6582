/**
 * Hybrid retrieval: dense search over the HNSW index and BM25 (MiniSearch) over the same chunks, fused by
 * reciprocal rank fusion; then the sentences inside the best chunks (plus the best BM25 sentences anywhere, so an
 * exact name is never lost to a vaguely topical chunk) are ranked as evidence an answer can quote.
 */
import { BaseRetriever } from '@langchain/core/retrievers';
import { Document } from '@langchain/core/documents';
import type { Embeddings } from '@langchain/core/embeddings';
import MiniSearch from 'minisearch';
import type { LoadedIndex } from './store.js';
import { terms } from './terms.js';

export interface Sentence {
  id: number;
  source: string;
  title: string;
  heading: string;
  start: number;
  end: number;
  text: string;
  /** The first chunk (in index order) holding this sentence. */
  chunk: number;
  /** Every chunk holding it (chunks overlap by a sentence). */
  chunks: number[];
  /** Position of the sentence in its document, for reading order. */
  position: number;
  /** Index terms of the sentence with its heading and document title: what "mentions" a term means here. */
  context: Set<string>;
}

export interface Evidence {
  sentence: Sentence;
  /** Fused rank score, 0..1 relative to the best candidate. */
  relevance: number;
  /** Share of the question's distinctive weight (IDF) that the sentence and its context mention, 0..1. */
  coverage: number;
  vector: number[];
}

export interface Retrieval {
  /** Question terms that carry its meaning, with their IDF weights; terms the corpus never uses weigh the most. */
  keyTerms: Map<string, number>;
  /** Key terms that appear nowhere in the corpus. */
  unknownTerms: string[];
  /** Evidence sentences, best first. */
  evidence: Evidence[];
  /** Fused chunk ranking, best first (chunk indices into index.chunks). */
  chunks: number[];
}

/** RRF's constant from Cormack et al. (2009): damps the head of each list so neither ranker dominates. */
const RRF_K = 60;
const DENSE_CANDIDATES = 20;
const LEXICAL_CANDIDATES = 20;
const CHUNKS_FOR_EVIDENCE = 6;
const SENTENCE_HITS = 15;

export const cosine = (a: number[], b: number[]) => {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
};

type LexicalItem = { id: number; text: string; heading: string; title: string };

/** BM25 over text, heading and title, all analysed by `terms` so questions and passages agree on every word. */
function lexicalIndex(items: LexicalItem[], boost: Record<string, number>): MiniSearch<LexicalItem> {
  const analysis = { tokenize: terms, processTerm: (t: string) => t };
  const index = new MiniSearch<LexicalItem>({ fields: ['text', 'heading', 'title'], ...analysis, searchOptions: { ...analysis, boost } });
  index.addAll(items);
  return index;
}

export class HybridRetriever extends BaseRetriever {
  lc_namespace = ['corpus-qa', 'retrievers'];
  readonly sentences: Sentence[];
  private readonly chunkSearch: MiniSearch<LexicalItem>;
  private readonly sentenceSearch: MiniSearch<LexicalItem>;
  private readonly chunkByID = new Map<string, number>();
  private readonly sentencesByChunk = new Map<number, Sentence[]>();
  private readonly documentFrequency = new Map<string, number>();
  private readonly vectorCache = new Map<number, number[]>();

  constructor(
    private readonly index: LoadedIndex,
    private readonly embeddings: Embeddings,
  ) {
    super();
    this.sentences = collectSentences(index);
    for (const s of this.sentences) for (const t of new Set(terms(s.text))) this.documentFrequency.set(t, (this.documentFrequency.get(t) ?? 0) + 1);
    index.chunks.forEach((c, i) => this.chunkByID.set(c.id, i));
    for (const s of this.sentences) {
      for (const c of s.chunks) this.sentencesByChunk.set(c, [...(this.sentencesByChunk.get(c) ?? []), s]);
    }
    this.chunkSearch = lexicalIndex(
      index.chunks.map((c, id) => ({ id, text: c.text, heading: c.heading, title: c.title })),
      { text: 1, heading: 0.6, title: 0.4 },
    );
    this.sentenceSearch = lexicalIndex(
      this.sentences.map((s) => ({ id: s.id, text: s.text, heading: s.heading, title: s.title })),
      { text: 1, heading: 0.4, title: 0.3 },
    );
  }

  /** IDF over sentences; a term the corpus never uses gets the highest possible weight. */
  idf(t: string): number {
    const n = this.sentences.length;
    return Math.log(1 + n / ((this.documentFrequency.get(t) ?? 0) + 0.5));
  }

  knows(t: string): boolean {
    return this.documentFrequency.has(t);
  }

  /** LangChain retriever interface: the fused chunks as Documents. */
  async _getRelevantDocuments(query: string): Promise<Document[]> {
    const { chunks } = await this.retrieve(query);
    return chunks.map((i) => {
      const c = this.index.chunks[i]!;
      return new Document({ pageContent: c.text, metadata: { id: c.id, source: c.source, title: c.title, start: c.start, end: c.end } });
    });
  }

  async retrieve(question: string, options: { sources?: string[] } = {}): Promise<Retrieval> {
    const keyTerms = new Map<string, number>();
    for (const t of terms(question)) keyTerms.set(t, this.idf(t));
    const unknownTerms = [...keyTerms.keys()].filter((t) => !this.knows(t));
    const within = options.sources ? new Set(options.sources) : null;
    const inScope = (source: string) => !within || within.has(source);

    const queryVector = await this.embeddings.embedQuery(question);
    const dense = (await this.index.vectors.similaritySearchVectorWithScore(queryVector, Math.min(DENSE_CANDIDATES, this.index.chunks.length)))
      .map(([doc]) => this.chunkNumber(doc.metadata.id as string))
      .filter((i) => i >= 0 && inScope(this.index.chunks[i]!.source));
    const lexical = keyTerms.size
      ? this.chunkSearch
          .search(question)
          .map((r) => r.id as number)
          .filter((i) => inScope(this.index.chunks[i]!.source))
          .slice(0, LEXICAL_CANDIDATES)
      : [];
    const chunks = reciprocalRankFusion([dense, lexical]);

    const sentenceHits = keyTerms.size
      ? this.sentenceSearch.search(question).filter((r) => inScope(this.sentences[r.id as number]!.source)).slice(0, SENTENCE_HITS)
      : [];
    const candidates = new Set<number>(sentenceHits.map((r) => r.id as number));
    const chunkRank = new Map<number, number>();
    chunks.forEach((c, rank) => chunkRank.set(c, rank));
    for (const c of chunks.slice(0, CHUNKS_FOR_EVIDENCE)) {
      for (const s of this.sentencesOfChunk(c)) candidates.add(s.id);
    }
    const list = [...candidates].map((id) => this.sentences[id]!);
    const vectors = await this.vectorsOf(list);
    const byDense = list.map((s, i) => ({ s, sim: cosine(vectors[i]!, queryVector) })).sort((a, b) => b.sim - a.sim).map((x) => x.s.id);
    const byLexical = sentenceHits.map((r) => r.id as number);
    const byChunk = [...list].sort((a, b) => (chunkRank.get(a.chunk) ?? 1e9) - (chunkRank.get(b.chunk) ?? 1e9)).map((s) => s.id);
    const fused = reciprocalRankScores([byDense, byLexical, byChunk]);
    const top = Math.max(...fused.values(), Number.MIN_VALUE);
    const weight = [...keyTerms.values()].reduce((a, b) => a + b, 0);
    const evidence = list
      .map((sentence, i) => ({
        sentence,
        relevance: (fused.get(sentence.id) ?? 0) / top,
        coverage: weight ? [...keyTerms].filter(([t]) => sentence.context.has(t)).reduce((a, [, w]) => a + w, 0) / weight : 0,
        vector: vectors[i]!,
      }))
      .sort((a, b) => b.relevance - a.relevance);
    return { keyTerms, unknownTerms, evidence, chunks };
  }

  /** Sentences of one document in reading order (for summaries). */
  sentencesOf(source: string): Sentence[] {
    return this.sentences.filter((s) => s.source === source);
  }

  async vectorsOf(list: Sentence[]): Promise<number[][]> {
    const missing = list.filter((s) => !this.vectorCache.has(s.id));
    if (missing.length) {
      const vectors = await this.embeddings.embedDocuments(missing.map((s) => s.text));
      missing.forEach((s, i) => this.vectorCache.set(s.id, vectors[i]!));
    }
    return list.map((s) => this.vectorCache.get(s.id)!);
  }

  private chunkNumber(id: string): number {
    return this.chunkByID.get(id) ?? -1;
  }

  private sentencesOfChunk(chunk: number): Sentence[] {
    return this.sentencesByChunk.get(chunk) ?? [];
  }
}

/** Sum over rankings of 1/(k + rank): the fused score of every item that appears in any ranking. */
function reciprocalRankScores(rankings: number[][]): Map<number, number> {
  const scores = new Map<number, number>();
  for (const ranking of rankings) ranking.forEach((item, rank) => scores.set(item, (scores.get(item) ?? 0) + 1 / (RRF_K + rank + 1)));
  return scores;
}

export function reciprocalRankFusion(rankings: number[][]): number[] {
  return [...reciprocalRankScores(rankings)].sort((a, b) => b[1] - a[1]).map(([item]) => item);
}

function collectSentences(index: LoadedIndex): Sentence[] {
  const out: Sentence[] = [];
  const seen = new Map<string, Sentence>();
  index.chunks.forEach((c, chunkNumber) => {
    for (const s of c.sentences) {
      const key = `${c.source}\u0000${s.start}`;
      const known = seen.get(key);
      if (known) {
        known.chunks.push(chunkNumber);
        continue;
      }
      const sentence: Sentence = {
        id: out.length,
        source: c.source,
        title: c.title,
        heading: c.heading,
        start: s.start,
        end: s.end,
        text: s.text,
        chunk: chunkNumber,
        chunks: [chunkNumber],
        position: s.start,
        context: new Set(terms(`${s.text} ${c.heading} ${c.title}`)),
      };
      seen.set(key, sentence);
      out.push(sentence);
    }
  });
  return out;
}
