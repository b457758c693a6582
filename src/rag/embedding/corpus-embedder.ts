/**
 * The embedder as the index sees it: raw vectors per chunk, a corpus-level finishing step fitted over every raw vector
 * of a build, and a LangChain `Embeddings` that embeds questions the way the corpus was embedded.
 */
import type { Embeddings } from '@langchain/core/embeddings';
import type { Config } from '../../config.js';
import { CommonComponentFit, SifEmbeddings } from './sif-embeddings.js';
import { ConfigError } from '../errors.js';

/** The corpus-level state fitted over raw vectors given one at a time, in index order: the same order gives the same state. */
export interface StateFit {
  add(raw: ArrayLike<number>): void;
  state(): unknown;
}

/** The finishing step under one fitted state, vector by vector. */
export interface Finisher {
  /** The indexed form of a raw vector. */
  finish(raw: number[]): number[];
  /**
   * What finishing drops from a raw vector (`residueLength` numbers): with its indexed form it gives the raw vector
   * back (`restore`), so a build stores each vector once, in the vector index, and the next ingest still reuses it.
   */
  residue(raw: number[]): number[];
  restore(indexed: ArrayLike<number>, residue: ArrayLike<number>): number[];
}

/** What a worker thread needs to make the same embedder (embedderFromShare): cloneable, its large parts in shared memory. */
export interface EmbedderShare {
  /** SIF's word-vector cache, in a SharedArrayBuffer. */
  words: Uint8Array;
}

export interface CorpusEmbedder {
  readonly id: string;
  readonly dimensions: number;
  /** Numbers per vector in a `Finisher`'s residue. */
  readonly residueLength: number;
  embedRaw(texts: string[]): Promise<number[][]>;
  fitState(): StateFit;
  finisher(state: unknown): Finisher;
  /** Turns every raw vector of the corpus into its indexed form; `state` is stored in the manifest. */
  finish(raw: number[][]): { vectors: number[][]; state: unknown };
  /** Indexed form of raw vectors under a state `finish` fitted earlier: documents added to a served index. */
  finishWith(raw: number[][], state: unknown): number[][];
  /** Embeddings for questions and sentences, given the state a build stored. */
  forQueries(state: unknown): Embeddings;
  /** A word's vector, where the embedder has word vectors: retrieval uses it to credit synonyms. */
  wordVector?(word: string): ArrayLike<number> | undefined;
  share(): EmbedderShare;
}

/** SIF sentence vectors: the common component is fitted on the whole corpus at each build (Arora et al. 2017). */
class SifCorpusEmbedder implements CorpusEmbedder {
  readonly id: string;
  readonly dimensions: number;
  readonly residueLength = 2;
  constructor(private readonly sif: SifEmbeddings) {
    this.id = sif.id;
    this.dimensions = sif.dimensions;
  }
  async embedRaw(texts: string[]): Promise<number[][]> {
    return this.sif.embedRaw(texts);
  }
  fitState(): StateFit {
    const fit = new CommonComponentFit(this.dimensions);
    // One vector has no common component to remove.
    return { add: (raw) => fit.add(raw), state: () => ({ commonComponent: fit.count > 1 ? fit.component() : null }) };
  }
  finisher(state: unknown): Finisher {
    const finished = this.forQueries(state);
    return {
      finish: (raw) => finished.fromRaw(raw),
      residue: (raw) => finished.residueOf(raw),
      restore: (indexed, residue) => finished.restoreRaw(indexed, residue),
    };
  }
  finish(raw: number[][]) {
    const fit = this.fitState();
    for (const v of raw) fit.add(v);
    const state = fit.state();
    return { vectors: this.finishWith(raw, state), state };
  }
  finishWith(raw: number[][], state: unknown): number[][] {
    const finisher = this.finisher(state);
    return raw.map((v) => finisher.finish(v));
  }
  wordVector(word: string): Float32Array | undefined {
    return this.sif.vectorOf(word);
  }
  forQueries(state: unknown): SifEmbeddings {
    const pc = (state as { commonComponent?: number[] | null } | null)?.commonComponent ?? null;
    return this.sif.withCommonComponent(pc);
  }
  share(): EmbedderShare {
    return { words: this.sif.sharedWords };
  }
}

export async function createEmbedder(config: Config, onProgress?: (message: string) => void): Promise<CorpusEmbedder> {
  if (config.embeddings.provider !== 'sif') {
    throw new ConfigError(`EMBEDDINGS_PROVIDER: ${config.embeddings.provider} is not supported yet; use sif`);
  }
  return new SifCorpusEmbedder(await SifEmbeddings.load(config.cacheDir, onProgress));
}

/** The embedder another thread shared (`CorpusEmbedder.share`), without reading its word vectors again. */
export function embedderFromShare(share: EmbedderShare): CorpusEmbedder {
  return new SifCorpusEmbedder(SifEmbeddings.fromShared(share.words));
}
