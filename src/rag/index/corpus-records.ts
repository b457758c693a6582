/**
 * The ingest both backends share: the corpus as document records ready to index (loaded, cleaned, chunked and
 * embedded), reusing the raw vectors of documents whose bytes did not change, and the report users read.
 */
import { setImmediate } from 'node:timers/promises';
import type { CorpusEmbedder } from '../embedding/corpus-embedder.js';
import type { Chunk } from '../ingest/chunk.js';
import { groupCopies } from '../ingest/copies.js';
import { repeatedLines } from '../ingest/clean.js';
import { CorpusFileError } from '../errors.js';
import { FileWorker, isSkip } from '../ingest/file-worker.js';
import { loadCorpus, statCorpus } from '../ingest/load.js';
import { oneLine, type DocumentReport, type IngestProgress, type IngestReport, type Story } from '../types.js';
import type { DocumentRecord, Manifest } from './contract.js';

export interface AssembledCorpus {
  /** One record per distinct content (files with the same bytes are aliases of one record). */
  records: DocumentRecord[];
  reports: DocumentReport[];
  /** Stat of every corpus entry, taken before it was read: an edit during the ingest shows as a change later. */
  corpus: Manifest['corpus'];
  /** Documents that are copies of one story. */
  stories: Story[];
}

/**
 * The corpus as documents ready to index, whatever the store: loaded, cleaned, chunked and embedded, except that a
 * document whose sha256 is in `reuse` keeps its raw vectors (never embedded again). `previous` (the documents of
 * the live index) names the ones reported as removed. `signal` stops it between documents.
 *
 * Each file is parsed, cleaned and chunked in a worker with a time and memory budget (ingest/file-worker.ts); one
 * past it is skipped with the reason. Throws CorpusFileError when no document could be indexed: a build without
 * documents would answer "not found" to everything, so it never goes live and the previous index keeps serving.
 */
export async function assembleCorpus(options: {
  corpusDir: string;
  embedder: CorpusEmbedder;
  reuse: Map<string, DocumentRecord>;
  previous: Manifest['documents'];
  onProgress?: (p: IngestProgress) => void;
  signal?: AbortSignal;
}): Promise<AssembledCorpus> {
  const { embedder, reuse, onProgress, signal } = options;
  const stats = await statCorpus(options.corpusDir);
  const worker = new FileWorker();
  try {
    const corpus = await loadCorpus(options.corpusDir, { worker, signal });
    const reports: DocumentReport[] = corpus.skipped.map((s) => skippedReport(s.source, s.reason));
    worker.setFurniture(repeatedLines(corpus.files.map((f) => f.text)));
    const records: DocumentRecord[] = [];
    const bySha = new Map<string, DocumentRecord>();
    /** Why a content was skipped: the same bytes under another name are not read again. */
    const skippedSha = new Map<string, string>();
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
      // Cleaning depends on the rest of the corpus (its furniture): a file whose bytes did not change is cleaned again,
      // and keeps its vectors only when what it reads as is the same.
      const cleaned = skippedSha.has(file.sha256) ? { skipped: skippedSha.get(file.sha256)! } : await worker.prepare(file.source, file, signal);
      if (isSkip(cleaned)) {
        skippedSha.set(file.sha256, cleaned.skipped);
        reports.push(skippedReport(file.source, cleaned.skipped));
        continue;
      }
      const previous = reuse.get(file.sha256);
      const unchanged = previous !== undefined && previous.text === cleaned.text && previous.title === cleaned.title;
      const record: DocumentRecord = {
        source: file.source,
        aliases: [],
        sha256: file.sha256,
        title: cleaned.title,
        ...(cleaned.date ? { date: cleaned.date } : {}),
        text: cleaned.text,
        sections: cleaned.sections,
        placeholders: cleaned.placeholders,
        chunks: cleaned.chunks,
        rawVectors: unchanged ? previous.rawVectors : await embedInSlices(embedder, cleaned.chunks, signal),
      };
      bySha.set(file.sha256, record);
      records.push(record);
      reports.push({
        source: file.source,
        title: record.title,
        chunks: record.chunks.length,
        status: unchanged ? 'unchanged' : 'indexed',
        placeholders: record.placeholders,
      });
    }
    if (!records.length) throw nothingToIndex(options.corpusDir, reports);
    const present = new Set(corpus.files.map((f) => f.source));
    for (const d of options.previous) {
      for (const name of [d.source, ...d.aliases]) {
        if (!present.has(name)) reports.push({ source: name, title: d.title, chunks: 0, status: 'removed', placeholders: [] });
      }
    }
    return { records, reports, corpus: stats, stories: groupCopies(records) };
  } finally {
    // Not awaited: a worker ended inside a large page takes a while to free its heap, and a stop must not wait for it.
    void worker.close();
  }
}

const skippedReport = (source: string, reason: string): DocumentReport => ({ source, chunks: 0, status: 'skipped', placeholders: [], warning: reason });

function nothingToIndex(corpusDir: string, reports: DocumentReport[]): CorpusFileError {
  const skipped = reports.filter((r) => r.status === 'skipped');
  const first = skipped[0];
  const why = first ? `${skipped.length} skipped, e.g. ${first.source}: ${first.warning}` : 'the folder holds no files';
  return new CorpusFileError(oneLine(`no document in ${corpusDir} could be indexed (${why}); the index in use was not changed`));
}

/**
 * Chunks embedded a slice at a time, with a turn of the event loop between slices: embedding is synchronous work, and
 * a stop request (SIGTERM, a worker's stop message) must be heard within a fraction of a second even inside a 5 MB
 * document.
 */
const EMBED_SLICE = 64;

async function embedInSlices(embedder: CorpusEmbedder, chunks: Chunk[], signal?: AbortSignal): Promise<number[][]> {
  const vectors: number[][] = [];
  for (let i = 0; i < chunks.length; i += EMBED_SLICE) {
    if (signal) await setImmediate();
    signal?.throwIfAborted();
    vectors.push(...(await embedder.embedRaw(chunks.slice(i, i + EMBED_SLICE).map((c) => contextualText(c)))));
  }
  return vectors;
}

export function ingestReport(reports: DocumentReport[], records: DocumentRecord[], stories: Story[], began: number): IngestReport {
  const chunks = records.reduce((n, r) => n + r.chunks.length, 0);
  return { documents: [...reports].sort((a, b) => a.source.localeCompare(b.source)), chunks, ms: Math.round(performance.now() - began), stories };
}

/** The text a chunk is embedded as: its heading and title carry the topic that its sentences often leave implicit. */
function contextualText(chunk: Chunk): string {
  return `${chunk.title}. ${chunk.heading ? `${chunk.heading}. ` : ''}${chunk.text}`;
}
