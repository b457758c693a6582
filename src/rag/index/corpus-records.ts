/**
 * The ingest both backends share: the corpus as document records ready to index (loaded, cleaned, chunked and
 * embedded), reusing the raw vectors of documents whose bytes did not change, and the report users read.
 */
import { setImmediate } from 'node:timers/promises';
import type { CorpusEmbedder } from '../embedding/corpus-embedder.js';
import { chunkDocument, type Chunk } from '../ingest/chunk.js';
import { groupCopies } from '../ingest/copies.js';
import { cleanDocument, repeatedLines } from '../ingest/clean.js';
import { CorpusFileError } from '../errors.js';
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
 * Throws CorpusFileError when no document could be indexed: a build without documents would answer "not found" to
 * everything, so it never goes live and the previous index keeps serving.
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
  const corpus = await loadCorpus(options.corpusDir);
  if (!corpus.files.length) {
    const first = corpus.skipped[0];
    const why = first ? `${corpus.skipped.length} skipped, e.g. ${first.source}: ${first.reason}` : 'the folder holds no files';
    throw new CorpusFileError(oneLine(`no document in ${options.corpusDir} could be indexed (${why}); the index in use was not changed`));
  }
  const reports: DocumentReport[] = corpus.skipped.map((s) => ({
    source: s.source,
    chunks: 0,
    status: 'skipped',
    placeholders: [],
    warning: s.reason,
  }));
  const furniture = repeatedLines(corpus.files.map((f) => f.text));
  const records: DocumentRecord[] = [];
  const bySha = new Map<string, DocumentRecord>();
  let done = 0;
  for (const file of corpus.files) {
    // Embedding is synchronous work behind a promise: without a turn of the event loop, a stop request posted to a
    // worker (or a signal) would not be heard until every document was done.
    if (signal) await setImmediate();
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
    const cleaned = cleanDocument(file.text, { ...file, furniture });
    const chunks = chunkDocument(file.source, cleaned);
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
      chunks,
      rawVectors: unchanged ? previous.rawVectors : await embedder.embedRaw(chunks.map((c) => contextualText(c))),
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
  const present = new Set(corpus.files.map((f) => f.source));
  for (const d of options.previous) {
    for (const name of [d.source, ...d.aliases]) {
      if (!present.has(name)) reports.push({ source: name, title: d.title, chunks: 0, status: 'removed', placeholders: [] });
    }
  }
  return { records, reports, corpus: stats, stories: groupCopies(records) };
}

export function ingestReport(reports: DocumentReport[], records: DocumentRecord[], stories: Story[], began: number): IngestReport {
  const chunks = records.reduce((n, r) => n + r.chunks.length, 0);
  return { documents: [...reports].sort((a, b) => a.source.localeCompare(b.source)), chunks, ms: Math.round(performance.now() - began), stories };
}

/** The text a chunk is embedded as: its heading and title carry the topic that its sentences often leave implicit. */
function contextualText(chunk: Chunk): string {
  return `${chunk.title}. ${chunk.heading ? `${chunk.heading}. ` : ''}${chunk.text}`;
}
