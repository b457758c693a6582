/**
 * The retrieval tables: everything hybrid retrieval reads besides the vectors — the chunks and their texts, the
 * sentence table (per sentence: chunks, span, lead flag, its own terms and context terms as ids), term statistics
 * (sentence and chunk frequencies, a corpus word per term) and BM25 postings over chunk text, heading and title. Ingest
 * builds them once from the document records (buildRetrievalTables) and the index stores them beside the vectors as
 * one binary file (encodeRetrievalTables); opening decodes typed arrays in place and recomputes nothing.
 *
 * File layout: "RAGTABLE", u32 format, u32 header length, the header (JSON: section offsets and small values, and
 * the CRC-32 of everything after it), then 8-byte-aligned sections, the chunk texts (UTF-8) last. CRC-32 rather
 * than SHA-256: the file is read whole at every open anyway and the check is against damage, not tampering; CRC-32
 * of 100 MB costs about 50 ms here, SHA-256 about 220 ms.
 */
import { crc32 } from 'node:zlib';
import type { VectorStore } from '@langchain/core/vectorstores';
import type { DocumentRecord, LoadedIndex } from '../index/contract.js';
import type { Chunk } from '../ingest/chunk.js';
import { monthAndYear } from '../ingest/dates.js';
import type { SentenceSpan } from '../text/sentences.js';
import { term, terms, words } from '../text/terms.js';
import type { Located } from '../types.js';

/**
 * Version of the tables file. Raise it when what the tables hold changes, including any change to how
 * text/terms.ts analyses words: stored term ids are that analysis, frozen at ingest. (As a safety net, opening
 * also re-analyses the corpus's most frequent words and refuses tables whose terms no longer match.)
 */
export const RETRIEVAL_TABLES_FORMAT = 2;
/** How many of the most frequent terms an open re-analyses to catch tables made by another analysis of words. */
const ANALYSIS_PROBE = 2000;
const MAGIC = Buffer.from('RAGTABLE');
/** Fields of the BM25 index and their boosts, in MiniSearch's order (text, heading, title). */
const FIELDS = 3;
const FIELD_BOOST = [1, 0.6, 0.4];
/** BM25+ parameters as MiniSearch 7 uses them by default, so rankings stay what they were. */
const BM25 = { k: 1.2, b: 0.7, d: 0.5 };

export interface Sentence extends Located {
  id: number;
  /** The first chunk (in index order) holding this sentence. */
  chunk: number;
  /** Every chunk holding it (chunks overlap by a sentence). */
  chunks: number[];
  /** Position of the sentence in its document, for reading order. */
  position: number;
  /** The document's opening sentence: in news copy it says who met whom, where and when. */
  lead: boolean;
  /** Index terms of the sentence itself. */
  own: Set<string>;
  /** Index terms of its heading, its document's title, month and year (when dated) and lead: what the sentence is about without saying it. */
  context: Set<string>;
  /** Index terms of the sentences just before and after it in the same section ("the three nations" → which). */
  near: Set<string>;
}

/** The tables file cannot be used: of another format or damaged. The engine rebuilds them from the records. */
export class UnusableTablesError extends Error {}

/** Compressed sparse rows: row i is `values[offsets[i] .. offsets[i + 1])`. */
interface Rows {
  offsets: Uint32Array;
  values: Uint32Array;
}

const row = (rows: Rows, i: number) => rows.values.subarray(rows.offsets[i]!, rows.offsets[i + 1]!);

function rowsOf(lists: ArrayLike<number>[]): Rows {
  const offsets = new Uint32Array(lists.length + 1);
  lists.forEach((l, i) => (offsets[i + 1] = offsets[i]! + l.length));
  const values = new Uint32Array(offsets[lists.length]!);
  lists.forEach((l, i) => values.set(l, offsets[i]!));
  return { offsets, values };
}

/** What the file stores: typed arrays plus small JSON values. */
interface Stored {
  terms: string[];
  /** A corpus word for each term (the first one seen), '' when only headings or titles use it. */
  surface: string[];
  /** Each document's source and title, and each distinct heading: the chunks name them by index. */
  documents: { source: string; title: string }[];
  headings: string[];
  /**
   * Chunk fields the columns below do not hold (a field added to Chunk, an id or title that is not the usual one),
   * by chunk: rare, so kept as JSON.
   */
  extras: [number, Partial<Chunk>][];
  chunkDocument: Uint32Array;
  chunkHeading: Uint32Array;
  /** Per chunk: start and end offsets in its document. */
  chunkSpan: Uint32Array;
  /** Per chunk: its sentences' start and end offsets, in pairs. */
  sentenceSpans: Rows;
  averageFieldLength: number[];
  documentFrequency: Uint32Array;
  chunkFrequency: Uint32Array;
  /** Per chunk: the context term set its first-seen sentences take. */
  chunkContext: Uint32Array;
  contexts: Rows;
  /** Per sentence: every chunk holding it, the first one first. */
  sentenceChunks: Rows;
  /** Per sentence: its index among its first chunk's sentences. */
  sentenceSpan: Uint32Array;
  sentenceLead: Uint8Array;
  own: Rows;
  /** Per chunk: the sentences it holds, in order. */
  chunkSentences: Rows;
  /** Per chunk and field: distinct terms (MiniSearch's field length). */
  fieldLength: Uint32Array;
  /** Per term and field: a range of postingChunks / postingFrequencies. */
  postingOffsets: Uint32Array;
  postingChunks: Uint32Array;
  postingFrequencies: Uint16Array;
  /** Per chunk: where its UTF-8 text starts in `texts` (one more entry: the end). */
  textOffsets: Uint32Array;
  texts: Buffer;
}

/** Builds the tables from the document records, in the order the index holds them. */
export function buildRetrievalTables(records: DocumentRecord[]): RetrievalTables {
  const chunks = records.flatMap((r) => r.chunks);
  const ids = new Map<string, number>();
  const vocabulary: string[] = [];
  const idOf = (t: string) => {
    let id = ids.get(t);
    if (id === undefined) {
      id = vocabulary.length;
      ids.set(t, id);
      vocabulary.push(t);
    }
    return id;
  };
  const idsOf = (text: string) => [...new Set(terms(text))].map(idOf);

  // Sentences: each distinct (source, start) once, in index order, with the context of the chunk it first appears in.
  const lead = new Map(records.map((d) => [d.source, d.chunks[0]?.sentences.slice(0, 2).map((s) => s.text).join(' ') ?? '']));
  // The month and year a document is dated (its byline's "Updated: 8 October 2024", dropped from the text as a
  // stamp) are what every sentence of it takes as read: "the October 2024 decision" is the one it reports.
  const dated = new Map(records.map((d) => [d.source, d.date ? monthAndYear(d.date) : '']));
  const contextIds = new Map<string, number>();
  const contextLists: number[][] = [];
  const chunkContext = new Uint32Array(chunks.length);
  const sentenceChunks: number[][] = [];
  const sentenceSpan: number[] = [];
  const sentenceLead: number[] = [];
  const own: number[][] = [];
  const sentenceTexts: string[] = [];
  const chunkSentences: number[][] = chunks.map(() => []);
  const seen = new Map<string, number>();
  chunks.forEach((c, chunkNumber) => {
    const contextText = `${c.heading} ${c.title} ${dated.get(c.source) ?? ''} ${lead.get(c.source) ?? ''}`;
    let context = contextIds.get(contextText);
    if (context === undefined) {
      context = contextLists.length;
      contextIds.set(contextText, context);
      contextLists.push(idsOf(contextText));
    }
    chunkContext[chunkNumber] = context;
    c.sentences.forEach((s, index) => {
      const key = `${c.source}\u0000${s.start}`;
      const known = seen.get(key);
      if (known !== undefined) {
        sentenceChunks[known]!.push(chunkNumber);
        chunkSentences[chunkNumber]!.push(known);
        return;
      }
      const id = own.length;
      seen.set(key, id);
      sentenceChunks.push([chunkNumber]);
      sentenceSpan.push(index);
      sentenceLead.push(c.id.endsWith('#0') && index === 0 ? 1 : 0);
      if (c.text.slice(s.start - c.start, s.end - c.start) !== s.text) {
        // The tables keep chunk texts only and cut sentences out of them by offset.
        throw new Error(`sentence ${s.start}-${s.end} of ${c.id} is not the chunk text at its offsets`);
      }
      own.push(idsOf(s.text));
      sentenceTexts.push(s.text);
      chunkSentences[chunkNumber]!.push(id);
    });
  });

  // Term statistics: in how many sentences (IDF) and chunks (BM25's postings budget) each term stands.
  const surface: string[] = [];
  const frequencies = () => new Uint32Array(vocabulary.length);
  const documentFrequency = frequencies();
  own.forEach((list, i) => {
    for (const t of list) documentFrequency[t]!++;
    for (const w of words(sentenceTexts[i]!)) {
      const id = ids.get(term(w) ?? '');
      if (id !== undefined && surface[id] === undefined) surface[id] = w;
    }
  });

  // BM25 postings over text, heading and title, with MiniSearch's field lengths and running average.
  const fieldLength = new Uint32Array(chunks.length * FIELDS);
  const averageFieldLength = [0, 0, 0];
  const postings: number[][] = [];
  const chunkTermSets: number[][] = [];
  chunks.forEach((c, n) => {
    [c.text, c.heading, c.title].forEach((value, field) => {
      const tokens = terms(value);
      const counts = new Map<number, number>();
      for (const t of tokens) {
        const id = idOf(t);
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      const length = counts.size;
      fieldLength[n * FIELDS + field] = length;
      averageFieldLength[field] = (averageFieldLength[field]! * n + length) / (n + 1);
      for (const [id, count] of counts) (postings[id * FIELDS + field] ??= []).push(n, Math.min(count, 0xffff));
    });
    const inChunk = new Set([...chunkSentences[n]!.flatMap((s) => own[s]!), ...idsOf(`${c.heading} ${c.title}`)]);
    chunkTermSets.push([...inChunk]);
  });
  const chunkFrequency = new Uint32Array(vocabulary.length);
  for (const set of chunkTermSets) for (const t of set) chunkFrequency[t]!++;
  const growTo = (array: Uint32Array) => {
    const grown = new Uint32Array(vocabulary.length);
    grown.set(array);
    return grown;
  };
  const postingOffsets = new Uint32Array(vocabulary.length * FIELDS + 1);
  for (let i = 0; i < vocabulary.length * FIELDS; i++) postingOffsets[i + 1] = postingOffsets[i]! + (postings[i]?.length ?? 0) / 2;
  const postingChunks = new Uint32Array(postingOffsets[vocabulary.length * FIELDS]!);
  const postingFrequencies = new Uint16Array(postingChunks.length);
  postings.forEach((list, i) => {
    if (!list) return;
    for (let j = 0; j < list.length; j += 2) {
      postingChunks[postingOffsets[i]! + j / 2] = list[j]!;
      postingFrequencies[postingOffsets[i]! + j / 2] = list[j + 1]!;
    }
  });

  const documents: Stored['documents'] = [];
  const chunkDocument = new Uint32Array(chunks.length);
  const headingIds = new Map<string, number>();
  const chunkHeading = new Uint32Array(chunks.length);
  const extras: Stored['extras'] = [];
  let ordinal = 0;
  chunks.forEach((c, n) => {
    if (documents[documents.length - 1]?.source !== c.source) {
      documents.push({ source: c.source, title: c.title });
      ordinal = 0;
    }
    chunkDocument[n] = documents.length - 1;
    if (!headingIds.has(c.heading)) headingIds.set(c.heading, headingIds.size);
    chunkHeading[n] = headingIds.get(c.heading)!;
    const { id, source: _source, title, heading: _heading, start: _start, end: _end, text: _text, sentences: _sentences, ...rest } = c;
    const extra: Partial<Chunk> = { ...rest };
    if (id !== `${c.source}#${ordinal}`) extra.id = id;
    if (title !== documents[documents.length - 1]!.title) extra.title = title;
    if (Object.keys(extra).length) extras.push([n, extra]);
    ordinal++;
  });
  const encodedTexts = chunks.map((c) => Buffer.from(c.text, 'utf8'));
  const textOffsets = new Uint32Array(chunks.length + 1);
  encodedTexts.forEach((b, i) => (textOffsets[i + 1] = textOffsets[i]! + b.length));
  return new RetrievalTables({
    terms: vocabulary,
    surface: vocabulary.map((_, i) => surface[i] ?? ''),
    documents,
    headings: [...headingIds.keys()],
    extras,
    chunkDocument,
    chunkHeading,
    chunkSpan: Uint32Array.from(chunks.flatMap((c) => [c.start, c.end])),
    sentenceSpans: rowsOf(chunks.map((c) => c.sentences.flatMap((x) => [x.start, x.end]))),
    averageFieldLength,
    documentFrequency: growTo(documentFrequency),
    chunkFrequency,
    chunkContext,
    contexts: rowsOf(contextLists),
    sentenceChunks: rowsOf(sentenceChunks),
    sentenceSpan: Uint32Array.from(sentenceSpan),
    sentenceLead: Uint8Array.from(sentenceLead),
    own: rowsOf(own),
    chunkSentences: rowsOf(chunkSentences),
    fieldLength,
    postingOffsets,
    postingChunks,
    postingFrequencies,
    textOffsets,
    texts: Buffer.concat(encodedTexts),
  });
}

const JSON_PARTS = ['terms', 'surface', 'documents', 'headings', 'extras', 'averageFieldLength'] as const;
const ROWS = ['contexts', 'sentenceChunks', 'own', 'chunkSentences', 'sentenceSpans'] as const;
type ArraySection = Exclude<keyof Stored, (typeof JSON_PARTS)[number] | (typeof ROWS)[number] | 'texts'>;
const ARRAYS: ArraySection[] = [
  'chunkDocument',
  'chunkHeading',
  'chunkSpan',
  'documentFrequency',
  'chunkFrequency',
  'chunkContext',
  'sentenceSpan',
  'sentenceLead',
  'fieldLength',
  'postingOffsets',
  'postingChunks',
  'postingFrequencies',
  'textOffsets',
];
const KINDS = { Uint32Array, Uint16Array, Uint8Array } as const;
type Kind = keyof typeof KINDS;

interface Header {
  format: number;
  crc32: number;
  json: Pick<Stored, (typeof JSON_PARTS)[number]>;
  sections: { name: string; kind: Kind | 'bytes'; offset: number; length: number }[];
}

const align8 = (n: number) => (n + 7) & ~7;

/** The tables as one file. */
export function encodeRetrievalTables(tables: RetrievalTables): Buffer {
  const s = tables.stored;
  const parts: { name: string; kind: Kind | 'bytes'; data: ArrayBufferView }[] = [
    ...ARRAYS.map((name) => ({ name, kind: s[name].constructor.name as Kind, data: s[name] })),
    ...ROWS.flatMap((name) => [
      { name: `${name}.offsets`, kind: 'Uint32Array' as const, data: s[name].offsets },
      { name: `${name}.values`, kind: 'Uint32Array' as const, data: s[name].values },
    ]),
    { name: 'texts', kind: 'bytes', data: s.texts },
  ];
  let offset = 0;
  const sections = parts.map((p) => {
    const section = { name: p.name, kind: p.kind, offset, length: p.data.byteLength };
    offset = align8(offset + p.data.byteLength);
    return section;
  });
  const body = Buffer.alloc(offset);
  parts.forEach((p, i) => Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength).copy(body, sections[i]!.offset));
  const header: Header = {
    format: RETRIEVAL_TABLES_FORMAT,
    crc32: crc32(body),
    json: { terms: s.terms, surface: s.surface, documents: s.documents, headings: s.headings, extras: s.extras, averageFieldLength: s.averageFieldLength },
    sections,
  };
  const headerBytes = Buffer.from(JSON.stringify(header));
  const prefix = Buffer.alloc(align8(MAGIC.length + 8 + headerBytes.length));
  MAGIC.copy(prefix, 0);
  prefix.writeUInt32LE(RETRIEVAL_TABLES_FORMAT, MAGIC.length);
  prefix.writeUInt32LE(headerBytes.length, MAGIC.length + 4);
  headerBytes.copy(prefix, MAGIC.length + 8);
  return Buffer.concat([prefix, body]);
}

/** Reads a tables file; throws UnusableTablesError, saying why, for another format or any damage. */
export function decodeRetrievalTables(file: Buffer): RetrievalTables {
  if (file.length < MAGIC.length + 8 || !file.subarray(0, MAGIC.length).equals(MAGIC)) throw new UnusableTablesError('damaged (not a tables file)');
  const format = file.readUInt32LE(MAGIC.length);
  if (format !== RETRIEVAL_TABLES_FORMAT) throw new UnusableTablesError(`of an older format (${format}; this version reads ${RETRIEVAL_TABLES_FORMAT})`);
  const headerLength = file.readUInt32LE(MAGIC.length + 4);
  let header: Header;
  try {
    header = JSON.parse(file.toString('utf8', MAGIC.length + 8, MAGIC.length + 8 + headerLength)) as Header;
  } catch {
    throw new UnusableTablesError('damaged (unreadable header)');
  }
  const body = file.subarray(align8(MAGIC.length + 8 + headerLength));
  if (crc32(body) !== header.crc32) throw new UnusableTablesError('damaged (checksum mismatch)');
  const section = (name: string) => {
    const found = header.sections.find((x) => x.name === name);
    if (!found || found.offset + found.length > body.length) throw new UnusableTablesError(`damaged (section ${name} missing)`);
    const bytes = body.subarray(found.offset, found.offset + found.length);
    if (found.kind === 'bytes') return bytes;
    const Kind = KINDS[found.kind];
    // A Buffer read from a file starts on an aligned address and sections are 8-byte aligned: a view, not a copy.
    const aligned = bytes.byteOffset % Kind.BYTES_PER_ELEMENT === 0 ? bytes : Buffer.from(bytes);
    return new Kind(aligned.buffer as ArrayBuffer, aligned.byteOffset, aligned.byteLength / Kind.BYTES_PER_ELEMENT);
  };
  const rows = (name: string): Rows => ({ offsets: section(`${name}.offsets`) as Uint32Array, values: section(`${name}.values`) as Uint32Array });
  const arrays = Object.fromEntries(ARRAYS.map((name) => [name, section(name)])) as Pick<Stored, ArraySection>;
  const tables = new RetrievalTables({
    ...header.json,
    ...arrays,
    contexts: rows('contexts'),
    sentenceChunks: rows('sentenceChunks'),
    own: rows('own'),
    chunkSentences: rows('chunkSentences'),
    sentenceSpans: rows('sentenceSpans'),
    texts: section('texts') as Buffer,
  });
  if (!analysedAsNow(tables.stored)) throw new UnusableTablesError('of another analysis of words (text/terms.ts changed since the ingest)');
  return tables;
}

/** True when today's analysis gives the stored term for each of the most frequent terms' corpus words. */
function analysedAsNow(s: Stored): boolean {
  const ids = Array.from(s.documentFrequency.keys()).filter((id) => s.surface[id]);
  ids.sort((a, b) => s.documentFrequency[b]! - s.documentFrequency[a]!);
  return ids.slice(0, ANALYSIS_PROBE).every((id) => term(s.surface[id]!) === s.terms[id]);
}

/**
 * The tables of a loaded index: read as ingest stored them, or, when the store keeps none (Chroma), built from its
 * records. A stored file of another format or damaged is never trusted: it is rebuilt, with a notice.
 */
export async function loadRetrievalTables(index: LoadedIndex, onNotice: (message: string) => void = () => undefined): Promise<RetrievalTables> {
  if (index.tablesDamage) {
    onNotice(`the retrieval tables of the index are damaged (${index.tablesDamage}); rebuilding them from the stored documents (npm run ingest stores them again)…`);
  } else if (index.tables) {
    try {
      return decodeRetrievalTables(index.tables);
    } catch (e) {
      if (!(e instanceof UnusableTablesError)) throw e;
      onNotice(`the retrieval tables of the index are ${e.message}; rebuilding them from the stored documents (npm run ingest stores them again)…`);
    }
  }
  return buildRetrievalTables(await index.records());
}

/** A term's count per id, looked up by term: a Map's get/has over the tables. */
export class TermCounts {
  constructor(
    private readonly ids: Map<string, number>,
    private readonly counts: Uint32Array,
  ) {}
  get(t: string): number | undefined {
    const id = this.ids.get(t);
    return id === undefined || !this.counts[id] ? undefined : this.counts[id];
  }
  has(t: string): boolean {
    return this.get(t) !== undefined;
  }
}

export class RetrievalTables {
  readonly chunks: Chunk[];
  readonly sentences: Sentence[];
  readonly termIds: Map<string, number>;
  /** In how many sentences each term stands (IDF). */
  readonly documentFrequency: TermCounts;
  /** In how many chunks (text, heading or title) each term stands: the postings BM25 walks for it. */
  readonly chunkFrequency: TermCounts;

  constructor(readonly stored: Stored) {
    this.termIds = new Map(stored.terms.map((t, i) => [t, i]));
    this.documentFrequency = new TermCounts(this.termIds, stored.documentFrequency);
    this.chunkFrequency = new TermCounts(this.termIds, stored.chunkFrequency);
    const extras = new Map(stored.extras);
    this.chunks = Array.from(stored.chunkDocument, (_, i) => new StoredChunk(stored, i, extras.get(i)));
    this.sentences = Array.from(stored.sentenceSpan, (_, id) => new StoredSentence(this, id));
  }

  /** A corpus word for a term, to look up its word vector. */
  surface(t: string): string | undefined {
    const id = this.termIds.get(t);
    return id === undefined ? undefined : this.stored.surface[id] || undefined;
  }

  termsOf(rows: 'own' | 'contexts', i: number): string[] {
    return Array.from(row(this.stored[rows], i), (id) => this.stored.terms[id]!);
  }

  chunksOf(sentence: number): number[] {
    return Array.from(row(this.stored.sentenceChunks, sentence));
  }

  sentencesOfChunk(chunk: number): Sentence[] {
    return Array.from(row(this.stored.chunkSentences, chunk), (id) => this.sentences[id]!);
  }

  /**
   * BM25+ over chunk text, heading and title, as MiniSearch 7 scores an OR query of exact terms (same field
   * lengths, running averages, boosts and ties in the same order), so rankings are what they were. Best first.
   */
  lexicalSearch(queryTerms: string[]): number[] {
    const s = this.stored;
    const total = s.chunkDocument.length;
    const results = new Map<number, { score: number; terms: number }>();
    queryTerms.forEach((t, i) => {
      const id = this.termIds.get(t);
      if (id === undefined) return;
      const repeated = queryTerms.indexOf(t) < i;
      const scores = new Map<number, number>();
      for (let field = 0; field < FIELDS; field++) {
        const from = s.postingOffsets[id * FIELDS + field]!;
        const to = s.postingOffsets[id * FIELDS + field + 1]!;
        const matching = to - from;
        const invDocFreq = Math.log(1 + (total - matching + 0.5) / (matching + 0.5));
        const average = s.averageFieldLength[field]!;
        for (let p = from; p < to; p++) {
          const chunk = s.postingChunks[p]!;
          const tf = s.postingFrequencies[p]!;
          const length = s.fieldLength[chunk * FIELDS + field]!;
          const raw = invDocFreq * (BM25.d + (tf * (BM25.k + 1)) / (tf + BM25.k * (1 - BM25.b + (BM25.b * length) / average)));
          const weighted = FIELD_BOOST[field]! * raw;
          scores.set(chunk, (scores.get(chunk) ?? 0) + weighted);
        }
      }
      for (const [chunk, score] of scores) {
        const known = results.get(chunk);
        if (!known) results.set(chunk, { score, terms: 1 });
        else {
          known.score = known.score + score;
          if (!repeated) known.terms++;
        }
      }
    });
    return [...results]
      .map(([chunk, r]) => ({ chunk, score: r.score * r.terms }))
      .sort((a, b) => b.score - a.score)
      .map((r) => r.chunk);
  }
}

/** A chunk read from the tables' columns; its text is decoded from the tables' buffer when read. */
class StoredChunk implements Chunk {
  constructor(
    private readonly stored: Stored,
    private readonly n: number,
    extra?: Partial<Chunk>,
  ) {
    if (extra) Object.defineProperties(this, Object.getOwnPropertyDescriptors(extra));
  }

  get id(): string {
    const s = this.stored;
    let first = this.n;
    while (first > 0 && s.chunkDocument[first - 1] === s.chunkDocument[this.n]) first--;
    return `${this.source}#${this.n - first}`;
  }
  get source(): string {
    return this.stored.documents[this.stored.chunkDocument[this.n]!]!.source;
  }
  get title(): string {
    return this.stored.documents[this.stored.chunkDocument[this.n]!]!.title;
  }
  get heading(): string {
    return this.stored.headings[this.stored.chunkHeading[this.n]!]!;
  }
  get start(): number {
    return this.stored.chunkSpan[2 * this.n]!;
  }
  get end(): number {
    return this.stored.chunkSpan[2 * this.n + 1]!;
  }
  get text(): string {
    return this.stored.texts.toString('utf8', this.stored.textOffsets[this.n]!, this.stored.textOffsets[this.n + 1]!);
  }
  get sentences(): SentenceSpan[] {
    const spans = row(this.stored.sentenceSpans, this.n);
    return Array.from({ length: spans.length / 2 }, (_, i) => this.sentenceText(i));
  }

  /** The sentence at `index` among this chunk's sentences, cut from the chunk's text by its offsets. */
  sentenceText(index: number): SentenceSpan {
    const { offsets, values } = this.stored.sentenceSpans;
    const start = values[offsets[this.n]! + 2 * index]!;
    const end = values[offsets[this.n]! + 2 * index + 1]!;
    return { start, end, text: this.text.slice(start - this.start, end - this.start) };
  }

  toJSON(): Chunk {
    const { stored: _stored, n: _n, ...extra } = this;
    return { ...extra, id: this.id, source: this.source, title: this.title, heading: this.heading, start: this.start, end: this.end, text: this.text, sentences: this.sentences };
  }
}

/** A sentence whose term sets are made from the tables on first use. */
class StoredSentence implements Sentence {
  readonly chunk: number;
  readonly lead: boolean;
  private span: { start: number; end: number; text?: string } | null = null;
  private ownSet?: Set<string>;
  private contextSet?: Set<string>;
  private nearSet?: Set<string>;
  private chunkList?: number[];

  constructor(
    private readonly tables: RetrievalTables,
    readonly id: number,
  ) {
    const { offsets, values } = tables.stored.sentenceChunks;
    this.chunk = values[offsets[id]!]!;
    this.lead = tables.stored.sentenceLead[id] === 1;
  }

  private get home(): StoredChunk {
    return this.tables.chunks[this.chunk] as StoredChunk;
  }
  private get located() {
    if (!this.span) this.span = this.home.sentenceText(this.tables.stored.sentenceSpan[this.id]!);
    return this.span;
  }
  get source(): string {
    return this.home.source;
  }
  get title(): string {
    return this.home.title;
  }
  get heading(): string {
    return this.home.heading;
  }
  get start(): number {
    return this.located.start;
  }
  get end(): number {
    return this.located.end;
  }
  get position(): number {
    return this.located.start;
  }
  get text(): string {
    return this.located.text!;
  }
  get chunks(): number[] {
    return (this.chunkList ??= this.tables.chunksOf(this.id));
  }
  get own(): Set<string> {
    return (this.ownSet ??= new Set(this.tables.termsOf('own', this.id)));
  }
  get context(): Set<string> {
    return (this.contextSet ??= new Set(this.tables.termsOf('contexts', this.tables.stored.chunkContext[this.chunk]!)));
  }
  get near(): Set<string> {
    if (!this.nearSet) {
      this.nearSet = new Set();
      for (const other of [this.tables.sentences[this.id - 1], this.tables.sentences[this.id + 1]]) {
        if (other && other.source === this.source && other.heading === this.heading) for (const t of other.own) this.nearSet.add(t);
      }
    }
    return this.nearSet;
  }
}

/** What hybrid retrieval searches: the tables' chunks and the store's vectors. */
export interface SearchedIndex {
  chunks: Chunk[];
  vectors: VectorStore;
}

/** What ingest stores: the tables of `records`, as one file. */
export const retrievalTablesFile = (records: DocumentRecord[]): Buffer => encodeRetrievalTables(buildRetrievalTables(records));
