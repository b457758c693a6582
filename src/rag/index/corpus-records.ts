/**
 * The ingest both backends share: the corpus read, cleaned, chunked and embedded by a pool of file workers, and handed
 * to the store one document at a time in the corpus's order, so that a build never holds every document's chunks
 * and vectors at once; the raw vectors of documents whose cleaned text did not change are reused; and the report
 * users read.
 */
import type { CorpusEmbedder } from '../embedding/corpus-embedder.js';
import { groupCopies, type CopyCandidate } from '../ingest/copies.js';
import { repeatedLines } from '../ingest/clean.js';
import { CorpusFileError } from '../errors.js';
import { FilePool } from '../ingest/file-pool.js';
import { isSkip, type ExtendedDocument, type Skip } from '../ingest/file-worker.js';
import { loadCorpus, statCorpus, type CorpusFile } from '../ingest/load.js';
import { oneLine, type DocumentReport, type IngestProgress, type IngestReport, type Story } from '../types.js';
import { manifestDocument, type DocumentRecord, type DocumentWork, type DocumentWorkInput, type Manifest } from './contract.js';

/** A document ready to index: its record (aliases come later, in the manifest) and its chunks' raw vectors. */
export interface AssembledDocument extends Omit<DocumentRecord, 'aliases'> {
  /** Raw vectors of the chunks, one after the other (`embedder.dimensions` numbers each). */
  raw: Float64Array;
  /** The document's share of the retrieval tables, computed by the file worker (TablesBuilder.add). */
  tables: unknown;
}

/** A document of the previous build that may be reused: what it read as, and its raw vectors when asked. */
export interface PreviousDocument {
  /** cleanedDigest of its title and text. */
  digest: string;
  raw(): Float64Array | Promise<Float64Array>;
}

export interface AssembledCorpus {
  /** The manifest's documents, in index order: one per distinct content (same bytes under other names are aliases). */
  documents: Manifest['documents'];
  reports: DocumentReport[];
  /** Stat of every corpus entry, taken before it was read: an edit during the ingest shows as a change later. */
  corpus: Manifest['corpus'];
  /** Documents that are copies of one story. */
  stories: Story[];
}

/**
 * Documents prepared ahead of the one the store is taking, per worker of the pool: enough to keep every worker busy
 * while the main thread writes, few enough that memory stays bounded by the window, not the corpus.
 */
const AHEAD_PER_WORKER = 4;

/**
 * Reads the corpus and gives every document to `accept`, in the corpus's order, whatever the pool's size. A document
 * whose sha256 `reuse` knows, and whose cleaned text is what it was, keeps its raw vectors (never embedded again).
 * `previous` (the documents of the live index) names the ones reported as removed. `signal` stops it between
 * documents.
 *
 * Each file is parsed, cleaned, chunked and embedded in a file worker with a time and memory budget
 * (ingest/file-worker.ts); one past it is skipped with the reason. Throws CorpusFileError when no document could be
 * indexed: a build without documents would answer "not found" to everything, so it never goes live and the previous
 * index keeps serving.
 */
export async function assembleCorpus(options: {
  corpusDir: string;
  embedder: CorpusEmbedder;
  /** The module each file worker loads to compute a DocumentWork (TablesFormat.workerModule). */
  workerModule: string;
  reuse: (sha256: string) => PreviousDocument | undefined;
  previous: Manifest['documents'];
  accept: (doc: AssembledDocument) => Promise<void>;
  /** Workers of the pool; by default one per core. */
  poolSize?: number;
  onProgress?: (p: IngestProgress) => void;
  signal?: AbortSignal;
}): Promise<AssembledCorpus> {
  const { embedder, reuse, onProgress, signal } = options;
  const stats = await statCorpus(options.corpusDir);
  const pool = new FilePool(options.poolSize, { extension: { module: options.workerModule, data: embedder.share() } });
  try {
    const corpus = await loadCorpus(options.corpusDir, { worker: pool, signal });
    const reports: DocumentReport[] = corpus.skipped.map((s) => skippedReport(s.source, s.reason));
    pool.setFurniture(repeatedLines(corpus.files.map((f) => f.text)));

    // Files with the same bytes are one document: only the first of them is prepared.
    const firsts = new Map<string, CorpusFile>();
    for (const file of corpus.files) if (!firsts.has(file.sha256)) firsts.set(file.sha256, file);
    const prepared = ahead([...firsts.values()], AHEAD_PER_WORKER * pool.size, (file) => {
      const input: DocumentWorkInput = { reuseIf: reuse(file.sha256)?.digest };
      return pool.prepare(file.source, file, signal, input);
    });

    const documents: Manifest['documents'] = [];
    const bySha = new Map<string, Manifest['documents'][number]>();
    /** Why a content was skipped: the same bytes under another name are not read again. */
    const skippedSha = new Map<string, string>();
    const candidates: CopyCandidate[] = [];
    let done = 0;
    for (const file of corpus.files) {
      signal?.throwIfAborted();
      onProgress?.({ stage: 'embed', done: done++, total: corpus.files.length, source: file.source });
      const twin = bySha.get(file.sha256);
      if (twin) {
        twin.aliases.push(file.source);
        reports.push({ source: file.source, title: twin.title, chunks: 0, status: 'unchanged', placeholders: [], warning: `same content as ${twin.source}; indexed once` });
        continue;
      }
      const known = skippedSha.get(file.sha256);
      const cleaned: ExtendedDocument | Skip = known !== undefined ? { skipped: known } : await prepared.next();
      if (isSkip(cleaned)) {
        skippedSha.set(file.sha256, cleaned.skipped);
        reports.push(skippedReport(file.source, cleaned.skipped));
        continue;
      }
      const work = cleaned.extension as DocumentWork;
      const unchanged = work.raw === null;
      const doc: AssembledDocument = {
        source: file.source,
        sha256: file.sha256,
        title: cleaned.title,
        ...(cleaned.date ? { date: cleaned.date } : {}),
        text: cleaned.text,
        sections: cleaned.sections,
        placeholders: cleaned.placeholders,
        chunks: cleaned.chunks,
        raw: work.raw ?? (await reuse(file.sha256)!.raw()),
        tables: work.tables,
      };
      await options.accept(doc);
      const entry = manifestDocument(doc);
      bySha.set(file.sha256, entry);
      documents.push(entry);
      candidates.push({ source: doc.source, sha256: doc.sha256, text: doc.text, ...(doc.date ? { date: doc.date } : {}) });
      reports.push({ source: file.source, title: doc.title, chunks: doc.chunks.length, status: unchanged ? 'unchanged' : 'indexed', placeholders: doc.placeholders });
    }
    if (!documents.length) throw nothingToIndex(options.corpusDir, reports);
    const present = new Set(corpus.files.map((f) => f.source));
    for (const d of options.previous) {
      for (const name of [d.source, ...d.aliases]) {
        if (!present.has(name)) reports.push({ source: name, title: d.title, chunks: 0, status: 'removed', placeholders: [] });
      }
    }
    return { documents, reports, corpus: stats, stories: groupCopies(candidates) };
  } finally {
    // Not awaited: a worker ended inside a large page takes a while to free its heap, and a stop must not wait for it.
    void pool.close();
  }
}

/**
 * `work` over `items` with up to `window` started ahead of the one taken: `next()` gives the results in the items'
 * order. A result not taken (the ingest stopped) is never an unhandled rejection.
 */
function ahead<T, R>(items: T[], window: number, work: (item: T) => Promise<R>): { next(): Promise<R> } {
  const started: Promise<R>[] = [];
  let taken = 0;
  const fill = () => {
    while (started.length < items.length && started.length < taken + window) {
      const result = work(items[started.length]!);
      result.catch(() => undefined);
      started.push(result);
    }
  };
  return {
    next() {
      fill();
      const result = started[taken]!;
      // Dropped once taken, so that a taken document's chunks are not held until the ingest ends.
      delete started[taken];
      taken++;
      fill();
      return result;
    },
  };
}

const skippedReport = (source: string, reason: string): DocumentReport => ({ source, chunks: 0, status: 'skipped', placeholders: [], warning: reason });

function nothingToIndex(corpusDir: string, reports: DocumentReport[]): CorpusFileError {
  const skipped = reports.filter((r) => r.status === 'skipped');
  const first = skipped[0];
  const why = first ? `${skipped.length} skipped, e.g. ${first.source}: ${first.warning}` : 'the folder holds no files';
  return new CorpusFileError(oneLine(`no document in ${corpusDir} could be indexed (${why}); the index in use was not changed`));
}

export function ingestReport(reports: DocumentReport[], documents: Manifest['documents'], stories: Story[], began: number): IngestReport {
  const chunks = documents.reduce((n, d) => n + d.chunks, 0);
  return { documents: [...reports].sort((a, b) => a.source.localeCompare(b.source)), chunks, ms: Math.round(performance.now() - began), stories };
}
