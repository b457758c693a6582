/**
 * VECTOR_STORE=chroma: the chunk vectors live in a Chroma collection, through LangChain's Chroma vector store, and
 * every bot replica reads the same collection. What a replica keeps locally (documents, chunks and titles for the
 * lexical index) is stored beside it, so a replica needs no corpus of its own. A replica builds the retrieval tables
 * (search/retrieval-tables.ts) from those records when it opens the collection.
 *
 * On the server:
 *   <CHROMA_COLLECTION>            one record per chunk: id `<sha256>#<n>`, the indexed vector, the chunk text and
 *                                  metadata { id: the chunk id retrieval knows, source, sha256 };
 *                                  collection metadata { version }: the stamp of the live ingest
 *   <CHROMA_COLLECTION>.documents  `document:<sha256>`: a DocumentRecord as JSON (cleaned text, chunks, raw vectors)
 *                                  `manifest:<version>`: that ingest's manifest (documents, titles, placeholders,
 *                                  embedder id and state)
 * An ingest writes its new chunks, documents and manifest first, then sets `version` on the collection (the commit
 * every replica polls), and only then deletes what the new manifest no longer names, so a replica still on the old
 * version finds every chunk it knows.
 *
 * SIF's common component (the embedder state) is fitted at the first ingest and kept in the manifest. Later ingests
 * finish new documents' vectors under the kept component, so unchanged documents are neither embedded nor sent
 * again. The component drifts from the best fit as the corpus changes, so when the corpus has doubled or halved
 * since the fit it is fitted again from the stored raw vectors and every vector is re-sent (never re-embedded): like
 * a growing array, each vector is re-sent a bounded number of times on average.
 */
import { randomBytes } from 'node:crypto';
import { Chroma } from '@langchain/community/vectorstores/chroma';
import { Document } from '@langchain/core/documents';
import type { Embeddings } from '@langchain/core/embeddings';
import { ChromaClient, ChromaConnectionError, ChromaNotFoundError, type Collection, type EmbeddingFunction, type Where } from 'chromadb';
import type { Config } from '../../config.js';
import type { CorpusEmbedder } from '../embedding/corpus-embedder.js';
import { IndexMismatchError, IngestBusyError, ServiceUnavailableError } from '../errors.js';
import type { IngestProgress, IngestReport } from '../types.js';
import { z } from 'zod';
import { builtWith, cleanedDigest, HNSW_PARAMS, manifestSchema, newManifest, parseManifest, type DocumentRecord, type IndexStore, type LoadedIndex, type Manifest } from './contract.js';
import { assembleCorpus, ingestReport } from './corpus-records.js';
import { withIngestLock } from './lock.js';

/** A document as the server keeps it: whole, with the raw vectors of its chunks (kept for incremental re-ingest). */
type ChromaRecord = DocumentRecord & { rawVectors: number[][] };

/** Records per read of the documents collection: each holds a whole document. */
const DOCUMENTS_PER_REQUEST = 50;

interface ChromaManifest extends Manifest {
  /** The stamp this manifest was committed under. */
  version: string;
  /** How many chunks the embedder state was fitted on. */
  fittedChunks: number;
}

const chromaManifestSchema = manifestSchema.extend({ version: z.string(), fittedChunks: z.number() }) as unknown as z.ZodType<ChromaManifest>;

/**
 * Every record is sent with its vector, computed by the corpus embedder. Naming an embedding function that refuses to
 * embed keeps the client from embedding text on its own (and from warning, on every read, that it has none).
 */
const PRECOMPUTED: EmbeddingFunction = {
  name: 'corpus-embedder',
  generate: async () => {
    throw new Error('records carry their vectors; the corpus embedder computes them');
  },
};

/** Chroma stores a vector with every record; the documents collection is only ever read by id. */
const NO_VECTOR = [0];

const documentId = (sha256: string) => `document:${sha256}`;
const manifestId = (version: string) => `manifest:${version}`;
const newVersion = () => `${new Date().toISOString()}-${randomBytes(3).toString('hex')}`;
/** Chroma refuses an empty `$nin` list; no sha256 equals the empty string. */
const noneOf = (values: string[]) => (values.length ? { $nin: values } : { $ne: '' });

function unreachable(url: string): ServiceUnavailableError {
  return new ServiceUnavailableError(`cannot reach the Chroma server at CHROMA_URL=${url}; start it or correct CHROMA_URL`);
}

/** Runs `work`, turning a connection failure into the one line a user can act on. */
async function reaching<T>(url: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    throw e instanceof ChromaConnectionError ? unreachable(url) : e;
  }
}

export function chromaClient(url: string): ChromaClient {
  const parsed = new URL(url);
  const ssl = parsed.protocol === 'https:';
  return new ChromaClient({ host: parsed.hostname, port: Number(parsed.port) || (ssl ? 443 : 80), ssl });
}

/** LangChain's Chroma store over an open collection; a server that cannot be reached is reported as such. */
class ChromaVectors extends Chroma {
  constructor(
    private readonly serverUrl: string,
    embeddings: Embeddings,
    client: ChromaClient,
    collection: Collection,
  ) {
    super(embeddings, { index: client, collectionName: collection.name });
    this.collection = collection;
  }

  override similaritySearchVectorWithScore(query: number[], k: number, filter?: this['FilterType']): Promise<[Document, number][]> {
    return reaching(this.serverUrl, () => super.similaritySearchVectorWithScore(query, k, filter));
  }

  override addVectors(vectors: number[][], documents: Document[], options?: { ids?: string[] }): Promise<string[]> {
    return reaching(this.serverUrl, () => super.addVectors(vectors, documents, options));
  }
}

/** The collection with the HNSW settings the local index uses, created on first use. */
async function chunkCollection(client: ChromaClient, name: string): Promise<Collection> {
  return client.getOrCreateCollection({
    name,
    embeddingFunction: PRECOMPUTED,
    configuration: {
      hnsw: { space: 'cosine', max_neighbors: HNSW_PARAMS.M, ef_construction: HNSW_PARAMS.efConstruction, ef_search: HNSW_PARAMS.efSearch },
    },
  });
}

async function readJson<T>(collection: Collection, ids: string[]): Promise<Map<string, T>> {
  const found = new Map<string, T>();
  for (let i = 0; i < ids.length; i += DOCUMENTS_PER_REQUEST) {
    const got = await collection.get({ ids: ids.slice(i, i + DOCUMENTS_PER_REQUEST), include: ['documents'] });
    got.ids.forEach((id, j) => {
      const text = got.documents[j];
      if (text) found.set(id, JSON.parse(text) as T);
    });
  }
  return found;
}

async function writeJson(collection: Collection, items: { id: string; value: unknown; metadata: Record<string, string> }[], batch: number): Promise<void> {
  for (let i = 0; i < items.length; i += batch) {
    const part = items.slice(i, i + batch);
    await collection.upsert({
      ids: part.map((item) => item.id),
      embeddings: part.map(() => NO_VECTOR),
      documents: part.map((item) => JSON.stringify(item.value)),
      metadatas: part.map((item) => item.metadata),
    });
  }
}

/**
 * Writes chunk vectors into a collection through LangChain's Chroma store, in batches the server accepts, and returns
 * the store for queries. Ingest uses it; so does the benchmark, to measure Chroma on vectors it made itself.
 */
export async function fillChromaCollection(options: {
  url: string;
  collection: string;
  embeddings: Embeddings;
  vectors: number[][];
  documents: Document[];
  ids: string[];
}): Promise<Chroma> {
  const client = chromaClient(options.url);
  return reaching(options.url, async () => {
    const store = new ChromaVectors(options.url, options.embeddings, client, await chunkCollection(client, options.collection));
    const batch = await client.getMaxBatchSize();
    for (let i = 0; i < options.vectors.length; i += batch) {
      await store.addVectors(options.vectors.slice(i, i + batch), options.documents.slice(i, i + batch), { ids: options.ids.slice(i, i + batch) });
    }
    return store;
  });
}

export class ChromaIndexStore implements IndexStore {
  readonly shared = true;
  readonly location: string;
  private readonly url: string;
  private readonly name: string;
  private readonly documentsName: string;
  private readonly client: ChromaClient;
  /** Documents already read, by sha256: a refresh downloads only what a newer ingest added. */
  private readonly known = new Map<string, ChromaRecord>();

  constructor(
    private readonly config: Config,
    private readonly embedder: CorpusEmbedder,
    /** The module an ingest's file workers load (TablesFormat.workerModule): they embed the documents. */
    private readonly workerModule: string,
  ) {
    this.url = config.store.chromaUrl;
    this.name = config.store.chromaCollection;
    this.documentsName = `${this.name}.documents`;
    this.location = `the Chroma collection ${this.name} at CHROMA_URL=${this.url}`;
    this.client = chromaClient(this.url);
  }

  private loadedId(version: string): string {
    return `${this.url}#${this.name}@${version}`;
  }

  private async existing(name: string): Promise<Collection | null> {
    return this.client.getCollection({ name, embeddingFunction: PRECOMPUTED }).catch((e: unknown) => {
      if (e instanceof ChromaNotFoundError) return null;
      throw e;
    });
  }

  private async liveVersion(): Promise<{ chunks: Collection; version: string } | null> {
    const chunks = await this.existing(this.name);
    const version = chunks?.metadata?.version;
    return chunks && typeof version === 'string' ? { chunks, version } : null;
  }

  /** The manifest's documents, read from the server unless already known; null when one is gone (a newer ingest). */
  private async records(documents: Collection, manifest: Manifest): Promise<ChromaRecord[] | null> {
    const missing = manifest.documents.filter((d) => !this.known.has(d.sha256)).map((d) => documentId(d.sha256));
    for (const record of (await readJson<ChromaRecord>(documents, missing)).values()) this.known.set(record.sha256, record);
    const current = new Set(manifest.documents.map((d) => d.sha256));
    for (const sha of this.known.keys()) if (!current.has(sha)) this.known.delete(sha);
    const records: ChromaRecord[] = [];
    for (const d of manifest.documents) {
      const record = this.known.get(d.sha256);
      if (!record || record.source !== d.source) return null;
      records.push({ ...record, aliases: d.aliases });
    }
    return records;
  }

  async open(): Promise<LoadedIndex | null> {
    return reaching(this.url, async () => {
      // An ingest that commits while this reads removes the version being read: read the newer one.
      for (let attempt = 0; attempt < 3; attempt++) {
        const live = await this.liveVersion();
        const documents = live && (await this.existing(this.documentsName));
        if (!live || !documents) return null;
        const stored = (await readJson<unknown>(documents, [manifestId(live.version)])).get(manifestId(live.version));
        if (!stored) continue;
        const manifest = parseManifest(stored, chromaManifestSchema, this.embedder, this.location);
        const records = await this.records(documents, manifest);
        if (!records) continue;
        const vectors = new ChromaVectors(this.url, this.embedder.forQueries(manifest.embedderState), this.client, live.chunks);
        // The retrieval tables are built from the records at open: a replica reads every record anyway.
        const texts = new Map(records.map((r) => [r.source, r.text]));
        return {
          version: this.loadedId(live.version),
          manifest,
          tables: null,
          records: async (sources?: string[]) => records.filter((r) => !sources || sources.includes(r.source)),
          text: (source: string) => texts.get(source) ?? '',
          vectors,
        };
      }
      throw new IndexMismatchError(`${this.location} kept changing while it was read; try again`);
    });
  }

  async changed(loaded: LoadedIndex): Promise<boolean> {
    const live = await reaching(this.url, () => this.liveVersion());
    return live !== null && this.loadedId(live.version) !== loaded.version;
  }

  async ingest(onProgress?: (p: IngestProgress) => void, signal?: AbortSignal): Promise<IngestReport> {
    const began = performance.now();
    // The lock keeps ingests on this machine apart; the version check before the commit catches one from elsewhere.
    return withIngestLock(this.config.indexDir, () => reaching(this.url, () => this.ingestLocked(began, onProgress, signal)));
  }

  private async ingestLocked(began: number, onProgress?: (p: IngestProgress) => void, signal?: AbortSignal): Promise<IngestReport> {
    let chunks = await chunkCollection(this.client, this.name);
    let documents = await this.client.getOrCreateCollection({ name: this.documentsName, embeddingFunction: PRECOMPUTED });
    const startVersion = typeof chunks.metadata?.version === 'string' ? chunks.metadata.version : undefined;
    const stored = startVersion ? (await readJson<unknown>(documents, [manifestId(startVersion)])).get(manifestId(startVersion)) : undefined;
    // An invalid manifest is no previous ingest: everything is sent again, and what it named is deleted after the commit.
    let previous = chromaManifestSchema.safeParse(stored).data ?? null;
    if (previous && !builtWith(previous, this.embedder)) {
      // Another embedder's vectors (perhaps of another size) cannot share a collection: both start afresh.
      await this.client.deleteCollection({ name: this.name });
      await this.client.deleteCollection({ name: this.documentsName });
      chunks = await chunkCollection(this.client, this.name);
      documents = await this.client.getOrCreateCollection({ name: this.documentsName, embeddingFunction: PRECOMPUTED });
      previous = null;
    }
    const reusable = previous ? ((await this.records(documents, previous)) ?? []) : [];
    const reuse = new Map(reusable.map((r) => [r.sha256, { digest: cleanedDigest(r.title, r.text), raw: () => Float64Array.from(r.rawVectors.flat()) }]));
    const records: ChromaRecord[] = [];
    const d = this.embedder.dimensions;
    const { documents: indexed, reports, corpus, stories } = await assembleCorpus({
      corpusDir: this.config.corpusDir,
      embedder: this.embedder,
      workerModule: this.workerModule,
      reuse: (sha256) => reuse.get(sha256),
      previous: previous?.documents ?? [],
      accept: async ({ raw, tables: _tables, ...doc }) => {
        records.push({ ...doc, aliases: [], rawVectors: doc.chunks.map((_, i) => Array.from(raw.subarray(i * d, (i + 1) * d))) });
      },
      onProgress,
      signal,
    });
    const aliases = new Map(indexed.map((entry) => [entry.sha256, entry.aliases]));
    for (const r of records) r.aliases = aliases.get(r.sha256) ?? [];
    onProgress?.({ stage: 'index', done: 0, total: 1 });

    const total = records.reduce((n, r) => n + r.chunks.length, 0);
    const refit = !previous || total > 2 * previous.fittedChunks || 2 * total < previous.fittedChunks;
    // Only what could be read back counts as stored: a document whose record went missing is sent again.
    const alreadySent = new Set(refit ? [] : reusable.map((r) => `${r.sha256}\u0000${r.source}`));
    const send = records.filter((r) => !alreadySent.has(`${r.sha256}\u0000${r.source}`));
    let state: unknown;
    let vectors: number[][];
    if (refit) {
      ({ state, vectors } = this.embedder.finish(records.flatMap((r) => r.rawVectors)));
    } else {
      state = previous!.embedderState;
      vectors = this.embedder.finishWith(send.flatMap((r) => r.rawVectors), state);
    }

    const batch = await this.client.getMaxBatchSize();
    await fillChromaCollection({
      url: this.url,
      collection: this.name,
      embeddings: this.embedder.forQueries(state),
      vectors,
      documents: send.flatMap((r) =>
        r.chunks.map((c) => new Document({ pageContent: c.text, metadata: { id: c.id, source: c.source, sha256: r.sha256, start: c.start, end: c.end } })),
      ),
      ids: send.flatMap((r) => r.chunks.map((_, n) => `${r.sha256}#${n}`)),
    });
    await writeJson(
      documents,
      send.map((r) => ({ id: documentId(r.sha256), value: r, metadata: { kind: 'document', sha256: r.sha256 } })),
      Math.min(batch, DOCUMENTS_PER_REQUEST),
    );
    const version = newVersion();
    const manifest: ChromaManifest = { ...newManifest(indexed, this.embedder, state, corpus, stories), version, fittedChunks: refit ? total : previous!.fittedChunks };
    await writeJson(documents, [{ id: manifestId(version), value: manifest, metadata: { kind: 'manifest', version } }], 1);

    // Stopped before the commit, what was sent is left over as after a crash: the next ingest deletes it.
    signal?.throwIfAborted();
    const now = (await this.liveVersion())?.version;
    if (now !== startVersion) {
      throw new IngestBusyError(`another ingest updated ${this.location} while this one ran; run npm run ingest again`);
    }
    await chunks.modify({ metadata: { version } });

    const shas = records.map((r) => r.sha256);
    await chunks.delete({ where: { sha256: noneOf(shas) } as Where });
    await documents.delete({ where: { $and: [{ kind: 'document' }, { sha256: noneOf(shas) }] } as Where });
    await documents.delete({ where: { $and: [{ kind: 'manifest' }, { version: { $ne: version } }] } as Where });
    onProgress?.({ stage: 'write', done: 1, total: 1 });
    return ingestReport(reports, indexed, stories, began);
  }
}
