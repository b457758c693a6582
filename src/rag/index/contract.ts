/**
 * What every index backend promises, whatever holds the vectors: the manifest of a build, the document records it
 * was made from, the loaded form retrieval reads, and the `IndexStore` the engine talks to. Backends (hnsw-store.ts,
 * chroma-store.ts) implement it and never import each other.
 */
import { createHash } from 'node:crypto';
import type { VectorStore } from '@langchain/core/vectorstores';
import * as z from 'zod';
import type { CorpusEmbedder } from '../embedding/corpus-embedder.js';
import { IndexMismatchError } from '../errors.js';
import type { Chunk } from '../ingest/chunk.js';
import type { PreparedDocument } from '../ingest/file-worker.js';
import type { IngestProgress, IngestReport, Placeholder, Story } from '../types.js';

/**
 * Version of what an index holds. Raise it when cleaning or chunking output or the files of a build change: an index of another format is
 * neither opened nor reused, so the next ingest rebuilds every document.
 */
export const INDEX_FORMAT = 8;

/** HNSW graph parameters of both backends; `npm run bench -- --scale` measures recall and speed with them. */
export const HNSW_PARAMS = { M: 16, efConstruction: 200, efSearch: 100 };

/** A document as indexed: what reading its file gave (cleaned text, sections, chunks…). */
export interface DocumentRecord extends PreparedDocument {
  source: string;
  aliases: string[];
  sha256: string;
}

/**
 * What a document reads as, in one string: a file whose bytes did not change keeps its vectors only when this did
 * not change either (cleaning depends on the rest of the corpus, its furniture).
 */
export function cleanedDigest(title: string, text: string): string {
  return createHash('sha256').update(title).update('\u0000').update(text).digest('hex');
}

export interface Manifest {
  format: number;
  embedder: { id: string; dimensions: number };
  builtAt: string;
  documents: {
    source: string;
    aliases: string[];
    sha256: string;
    title: string;
    date?: string;
    chunks: number;
    placeholders: Placeholder[];
    /** Offsets in the cleaned text where each paragraph after the first begins: citations say which paragraph. */
    paragraphStarts: number[];
  }[];
  chunks: number;
  /** Corpus-level state of the embedder (e.g. SIF's common component), needed to embed queries the same way. */
  embedderState: unknown;
  hnsw: typeof HNSW_PARAMS;
  /**
   * Size and modification time of every corpus entry when the build was made (taken before reading it): an open
   * decides whether the corpus changed with a `stat` per file and hashes only the files whose stat differs.
   */
  corpus: Record<string, FileStat>;
  /** Copies of one story (ingest/copies.ts); absent in an index built before copies were grouped. */
  stories?: Story[];
}

const placeholderSchema = z.object({ text: z.string(), offset: z.number(), sentence: z.string() });

/**
 * What a manifest must hold to be read: one that does not (hand-edited, written by a bug, cut short but still JSON)
 * is treated as a damaged index, never half-read. Stores extend it with their own fields.
 */
export const manifestSchema = z.object({
  format: z.number(),
  embedder: z.object({ id: z.string(), dimensions: z.number() }),
  builtAt: z.string(),
  documents: z.array(
    z.object({
      source: z.string(),
      aliases: z.array(z.string()),
      sha256: z.string(),
      title: z.string(),
      date: z.string().optional(),
      chunks: z.number(),
      placeholders: z.array(placeholderSchema),
      paragraphStarts: z.array(z.number()),
    }),
  ),
  chunks: z.number(),
  embedderState: z.unknown(),
  hnsw: z.object({ M: z.number(), efConstruction: z.number(), efSearch: z.number() }),
  corpus: z.record(z.string(), z.object({ size: z.number(), mtimeMs: z.number() })),
  stories: z.array(z.object({ id: z.string(), documents: z.array(z.string()) })).optional(),
});

/**
 * The manifest in `raw` (parsed JSON) as `schema` describes it, built by this embedder and format; throws
 * IndexMismatchError in one line naming `index` otherwise ("…has an invalid manifest (files: Required)…").
 */
export function parseManifest<T extends Manifest>(raw: unknown, schema: z.ZodType<T>, embedder: CorpusEmbedder, index: string): T {
  const stated = raw as Partial<Manifest> | null;
  // An older format is named as such, whatever else it lacks.
  if (stated && typeof stated === 'object' && typeof stated.format === 'number' && stated.format !== INDEX_FORMAT) {
    assertBuiltWith(stated as Manifest, embedder, index);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new IndexMismatchError(`${index} has an invalid manifest (${issue.path.join('.') || 'manifest'}: ${issue.message}); run npm run ingest to rebuild it`);
  }
  assertBuiltWith(parsed.data, embedder, index);
  return parsed.data;
}

export interface FileStat {
  size: number;
  mtimeMs: number;
}

export interface LoadedIndex<Vectors extends VectorStore = VectorStore> {
  /** Identifies the loaded build, so a store can tell whether a newer one went live since. */
  version: string;
  manifest: Manifest;
  /** Dense search over the chunks; results carry the chunk id in `metadata.id`. */
  vectors: Vectors;
  /**
   * The retrieval tables as ingest stored them (search/retrieval-tables.ts reads them; they check themselves), or
   * null when the store keeps none and they are built from the records at open.
   */
  tables: Buffer | null;
  /** Why stored tables were found unusable against the manifest ("checksum mismatch", "missing"): rebuilt from the records. */
  tablesDamage?: string;
  /**
   * Document records of the build, read only when asked: those of the named files (a summary reads its articles'
   * cleaned text), or every one (to rebuild the tables).
   */
  records(sources?: string[]): Promise<DocumentRecord[]>;
  /** The cleaned text of an indexed document (checked at open, read when asked): chunks and sentences are cut from it. */
  text(source: string): string;
}

/** What a file worker computes of each document for the index, off the main thread (search/document-work.ts). */
export interface DocumentWork {
  /** Raw vectors of the chunks, one after the other; null when the previous build's are reused (same cleanedDigest). */
  raw: Float64Array | null;
  /** The document's share of the retrieval tables, for `TablesBuilder.add`. */
  tables: unknown;
}

/** What a file worker is given with each document: the previous build's cleanedDigest of it, when it has one. */
export interface DocumentWorkInput {
  reuseIf?: string;
}

/** A document as the retrieval tables are built from it. */
export interface TabledDocument {
  source: string;
  title: string;
  date?: string;
  chunks: Chunk[];
}

/**
 * What answering reads besides the vectors (search/retrieval-tables.ts), given to the stores so that ingest builds
 * and writes it beside the vectors, a document at a time, without the index stage importing the search stage.
 * `workerModule` is loaded by every file worker of an ingest: its `extend` computes a document's DocumentWork.
 */
export interface TablesFormat {
  workerModule: string;
  builder(): TablesBuilder;
}

export interface TablesBuilder {
  add(doc: TabledDocument, tables: unknown): void;
  encode(): Buffer;
}

/** True when an index of this manifest can be read and reused with this embedder: same format, embedder and size. */
export function builtWith(manifest: Pick<Manifest, 'format' | 'embedder'>, embedder: CorpusEmbedder): boolean {
  return manifest.format === INDEX_FORMAT && manifest.embedder?.id === embedder.id && manifest.embedder.dimensions === embedder.dimensions;
}

/**
 * Refuses a manifest another embedder (or format) built, in the one line users see. `index` names it: "the index at
 * data/index", "the Chroma collection corpus at CHROMA_URL=…".
 */
export function assertBuiltWith(manifest: Pick<Manifest, 'format' | 'embedder'>, embedder: CorpusEmbedder, index: string): void {
  if (builtWith(manifest, embedder)) return;
  if (manifest.format !== INDEX_FORMAT) {
    throw new IndexMismatchError(`${index} is of another format (${manifest.format ?? '?'}; this version reads ${INDEX_FORMAT}): run npm run ingest`);
  }
  throw new IndexMismatchError(
    `${index} was built by embedder ${manifest.embedder?.id ?? 'unknown'} ` +
      `(${manifest.embedder?.dimensions ?? '?'}-d); this configuration uses ${embedder.id} (${embedder.dimensions}-d): run npm run ingest`,
  );
}

/** Paragraphs of a cleaned document are separated by a blank line (see ingest/clean.ts). */
function paragraphStarts(text: string): number[] {
  return [...text.matchAll(/\n\s*\n/g)].map((m) => m.index + m[0].length);
}

/** A document's entry in the manifest (its aliases are added as twins of it are read). */
export function manifestDocument(r: Omit<DocumentRecord, 'aliases' | 'sections'>): Manifest['documents'][number] {
  return {
    source: r.source,
    aliases: [],
    sha256: r.sha256,
    title: r.title,
    ...(r.date ? { date: r.date } : {}),
    chunks: r.chunks.length,
    placeholders: r.placeholders,
    paragraphStarts: paragraphStarts(r.text),
  };
}

/** The manifest of a new build over `documents`: what every backend writes, before its own additions. */
export function newManifest(
  documents: Manifest['documents'],
  embedder: CorpusEmbedder,
  embedderState: unknown,
  corpus: Manifest['corpus'],
  stories: Story[],
): Manifest {
  return {
    format: INDEX_FORMAT,
    embedder: { id: embedder.id, dimensions: embedder.dimensions },
    builtAt: new Date().toISOString(),
    documents,
    chunks: documents.reduce((n, d) => n + d.chunks, 0),
    embedderState,
    hnsw: HNSW_PARAMS,
    corpus,
    stories,
  };
}

/**
 * Where the index lives, as the engine sees it: a local directory (VECTOR_STORE=hnsw) or a Chroma collection that
 * several bot replicas share (VECTOR_STORE=chroma). Retrieval reads the same LoadedIndex from either.
 */
export interface IndexStore {
  /** For messages: INDEX_DIR, or CHROMA_URL and the collection. */
  readonly location: string;
  /** Other processes serve from it too: a process must not rewrite it just because its own corpus copy differs. */
  readonly shared: boolean;
  /**
   * Ingests CORPUS_DIR incrementally and makes the result live for every process that reads this store. Aborting
   * `signal` stops it before it goes live (with the signal's reason), leaving the previous index serving.
   */
  ingest(onProgress?: (p: IngestProgress) => void, signal?: AbortSignal): Promise<IngestReport>;
  /** The live index, or null when nothing has been ingested. Throws IndexMismatchError for another embedder's. */
  open(): Promise<LoadedIndex | null>;
  /** True when a newer build than `loaded` is live. Cheap enough to call before every question. */
  changed(loaded: LoadedIndex): Promise<boolean>;
  /**
   * Stores retrieval tables rebuilt from `loaded`'s records (its own were unusable) as the live build's, when the
   * store keeps them in a file of its own, and returns `loaded` as that build (its vectors and documents are the same);
   * null when `loaded` is no longer live. Shared stores have none: their tables are rebuilt from the records at every
   * open.
   */
  storeTables?(loaded: LoadedIndex, tables: Buffer): Promise<LoadedIndex | null>;
}
