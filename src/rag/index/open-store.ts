/** The store VECTOR_STORE names. Chroma's client is loaded only when it is the one configured. */
import type { Config } from '../../config.js';
import type { CorpusEmbedder } from '../embedding/corpus-embedder.js';
import type { IndexStore, TablesFormat } from './contract.js';
import { LocalIndexStore } from './hnsw-store.js';

/** `tables` builds the retrieval tables an ingest stores (search/retrieval-tables.ts). */
export async function openIndexStore(config: Config, embedder: CorpusEmbedder, tables: TablesFormat): Promise<IndexStore> {
  if (config.store.kind === 'chroma') {
    const { ChromaIndexStore } = await import('./chroma-store.js');
    return new ChromaIndexStore(config, embedder, tables.workerModule);
  }
  return new LocalIndexStore(config.corpusDir, config.indexDir, embedder, tables);
}
