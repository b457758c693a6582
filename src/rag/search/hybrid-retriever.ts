/**
 * Hybrid retrieval: dense search over the HNSW index and BM25 (over the retrieval tables' postings) on the same chunks, fused by
 * reciprocal rank fusion; then the sentences inside the best chunks (plus the best BM25 sentences anywhere, so an
 * exact name is never lost to a vaguely topical chunk) are ranked as evidence an answer can quote.
 */
import type { Embeddings } from '@langchain/core/embeddings';
import type { VectorStore } from '@langchain/core/vectorstores';
import { analyseQuestion, type QuestionAnalysis, type QuestionTerm } from '../text/question.js';
import { capitalTermsOf, countryTermsOfCapital, foldAccents, isPlaceTerm, isYear, term, writtenWords } from '../text/terms.js';
import type { RetrievalTables, SearchedIndex, Sentence, SentenceList, TermCounts } from './retrieval-tables.js';
import { cosine } from './vectors.js';

export type { Sentence, SentenceList } from './retrieval-tables.js';

export interface Evidence {
  sentence: Sentence;
  /** Fused rank score, 0..1 relative to the best candidate. */
  relevance: number;
  /** Share of the question's distinctive weight (IDF) that the sentence and its context mention, 0..1. */
  coverage: number;
  /** How clearly the sentence (with its context) mentions each key term, 0..1: what an answer of several sentences adds up. */
  mentioned: Map<string, number>;
  /** Key terms the sentence states in its own words (or a longer word of the stem, or a close synonym), not by its context. */
  stated: Set<string>;
  /**
   * For each key term that is not a name or a number: how close the sentence's own words come to it, 0..1 (1 when
   * it states the word, else the best word-vector similarity of its words to the question's): paraphrase, graded.
   */
  similar: Map<string, number>;
  vector: number[];
}

export interface Retrieval {
  /** The question as analysed (text/question.ts). */
  question: QuestionAnalysis;
  /** The question's vector, as the dense search used it. */
  queryVector: number[];
  /** Question terms that carry its meaning, with their IDF weights; terms the corpus never uses weigh the most. */
  keyTerms: Map<string, number>;
  /** Key terms that appear nowhere in the corpus. */
  unknownTerms: string[];
  /** Key terms an answer must mention: the names and numbers (years, figures) the question asks about. */
  mandatory: Set<string>;
  /** Key terms pointing back at what the conversation set ("that trip"): weighed little, never asked of a sentence. */
  referents: Set<string>;
  /**
   * Capitals the question names, with the terms of their country: "Bamako" in a question is also mentioned where a
   * text says "Mali" (the government in Bamako is Mali's), as a text saying "Nairobi" mentions Kenya.
   */
  seats: Map<string, string[]>;
  /** Evidence sentences, best first. */
  evidence: Evidence[];
  /** Fused chunk ranking, best first (chunk indices into index.chunks). */
  chunks: number[];
}

/** RRF's constant from Cormack et al. (2009): damps the head of each list so neither ranker dominates. */
const RRF_K = 60;
const DENSE_CANDIDATES = 20;
const LEXICAL_CANDIDATES = 20;
/** Dense candidates asked for at most when a scope filters them (a small scope in a large corpus). */
const MAX_SCOPED_CANDIDATES = 1000;
const CHUNKS_FOR_EVIDENCE = 10;
/** How many chunks of the focus article (see focusChunks) join the evidence. */
const FOCUS_CHUNKS = 25;
/**
 * BM25 scores every chunk that holds any query term, so its cost grows with the postings of the terms asked. The
 * lexical query takes the question's terms rarest first while their postings stay within this budget (always at
 * least the rarest): on a small corpus that is every term; at 100,000 chunks, "Russia" and its like are left to
 * the dense search, which ranks them as well, and BM25 keeps to the names and rare words it is there for.
 */
const BM25_POSTINGS_BUDGET = 5000;
/**
 * Paraphrase: a question word counts as stated by a sentence word whose vector is at least this close ("discuss" ~
 * "talks", "met" ~ "meeting", "aid" ~ "assistance"), for SYNONYM_CREDIT of a mention. Retrieval ranks by it; the
 * answer model (compose/answer-model.json) weighs the graded similarity itself.
 */
const SYNONYM_SIMILARITY = 0.75;
const SYNONYM_CREDIT = 0.7;
/** A year the sentence does not state but its document does: the article is about that year, less surely this sentence. */
const DOCUMENT_YEAR_CREDIT = 0.5;
/** A name of the corpus a misspelt name of a question is read as (HybridRetriever.knownNear). */
interface KnownName {
  term: string;
  /** As the corpus writes it ("Kilbrandon"). */
  written: string;
}
/** Names shorter than this (as index terms) are never read as another: "Gou" is one letter from too many names. */
const MIN_CORRECTED_LENGTH = 5;
/** How many of the chunks using a name are read for how the corpus writes it. */
const NAME_CHUNKS = 20;
/**
 * The share of its occurrences a name is written with a capital at least: names nearly always are (a source's typo
 * aside), ordinary words only at a sentence's start or in a title-case heading.
 */
const NAME_CAPITALISED = 0.75;

export class HybridRetriever {
  readonly sentences: SentenceList;
  /** The chunks searched and the dense index over them. */
  private readonly index: SearchedIndex;
  /** Names the corpus never uses, with the known name knownNear read them as (null: none). */
  private readonly nearNames = new Map<string, KnownName | null>();
  private readonly documentFrequency: TermCounts;
  private readonly chunkFrequency: TermCounts;
  private readonly vectorCache = new Map<number, number[]>();
  private readonly similarityCache = new Map<string, number>();

  /** Reads everything from the tables ingest stored (search/retrieval-tables.ts): opening computes nothing. */
  constructor(
    private readonly tables: RetrievalTables,
    vectors: VectorStore,
    private readonly embeddings: Embeddings,
    private readonly wordVector?: (word: string) => ArrayLike<number> | undefined,
  ) {
    this.index = { chunks: tables.chunks, vectors };
    this.sentences = tables.sentences;
    this.documentFrequency = tables.documentFrequency;
    this.chunkFrequency = tables.chunkFrequency;
  }

  /** The chunks searched, in index order: retrieval's chunk numbers index this list. */
  get chunks(): SearchedIndex['chunks'] {
    return this.index.chunks;
  }

  /** IDF over sentences; a term the corpus never uses gets the highest possible weight. */
  idf(t: string): number {
    const n = this.sentences.length;
    return Math.log(1 + n / ((this.documentFrequency.get(t) ?? 0) + 0.5));
  }

  /**
   * How much a question term counts towards coverage. Known terms weigh their IDF. A name or number the corpus
   * never uses weighs the most: an answer about Japan cannot come from articles without Japan. An ordinary word
   * the corpus never uses (a paraphrase: "met", "land", "leave") weighs like a word one sentence in twenty uses, so
   * it cannot sink an answer on its own; words naming the kind of answer ("which country") weigh little.
   */
  termWeight(q: QuestionTerm): number {
    if (q.answerType || q.referent) return 0.3 * this.idf(q.term);
    if (this.knows(q.term)) return this.idf(q.term);
    return q.name || q.numeric ? this.idf(q.term) : Math.log(21);
  }

  /** The query terms worth a BM25 look-up, rarest first, within the postings budget. */
  private distinctive(queryTerms: string[]): string[] {
    const byRarity = [...queryTerms].sort((a, b) => (this.chunkFrequency.get(a) ?? 0) - (this.chunkFrequency.get(b) ?? 0));
    const chosen: string[] = [];
    let postings = 0;
    for (const t of byRarity) {
      postings += this.chunkFrequency.get(t) ?? 0;
      if (chosen.length && postings > BM25_POSTINGS_BUDGET) break;
      chosen.push(t);
    }
    return chosen;
  }

  knows(t: string): boolean {
    return this.documentFrequency.has(t);
  }

  /**
   * The corpus's name one keystroke away from a name of the question that the corpus never uses ("Kllbrandon" →
   * kilbrandon, "Shirey" → shirley), or undefined: people misspell names, and a name missing from every document
   * refuses the question. Only names of MIN_CORRECTED_LENGTH letters or more are read so, since short ones have too
   * many neighbours, and never a name with a digit ("Internet2" is not the internet) nor a place the country data
   * knows (Gambia is not a misspelt Zambia). The neighbour must be a name too, which the corpus writes with a
   * capital ("Begim" is not "begin"; see writtenAsName); among several, the one most documents use wins.
   */
  private knownNear(q: QuestionTerm): KnownName | undefined {
    if (!q.name || /\d/.test(q.term) || q.term.length < MIN_CORRECTED_LENGTH || this.knows(q.term) || isPlaceTerm(q.term)) return undefined;
    let found = this.nearNames.get(q.term);
    if (found === undefined) {
      // A walk over the whole vocabulary, so once per name of this index.
      const near: [string, number][] = [];
      for (const entry of this.documentFrequency) if (oneEditApart(q.term, entry[0])) near.push(entry);
      near.sort((a, b) => b[1] - a[1]);
      found = null;
      for (const [t] of near) {
        const written = this.writtenAsName(t, q.word);
        if (written) {
          found = { term: t, written };
          break;
        }
      }
      this.nearNames.set(q.term, found);
    }
    return found ?? undefined;
  }

  /**
   * The question with its misspelt names (see knownNear) read as the corpus's: in its terms, and in its text as the
   * corpus writes them ("What did Kilbrandon's report recommend?"), which the dense search embeds and a reader is
   * shown.
   */
  private spelledAsCorpus(question: QuestionAnalysis): QuestionAnalysis {
    let text = question.text;
    let changed = false;
    const terms = question.terms.map((q) => {
      const near = this.knownNear(q);
      if (!near) return q;
      changed = true;
      // A question word is letters with at most an inner apostrophe (text/terms.ts): nothing a pattern reads specially.
      text = text.replace(new RegExp(`(?<![\\p{L}\\p{N}])${q.word}(?![\\p{L}\\p{N}])`, 'iu'), near.written);
      return { ...q, term: near.term, word: near.written.toLowerCase() };
    });
    return changed ? { ...question, text, terms } : question;
  }

  /** A question's text with its misspelt names written as the corpus writes them (see spelledAsCorpus). */
  respelled(text: string): string {
    return this.spelledAsCorpus(analyseQuestion(text)).text;
  }

  /**
   * A term as the corpus writes it when it is a name, from the sentences of chunks using it: a name is written with a
   * capital at least NAME_CAPITALISED of the time (the seed articles write "relations,lavrov" once), an ordinary word
   * mostly in lower case ("Begin" in a title-case heading is still the word "begin"). Of its capitalised forms, the
   * one a letter from the question's word (`word`) if any, since one term may stand for several (Malian and Mali).
   */
  private writtenAsName(t: string, word: string): string | undefined {
    const forms = new Set<string>();
    let capitalised = 0;
    let lower = 0;
    const holding = this.tables.chunksWith(t);
    // Spread over every chunk that uses it: a few chunks of one table or heading can all be title case.
    const step = Math.max(1, holding.length / NAME_CHUNKS);
    for (let i = 0; i < holding.length; i += step) {
      for (const s of this.sentencesOfChunk(holding[Math.floor(i)]!)) {
        if (!s.own.has(t)) continue;
        for (const w of writtenWords(s.text)) {
          if (term(w) !== t) continue;
          if (!/^\p{Lu}/u.test(w)) lower++;
          else {
            capitalised++;
            forms.add(w);
          }
        }
      }
    }
    if (!capitalised || capitalised < NAME_CAPITALISED * (capitalised + lower)) return undefined;
    return [...forms].find((w) => oneEditApart(foldAccents(w.toLowerCase()), word)) ?? [...forms][0];
  }

  async retrieve(asked: QuestionAnalysis | string, options: { sources?: string[] } = {}): Promise<Retrieval> {
    const question = this.spelledAsCorpus(typeof asked === 'string' ? analyseQuestion(asked) : asked);
    const keyTerms = new Map<string, number>();
    const mandatory = new Set<string>();
    const referents = new Set<string>();
    const seats = new Map<string, string[]>();
    const general = new Map<string, QuestionTerm>();
    for (const q of question.terms) {
      keyTerms.set(q.term, this.termWeight(q));
      if (q.referent) referents.add(q.term);
      // A year or figure in the question is as binding as a name: 2005 is not answered from articles about 2004.
      if (q.name || q.numeric) mandatory.add(q.term);
      else general.set(q.term, q);
      // Only a capital written as a name: "male" in a question is a word, "Male" may be the Maldives' capital.
      const country = q.name ? countryTermsOfCapital(q.term) : undefined;
      if (country) seats.set(q.term, country);
    }
    const closeness = (s: Sentence, t: string) => {
      const q = general.get(t);
      if (!q) return 0;
      let best = 0;
      for (const u of s.own) best = Math.max(best, this.similarity(q.word, u));
      return best;
    };
    const synonym = (s: Sentence, t: string) => (closeness(s, t) >= SYNONYM_SIMILARITY ? SYNONYM_CREDIT : 0);
    const unknownTerms = [...keyTerms.keys()].filter((t) => !this.knows(t));
    const within = options.sources ? new Set(options.sources) : null;
    const inScope = (source: string) => !within || within.has(source);

    const queryVector = await this.embeddings.embedQuery(question.text);
    // Filtered after the search, a scope keeps only its share of the nearest chunks: ask for as many more as it is small.
    const searched = within ? [...within].reduce((n, source) => n + this.tables.chunksOfDocument(source).length, 0) : this.index.chunks.length;
    const denseCount = Math.min(this.index.chunks.length, MAX_SCOPED_CANDIDATES, Math.ceil((DENSE_CANDIDATES * this.index.chunks.length) / Math.max(1, searched)));
    const dense = (await this.index.vectors.similaritySearchVectorWithScore(queryVector, denseCount))
      .map(([doc]) => this.tables.chunkNumber(doc.metadata.id as string))
      .filter((i) => i >= 0 && inScope(this.index.chunks[i]!.source));
    const lexical = keyTerms.size
      ? this.tables
          .lexicalSearch(this.distinctive([...keyTerms.keys()]))
          .filter((i) => inScope(this.index.chunks[i]!.source))
          .slice(0, LEXICAL_CANDIDATES)
      : [];
    const chunks = reciprocalRankFusion([dense, lexical]);

    const candidates = new Set<number>();
    const chunkRank = new Map<number, number>();
    chunks.forEach((c, rank) => chunkRank.set(c, rank));
    for (const c of [...chunks.slice(0, CHUNKS_FOR_EVIDENCE), ...this.focusChunks(lexical[0] ?? chunks[0])]) {
      for (const s of this.sentencesOfChunk(c)) candidates.add(s.id);
    }
    const list = [...candidates].map((id) => this.sentences.at(id)!);
    const vectors = await this.vectorsOf(list);
    const byDense = list.map((s, i) => ({ s, sim: cosine(vectors[i]!, queryVector) })).sort((a, b) => b.sim - a.sim).map((x) => x.s.id);
    // Within the retrieved chunks, a sentence's own words decide its lexical rank: the IDF of the question terms it uses.
    const lexicalWeight = (s: Sentence) => [...keyTerms.keys()].reduce((sum, t) => sum + (s.own.has(t) ? this.idf(t) : 0), 0);
    const byLexical = list.filter((s) => lexicalWeight(s) > 0).sort((a, b) => lexicalWeight(b) - lexicalWeight(a)).map((s) => s.id);
    const byChunk = [...list].sort((a, b) => (chunkRank.get(a.chunk) ?? 1e9) - (chunkRank.get(b.chunk) ?? 1e9)).map((s) => s.id);
    const years = [...mandatory].filter(isYear);
    const yearsOf = new Map<string, Set<string>>();
    const documentYears = (source: string) => {
      let found = yearsOf.get(source);
      if (!found) {
        found = new Set(years.filter((y) => this.documentMentions(source, y)));
        yearsOf.set(source, found);
      }
      return found;
    };
    const mentionsOf = new Map(
      list.map((sentence) => {
        const m = termMentions(sentence, keyTerms, synonym, seats);
        // A dateline or an earlier paragraph may give the year that this sentence ("in September") takes as read.
        for (const y of years) if (!m.get(y) && documentYears(sentence.source).has(y)) m.set(y, DOCUMENT_YEAR_CREDIT);
        return [sentence.id, m];
      }),
    );
    const coverages = new Map(list.map((sentence) => [sentence.id, coverage(mentionsOf.get(sentence.id)!, keyTerms, mandatory)]));
    // Coverage is a fourth ranking: a sentence about the question's subject that words it differently (a list of
    // topics under "talks") must not lose to one that merely repeats the question's words.
    const byCoverage = [...list].sort((a, b) => coverages.get(b.id)! - coverages.get(a.id)!).map((s) => s.id);
    const fused = reciprocalRankScores([byDense, byLexical, byChunk, byCoverage]);
    const top = Math.max(...fused.values(), Number.MIN_VALUE);
    const evidence = list
      .map((sentence, i) => {
        const ownWord = (t: string) => sentence.own.has(t) || startsWithTerm(sentence.own, t);
        const similar = new Map([...general.keys()].map((t) => [t, ownWord(t) ? 1 : closeness(sentence, t)]));
        return {
          sentence,
          relevance: (fused.get(sentence.id) ?? 0) / top,
          coverage: coverages.get(sentence.id)!,
          mentioned: mentionsOf.get(sentence.id)!,
          stated: new Set([...keyTerms.keys()].filter((t) => ownWord(t) || (similar.get(t) ?? 0) >= SYNONYM_SIMILARITY)),
          similar,
          vector: vectors[i]!,
        };
      })
      .sort((a, b) => b.relevance - a.relevance);
    return { question, queryVector, keyTerms, unknownTerms, mandatory, referents, seats, evidence, chunks };
  }

  /** Cosine of two words' vectors (a question word and a corpus term), 0 when either is unknown. */
  similarity(word: string, corpusTerm: string): number {
    const key = `${word}\u0000${corpusTerm}`;
    let sim = this.similarityCache.get(key);
    if (sim === undefined) {
      const a = this.wordVector?.(word);
      const other = this.tables.surface(corpusTerm);
      const b = other ? this.wordVector?.(other) : undefined;
      sim = a && b ? cosine(Array.from(a), Array.from(b)) : 0;
      this.similarityCache.set(key, sim);
    }
    return sim;
  }

  /** Whether any sentence of a document (or its title or headings) uses a term, or all the terms of `country` when it is a capital. */
  documentMentions(source: string, t: string, country?: string[]): boolean {
    return this.tables.chunksOfDocument(source).some((c) => this.sentencesOfChunk(c).some((s) => names(s, t) || namesCountry(s, country)));
  }

  /** Sentences of one document in reading order (for summaries), from its own chunks, not a pass over the corpus. */
  sentencesOf(source: string): Sentence[] {
    const ids = new Set<number>();
    for (const c of this.tables.chunksOfDocument(source)) for (const s of this.sentencesOfChunk(c)) ids.add(s.id);
    return [...ids].sort((a, b) => a - b).map((id) => this.sentences.at(id)!);
  }

  async vectorsOf(list: Sentence[]): Promise<number[][]> {
    const missing = list.filter((s) => !this.vectorCache.has(s.id));
    if (missing.length) {
      const vectors = await this.embeddings.embedDocuments(missing.map((s) => s.text));
      missing.forEach((s, i) => this.vectorCache.set(s.id, vectors[i]!));
    }
    return list.map((s) => this.vectorCache.get(s.id)!);
  }

  /**
   * The rest of the article of the best lexical match, which is where the question's rare words (its names) are. A
   * question about one meeting ("What did Lavrov and Ryzhenkov discuss?") is answered across that article, while
   * the top chunks of the whole corpus are crowded by every other article that names Lavrov.
   */
  private focusChunks(best: number | undefined): number[] {
    if (best === undefined) return [];
    return this.tables.chunksOfDocument(this.index.chunks[best]!.source).slice(0, FOCUS_CHUNKS);
  }

  private sentencesOfChunk(chunk: number): Sentence[] {
    return this.tables.sentencesOfChunk(chunk);
  }
}

/** The sentence uses a term in its own words or in what it is about (heading, title, lead). */
const names = (s: Sentence, t: string) => s.own.has(t) || s.context.has(t);
/** The sentence names every term of a country's name (none given: no). */
const namesCountry = (s: Sentence, country: string[] | undefined) => !!country && country.every((t) => names(s, t));

const startsWithTerm = (set: Set<string>, t: string) => t.length >= 4 && [...set].some((u) => u !== t && u.startsWith(t));

/**
 * How clearly a sentence mentions a term, 0..1: in its own words, in what it is about (heading, title, lead), in
 * its neighbours, or as the stem of a longer word ("chair" in "chairmanship").
 */
export function mentions(s: Sentence, t: string, country?: string[]): number {
  if (s.own.has(t)) return 1;
  if (s.context.has(t) || startsWithTerm(s.own, t)) return 0.85;
  if (s.near.has(t)) return 0.75;
  if (startsWithTerm(s.context, t)) return 0.6;
  return capitalTermsOf(t).some((c) => names(s, c)) || namesCountry(s, country) ? 0.6 : 0;
}

/** How clearly a sentence mentions each key term, a close synonym counting for less than the word itself. */
function termMentions(s: Sentence, keyTerms: Map<string, number>, synonym: (s: Sentence, t: string) => number, seats: Map<string, string[]>): Map<string, number> {
  return new Map([...keyTerms.keys()].map((t) => [t, mentions(s, t, seats.get(t)) || synonym(s, t)]));
}

/**
 * A sentence is about a question or a topic when it (with its heading, title, lead and neighbours) mentions this
 * share of its term weight and every name and number: most of what it says, as a reader would judge. Summaries pick
 * a topic's articles by it, and the news desk the evidence a disagreement is looked for in; whether a question is
 * answered is the answer model's decision, not this.
 */
export const ABOUT_COVERAGE = 0.62;

/**
 * Share of the question's term weight that one sentence, or an answer of several (the best mention of each term
 * among them), mentions. Evidence that does not mention at all a name or number the question asks about (Burundi in
 * "the capital of Burundi", 2005 in "the 2005 final") supports nothing, however much else it shares.
 */
export function coverage(mentioned: Map<string, number>, keyTerms: Map<string, number>, mandatory: Set<string>): number {
  let total = 0;
  let covered = 0;
  for (const [t, w] of keyTerms) {
    const m = mentioned.get(t) ?? 0;
    if (mandatory.has(t) && m === 0) return 0;
    total += w;
    covered += w * m;
  }
  return total ? covered / total : 0;
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

/** Whether two different words are one edit apart: a letter changed, added or dropped, or two neighbours swapped. */
export function oneEditApart(a: string, b: string): boolean {
  if (a === b || Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  const [longer, shorter] = a.length > b.length ? [a, b] : [b, a];
  return longer.slice(i + 1) === shorter.slice(i);
}
