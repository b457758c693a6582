/**
 * The embedder as the index sees it: raw vectors per chunk (kept for incremental re-ingest), a corpus-level
 * finishing step, and a LangChain `Embeddings` that embeds questions the way the corpus was embedded.
 */
import type { Embeddings } from '@langchain/core/embeddings';
import type { Config } from '../../config.js';
import { SifEmbeddings } from './sif-embeddings.js';
import { ConfigError } from '../errors.js';

export interface CorpusEmbedder {
  readonly id: string;
  readonly dimensions: number;
  embedRaw(texts: string[]): Promise<number[][]>;
  /** Turns every raw vector of the corpus into its indexed form; `state` is stored in the manifest. */
  finish(raw: number[][]): { vectors: number[][]; state: unknown };
  /** Indexed form of raw vectors under a state `finish` fitted earlier: documents added to a served index. */
  finishWith(raw: number[][], state: unknown): number[][];
  /** Embeddings for questions and sentences, given the state a build stored. */
  forQueries(state: unknown): Embeddings;
  /** A word's vector, where the embedder has word vectors: retrieval uses it to credit synonyms. */
  wordVector?(word: string): ArrayLike<number> | undefined;
}

/** SIF sentence vectors: the common component is fitted on the whole corpus at each build (Arora et al. 2017). */
class SifCorpusEmbedder implements CorpusEmbedder {
  readonly id: string;
  readonly dimensions: number;
  constructor(private readonly sif: SifEmbeddings) {
    this.id = sif.id;
    this.dimensions = sif.dimensions;
  }
  async embedRaw(texts: string[]): Promise<number[][]> {
    return this.sif.embedRaw(texts);
  }
  finish(raw: number[][]) {
    const pc = raw.length > 1 ? SifEmbeddings.principalComponent(raw) : null;
    const finished = this.sif.withCommonComponent(pc);
    return { vectors: raw.map((v) => finished.fromRaw(v)), state: { commonComponent: pc } };
  }
  finishWith(raw: number[][], state: unknown): number[][] {
    const finished = this.forQueries(state);
    return raw.map((v) => finished.fromRaw(v));
  }
  wordVector(word: string): Float32Array | undefined {
    return this.sif.vectorOf(word);
  }
  forQueries(state: unknown): SifEmbeddings {
    const pc = (state as { commonComponent?: number[] | null } | null)?.commonComponent ?? null;
    return this.sif.withCommonComponent(pc);
  }
}

export async function createEmbedder(config: Config, onProgress?: (message: string) => void): Promise<CorpusEmbedder> {
  if (config.embeddings.provider !== 'sif') {
    throw new ConfigError(`EMBEDDINGS_PROVIDER: ${config.embeddings.provider} is not supported yet; use sif`);
  }
  return new SifCorpusEmbedder(await SifEmbeddings.load(config.cacheDir, onProgress));
}
