/**
 * The retrieval tables as an ingest builds them (`retrievalTablesFile`, given to the stores), and each document's
 * share of that ingest, run in a file worker right after cleaning and chunking (ingest/file-worker.ts loads this
 * module as its extension): its chunks' raw vectors — unless the previous build holds them for the same cleaned
 * text — and the analysis of its words for the tables. Every worker of a pool does the same arithmetic, so what a
 * document gives does not depend on which worker took it.
 */
import { embedderFromShare, type EmbedderShare } from '../embedding/corpus-embedder.js';
import { cleanedDigest, type DocumentWork, type DocumentWorkInput, type TablesFormat } from '../index/contract.js';
import type { Chunk } from '../ingest/chunk.js';
import type { Extend } from '../ingest/file-worker.js';
import { analyseDocument, RetrievalTablesBuilder, type DocumentTerms } from './retrieval-tables.js';

/** The tables as the stores build and store them at ingest, a document at a time, with this module as the workers' share. */
export const retrievalTablesFile: TablesFormat = {
  workerModule: import.meta.url,
  builder() {
    const builder = new RetrievalTablesBuilder();
    return { add: (doc, tables) => builder.add(doc, tables as DocumentTerms), encode: () => builder.encode() };
  },
};

/** The text a chunk is embedded as: its heading and title carry the topic that its sentences often leave implicit. */
export function contextualText(chunk: Chunk): string {
  return `${chunk.title}. ${chunk.heading ? `${chunk.heading}. ` : ''}${chunk.text}`;
}

export function extend(share: EmbedderShare): Extend {
  const embedder = embedderFromShare(share);
  return async (doc, input) => {
    const reuse = (input as DocumentWorkInput | undefined)?.reuseIf === cleanedDigest(doc.title, doc.text);
    let raw: Float64Array | null = null;
    if (!reuse) {
      raw = new Float64Array(doc.chunks.length * embedder.dimensions);
      (await embedder.embedRaw(doc.chunks.map(contextualText))).forEach((v, i) => raw!.set(v, i * embedder.dimensions));
    }
    const work: DocumentWork = { raw, tables: analyseDocument(doc) };
    return { value: work, transfer: raw ? [raw.buffer as ArrayBuffer] : [] };
  };
}
