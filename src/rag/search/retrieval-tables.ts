/**
 * The retrieval tables: everything hybrid retrieval reads besides the vectors — the chunks (their places in their
 * documents' cleaned texts, which the index keeps), the sentence table (per sentence: chunks, span, lead flag, its own
 * terms and context terms as ids), term statistics (sentence and chunk frequencies, a corpus word per term) and BM25
 * postings over chunk text, heading and title. Ingest builds them once from the document records
 * (buildRetrievalTables) and the index stores them beside the vectors as one binary file (encodeRetrievalTables);
 * opening decodes typed arrays in place and recomputes nothing; a term's postings are decoded when it is searched.
 *
 * File layout: "RAGTABLE", u32 format, u32 header length, the header (JSON: section offsets and small values, and
 * the CRC-32 of everything after it), then 8-byte-aligned sections. CRC-32 rather
 * than SHA-256: the file is read whole at every open anyway and the check is against damage, not tampering; CRC-32
 * of 100 MB costs about 50 ms here, SHA-256 about 220 ms.
 */
import { crc32 } from 'node:zlib';
import type { VectorStore } from '@langchain/core/vectorstores';
import type { LoadedIndex, TabledDocument } from '../index/contract.js';
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
export const RETRIEVAL_TABLES_FORMAT = 4;
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
  /** Per term and field: where its list starts in `postings` (the last entry: where the last list ends). */
  postingOffsets: Uint32Array;
  /** Per term and field: how many chunks its list holds. */
  postingCounts: Uint32Array;
  /**
   * The lists, term by term and field by field, each in chunk order: per chunk, its distance from the list's previous
   * chunk (the first: from chunk 0) and the term's count in it, each a LEB128 varint. Six bytes a posting as two
   * arrays, about two so: the postings were half of the tables, and an open reads the tables whole.
   */
  postings: Uint8Array;
}

/** One list of postings, decoded. */
interface PostingList {
  chunks: Uint32Array;
  counts: Uint32Array;
}

function pushVarint(column: Column<Uint8Array>, n: number): void {
  for (; n >= 0x80; n >>>= 7) column.push((n & 0x7f) | 0x80);
  column.push(n);
}

/**
 * What the tables take of one document's words, computed once per document — in a file worker during an ingest
 * (document-work.ts) — so that building the tables on the main thread is numbering and counting. Terms are numbered
 * within the document (`vocabulary`); the builder maps them to the corpus's ids.
 */
export interface DocumentTerms {
  vocabulary: string[];
  /** The first word of the document's sentences that gives each term, as [term, word]: the corpus word of a term. */
  surface: [string, string][];
  /** Distinct context texts of the chunks (heading, title, month and year, lead) and their terms. */
  contexts: { key: string; terms: number[] }[];
  chunks: {
    context: number;
    /** Per sentence: its own terms where it first appears, or the number of the document's earlier sentence it repeats. */
    sentences: (number[] | number)[];
    /** Per field (text, heading, title): term and count, in pairs. */
    fields: number[][];
    /** Terms of the heading and title. */
    headingTitle: number[];
  }[];
}

/** The analysis of a document's words that the tables are made of (see DocumentTerms). */
export function analyseDocument(doc: Pick<TabledDocument, 'date' | 'chunks'>): DocumentTerms {
  const vocabulary: string[] = [];
  const numbers = new Map<string, number>();
  const numberOf = (t: string) => {
    let n = numbers.get(t);
    if (n === undefined) {
      n = vocabulary.length;
      numbers.set(t, n);
      vocabulary.push(t);
    }
    return n;
  };
  const distinct = (found: string[]) => [...new Set(found)].map(numberOf);
  // The lead (the first two sentences) and the month and year a document is dated (its byline's "Updated: 8 October
  // 2024", dropped from the text as a stamp) are what every sentence of it takes as read: "the October 2024
  // decision" is the one it reports.
  const lead = doc.chunks[0]?.sentences.slice(0, 2).map((s) => s.text).join(' ') ?? '';
  const dated = doc.date ? monthAndYear(doc.date) : '';
  const contexts: DocumentTerms['contexts'] = [];
  const contextNumbers = new Map<string, number>();
  const sentenceNumbers = new Map<number, number>();
  // Each sentence's terms once: a chunk's text is read as its sentences when they make it up (see chunkTerms).
  const sentenceTerms = new Map<number, string[]>();
  const termsOf = (s: { start: number; text: string }) => {
    let found = sentenceTerms.get(s.start);
    if (!found) sentenceTerms.set(s.start, (found = terms(s.text)));
    return found;
  };
  const surface: [string, string][] = [];
  const surfaced = new Set<string>();
  const chunks = doc.chunks.map((c) => {
    const key = `${c.heading} ${c.title} ${dated} ${lead}`;
    let context = contextNumbers.get(key);
    if (context === undefined) {
      context = contexts.length;
      contextNumbers.set(key, context);
      contexts.push({ key, terms: distinct(terms(key)) });
    }
    const sentences = c.sentences.map((s): number[] | number => {
      const known = sentenceNumbers.get(s.start);
      if (known !== undefined) return known;
      sentenceNumbers.set(s.start, sentenceNumbers.size);
      if (c.text.slice(s.start - c.start, s.end - c.start) !== s.text) {
        // The tables cut sentences out of the document's text by offset.
        throw new Error(`sentence ${s.start}-${s.end} of ${c.id} is not the chunk text at its offsets`);
      }
      for (const w of words(s.text)) {
        const t = term(w);
        if (t && !surfaced.has(t)) {
          surfaced.add(t);
          surface.push([t, w]);
        }
      }
      return distinct(termsOf(s));
    });
    const fields = [chunkTerms(c, termsOf), terms(c.heading), terms(c.title)].map((found) => {
      const counts = new Map<number, number>();
      for (const t of found) {
        const n = numberOf(t);
        counts.set(n, (counts.get(n) ?? 0) + 1);
      }
      return [...counts].flat();
    });
    return { context, sentences, fields, headingTitle: distinct(terms(`${c.heading} ${c.title}`)) };
  });
  return { vocabulary, surface, contexts, chunks };
}

/**
 * A chunk's terms, from its sentences' when they make up its whole text with spaces between them (so no token runs
 * across a boundary), which is what chunking writes; from its text otherwise. Reading each sentence once rather than
 * again as part of its chunk took a fifth of the analysis of a document.
 */
function chunkTerms(c: TabledDocument['chunks'][number], termsOf: (s: { start: number; text: string }) => string[]): string[] {
  let at = c.start;
  for (const [i, s] of c.sentences.entries()) {
    const gap = c.text.slice(at - c.start, s.start - c.start);
    if (s.start < at || /\S/.test(gap) || (i > 0 && !gap)) return terms(c.text);
    at = s.end;
  }
  if (/\S/.test(c.text.slice(at - c.start))) return terms(c.text);
  return c.sentences.flatMap(termsOf);
}

/**
 * How much a full column grows. Less than doubling: the postings' three columns are the ingest's largest arrays (about
 * 10 million entries each at 125,000 chunks), and a column is held twice while it is copied into a larger one.
 */
const COLUMN_GROWTH = 1.5;

/** An array of unsigned integers that grows as values are added: the tables' columns while they are built. */
class Column<A extends Uint32Array | Uint16Array | Uint8Array> {
  length = 0;
  constructor(private data: A) {}
  push(x: number): void {
    if (this.length === this.data.length) this.grow(Math.ceil(this.length * COLUMN_GROWTH));
    this.data[this.length++] = x;
  }
  /** Adds one at `i`, growing the column (with zeros) to reach it. */
  increment(i: number): void {
    if (i >= this.data.length) this.grow(Math.max(i + 1, Math.ceil(this.data.length * COLUMN_GROWTH)));
    this.length = Math.max(this.length, i + 1);
    this.data[i]!++;
  }
  at(i: number): number {
    return this.data[i]!;
  }
  /** The values, sized to `length` (at least), as their own array. */
  values(length = this.length): A {
    const out = new (this.data.constructor as new (n: number) => A)(length);
    out.set(this.data.subarray(0, Math.min(length, this.length)));
    return out;
  }
  private grow(size: number): void {
    const next = new (this.data.constructor as new (n: number) => A)(Math.max(size, 16));
    next.set(this.data);
    this.data = next;
  }
}
const u32 = () => new Column(new Uint32Array(1024));

/** Compressed sparse rows added one row at a time. */
class RowsColumn {
  readonly offsets = u32();
  readonly values = u32();
  constructor() {
    this.offsets.push(0);
  }
  add(row: Iterable<number>): void {
    for (const x of row) this.values.push(x);
    this.offsets.push(this.values.length);
  }
  rows(): Rows {
    return { offsets: this.offsets.values(), values: this.values.values() };
  }
}

/**
 * Builds the tables document by document, in the order the index holds them, without holding the documents: an
 * ingest streams its documents through it. Each document's words are analysed by analyseDocument (given, when a
 * worker did it), then numbered against the corpus's terms and counted here.
 */
export class RetrievalTablesBuilder {
  private readonly ids = new Map<string, number>();
  private readonly vocabulary: string[] = [];
  /** Terms of some sentence or context: the ones a corpus word is kept for (`surface`). */
  private readonly ofSentences = new Column(new Uint8Array(1024));
  private readonly firstWord = new Map<string, string>();
  private readonly contextIds = new Map<string, number>();
  private readonly contexts = new RowsColumn();
  private readonly chunkContext = u32();
  private readonly documents: Stored['documents'] = [];
  private readonly headingIds = new Map<string, number>();
  private readonly chunkDocument = u32();
  private readonly chunkHeading = u32();
  private readonly chunkSpan = u32();
  private readonly sentenceSpans = new RowsColumn();
  private readonly extras: Stored['extras'] = [];
  /** The first chunk holding each sentence, and any later ones (chunks overlap by a sentence). */
  private readonly sentenceChunk = u32();
  private readonly laterChunks = new Map<number, number[]>();
  private readonly sentenceSpan = u32();
  private readonly sentenceLead = new Column(new Uint8Array(1024));
  private readonly own = new RowsColumn();
  private readonly chunkSentences = new RowsColumn();
  private readonly documentFrequency = u32();
  private readonly chunkFrequency = u32();
  private readonly fieldLength = u32();
  private readonly averageFieldLength = [0, 0, 0];
  /** Postings as they come, chunk by chunk: (term × field, chunk, count), grouped by term and field at the end. */
  private readonly postingKeys = u32();
  private readonly postingChunks = u32();
  private readonly postingTermCounts = u32();
  private chunkCount = 0;

  private idOf(t: string): number {
    let id = this.ids.get(t);
    if (id === undefined) {
      id = this.vocabulary.length;
      this.ids.set(t, id);
      this.vocabulary.push(t);
    }
    return id;
  }

  add(doc: TabledDocument, analysis: DocumentTerms = analyseDocument(doc)): void {
    if (!doc.chunks.length) return;
    const ids = analysis.vocabulary.map((t) => this.idOf(t));
    const global = (local: number[]) => local.map((n) => ids[n]!);
    for (const [t, w] of analysis.surface) if (!this.firstWord.has(t)) this.firstWord.set(t, w);
    const contexts = analysis.contexts.map(({ key, terms: local }) => {
      let id = this.contextIds.get(key);
      if (id === undefined) {
        id = this.contextIds.size;
        this.contextIds.set(key, id);
        const row = global(local);
        for (const t of row) this.ofSentences.increment(t);
        this.contexts.add(row);
      }
      return id;
    });
    this.documents.push({ source: doc.source, title: doc.title });
    const documentNumber = this.documents.length - 1;
    /** The document's sentences by their number in it: id and own terms. */
    const sentences: { id: number; own: number[] }[] = [];
    doc.chunks.forEach((c, ordinal) => {
      const n = this.chunkCount++;
      const terms = analysis.chunks[ordinal]!;
      this.chunkContext.push(contexts[terms.context]!);
      this.chunkDocument.push(documentNumber);
      if (!this.headingIds.has(c.heading)) this.headingIds.set(c.heading, this.headingIds.size);
      this.chunkHeading.push(this.headingIds.get(c.heading)!);
      this.chunkSpan.push(c.start);
      this.chunkSpan.push(c.end);
      this.sentenceSpans.add(c.sentences.flatMap((x) => [x.start, x.end]));
      const { id, source: _source, title, heading: _heading, start: _start, end: _end, text: _text, sentences: _sentences, ...rest } = c;
      const extra: Partial<Chunk> = { ...rest };
      if (id !== `${doc.source}#${ordinal}`) extra.id = id;
      if (title !== doc.title) extra.title = title;
      if (Object.keys(extra).length) this.extras.push([n, extra]);

      const held = terms.sentences.map((entry, index) => {
        if (typeof entry === 'number') {
          const earlier = sentences[entry]!;
          const later = this.laterChunks.get(earlier.id);
          if (later) later.push(n);
          else this.laterChunks.set(earlier.id, [n]);
          return earlier;
        }
        const sentence = { id: this.sentenceSpan.length, own: global(entry) };
        sentences.push(sentence);
        this.sentenceChunk.push(n);
        this.sentenceSpan.push(index);
        this.sentenceLead.push(c.id.endsWith('#0') && index === 0 ? 1 : 0);
        this.own.add(sentence.own);
        for (const t of sentence.own) {
          this.documentFrequency.increment(t);
          this.ofSentences.increment(t);
        }
        return sentence;
      });
      this.chunkSentences.add(held.map((x) => x.id));

      // BM25 postings over text, heading and title, with MiniSearch's field lengths and running average.
      terms.fields.forEach((pairs, field) => {
        const length = pairs.length / 2;
        this.fieldLength.push(length);
        this.averageFieldLength[field] = (this.averageFieldLength[field]! * n + length) / (n + 1);
        for (let i = 0; i < pairs.length; i += 2) {
          this.postingKeys.push(ids[pairs[i]!]! * FIELDS + field);
          this.postingChunks.push(n);
          this.postingTermCounts.push(pairs[i + 1]!);
        }
      });
      const inChunk = new Set([...held.flatMap((x) => x.own), ...global(terms.headingTitle)]);
      for (const t of inChunk) this.chunkFrequency.increment(t);
    });
  }

  /** The tables of every document added, with their texts from `textOf` (a document's cleaned text, by source). */
  finish(textOf: (source: string) => string): RetrievalTables {
    return new RetrievalTables(this.stored(), textOf);
  }

  private stored(): Stored {
    const terms = this.vocabulary.length;
    const ofSentences = this.ofSentences.values(terms);
    // Postings grouped by term and field, each list in chunk order (a counting sort keeps the order they came in).
    const lists = terms * FIELDS;
    const keys = this.postingKeys.values();
    const postingCounts = new Uint32Array(lists);
    for (const key of keys) postingCounts[key]!++;
    const next = new Uint32Array(lists);
    for (let key = 1; key < lists; key++) next[key] = next[key - 1]! + postingCounts[key - 1]!;
    const chunks = new Uint32Array(keys.length);
    const counts = new Uint32Array(keys.length);
    keys.forEach((key, i) => {
      const at = next[key]!++;
      chunks[at] = this.postingChunks.at(i);
      counts[at] = this.postingTermCounts.at(i);
    });
    const postings = new Column(new Uint8Array(1024));
    const postingOffsets = new Uint32Array(lists + 1);
    for (let key = 0, at = 0; key < lists; key++) {
      postingOffsets[key] = postings.length;
      for (let previous = 0, end = at + postingCounts[key]!; at < end; at++) {
        pushVarint(postings, chunks[at]! - previous);
        pushVarint(postings, counts[at]!);
        previous = chunks[at]!;
      }
    }
    postingOffsets[lists] = postings.length;
    const sentenceChunks = new RowsColumn();
    for (let s = 0; s < this.sentenceChunk.length; s++) sentenceChunks.add([this.sentenceChunk.at(s), ...(this.laterChunks.get(s) ?? [])]);
    return {
      terms: this.vocabulary,
      surface: this.vocabulary.map((t, id) => (ofSentences[id] ? (this.firstWord.get(t) ?? '') : '')),
      documents: this.documents,
      headings: [...this.headingIds.keys()],
      extras: this.extras,
      chunkDocument: this.chunkDocument.values(),
      chunkHeading: this.chunkHeading.values(),
      chunkSpan: this.chunkSpan.values(),
      sentenceSpans: this.sentenceSpans.rows(),
      averageFieldLength: this.averageFieldLength,
      documentFrequency: this.documentFrequency.values(terms),
      chunkFrequency: this.chunkFrequency.values(terms),
      chunkContext: this.chunkContext.values(),
      contexts: this.contexts.rows(),
      sentenceChunks: sentenceChunks.rows(),
      sentenceSpan: this.sentenceSpan.values(),
      sentenceLead: this.sentenceLead.values(),
      own: this.own.rows(),
      chunkSentences: this.chunkSentences.rows(),
      fieldLength: this.fieldLength.values(),
      postingOffsets,
      postingCounts,
      postings: postings.values(),
    };
  }

  /** The tables as one file (see encodeRetrievalTables). */
  encode(): Buffer {
    return encodeStored(this.stored());
  }
}

/** Builds the tables of whole records (a Chroma replica reads every record at open; damaged tables are rebuilt so). */
export function buildRetrievalTables(records: (TabledDocument & { text: string })[]): RetrievalTables {
  const builder = new RetrievalTablesBuilder();
  for (const r of records) builder.add(r);
  const texts = new Map(records.map((r) => [r.source, r.text]));
  return builder.finish((source) => texts.get(source) ?? '');
}

const JSON_PARTS = ['terms', 'surface', 'documents', 'headings', 'extras', 'averageFieldLength'] as const;
const ROWS = ['contexts', 'sentenceChunks', 'own', 'chunkSentences', 'sentenceSpans'] as const;
type ArraySection = Exclude<keyof Stored, (typeof JSON_PARTS)[number] | (typeof ROWS)[number]>;
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
  'postingCounts',
  'postings',
];
const KINDS = { Uint32Array, Uint16Array, Uint8Array } as const;
type Kind = keyof typeof KINDS;

interface Header {
  format: number;
  crc32: number;
  json: Pick<Stored, (typeof JSON_PARTS)[number]>;
  sections: { name: string; kind: Kind; offset: number; length: number }[];
}

const align8 = (n: number) => (n + 7) & ~7;

/** The tables as one file. */
export function encodeRetrievalTables(tables: RetrievalTables): Buffer {
  return encodeStored(tables.stored);
}

function encodeStored(s: Stored): Buffer {
  const parts: { name: string; kind: Kind; data: ArrayBufferView }[] = [
    ...ARRAYS.map((name) => ({ name, kind: s[name].constructor.name as Kind, data: s[name] })),
    ...ROWS.flatMap((name) => [
      { name: `${name}.offsets`, kind: 'Uint32Array' as const, data: s[name].offsets },
      { name: `${name}.values`, kind: 'Uint32Array' as const, data: s[name].values },
    ]),
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

/**
 * Reads a tables file, whose chunks take their texts from `textOf` (a document's cleaned text, by source); throws
 * UnusableTablesError, saying why, for another format or any damage.
 */
export function decodeRetrievalTables(file: Buffer, textOf: (source: string) => string): RetrievalTables {
  if (file.length < MAGIC.length + 8 || !file.subarray(0, MAGIC.length).equals(MAGIC)) throw new UnusableTablesError('damaged (not a tables file)');
  const format = file.readUInt32LE(MAGIC.length);
  if (format !== RETRIEVAL_TABLES_FORMAT) {
    // A newer file comes from a newer build of this program (an admin who went back a version), not a damaged one.
    const age = format < RETRIEVAL_TABLES_FORMAT ? 'an older' : 'a newer';
    throw new UnusableTablesError(`of ${age} format (${format}; this version reads ${RETRIEVAL_TABLES_FORMAT})`);
  }
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
  }, textOf);
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
 * The tables an index stored, decoded and checked; `{ unusable }` saying why when they are damaged, missing or of
 * another format or analysis of words; null when the store keeps none (they are built from the records at open).
 */
export function storedRetrievalTables(index: LoadedIndex): RetrievalTables | { unusable: string } | null {
  if (index.tablesDamage) return { unusable: `damaged (${index.tablesDamage})` };
  if (!index.tables) return null;
  try {
    return decodeRetrievalTables(index.tables, (source) => index.text(source));
  } catch (e) {
    if (!(e instanceof UnusableTablesError)) throw e;
    return { unusable: e.message };
  }
}

/**
 * The retrieval tables of a loaded index: those it stored (`stored`, as storedRetrievalTables read them) when they
 * can be used, else built from its document records, with a notice when stored ones had to be set aside.
 */
export async function loadRetrievalTables(
  index: LoadedIndex,
  onNotice: (message: string) => void = () => undefined,
  stored = storedRetrievalTables(index),
): Promise<RetrievalTables> {
  if (stored instanceof RetrievalTables) return stored;
  if (stored) onNotice(`the retrieval tables of the index are ${stored.unusable}; rebuilding them from the stored documents (npm run ingest stores them again)…`);
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
  /** Every term counted at least once, with its count. */
  *[Symbol.iterator](): IterableIterator<[string, number]> {
    for (const [t, id] of this.ids) if (this.counts[id]) yield [t, this.counts[id]!];
  }
}

/** The corpus's sentences by id, each made on first use: opening a large index makes none of its 400,000. */
export class SentenceList implements Iterable<Sentence> {
  private readonly made: (Sentence | undefined)[];
  constructor(
    private readonly tables: RetrievalTables,
    readonly length: number,
  ) {
    this.made = new Array<Sentence | undefined>(length);
  }
  /** The sentence numbered `id`, or undefined past either end. */
  at(id: number): Sentence | undefined {
    if (id < 0 || id >= this.length) return undefined;
    return (this.made[id] ??= new StoredSentence(this.tables, id));
  }
  *[Symbol.iterator](): IterableIterator<Sentence> {
    for (let id = 0; id < this.length; id++) yield this.at(id)!;
  }
}

export class RetrievalTables {
  readonly chunks: Chunk[];
  readonly sentences: SentenceList;
  readonly termIds: Map<string, number>;
  /** In how many sentences each term stands (IDF). */
  readonly documentFrequency: TermCounts;
  /** In how many chunks (text, heading or title) each term stands: the postings BM25 walks for it. */
  readonly chunkFrequency: TermCounts;

  /** Each document's cleaned text once read, by its number in `stored.documents`: chunks and sentences are cut from it. */
  private readonly texts: (string | undefined)[] = [];
  /** Each document's chunks by source, as [first, end) in index order: a build holds a document's chunks together. */
  private readonly chunkRanges = new Map<string, [number, number]>();

  constructor(
    readonly stored: Stored,
    private readonly textOf: (source: string) => string,
  ) {
    this.termIds = new Map(stored.terms.map((t, i) => [t, i]));
    this.documentFrequency = new TermCounts(this.termIds, stored.documentFrequency);
    this.chunkFrequency = new TermCounts(this.termIds, stored.chunkFrequency);
    const extras = new Map(stored.extras);
    this.chunks = Array.from(stored.chunkDocument, (_, i) => new StoredChunk(this, i, extras.get(i)));
    this.sentences = new SentenceList(this, stored.sentenceSpan.length);
    const owner = stored.chunkDocument;
    for (let first = 0, end = 1; first < owner.length; first = end++) {
      while (end < owner.length && owner[end] === owner[first]) end++;
      this.chunkRanges.set(stored.documents[owner[first]!]!.source, [first, end]);
    }
  }

  /** The cleaned text of the document numbered `document` in the tables. */
  documentText(document: number): string {
    return (this.texts[document] ??= this.textOf(this.stored.documents[document]!.source));
  }

  /** The number of a document's first chunk. */
  firstChunkOf(source: string): number {
    return this.chunkRanges.get(source)![0];
  }

  /** The chunks of a document, in index order. */
  chunksOfDocument(source: string): number[] {
    const [first, end] = this.chunkRanges.get(source) ?? [0, 0];
    return Array.from({ length: end - first }, (_, n) => first + n);
  }

  /** The number of the chunk with this id ("<source>#<n>", as chunk.ts names them), or -1 for none. */
  chunkNumber(id: string): number {
    const at = id.lastIndexOf('#');
    const range = this.chunkRanges.get(id.slice(0, at));
    const n = range ? range[0] + Number(id.slice(at + 1)) : -1;
    return range && n >= range[0] && n < range[1] && this.chunks[n]!.id === id ? n : -1;
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
    return Array.from(row(this.stored.chunkSentences, chunk), (id) => this.sentences.at(id)!);
  }

  /** The chunks whose text uses a term, in corpus order: its postings, read without scoring them. */
  chunksWith(t: string): Uint32Array {
    const id = this.termIds.get(t);
    return id === undefined ? new Uint32Array(0) : this.postingList(id * FIELDS).chunks;
  }

  /** The postings of a term in a field (`key`: term id × FIELDS + field), decoded. */
  private postingList(key: number): PostingList {
    const { postings, postingOffsets, postingCounts } = this.stored;
    const list = { chunks: new Uint32Array(postingCounts[key]!), counts: new Uint32Array(postingCounts[key]!) };
    // Two varints a posting, read inline: this runs for every posting of every term searched.
    for (let i = 0, at = postingOffsets[key]!, chunk = 0; i < list.chunks.length; i++) {
      let byte = postings[at++]!;
      let value = byte & 0x7f;
      for (let scale = 0x80; byte >= 0x80; scale *= 0x80) value += ((byte = postings[at++]!) & 0x7f) * scale;
      list.chunks[i] = chunk += value;
      byte = postings[at++]!;
      value = byte & 0x7f;
      for (let scale = 0x80; byte >= 0x80; scale *= 0x80) value += ((byte = postings[at++]!) & 0x7f) * scale;
      list.counts[i] = value;
    }
    return list;
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
        const list = this.postingList(id * FIELDS + field);
        const matching = list.chunks.length;
        const invDocFreq = Math.log(1 + (total - matching + 0.5) / (matching + 0.5));
        const average = s.averageFieldLength[field]!;
        for (let p = 0; p < matching; p++) {
          const chunk = list.chunks[p]!;
          const tf = list.counts[p]!;
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

/** A chunk read from the tables' columns; its text is cut from its document's text when read. */
class StoredChunk implements Chunk {
  private readonly stored: Stored;
  constructor(
    private readonly tables: RetrievalTables,
    private readonly n: number,
    extra?: Partial<Chunk>,
  ) {
    this.stored = tables.stored;
    if (extra) Object.defineProperties(this, Object.getOwnPropertyDescriptors(extra));
  }

  get id(): string {
    return `${this.source}#${this.n - this.tables.firstChunkOf(this.source)}`;
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
    return this.tables.documentText(this.stored.chunkDocument[this.n]!).slice(this.start, this.end);
  }
  get sentences(): SentenceSpan[] {
    const spans = row(this.stored.sentenceSpans, this.n);
    return Array.from({ length: spans.length / 2 }, (_, i) => this.sentenceText(i));
  }

  /** The sentence at `index` among this chunk's sentences, cut from its document's text by its offsets. */
  sentenceText(index: number): SentenceSpan {
    const { offsets, values } = this.stored.sentenceSpans;
    const start = values[offsets[this.n]! + 2 * index]!;
    const end = values[offsets[this.n]! + 2 * index + 1]!;
    return { start, end, text: this.tables.documentText(this.stored.chunkDocument[this.n]!).slice(start, end) };
  }

  toJSON(): Chunk {
    const { stored: _stored, tables: _tables, n: _n, ...extra } = this;
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
      for (const other of [this.tables.sentences.at(this.id - 1), this.tables.sentences.at(this.id + 1)]) {
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
